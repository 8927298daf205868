/**
 * Property tests of the x87 functions in WebAssembly (x87-wasm.ts) against the x87 unit's JS fast paths, which
 * trace-entry.test.ts holds to the general path: on random operands of every class (fpu/testdata/x87-cases.ts),
 * each function must decline exactly when the JS fast path declines and otherwise give the same value and the
 * same status (PE, C1). Arithmetic goes through `x87Plan`'s operand order and negation, as regions do. How
 * regions keep registers and fall back to `step` is tested on whole programs in trace-entry.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadInt32, stored, storeInteger } from '../fpu/convert.js';
import { Ext80, fpx } from '../fpu/ext80.js';
import { fastArithExt80, NOT_HANDLED } from '../fpu/fast-path.js';
import {
  compareFinite,
  decodeDouble,
  decodeInt64,
  decodeSingle,
  encodeDouble,
  encodeSingle,
} from '../fpu/memory-fast.js';
import { register } from '../fpu/testdata/x87-cases.js';
import { FCW_DEFAULT, FSW_C1, FSW_PE, RC_NEAREST } from '../fpu/x87-constants.js';
import { X87State } from '../fpu/x87-state.js';
import { CodeWriter, encodeModule } from './wasm-encoder.js';
import {
  DECLINED,
  FORMAT_DOUBLE,
  FORMAT_INT,
  FORMAT_INT64,
  FORMAT_SINGLE,
  INLINE_BLOCK_TYPE,
  INLINE_F64_LOCALS,
  INLINE_I32_LOCALS,
  INLINE_I64_LOCALS,
  INLINED_X87,
  writeInline,
  X87_FUNCTION_NAMES,
  X87_FUNCTIONS,
  type X87Function,
  x87Functions,
  x87Plan,
} from './x87-wasm.js';

interface WasmApi {
  Memory: new (d: { initial: number; maximum: number }) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
/** The functions, exported from a module of their own; multi-value results arrive as arrays. */
const functions = (() => {
  const bytes = encodeModule({
    imports: [],
    memoryPages: 1,
    exports: X87_FUNCTION_NAMES,
    functions: x87Functions(),
  });
  const memory = new wasm.Memory({ initial: 1, maximum: 1 });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  return instance.exports as unknown as Record<
    X87Function,
    (...args: (number | bigint)[]) => (number | bigint)[]
  >;
})();

/**
 * The functions regions write inline, each as a function of the same type whose body is the inlined code
 * (`writeInline`, with the wrapper's locals lent to it): a decline must leave the block with the results a
 * return gives.
 */
const inlined = (() => {
  const names = [...INLINED_X87];
  const bodies = names.map((name) => {
    const type = X87_FUNCTIONS[name];
    const w = new CodeWriter();
    for (let i = 0; i < type.params.length; i++) w.get(i);
    const at = type.params.length;
    writeInline(name, {
      w,
      i32At: at,
      i64At: at + INLINE_I32_LOCALS,
      f64At: at + INLINE_I32_LOCALS + INLINE_I64_LOCALS,
      blockType: 0,
    });
    return {
      type,
      locals: INLINE_I32_LOCALS,
      locals64: INLINE_I64_LOCALS,
      localsF64: INLINE_F64_LOCALS,
      body: w,
    };
  });
  const bytes = encodeModule({
    types: [INLINE_BLOCK_TYPE],
    imports: [],
    memoryPages: 1,
    exports: names,
    functions: bodies,
  });
  const memory = new wasm.Memory({ initial: 1, maximum: 1 });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  return instance.exports as unknown as typeof functions;
})();
/** The arithmetic and decode, as functions and inlined. */
const ways = [
  ['called', functions],
  ['inlined', inlined],
] as const;

