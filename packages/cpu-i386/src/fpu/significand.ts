/**
 * Exact products and quotients of two 64-bit significands, left in `work` with a sticky bit for rounding.
 * Layer: arch plugin (cpu-i386), x87 unit; arith.ts calls these for FMUL and FDIV, ext80.ts rounds the result.
 *
 * How it works: a 64-bit significand (hi:lo, two uint32) is split into three limbs of radix 2^24 (16 + 24 + 24
 * bits), kept in doubles. A limb times a limb (or times a 25-bit quotient digit) is below 2^49, and a column
 * of three such products below 2^51, so every partial result is an exact double integer and no BigInt or
 * array is needed: the common path allocates nothing and keeps everything in locals.
 *
 * - Multiplication sums the nine limb products by column, propagates carries in radix 2^24, and repacks the
 *   128-bit product into the top 96 bits with the lowest 32 folded into a sticky bit.
 * - Division is long division in radix 2^24: a quotient digit is estimated from the quotient of the doubles
 *   nearest to the partial remainder and the divisor, each within 2^-53 of the exact value, so an estimate
 *   below 2^49 is within 0.2 of the exact quotient and its floor at most one off; the exact remainder X - q·D,
 *   computed in limbs, shows which way and is corrected by adding or subtracting D. 72 or 73 quotient bits
 *   are produced (rounding needs 66) and the final remainder gives the sticky bit.
 *
 * Doubles are turned into int32 (`|`, `&`, `<<`) only below 2^32: V8 truncates larger ones out of line, slowly.
 */
import { type Ext80, work } from './ext80.js';

const RADIX = 16777216; // 2^24
const INV_RADIX = 1 / RADIX;
const LIMB = 0xffffff;

/**
 * work.w2:w1:w0 = the top 96 bits of the 128-bit product of the significands of x and y, the lowest 32 bits
 * folded into a sticky bit (bit 0 of w0). Does not touch work.sign or work.exp. The operands are passed as
 * objects: uint32 arguments of a call V8 does not inline would each be boxed in a new heap number.
 */
export function multiplySignificands(x: Ext80, y: Ext80): void {
  const hi1 = x.hi;
  const lo1 = x.lo;
  const hi2 = y.hi;
  const lo2 = y.lo;
  const a0 = lo1 & LIMB;
  const a1 = (lo1 >>> 24) | ((hi1 & 0xffff) << 8);
  const a2 = hi1 >>> 16;
  const b0 = lo2 & LIMB;
  const b1 = (lo2 >>> 24) | ((hi2 & 0xffff) << 8);
  const b2 = hi2 >>> 16;
  // Columns of the product in radix 2^24, each carried into the next (k) and reduced to a limb.
  let c = a0 * b0;
  let k = Math.floor(c * INV_RADIX);
  const p0 = c - k * RADIX;
  c = k + a0 * b1 + a1 * b0;
  k = Math.floor(c * INV_RADIX);
  const p1 = c - k * RADIX;
  c = k + a0 * b2 + a1 * b1 + a2 * b0;
  k = Math.floor(c * INV_RADIX);
  const p2 = c - k * RADIX;
  c = k + a1 * b2 + a2 * b1;
  k = Math.floor(c * INV_RADIX);
  const p3 = c - k * RADIX;
  c = k + a2 * b2;
  k = Math.floor(c * INV_RADIX);
  const p4 = c - k * RADIX;
  const p5 = k; // below 2^8: the product is below 2^128
  const w = work;
  w.w2 = (p4 | (p5 << 24)) >>> 0;
  w.w1 = ((p2 >>> 16) | (p3 << 8)) >>> 0;
  const low = (p0 | ((p1 & 0xff) << 24)) >>> 0;
  w.w0 = ((p1 >>> 8) | ((p2 & 0xffff) << 16) | (low !== 0 ? 1 : 0)) >>> 0;
}

/** 2^-20: a digit estimate this close to an integer might floor the wrong way, so it is checked exactly. */
const NEAR_INTEGER = 1 / 1048576;

/**
 * work = N / D for the normalized 64-bit significands (bit 63 set) of n and d: the quotient truncated to 72
 * or 73 bits, normalized so its integer bit is bit 95, with bit 0 of w0 sticky for a nonzero remainder.
 * Adjusts work.exp: the caller sets it to the biased exponent the quotient has when N ≥ D (aExp - bExp + bias);
 * when N < D the quotient is below 1 and work.exp is decremented. Does not touch work.sign.
 *
 * Two long-division steps: q = floor(N·2^48 / D) (48 or 49 bits, as two 24-bit limbs) with its exact
 * remainder R, then the last digit floor(R·2^24 / D). That digit's estimate is usually far enough from an
 * integer (more than 2^-20, against an error below 2^-27) to be its floor, with a remainder that cannot be zero
 * (sticky set), so its exact remainder is only computed when the estimate is that close.
 */
