/**
 * The common case of the x87's memory operands: m32fp/m64fp values that are normal or zero, integers of every
 * width, and stores of normal register values whose rounded result is a normal of the destination format.
 * Layer: arch plugin (cpu-i386), x87 unit; the trace entry points of x87.ts use these instead of convert.ts
 * and the general compare of x87.ts, which handle every other case.
 *
 * How it works: a normal m32fp/m64fp, and any integer, is exactly an extended value: only the exponent is
 * rebiased and the significand shifted up, so loads are a few shifts and never signal. A store of a normal
 * extended value whose exponent fits the destination's normal range rounds its significand once at the
 * format's precision, in the mode of the control word; it is never tiny (the value is at least the smallest
 * normal) and overflows only when rounding carries into an exponent past the largest, which is declined. The
 * store functions therefore report at most PE ("inexact") and C1 ("rounded up") and return NOT_HANDLED for
 * everything else (zeros aside: a signed zero stores exactly), before anything is changed. A comparison of
 * two values that are each zero or normal is ordered and signals nothing. Nothing here allocates, and 32-bit words travel in `Ext80`s rather than as arguments (a call V8 does not
 * inline would box each in a heap number);
 * memory-fast.test.ts checks each function against convert.ts and the general compare.
 */

import { stored } from './convert.js';
import { type Ext80, setZero } from './ext80.js';
import { isNormal, NOT_HANDLED } from './fast-path.js';
import {
  EXT_BIAS,
  FSW_C0,
  FSW_C1,
  FSW_C2,
  FSW_C3,
  FSW_PE,
  RC_DOWN,
  RC_NEAREST,
  RC_UP,
} from './x87-constants.js';

const J_BIT = 0x80000000;
/** Exponent rebiasing from the m64fp and m32fp formats to the extended one. */
const DOUBLE_TO_EXT = EXT_BIAS - 1023;
const SINGLE_TO_EXT = EXT_BIAS - 127;

/** Comparison outcomes, mapped to C3/C2/C0 and to ZF/PF/CF. */
export const CMP_GT = 0;
export const CMP_LT = 1;
export const CMP_EQ = 2;
export const CMP_UN = 3;
export const CMP_CC = [0, FSW_C0, FSW_C3, FSW_C3 | FSW_C2 | FSW_C0];
/** EFLAGS after FCOMI for each outcome: ZF (0x40), PF (0x04), CF (0x01). */
export const CMP_EFLAGS = [0, 0x01, 0x40, 0x45];

/** An m64fp (two dwords, either signedness) into `out` when it is normal or zero; false otherwise. */
export function decodeDouble(lo: number, hi: number, out: Ext80): boolean {
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0x7ff) return false;
  if (e === 0) {
    if (((hi & 0xfffff) | lo) !== 0) return false;
    setZero(out, hi >>> 31);
    return true;
  }
  out.sign = hi >>> 31;
  out.exp = e + DOUBLE_TO_EXT;
  out.hi = (J_BIT | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0;
  out.lo = (lo << 11) >>> 0;
  return true;
}

/** An m32fp into `out` when it is normal or zero; false otherwise. */
export function decodeSingle(bits: number, out: Ext80): boolean {
  const e = (bits >>> 23) & 0xff;
  if (e === 0xff) return false;
  if (e === 0) {
    if ((bits & 0x7fffff) !== 0) return false;
    setZero(out, bits >>> 31);
    return true;
  }
  out.sign = bits >>> 31;
  out.exp = e + SINGLE_TO_EXT;
  out.hi = (J_BIT | ((bits & 0x7fffff) << 8)) >>> 0;
  out.lo = 0;
  return true;
}

/** A signed 64-bit integer (lo, hi dwords, either signedness) into `out`: always exact. */
export function decodeInt64(lo: number, hi: number, out: Ext80): void {
  let mLo = lo >>> 0;
  let mHi = hi >>> 0;
  const sign = mHi >>> 31;
  if (sign === 1) {
    mLo = (~mLo + 1) >>> 0;
    mHi = (~mHi + (mLo === 0 ? 1 : 0)) >>> 0;
  }
  if (mHi === 0) {
    if (mLo === 0) {
      setZero(out, 0);
      return;
    }
    const n = Math.clz32(mLo);
    out.sign = sign;
    out.exp = EXT_BIAS + 31 - n;
    out.hi = (mLo << n) >>> 0;
    out.lo = 0;
    return;
  }
  const n = Math.clz32(mHi);
  out.sign = sign;
  out.exp = EXT_BIAS + 63 - n;
  out.hi = n === 0 ? mHi : ((mHi << n) | (mLo >>> (32 - n))) >>> 0;
  out.lo = (mLo << n) >>> 0;
}