const se = (x: Ext80) => (x.sign << 15) | x.exp;
const sig = (x: Ext80) => (BigInt(x.hi) << 32n) | BigInt(x.lo);
/** A wasm (se, significand) result as an Ext80. */
function ext80(seWord: number | bigint, significand: number | bigint): Ext80 {
  const s = BigInt.asUintN(64, BigInt(significand));
  return new Ext80().set(
    (Number(seWord) >>> 15) & 1,
    Number(seWord) & 0x7fff,
    Number(s >> 32n),
    Number(s & 0xffffffffn),
  );
}
const asExt80 = ([, sign, exp, hi, lo]: number[]) =>
  new Ext80().set(sign as number, exp as number, hi as number, lo as number);

describe('x87 functions in WebAssembly', () => {
  it.each(ways)(
    'add, subtract, multiply and divide (%s) at 64 and 53 bits as fast-path.ts does, declining where it declines',
    (_, functions) => {
      let done = 0;
      fc.assert(
        fc.property(
          fc.oneof(
            fc.tuple(register, register),
            // Equal magnitudes: an exact zero sum or difference.
            fc
              .tuple(register, fc.integer({ min: 0, max: 1 }))
              .map(([r, flip]) => [r, r.map((v, i) => (i === 1 ? v ^ flip : v))] as const),
          ),
          fc.constantFrom(0, 1, 4, 5, 6, 7),
          fc.constantFrom(64, 53),
          ([ra, rb], op, bits) => {
            const a = asExt80(ra);
            const b = asExt80(rb);
            // The JS fast path: register 0 = a op b, rounding to nearest at 64 or 53 bits.
            const state = new X87State();
            fpx.cw = FCW_DEFAULT;
            const expected = fastArithExt80(op, a, b, state, 0, bits);
            // The region: FADD..FDIVR ST(0), ST(1) per the plan: operand order, negation, function.
            const plan = x87Plan(0xd8, 0xc1 | (op << 3));
            if (plan === null) throw new Error('no plan');
            const [first, second] = plan.reverse ? [b, a] : [a, b];
            const secondSe = se(second) ^ (plan.negate ? 0x8000 : 0);
            const pc53 = bits === 53 ? 1 : 0;
            const [rse, rsig, status] = functions[plan.fn](
              se(first),
              sig(first),
              secondSe,
              sig(second),
              pc53,
            );
            if (expected === NOT_HANDLED) {
              expect(status).toBe(DECLINED);
              return;
            }
            done++;
            expect(status).toBe(expected);
            expect(ext80(rse as number, rsig as bigint)).toEqual(state.read(0, new Ext80()));
          },
        ),
        { numRuns: 40000 },
      );
      // Most operands are normal: a version that declines everything fails here.
      expect(done).toBeGreaterThan(20000);
    },
  );

  it.each(ways)(
    'decode m16int, m32int, m64int, m32fp and m64fp (%s) as convert.ts and memory-fast.ts do',
    (_, functions) => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.tuple(
              fc.constant(FORMAT_INT),
              fc.integer({ min: -0x80000000, max: 0x7fffffff }),
              fc.constant(0),
            ),
            fc.tuple(
              fc.constant(FORMAT_INT),
              fc.constantFrom(0, 1, -1, -0x8000, 0x7fff, -0x80000000),
              fc.constant(0),
            ),
            fc.tuple(fc.constant(FORMAT_SINGLE), fc.integer({ min: 0, max: 0xffffffff }), fc.constant(0)),
            fc.tuple(
              fc.constant(FORMAT_SINGLE),
              fc.float().map((f) => new Uint32Array(new Float32Array([f]).buffer)[0] as number),
              fc.constant(0),
            ),
            fc.tuple(
              fc.constant(FORMAT_DOUBLE),
              fc.integer({ min: 0, max: 0xffffffff }),
              fc.integer({ min: 0, max: 0xffffffff }),
            ),
            fc
              .bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
              .map(
                (v) =>
                  [
                    FORMAT_INT64,
                    Number(BigInt.asUintN(32, v)),
                    Number(BigInt.asUintN(64, v) >> 32n),
                  ] as const,
              ),
            fc.double().map((d) => {
              const words = new Uint32Array(new Float64Array([d]).buffer);
              return [FORMAT_DOUBLE, words[0] as number, words[1] as number] as const;
            }),
          ),
          ([format, lo, hi]) => {
            const expected = new Ext80();
            let handled = true;
            if (format === FORMAT_INT) loadInt32(lo, expected);
            else if (format === FORMAT_INT64) decodeInt64(lo, hi, expected);
            else if (format === FORMAT_SINGLE) handled = decodeSingle(lo, expected);
            else handled = decodeDouble(lo, hi, expected);
            const [rse, rsig, status] = functions.decode(format, lo | 0, hi | 0);
            expect(status).toBe(handled ? 0 : DECLINED);
            if (handled) expect(ext80(rse as number, rsig as bigint)).toEqual(expected);
          },
        ),
        { numRuns: 20000 },
      );
    },
  );

  it('compare as memory-fast.ts does, declining what it declines', () => {
    fc.assert(
      fc.property(register, register, fc.boolean(), (ra, rb, same) => {
        const a = asExt80(ra);
        // Equal values and values of one sign, now and then.
        const b = same ? new Ext80().set(a.sign, a.exp, a.hi, a.lo) : asExt80(rb);
        // One result comes back as a number, not an array.
        const outcome = functions.compare(se(a), sig(a), se(b), sig(b)) as unknown as number;
        expect(outcome).toBe(compareFinite(a, b));
      }),
      { numRuns: 20000 },
    );
  });

  it('convert to m16int, m32int and m64int in every rounding mode as convert.ts does', () => {
    let done = 0;
    fc.assert(
      fc.property(register, fc.integer({ min: 0, max: 3 }), fc.constantFrom(16, 32, 64), (r, rc, bits) => {
        const x = asExt80(r);
        fpx.begin(FCW_DEFAULT);
        const converted = storeInteger(x, bits, rc);
        const [lo, hi, status] = functions.integer(se(x), sig(x), rc, bits);
        // Declined: what raises more than PE, and what is neither zero nor normal (denormals convert to 0 or
        // 1 in the general path).
        const normalOrZero = x.exp === 0 ? (x.hi | x.lo) === 0 : x.hi >= 0x80000000;
        if (!converted || (fpx.flags & ~FSW_PE) !== 0 || !normalOrZero) {
          expect(status).toBe(DECLINED);
          return;
        }
        done++;
        expect(status).toBe(fpx.flags === 0 ? 0 : fpx.roundedUp ? FSW_PE | FSW_C1 : FSW_PE);
        const expectedHi = bits === 64 ? stored.hi : 0;
        const mask = bits === 16 ? 0xffff : 0xffffffff;
        expect([((lo as number) & mask) >>> 0, bits === 64 ? (hi as number) >>> 0 : 0]).toEqual([
          (stored.lo & mask) >>> 0,
          expectedHi,
        ]);
      }),
      { numRuns: 20000 },
    );
    expect(done).toBeGreaterThan(2000);
  });

  it('encode m32fp and m64fp as memory-fast.ts does, rounding to nearest', () => {
    fc.assert(
      fc.property(register, fc.constantFrom(FORMAT_SINGLE, FORMAT_DOUBLE), (r, format) => {
        const x = asExt80(r);
        const expected = format === FORMAT_DOUBLE ? encodeDouble(x, RC_NEAREST) : encodeSingle(x, RC_NEAREST);
        const [lo, hi, status] = functions.encode(format, se(x), sig(x));
        if (expected === NOT_HANDLED) {
          expect(status).toBe(DECLINED);
          return;
        }
        expect(status).toBe(expected);
        expect([(lo as number) >>> 0, (hi as number) >>> 0]).toEqual([stored.lo, stored.hi]);
      }),
      { numRuns: 20000 },
    );
  });
});
