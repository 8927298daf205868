/**
 * Property test of fast-path.ts against the general operations of arith.ts: whenever the fast path takes an
 * operation it must write the register the general path produces and report exactly its flags (PE alone, C1
 * as "rounded up"); when it declines, it must leave the register file untouched. Operands are normals with
 * exponents spread over the whole range and bunched at the overflow and underflow edges, and significands
 * with long runs of ones (carries), pairs of nearby exponents (alignment) or few bits (exact results, ties, total cancellation).
 * The register form (fastRegisters) is checked the same way for all six operations, reversed ones included.
 * Quotients are also built to sit just beside a boundary of fastDiv's 32-bit digits (N·2^33/D, or the quotient
 * as a whole, within a few units of 2^-30 of an integer), where a digit estimate must not be trusted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, div, mul } from './arith.js';
import { Ext80, fpx } from './ext80.js';
import {
  fastAdd,
  fastDiv,
  fastMul,
  fastRegisters,
  NOT_HANDLED,
  OP_ADD,
  OP_DIV,
  OP_DIVR,
  OP_MUL,
  OP_SUB,
  OP_SUBR,
} from './fast-path.js';
import { FCW_DM, FCW_IM, FCW_OM, FCW_PM, FCW_UM, FCW_ZM, FSW_C1, FSW_PE } from './x87-constants.js';
import { X87State } from './x87-state.js';

const word = fc.integer({ min: 0, max: 0xffffffff });
const hiWord = fc.oneof(
  word.map((w) => (w | 0x80000000) >>> 0),
  fc.constantFrom(0x80000000, 0xffffffff, 0xc0000000, 0x80000001),
);
const loWord = fc.oneof(word, fc.constantFrom(0, 0xffffffff, 1, 0x80000000, 0xfffff800, 0x800));
const exponent = fc.oneof(
  fc.integer({ min: 1, max: 0x7ffe }),
  fc.integer({ min: 16383 - 80, max: 16383 + 80 }),
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 0x7ffe - 100, max: 0x7ffe }),
);
/** A normal value, or occasionally a zero or a denormal (which the fast path must decline). */
const operand = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.integer({ min: 0, max: 1 }), exponent, hiWord, loWord) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.constant(0), word, loWord) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.constant(0), fc.constant(0), fc.constant(0)),
  },
);

/**
 * Pairs whose exponents differ by up to 100: alignment shifts across every word boundary, and carries; and
 * equal magnitudes, whose sum or difference is an exact zero.
 */
const operandPair = fc.oneof(
  fc.tuple(operand, operand),
  fc
    .tuple(operand, fc.boolean())
    .map(([x, flip]) => [x, [x[0] ^ (flip ? 1 : 0), x[1], x[2], x[3]] as typeof x] as const),
  fc
    .tuple(operand, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 1 }), hiWord, loWord)
    .map(([x, delta, sign, hi, lo]) => [x, [sign, Math.max(1, x[1] - delta), hi, lo] as typeof x] as const),
);

const controlWord = fc
  .tuple(fc.constantFrom(0, 2, 3), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.boolean(), fc.boolean())
  .map(
    ([pc, rc, om, um, pm]) =>
      (pc << 8) |
      (rc << 10) |
      FCW_IM |
      FCW_DM |
      FCW_ZM |
      (om ? FCW_OM : 0) |
      (um ? FCW_UM : 0) |
      (pm ? FCW_PM : 0) |
      0x1040,
  );

const OPS = ['add', 'sub', 'mul', 'div'] as const;

const B33 = BigInt(33);
const B32 = BigInt(32);
const MASK32 = BigInt(0xffffffff);
const TOP = BigInt(1) << BigInt(63);
const LIMIT = BigInt(1) << BigInt(64);

/** A divisor significand, often next to a power of two (where N·2^65/D moves by nearly whole units). */
const divisor = fc.oneof(
  fc.tuple(hiWord, loWord),
  fc.tuple(fc.constant(0x80000000), fc.integer({ min: 0, max: 64 })),
  fc.tuple(fc.constant(0xffffffff), fc.integer({ min: 0xffffffc0, max: 0xffffffff })),
);

/**
 * [N, D] (as [hi, lo] pairs) with N·2^33/D within 2^33/D·|t| of the integer q (or N = D·q/2^k ± t, an exact
 * quotient nudged): the digit estimates of fastDiv land next to an integer.
 */
const boundaryPair = fc
  .tuple(
    divisor,
    fc.bigInt({ min: BigInt(1), max: (BigInt(1) << BigInt(34)) - BigInt(1) }),
    fc.integer({ min: -4, max: 4 }),
    fc.boolean(),
  )
  .map(([[dh, dl], q, t, whole]) => {
    const d = (BigInt(dh) << B32) | BigInt(dl);
    // whole: N = D·q scaled into [2^63, 2^64); otherwise N·2^33 ≈ q·D.
    let n = whole ? d * q : (q * d) >> B33;
    while (n >= LIMIT) n >>= BigInt(1);
    while (n < TOP) n <<= BigInt(1);
    n += BigInt(t);
    if (n >= LIMIT) n = LIMIT - BigInt(1);
    if (n < TOP) n = TOP;
    return [Number(n >> B32), Number(n & MASK32), dh, dl] as const;
  });

