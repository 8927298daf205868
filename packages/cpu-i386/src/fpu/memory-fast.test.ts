/**
 * Property test of memory-fast.ts against the general conversions of convert.ts and the ordered compare of
 * arith.ts: a load the fast path takes must give the value `loadSingle`/`loadDouble`/`loadInt64` gives, and it
 * may decline only NaNs, infinities and denormals; a store it takes must give the image and exactly the flags
 * (PE, C1 as "rounded up") `storeFloat` gives, and it may decline only what the general path reports more
 * than PE for, or values that are not normal or zero; a compare it takes must agree with `compareOrdered`.
 * Values are bunched at the edges: exponents at the ends of the m32fp and m64fp ranges, significands whose
 * dropped bits are exactly half (ties) or all ones (carries into the next binade and into overflow).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOrdered } from './arith.js';
import { loadDouble, loadInt64, loadSingle, stored, storeFloat } from './convert.js';
import { classify, Ext80, fpx, K_NORMAL, K_ZERO } from './ext80.js';
import { NOT_HANDLED } from './fast-path.js';
import {
  CMP_EQ,
  CMP_GT,
  CMP_LT,
  compareFinite,
  decodeDouble,
  decodeInt64,
  decodeSingle,
  encodeDouble,
  encodeSingle,
} from './memory-fast.js';
import { EXT_BIAS, FSW_C1, FSW_PE } from './x87-constants.js';

const word = fc.integer({ min: 0, max: 0xffffffff });
const sign = fc.integer({ min: 0, max: 1 });
const rc = fc.integer({ min: 0, max: 3 });
/** All exceptions masked, so the general path always stores; rounding control `rc`. */
const cwFor = (r: number) => 0x037f | (r << 10);

/** Biased exponents of m64fp (11 bits) or m32fp (8 bits), bunched at both ends. */
const doubleExp = fc.oneof(fc.integer({ min: 0, max: 0x7ff }), fc.constantFrom(0, 1, 2, 0x7fe, 0x7ff, 1023));
const singleExp = fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.constantFrom(0, 1, 2, 0xfe, 0xff, 127));
const doubleImage = fc
  .tuple(
    sign,
    doubleExp,
    fc.oneof(word, fc.constantFrom(0, 1, 0xfffff, 0x80000)),
    fc.oneof(word, fc.constant(0)),
  )
  .map(([s, e, fracHi, lo]) => [lo >>> 0, ((s << 31) | (e << 20) | (fracHi & 0xfffff)) >>> 0] as const);
const singleImage = fc
  .tuple(sign, singleExp, fc.oneof(word, fc.constantFrom(0, 1, 0x7fffff, 0x400000)))
  .map(([s, e, frac]) => ((s << 31) | (e << 23) | (frac & 0x7fffff)) >>> 0);

/** Extended exponents around the m64fp and m32fp normal ranges, and anywhere. */
const EDGES = [-1023, -1022, -1021, 1022, 1023, 1024, -127, -126, -125, 126, 127, 128, 0].map(
  (e) => e + EXT_BIAS,
);
const extExp = fc.oneof(
  fc.integer({ min: 0, max: 0x7fff }),
  fc.constantFrom(...EDGES),
  fc.integer({ min: EXT_BIAS - 1030, max: EXT_BIAS + 1030 }),
);
const extHi = fc.oneof(
  word,
  fc.constantFrom(0xffffffff, 0x80000000, 0xffffff80, 0x800000ff, 0xffffff7f, 0x80000080, 0x80000180, 0),
);
const extLo = fc.oneof(word, fc.constantFrom(0, 0xffffffff, 0xfffff800, 0x400, 0xc00, 0x800, 0x80000000, 1));
const extended = fc.tuple(sign, extExp, extHi, extLo);
/** Compare operands: extended values, with signed zeros often. */
const comparand = fc.oneof(
  extended,
  sign.map((s) => [s, 0, 0, 0] as [number, number, number, number]),
);