export function divideSignificands(n: Ext80, d: Ext80): void {
  const nHi = n.hi;
  const nLo = n.lo;
  const dHi = d.hi;
  const dLo = d.lo;
  const d0 = dLo & LIMB;
  const d1 = (dLo >>> 24) | ((dHi & 0xffff) << 8);
  const d2 = dHi >>> 16;
  const dApprox = dHi * 0x100000000 + dLo;
  let q = Math.floor(((nHi * 0x100000000 + nLo) * 281474976710656) / dApprox); // × 2^48
  let qh = Math.floor(q * INV_RADIX);
  let ql = q - qh * RADIX;
  // t4..t0 = X - q·D in radix 2^24, X = N·2^48 (N's limbs at positions 2, 3, 4).
  let t0 = -(ql * d0);
  let t1 = -(ql * d1 + qh * d0);
  let t2 = (nLo & LIMB) - (ql * d2 + qh * d1);
  let t3 = ((nLo >>> 24) | ((nHi & 0xffff) << 8)) - qh * d2;
  let t4 = nHi >>> 16;
  // Normalize the limbs; the estimate is at most one off (see the header), and the loop also covers more.
  for (;;) {
    let c = Math.floor(t0 * INV_RADIX);
    t0 -= c * RADIX;
    t1 += c;
    c = Math.floor(t1 * INV_RADIX);
    t1 -= c * RADIX;
    t2 += c;
    c = Math.floor(t2 * INV_RADIX);
    t2 -= c * RADIX;
    t3 += c;
    c = Math.floor(t3 * INV_RADIX);
    t3 -= c * RADIX;
    t4 += c;
    if (t4 < 0) {
      q -= 1;
      t0 += d0;
      t1 += d1;
      t2 += d2;
    } else if (t4 !== 0 || t3 !== 0 || t2 > d2 || (t2 === d2 && (t1 > d1 || (t1 === d1 && t0 >= d0)))) {
      q += 1;
      t0 -= d0;
      t1 -= d1;
      t2 -= d2;
    } else break;
  }
  qh = Math.floor(q * INV_RADIX);
  ql = q - qh * RADIX;
  // The last digit, from the remainder R = t2:t1:t0 < D.
  const estimate = (((t2 * RADIX + t1) * RADIX + t0) * RADIX) / dApprox;
  let q2 = Math.floor(estimate);
  let sticky = 1;
  const fraction = estimate - q2;
  if (fraction < NEAR_INTEGER || fraction > 1 - NEAR_INTEGER) {
    q2 = exactDigit(t2, t1, t0, d2, d1, d0, dApprox);
    sticky = lastRemainderNonzero;
  }
  // As int32s (all three are below 2^25): V8 boxes a double argument of a call it does not inline.
  packQuotient(qh | 0, ql | 0, q2 | 0, sticky);
}

let lastRemainderNonzero = 0;

/**
 * floor(R·2^24 / D) for R = r2:r1:r0 < D, by estimate and exact correction; sets lastRemainderNonzero.
 * The slow half of the last division step, taken when the estimate is too close to an integer to trust.
 */
function exactDigit(
  r2: number,
  r1: number,
  r0: number,
  d2: number,
  d1: number,
  d0: number,
  dApprox: number,
): number {
  let q = Math.floor((((r2 * RADIX + r1) * RADIX + r0) * RADIX) / dApprox);
  // t3..t0 = R·2^24 - q·D, limbs of R·2^24 being r2, r1, r0, 0.
  let t0 = -(q * d0);
  let t1 = r0 - q * d1;
  let t2 = r1 - q * d2;
  let t3 = r2;
  for (;;) {
    let c = Math.floor(t0 * INV_RADIX);
    t0 -= c * RADIX;
    t1 += c;
    c = Math.floor(t1 * INV_RADIX);
    t1 -= c * RADIX;
    t2 += c;
    c = Math.floor(t2 * INV_RADIX);
    t2 -= c * RADIX;
    t3 += c;
    if (t3 < 0) {
      q -= 1;
      t0 += d0;
      t1 += d1;
      t2 += d2;
    } else if (t3 > 0 || t2 > d2 || (t2 === d2 && (t1 > d1 || (t1 === d1 && t0 >= d0)))) {
      q += 1;
      t0 -= d0;
      t1 -= d1;
      t2 -= d2;
    } else break;
  }
  lastRemainderNonzero = t2 !== 0 || t1 !== 0 || t0 !== 0 ? 1 : 0;
  return q;
}

/** Lays out Q = q0·2^48 + q1·2^24 + q2 (q0 in [2^23, 2^25), q1 and q2 below 2^24) in work, integer bit first. */
function packQuotient(q0: number, q1: number, q2: number, sticky: number): void {
  const w = work;
  if (q0 >= RADIX) {
    // Q has 73 bits: W = Q·2^23.
    w.w2 = ((q0 << 7) | (q1 >>> 17)) >>> 0;
    w.w1 = (((q1 & 0x1ffff) << 15) | (q2 >>> 9)) >>> 0;
    w.w0 = (((q2 & 0x1ff) << 23) | sticky) >>> 0;
  } else {
    // 72 bits: W = Q·2^24, and N/D = W·2^-96, one binade lower.
    w.w2 = ((q0 << 8) | (q1 >>> 16)) >>> 0;
    w.w1 = (((q1 & 0xffff) << 16) | (q2 >>> 8)) >>> 0;
    w.w0 = (((q2 & 0xff) << 24) | sticky) >>> 0;
    w.exp -= 1;
  }
}