/**
 * `general` = x op y by arith.ts, for an op of fast-path.ts; returns the status bits the fast path must
 * report for it (PE, C1 for "rounded up").
 */
function generalResult(op: number, x: Ext80, y: Ext80, general: Ext80, cw: number, pcBits: number): number {
  fpx.begin(cw);
  if (op === OP_ADD || op === OP_SUB) add(x, y, op === OP_SUB, general, pcBits);
  else if (op === OP_SUBR) add(y, x, true, general, pcBits);
  else if (op === OP_MUL) mul(x, y, general, pcBits);
  else if (op === OP_DIV) div(x, y, general, pcBits);
  else div(y, x, general, pcBits);
  return (fpx.flags & FSW_PE) | (fpx.roundedUp ? FSW_C1 : 0);
}

describe('fast path', () => {
  it('agrees with the general path or declines without writing', () => {
    const state = new X87State();
    const general = new Ext80();
    fc.assert(
      fc.property(operandPair, controlWord, fc.constantFrom(...OPS), ([x, y], cw, op) => {
        const a = new Ext80().set(x[0], x[1], x[2], x[3]);
        const b = new Ext80().set(y[0], y[1], y[2], y[3]);
        const pcBits = [24, 64, 53, 64][(cw >>> 8) & 3];
        const opNumber = { add: OP_ADD, sub: OP_SUB, mul: OP_MUL, div: OP_DIV }[op];
        const expected = generalResult(opNumber, a, b, general, cw, pcBits);
        const flags = fpx.flags;
        state.writePhys(3, new Ext80().set(1, 0x1234, 0x9abcdef0, 0x12345678));
        fpx.begin(cw);
        let status: number;
        if (op === 'add') status = fastAdd(a, b, 0, state, 3, pcBits);
        else if (op === 'sub') status = fastAdd(a, b, 1, state, 3, pcBits);
        else if (op === 'mul') status = fastMul(a, b, state, 3, pcBits);
        else status = fastDiv(a, b, state, 3, pcBits);
        const got = [state.sign[3], state.exp[3], state.hi[3], state.lo[3]];
        if (status === NOT_HANDLED) {
          expect(got).toEqual([1, 0x1234, 0x9abcdef0, 0x12345678]);
          return;
        }
        expect(got).toEqual([general.sign, general.exp, general.hi, general.lo]);
        expect(status).toBe(expected);
        expect(flags & ~FSW_PE).toBe(0);
      }),
      { numRuns: 20000 },
    );
  }, 60_000);

  it('divides like the general path when a quotient digit is next to an integer', () => {
    const state = new X87State();
    const general = new Ext80();
    fc.assert(
      fc.property(
        boundaryPair,
        controlWord,
        fc.integer({ min: 0, max: 3 }),
        ([nh, nl, dh, dl], cw, signs) => {
          const a = new Ext80().set(signs & 1, 16383, nh, nl);
          const b = new Ext80().set(signs >> 1, 16383 - 40, dh, dl);
          const pcBits = [24, 64, 53, 64][(cw >>> 8) & 3];
          const expected = generalResult(OP_DIV, a, b, general, cw, pcBits);
          fpx.begin(cw);
          const status = fastDiv(a, b, state, 3, pcBits);
          expect(status).not.toBe(NOT_HANDLED);
          expect([state.sign[3], state.exp[3], state.hi[3], state.lo[3]]).toEqual([
            general.sign,
            general.exp,
            general.hi,
            general.lo,
          ]);
          expect(status).toBe(expected);
        },
      ),
      { numRuns: 20000 },
    );
  }, 60_000);

  it('computes every register operation like the general path, or declines without writing', () => {
    const state = new X87State();
    const general = new Ext80();
    const ops = [OP_ADD, OP_MUL, OP_SUB, OP_SUBR, OP_DIV, OP_DIVR];
    fc.assert(
      fc.property(operandPair, controlWord, fc.constantFrom(...ops), ([x, y], cw, op) => {
        const a = new Ext80().set(x[0], x[1], x[2], x[3]);
        const b = new Ext80().set(y[0], y[1], y[2], y[3]);
        const pcBits = [24, 64, 53, 64][(cw >>> 8) & 3];
        const expected = generalResult(op, a, b, general, cw, pcBits);
        state.writePhys(5, a);
        state.writePhys(2, b);
        fpx.begin(cw);
        const status = fastRegisters(op, state, 5, 2, pcBits);
        const got = [state.sign[5], state.exp[5], state.hi[5], state.lo[5]];
        expect([state.sign[2], state.exp[2], state.hi[2], state.lo[2]]).toEqual([b.sign, b.exp, b.hi, b.lo]);
        if (status === NOT_HANDLED) {
          expect(got).toEqual([a.sign, a.exp, a.hi, a.lo]);
          return;
        }
        expect(got).toEqual([general.sign, general.exp, general.hi, general.lo]);
        expect(status).toBe(expected);
      }),
      { numRuns: 20000 },
    );
  }, 60_000);
});
