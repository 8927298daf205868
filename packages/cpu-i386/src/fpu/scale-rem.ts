/**
 * FPREM, FPREM1, FSCALE and FXTRACT: the x87 operations that take numbers apart by exponent. Layer: arch
 * plugin (cpu-i386), x87 unit; called by x87.ts, built on ext80.ts and arith.ts.
 *
 * FPREM/FPREM1 compute exact remainders by binary long division on the 64-bit significands (no rounding is
 * ever needed: a remainder is representable). When the exponents differ by 64 or more the x87 only reduces
 * partially and sets C2, so software loops until C2 clears (SDM vol. 2, FPREM).
 */
import { denormalOperand, invalid, nanResult1, nanResult2 } from './arith.js';
import { loadInt32 } from './convert.js';
import {
  classify,
  type Ext80,
  fpx,
  K_DENORMAL,
  K_INF,
  K_SNAN,
  K_UNSUPPORTED,
  K_ZERO,
  roundToExt,
  setInfinity,
  setZero,
  work,
} from './ext80.js';
import { EXT_BIAS, FSW_C0, FSW_C1, FSW_C2, FSW_C3, FSW_ZE } from './x87-constants.js';

/**
 * How many quotient bits one partial FPREM step produces when the exponent difference d is 64 or more. The
 * SDM allows any N in 32..63; hardware picks N so that d - N is a multiple of 32 (checked against the host).
 */
function partialQuotientBits(d: number): number {
  return 32 + ((d - 32) % 32);
}

/** Normalizes a finite nonzero x into `work` (denormals get exponents below 1). */
function loadNormalized(x: Ext80): void {
  const w = work;
  w.sign = x.sign;
  w.exp = x.exp === 0 ? 1 : x.exp;
  w.w2 = x.hi;
  w.w1 = x.lo;
  w.w0 = 0;
  w.normalize();
}

/**
 * FXTRACT: r = exponent of a (as a value), r2 = significand of a (exponent 0). Returns 0 on success, 2 when an
 * unmasked exception suppresses the result (the status codes of pushPairResult in x87.ts).
 */
export function fxtract(a: Ext80, r: Ext80, r2: Ext80): number {
  const k = classify(a);
  if (k === K_UNSUPPORTED || k > K_INF) {
    if (!nanResult1(a, k, r)) return 2;
    r2.copyFrom(r);
    return 0;
  }
  if (k === K_ZERO) {
    fpx.flags |= FSW_ZE;
    if (!fpx.zeroDivideMasked) return 2;
    setInfinity(r, 1);
    setZero(r2, a.sign);
    return 0;
  }
  if (k === K_INF) {
    setInfinity(r, 0);
    setInfinity(r2, a.sign);
    return 0;
  }
  if (k === K_DENORMAL && !denormalOperand()) return 2;
  loadNormalized(a);
  r2.set(a.sign, EXT_BIAS, work.w2, work.w1);
  loadInt32(work.exp - EXT_BIAS, r);
  return 0;
}

/** FSCALE: r = a × 2^trunc(b), rounded to 64 bits. */
export function fscale(a: Ext80, b: Ext80, r: Ext80): boolean {
  const ka = classify(a);
  const kb = classify(b);
  if (ka > K_INF || kb > K_INF) return nanResult2(a, ka, b, kb, r);
  if (kb === K_INF) return scaleByInfinity(a, ka, b, r);
  if ((ka === K_DENORMAL || kb === K_DENORMAL) && !denormalOperand()) return false;
  if (ka === K_INF || ka === K_ZERO) {
    r.copyFrom(a);
    return true;
  }
  loadNormalized(a);
  work.exp += truncatedScale(b);
  roundToExt(r, 64);
  return true;
}

function scaleByInfinity(a: Ext80, ka: number, b: Ext80, r: Ext80): boolean {
  if (ka === K_DENORMAL && !denormalOperand()) return false;
  if (b.sign === 0) {
    if (ka === K_ZERO) return invalid(r);
    setInfinity(r, a.sign);
  } else {
    if (ka === K_INF) return invalid(r);
    setZero(r, a.sign);
  }
  return true;
}

/** trunc(b) as an integer, clamped to ±2^17 (beyond which every result over- or underflows). */
function truncatedScale(b: Ext80): number {
  const e = (b.exp === 0 ? 1 : b.exp) - EXT_BIAS;
  if (e < 0) return 0;
  if (e > 16) return b.sign ? -0x20000 : 0x20000;
  const n = b.hi >>> (31 - e);
  return b.sign ? -n : n;
}

/**
 * r = a, passed through rounding so that a denormal dividend reports UE (wrapped when UE is unmasked) as the
 * hardware does for a remainder equal to the dividend.
 */
function copyRounded(a: Ext80, r: Ext80): void {
  if (a.exp !== 0 || (a.hi | a.lo) === 0) {
    r.copyFrom(a);
    return;
  }
  loadNormalized(a);
  roundToExt(r, 64);
}

/** fprem results other than condition codes: a NaN/indefinite was written, or nothing (unmasked exception). */
export const FPREM_SPECIAL = -2;
export const FPREM_NONE = -1;

// Long-division state shared by the FPREM helpers.
let remTop = 0;
let remHi = 0;
let remLo = 0;
let quotient = 0;

/**
 * r = a - q·b for FPREM (q truncated) or FPREM1 (q rounded to nearest). Returns the condition codes (C0, C1,
 * C3 = quotient bits 2, 0, 1; C2 = incomplete) or -1 when an unmasked exception suppresses the result.
 */
