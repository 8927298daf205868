/**
 * Property tests of the limb arithmetic in significand.ts against BigInt, whose arithmetic is exact and shares
 * no code with it: products bit for bit, quotients as the truncated bits plus sticky that rounding reads, and
 * whole FDIVs through `div` (every rounding mode, precision control and underflow/overflow mask) against the
 * same rounding fed a 130-bit BigInt quotient. Operands mix random significands with the hard ones: a single
 * bit, all ones, divisors with few bits (exact quotients and ties at 24 and 53 bits), denormals, extremes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { div, mul } from './arith.js';
import { Ext80, fpx, roundToExt, work } from './ext80.js';
import { divideSignificands, multiplySignificands } from './significand.js';
import { EXT_BIAS, FCW_DM, FCW_IM, FCW_OM, FCW_PM, FCW_UM, FCW_ZM } from './x87-constants.js';

const B32 = BigInt(32);
const MASK32 = BigInt(0xffffffff);
const ONE = BigInt(1);
const ZERO = BigInt(0);

function big(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << B32) | BigInt(lo >>> 0);
}

function bitLength(x: bigint): number {
  return x === ZERO ? 0 : x.toString(2).length;
}

function workBig(): bigint {
  return (BigInt(work.w2) << BigInt(64)) | (BigInt(work.w1) << B32) | BigInt(work.w0);
}

/** A 64-bit significand with bit 63 set: random, or one of the shapes rounding finds hard. */
const normalizedSignificand = fc.oneof(
  fc.bigInt({ min: ONE << BigInt(63), max: (ONE << BigInt(64)) - ONE }),
  fc.constantFrom(ONE << BigInt(63), (ONE << BigInt(64)) - ONE, (BigInt(3) << BigInt(62)) | ONE),
  // Few significant bits: quotients of these are often exact or exact ties at 24/53 bits.
  fc.bigInt({ min: ONE, max: BigInt(0xffffff) }).map((m) => m << BigInt(64 - bitLength(m))),
  // Long runs of ones or zeros below the top bit.
  fc
    .tuple(fc.integer({ min: 1, max: 63 }), fc.boolean())
    .map(([n, ones]) =>
      ones ? (ONE << BigInt(64)) - (ONE << BigInt(64 - n)) : (ONE << BigInt(63)) | (ONE << BigInt(63 - n)),
    ),
);

function split(m: bigint): [number, number] {
  return [Number((m >> B32) & MASK32), Number(m & MASK32)];
}

describe('multiplySignificands', () => {
  it('leaves the top 96 bits of the exact product and a sticky bit for the rest', () => {
    fc.assert(
      fc.property(normalizedSignificand, normalizedSignificand, (a, b) => {
        const [ah, al] = split(a);
        const [bh, bl] = split(b);
        multiplySignificands(new Ext80().set(0, 0, ah, al), new Ext80().set(0, 0, bh, bl));
        const p = a * b;
        const expected = (p >> B32) | ((p & MASK32) !== ZERO ? ONE : ZERO);
        expect(workBig()).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  }, 60_000);
});

describe('divideSignificands', () => {
  it('gives at least 72 exact quotient bits, normalized, and sticky exactly for a nonzero remainder', () => {
    fc.assert(
      fc.property(normalizedSignificand, normalizedSignificand, (n, d) => {
        const [nh, nl] = split(n);
        const [dh, dl] = split(d);
        work.exp = 1000;
        divideSignificands(new Ext80().set(0, 0, nh, nl), new Ext80().set(0, 0, dh, dl));
        // N/D = W·2^-95 when work.exp stayed, W·2^-96 when it was decremented.
        const s = BigInt(95 + (1000 - work.exp));
        expect(work.exp === 1000 || work.exp === 999).toBe(true);
        expect(work.w2 >>> 31).toBe(1);
        const w = workBig();
        const truncated = w & ~ONE;
        const scaled = n << s;
        // truncated ≤ N·2^s/D < truncated + 2^(s-72): the 72 bits N·2^72/D has above the point are exact.
        expect(truncated * d <= scaled).toBe(true);
        expect(scaled < (truncated + (ONE << (s - BigInt(72)))) * d).toBe(true);
        expect((w & ONE) === ONE).toBe(truncated * d !== scaled);
      }),
      { numRuns: 10000 },
    );
  }, 60_000);

  it('is exact on quotients with few bits (exact results and ties)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: ONE, max: BigInt(0xffff) }),
        fc.oneof(
          fc.bigInt({ min: ONE, max: (ONE << BigInt(48)) - ONE }),
          fc.bigInt({ min: ONE << BigInt(48), max: (ONE << BigInt(64)) - ONE }),
        ),
        (dWide, q) => {
          // N = D·q, both normalized to 64 bits: the quotient is q exactly (no sticky). A q of more than 48
          // bits leaves its last bits to the final digit, whose estimate is then near an integer.
          const room = 64 - bitLength(q);
          const dOdd = room >= 16 ? dWide : (dWide >> BigInt(16 - room)) | ONE;
          const product = dOdd * q;
          const n = product << BigInt(64 - bitLength(product));
          const d = dOdd << BigInt(64 - bitLength(dOdd));
          const [nh, nl] = split(n);
          const [dh, dl] = split(d);
          work.exp = 0;
          divideSignificands(new Ext80().set(0, 0, nh, nl), new Ext80().set(0, 0, dh, dl));
          expect(work.w0 & 1).toBe(0);
          const w = workBig();
          expect(w >> BigInt(96 - bitLength(q))).toBe(q);
          expect(w & ((ONE << BigInt(96 - bitLength(q))) - ONE)).toBe(ZERO);
        },
      ),
      { numRuns: 5000 },
    );
  }, 60_000);
});