/** Whether a value that is not exact at the rounding position rounds up in magnitude, in mode `rc`. */
function roundsUp(rc: number, sign: number, aboveHalf: boolean, isHalf: boolean, lsbOdd: boolean): boolean {
  if (rc === RC_NEAREST) return aboveHalf || (isHalf && lsbOdd);
  if (rc === RC_UP) return sign === 0;
  if (rc === RC_DOWN) return sign === 1;
  return false;
}

/**
 * The biased exponent x has in a format whose exponents are the extended ones less `toExt`, up to `maxExp`:
 * 0 for a zero, NOT_HANDLED when x is not normal or zero, or would not be a normal of the format.
 */
function formatExponent(x: Ext80, toExt: number, maxExp: number): number {
  if (x.exp === 0) return (x.hi | x.lo) === 0 ? 0 : NOT_HANDLED;
  const e = x.exp - toExt;
  return e < 1 || e > maxExp || x.hi < J_BIT ? NOT_HANDLED : e;
}

/**
 * The m64fp image of a register value into `stored`, rounded in mode `rc`; the status bits (PE, C1) it
 * produces, or NOT_HANDLED when the general path must store it (not normal or zero, tiny, or overflowing).
 */
export function encodeDouble(x: Ext80, rc: number): number {
  let e = formatExponent(x, DOUBLE_TO_EXT, 0x7fe);
  if (e === NOT_HANDLED) return NOT_HANDLED;
  const sign = x.sign;
  const hi = x.hi;
  const lo = x.lo;
  let mHi = (hi >>> 11) & 0xfffff;
  let mLo = ((hi << 21) | (lo >>> 11)) >>> 0;
  const frac = lo & 0x7ff;
  let status = 0;
  if (frac !== 0) {
    status = FSW_PE;
    if (roundsUp(rc, sign, frac > 0x400, frac === 0x400, (lo & 0x800) !== 0)) {
      status |= FSW_C1;
      mLo = (mLo + 1) >>> 0;
      if (mLo === 0 && ++mHi > 0xfffff) {
        mHi = 0;
        if (++e > 0x7fe) return NOT_HANDLED;
      }
    }
  }
  stored.hi = ((sign << 31) | (e << 20) | mHi) >>> 0;
  stored.lo = mLo;
  return status;
}

/** The m32fp image of a register value into `stored.lo` (`stored.hi` = 0); as encodeDouble. */
export function encodeSingle(x: Ext80, rc: number): number {
  let e = formatExponent(x, SINGLE_TO_EXT, 0xfe);
  if (e === NOT_HANDLED) return NOT_HANDLED;
  const sign = x.sign;
  const hi = x.hi;
  const lo = x.lo;
  let m = (hi >>> 8) & 0x7fffff;
  const frac = hi & 0xff;
  let status = 0;
  if ((frac | lo) !== 0) {
    status = FSW_PE;
    const isHalf = frac === 0x80 && lo === 0;
    if (roundsUp(rc, sign, frac > 0x80 || (frac === 0x80 && lo !== 0), isHalf, (hi & 0x100) !== 0)) {
      status |= FSW_C1;
      if (++m > 0x7fffff) {
        m = 0;
        if (++e > 0xfe) return NOT_HANDLED;
      }
    }
  }
  stored.lo = ((sign << 31) | (e << 23) | m) >>> 0;
  stored.hi = 0;
  return status;
}

/**
 * Ordered comparison of a and b when each is zero or normal: CMP_GT, CMP_LT or CMP_EQ; -1 for any other
 * class (denormals report DE, NaNs and unsupported formats IE: the general path decides).
 */
export function compareFinite(a: Ext80, b: Ext80): number {
  const za = a.exp === 0;
  const zb = b.exp === 0;
  if (za ? (a.hi | a.lo) !== 0 : !isNormal(a.exp, a.hi)) return -1;
  if (zb ? (b.hi | b.lo) !== 0 : !isNormal(b.exp, b.hi)) return -1;
  if (za || zb) {
    if (za && zb) return CMP_EQ;
    // One side is zero: the other's sign decides.
    return za ? (b.sign === 1 ? CMP_GT : CMP_LT) : a.sign === 1 ? CMP_LT : CMP_GT;
  }
  if (a.sign !== b.sign) return a.sign === 1 ? CMP_LT : CMP_GT;
  const magnitude = a.exp !== b.exp ? a.exp - b.exp : a.hi !== b.hi ? a.hi - b.hi : a.lo - b.lo;
  if (magnitude === 0) return CMP_EQ;
  return magnitude > 0 === (a.sign === 0) ? CMP_GT : CMP_LT;
}