export function fprem(a: Ext80, b: Ext80, r: Ext80, nearest: boolean): number {
  const ka = classify(a);
  const kb = classify(b);
  if (ka > K_INF || kb > K_INF || ka === K_INF || kb === K_ZERO) {
    if (
      ka === K_SNAN ||
      kb === K_SNAN ||
      ka === K_UNSUPPORTED ||
      kb === K_UNSUPPORTED ||
      ka > K_INF ||
      kb > K_INF
    ) {
      return nanResult2(a, ka, b, kb, r) ? FPREM_SPECIAL : FPREM_NONE;
    }
    return invalid(r) ? FPREM_SPECIAL : FPREM_NONE;
  }
  if ((ka === K_DENORMAL || kb === K_DENORMAL) && !denormalOperand()) return FPREM_NONE;
  if (kb === K_INF || ka === K_ZERO) {
    copyRounded(a, r);
    return 0;
  }
  loadNormalized(b);
  const bHi = work.w2;
  const bLo = work.w1;
  const eb = work.exp;
  loadNormalized(a);
  const d = work.exp - eb;
  if (d < 0) return smallDividend(a, r, nearest, d, bHi, bLo);
  const partial = d >= 64;
  const steps = partial ? partialQuotientBits(d) : d;
  divideBits(work.w2, work.w1, bHi, bLo, steps);
  let sign = a.sign;
  if (nearest && !partial) sign ^= roundQuotientToNearest(bHi, bLo);
  work.sign = sign;
  work.exp = eb + (partial ? d - steps : 0);
  work.w2 = remHi;
  work.w1 = remLo;
  work.w0 = 0;
  if ((remHi | remLo) === 0) setZero(r, a.sign);
  else {
    work.normalize();
    roundToExt(r, 64);
  }
  if (partial) return FSW_C2;
  return quotientCodes(quotient);
}

/** |a| < |b|: quotient 0, or for FPREM1 with |a| > |b|/2 quotient 1 and remainder a - sign(a)·|b|. */
function smallDividend(a: Ext80, r: Ext80, nearest: boolean, d: number, bHi: number, bLo: number): number {
  const aHi = work.w2;
  const aLo = work.w1;
  const aboveHalf = d === -1 && (aHi > bHi || (aHi === bHi && aLo > bLo));
  if (!nearest || !aboveHalf) {
    copyRounded(a, r);
    return 0;
  }
  // At a's exponent |b| is 2B, so |r| = 2B - A (below 2^64, computed modulo 2^64).
  const b2Lo = (bLo << 1) >>> 0;
  const b2Hi = ((bHi << 1) | (bLo >>> 31)) >>> 0;
  const lo = b2Lo - aLo;
  work.w1 = lo >>> 0;
  work.w2 = (b2Hi - aHi - (lo < 0 ? 1 : 0)) >>> 0;
  work.w0 = 0;
  work.sign = a.sign ^ 1;
  work.normalize();
  roundToExt(r, 64);
  return FSW_C1;
}

/** Binary long division of (nHi:nLo)·2^steps by (dHi:dLo): sets remHi:remLo and the low quotient bits. */
function divideBits(nHi: number, nLo: number, dHi: number, dLo: number, steps: number): void {
  remTop = 0;
  remHi = nHi;
  remLo = nLo;
  quotient = 0;
  for (let i = 0; i <= steps; i++) {
    quotient = (quotient << 1) & 0x7;
    if (remTop !== 0 || remHi > dHi || (remHi === dHi && remLo >= dLo)) {
      const lo = remLo - dLo;
      remLo = lo >>> 0;
      remHi = (remHi - dHi - (lo < 0 ? 1 : 0)) >>> 0;
      remTop = 0;
      quotient |= 1;
    }
    if (i < steps) {
      remTop = remHi >>> 31;
      remHi = ((remHi << 1) | (remLo >>> 31)) >>> 0;
      remLo = (remLo << 1) >>> 0;
    }
  }
  lastQuotientOdd = quotient & 1;
}

let lastQuotientOdd = 0;

/** FPREM1: if the remainder exceeds half the divisor (or ties with an odd quotient), use b - r. Returns 1 if the sign flips. */
function roundQuotientToNearest(dHi: number, dLo: number): number {
  // Compare 2r with d (r < d < 2^64, so 2r fits in 65 bits).
  const top = remHi >>> 31;
  const r2Hi = ((remHi << 1) | (remLo >>> 31)) >>> 0;
  const r2Lo = (remLo << 1) >>> 0;
  const cmp =
    top !== 0 || r2Hi > dHi || (r2Hi === dHi && r2Lo > dLo) ? 1 : r2Hi === dHi && r2Lo === dLo ? 0 : -1;
  if (cmp < 0 || (cmp === 0 && lastQuotientOdd === 0)) return 0;
  const lo = dLo - remLo;
  remLo = lo >>> 0;
  remHi = (dHi - remHi - (lo < 0 ? 1 : 0)) >>> 0;
  quotient = (quotient + 1) & 7;
  return 1;
}

/** Quotient bits q2, q1, q0 into C0, C3, C1. */
function quotientCodes(q: number): number {
  return (q & 4 ? FSW_C0 : 0) | (q & 2 ? FSW_C3 : 0) | (q & 1 ? FSW_C1 : 0);
}