/** A finite nonzero Ext80: normal with any exponent, or denormal. */
const finiteOperand = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 0x7ffe }), normalizedSignificand)
    .map(([sign, exp, m]) => [sign, exp, m] as const),
  fc
    .tuple(
      fc.integer({ min: 0, max: 1 }),
      fc.integer({ min: 16000, max: 16766 }),
      fc.integer({ min: 0, max: 1 }),
      normalizedSignificand,
    )
    .map(([sign, exp, low, m]) => [sign, low ? exp - 16000 + 1 : exp, m] as const),
  fc
    .tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 63 }), normalizedSignificand)
    .map(([sign, shift, m]) => [sign, 0, m >> BigInt(shift)] as const),
);

function toExt([sign, exp, m]: readonly [number, number, bigint]): Ext80 {
  const [hi, lo] = split(m);
  return new Ext80().set(sign, exp, hi, lo);
}

/** Significand and exponent of a finite nonzero value, normalized (denormals get exponents below 1). */
function normalizedBig(x: Ext80): [bigint, number] {
  let m = big(x.hi, x.lo);
  let e = x.exp === 0 ? 1 : x.exp;
  const shift = 64 - bitLength(m);
  m <<= BigInt(shift);
  e -= shift;
  return [m, e];
}

/** Loads `work` with a sign, a biased exponent and a 96-bit significand (integer bit first, sticky last). */
function setWork(sign: number, exp: number, w: bigint): void {
  work.sign = sign;
  work.exp = exp;
  work.w2 = Number((w >> BigInt(64)) & MASK32);
  work.w1 = Number((w >> B32) & MASK32);
  work.w0 = Number(w & MASK32);
}

/** FDIV of finite nonzero operands with a 130-bit BigInt quotient, rounded by the same `roundToExt`. */
function referenceDiv(a: Ext80, b: Ext80, out: Ext80, precisionBits: number): void {
  const [n, ea] = normalizedBig(a);
  const [d, eb] = normalizedBig(b);
  if (a.exp === 0 || b.exp === 0) fpx.flags |= 0x0002; // DE, masked
  const scaled = n << BigInt(130);
  const q = scaled / d;
  const shift = bitLength(q) - 96;
  const lost = (q & ((ONE << BigInt(shift)) - ONE)) !== ZERO || q * d !== scaled;
  setWork(a.sign ^ b.sign, ea - eb + EXT_BIAS + shift - 35, (q >> BigInt(shift)) | (lost ? ONE : ZERO));
  roundToExt(out, precisionBits);
}

const controlWord = fc
  .tuple(
    fc.constantFrom(0, 2, 3),
    fc.integer({ min: 0, max: 3 }),
    fc.constantFrom(0, FCW_OM, FCW_UM, FCW_OM | FCW_UM),
    fc.boolean(),
  )
  .map(
    ([pc, rc, om, pm]) => (pc << 8) | (rc << 10) | FCW_IM | FCW_DM | FCW_ZM | om | (pm ? FCW_PM : 0) | 0x1040,
  );

function outcome(out: Ext80): string {
  return `${out.sign} ${out.exp.toString(16)} ${out.hi.toString(16)}:${out.lo.toString(16)} flags ${fpx.flags.toString(16)} c1 ${fpx.roundedUp}`;
}

describe('div', () => {
  it('rounds like the exact quotient in every mode, precision and mask', () => {
    const got = new Ext80();
    const want = new Ext80();
    fc.assert(
      fc.property(finiteOperand, finiteOperand, controlWord, (x, y, cw) => {
        const a = toExt(x);
        const b = toExt(y);
        const p = [24, 64, 53, 64][(cw >>> 8) & 3];
        fpx.begin(cw);
        expect(div(a, b, got, p)).toBe(true);
        const actual = outcome(got);
        fpx.begin(cw);
        referenceDiv(a, b, want, p);
        expect(actual).toBe(outcome(want));
      }),
      { numRuns: 10000 },
    );
  }, 60_000);

  it('matches a BigInt product for mul in every mode, precision and mask', () => {
    const got = new Ext80();
    const want = new Ext80();
    fc.assert(
      fc.property(finiteOperand, finiteOperand, controlWord, (x, y, cw) => {
        const a = toExt(x);
        const b = toExt(y);
        const p = [24, 64, 53, 64][(cw >>> 8) & 3];
        fpx.begin(cw);
        expect(mul(a, b, got, p)).toBe(true);
        const actual = outcome(got);
        fpx.begin(cw);
        const [n, ea] = normalizedBig(a);
        const [m, eb] = normalizedBig(b);
        if (a.exp === 0 || b.exp === 0) fpx.flags |= 0x0002;
        const prod = n * m; // 127 or 128 bits
        const shift = bitLength(prod) - 96;
        const lost = (prod & ((ONE << BigInt(shift)) - ONE)) !== ZERO;
        setWork(
          a.sign ^ b.sign,
          ea + eb - EXT_BIAS + shift - 31,
          (prod >> BigInt(shift)) | (lost ? ONE : ZERO),
        );
        roundToExt(want, p);
        expect(actual).toBe(outcome(want));
      }),
      { numRuns: 10000 },
    );
  }, 60_000);
});