describe('memory-fast loads', () => {
  it('decodeDouble agrees with loadDouble and declines only NaNs, infinities and denormals', () => {
    fc.assert(
      fc.property(doubleImage, ([lo, hi]) => {
        const fast = new Ext80();
        const general = new Ext80();
        fpx.begin(0x037f);
        loadDouble(lo, hi, general);
        const e = (hi >>> 20) & 0x7ff;
        const normalOrZero = e !== 0x7ff && (e !== 0 || ((hi & 0xfffff) | lo) === 0);
        expect(decodeDouble(lo | 0, hi | 0, fast)).toBe(normalOrZero);
        if (normalOrZero) expect(fast).toEqual(general);
      }),
      { numRuns: 20000 },
    );
  }, 60_000);

  it('decodeSingle agrees with loadSingle and declines only NaNs, infinities and denormals', () => {
    fc.assert(
      fc.property(singleImage, (bits) => {
        const fast = new Ext80();
        const general = new Ext80();
        fpx.begin(0x037f);
        loadSingle(bits, general);
        const e = (bits >>> 23) & 0xff;
        const normalOrZero = e !== 0xff && (e !== 0 || (bits & 0x7fffff) === 0);
        expect(decodeSingle(bits | 0, fast)).toBe(normalOrZero);
        if (normalOrZero) expect(fast).toEqual(general);
      }),
      { numRuns: 20000 },
    );
  }, 60_000);

  it('decodeInt64 agrees with loadInt64', () => {
    const int64 = fc.oneof(
      fc.tuple(word, word),
      fc.tuple(fc.constantFrom(0, 1, 0xffffffff, 0x80000000), fc.constantFrom(0, 0xffffffff, 0x80000000, 1)),
    );
    fc.assert(
      fc.property(int64, ([lo, hi]) => {
        const fast = new Ext80();
        const general = new Ext80();
        loadInt64(lo, hi | 0, general);
        decodeInt64(lo | 0, hi | 0, fast);
        expect(fast).toEqual(general);
      }),
      { numRuns: 20000 },
    );
  }, 60_000);
});

describe('memory-fast stores', () => {
  it.each([
    ['m64fp', true],
    ['m32fp', false],
  ] as const)(
    'encode (%s) agrees with storeFloat, declining only what needs more than PE',
    (_, isDouble) => {
      fc.assert(
        fc.property(extended, rc, ([s, exp, hi, lo], r) => {
          const x = new Ext80().set(s, exp, hi, lo);
          fpx.begin(cwFor(r));
          const status = isDouble ? encodeDouble(x, r) : encodeSingle(x, r);
          const fastImage = [stored.lo, stored.hi];
          expect(storeFloat(x, isDouble)).toBe(true);
          const k = classify(x);
          if (status === NOT_HANDLED) {
            // Declined: not normal or zero, below the format's normal range before rounding, or overflowing.
            const biased = exp - EXT_BIAS + (isDouble ? 1023 : 127);
            if (k === K_NORMAL && biased >= 1) expect(fpx.flags & ~FSW_PE).not.toBe(0);
            else expect(k).not.toBe(K_ZERO);
            return;
          }
          expect(fastImage).toEqual([stored.lo, stored.hi]);
          expect(status & FSW_PE).toBe(fpx.flags);
          expect((status & FSW_C1) !== 0).toBe(fpx.roundedUp);
        }),
        { numRuns: 60000 },
      );
    },
    60_000,
  );
});

describe('memory-fast compare', () => {
  it('compareFinite agrees with compareOrdered on zeros and normals, and declines the rest', () => {
    fc.assert(
      fc.property(comparand, comparand, fc.boolean(), (a, b, same) => {
        const x = new Ext80().set(...a);
        const y = same ? new Ext80().set(1 - a[0], a[1], a[2], a[3]) : new Ext80().set(...b);
        const kx = classify(x);
        const ky = classify(y);
        const outcome = compareFinite(x, y);
        const finite = (kx === K_ZERO || kx === K_NORMAL) && (ky === K_ZERO || ky === K_NORMAL);
        expect(outcome >= 0).toBe(finite);
        if (!finite) return;
        const c = compareOrdered(x, kx, y, ky);
        expect(outcome).toBe(c > 0 ? CMP_GT : c < 0 ? CMP_LT : CMP_EQ);
      }),
      { numRuns: 20000 },
    );
  }, 60_000);
});
