/**
 * The four basic operations and square root on 80-bit values, correctly rounded (IEEE 754) to the precision
 * the control word selects. Layer: arch plugin (cpu-i386), x87 unit; called by x87.ts, built on ext80.ts.
 *
 * Each operation classifies its operands, applies the x87's special-value rules (NaN propagation, invalid
 * combinations, division by zero, denormal operands: SDM vol. 1, 4.8.3 and 8.5), then computes the exact
 * significand into `work` (with a sticky bit) and rounds it with `roundToExt`. Every function returns whether a
 * result was produced: false means an unmasked IE/DE/ZE leaves the destination untouched. add/mul/div use 32-bit
 * words and 16-bit limbs in doubles and allocate nothing; sqrt uses BigInt (it is rarer).
 */
import {
  classify,
  type Ext80,
  fpx,
  isNaNClass,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_QNAN,
  K_SNAN,
  K_UNSUPPORTED,
  K_ZERO,
  quietNaN,
  roundToExt,
  setIndefinite,
  setInfinity,
  setZero,
  work,
} from './ext80.js';
import { EXT_BIAS, FSW_DE, FSW_IE, FSW_ZE, RC_DOWN } from './x87-constants.js';

/** Masked response to an invalid operation: the real indefinite. Returns whether a result was written. */
export function invalid(out: Ext80): boolean {
  fpx.flags |= FSW_IE;
  if (!fpx.invalidMasked) return false;
  setIndefinite(out);
  return true;
}

/** Flags a denormal operand; false when DE is unmasked (the operation stops). */
export function denormalOperand(): boolean {
  fpx.flags |= FSW_DE;
  return fpx.denormalMasked;
}

/** Whether either operand (or the memory operand before it was extended) is a denormal. */
export function anyDenormal(ka: number, kb: number): boolean {
  return ka === K_DENORMAL || kb === K_DENORMAL || fpx.srcDenormal;
}

/** NaN result of a one-operand operation: SNaN signals IE and is quieted. */
export function nanResult1(a: Ext80, ka: number, out: Ext80): boolean {
  if (ka === K_UNSUPPORTED) return invalid(out);
  if (ka === K_SNAN) {
    fpx.flags |= FSW_IE;
    if (!fpx.invalidMasked) return false;
  }
  out.copyFrom(a);
  quietNaN(out);
  return true;
}

/**
 * NaN or unsupported operands of a two-operand operation (SDM vol. 1, table 4-7): the QNaN source when one is
 * quiet and one signalling, else the NaN with the larger significand; quieted.
 */
export function nanResult2(a: Ext80, ka: number, b: Ext80, kb: number, out: Ext80): boolean {
  if (ka === K_UNSUPPORTED || kb === K_UNSUPPORTED) return invalid(out);
  if (ka === K_SNAN || kb === K_SNAN) {
    fpx.flags |= FSW_IE;
    if (!fpx.invalidMasked) return false;
  }
  let pick: Ext80;
  if (!isNaNClass(kb)) pick = a;
  else if (!isNaNClass(ka)) pick = b;
  else if (ka !== kb) pick = ka === K_QNAN ? a : b;
  else pick = largerSignificand(a, b);
  out.copyFrom(pick);
  quietNaN(out);
  return true;
}

function largerSignificand(a: Ext80, b: Ext80): Ext80 {
  const ah = a.hi | 0x40000000;
  const bh = b.hi | 0x40000000;
  if (ah !== bh) return ah >>> 0 > bh >>> 0 ? a : b;
  if (a.lo !== b.lo) return a.lo > b.lo ? a : b;
  return a.sign === 0 ? a : b;
}

/** Exponent of a finite value for alignment: denormals scale like exponent 1. */
function effExp(x: Ext80): number {
  return x.exp === 0 ? 1 : x.exp;
}

/** out = a + b (or a - b when `subtract`), rounded to `precisionBits`. */
export function add(a: Ext80, b: Ext80, subtract: boolean, out: Ext80, precisionBits: number): boolean {
  const ka = classify(a);
  const kb = classify(b);
  const sb = b.sign ^ (subtract ? 1 : 0);
  if (ka > K_NORMAL || kb > K_NORMAL) {
    if (ka > K_INF || kb > K_INF) return nanResult2(a, ka, b, kb, out);
    if (ka === K_INF && kb === K_INF) {
      if (a.sign !== sb) return invalid(out);
      setInfinity(out, a.sign);
    } else if (ka === K_INF) setInfinity(out, a.sign);
    else {
      if (anyDenormal(ka, kb) && !denormalOperand()) return false;
      setInfinity(out, sb);
      return true;
    }
    if (anyDenormal(ka, kb) && !denormalOperand()) return false;
    return true;
  }
  if (anyDenormal(ka, kb) && !denormalOperand()) return false;
  if (ka === K_ZERO && kb === K_ZERO) {
    setZero(out, a.sign === sb ? a.sign : fpx.rc === RC_DOWN ? 1 : 0);
    return true;
  }
  addFinite(a, a.sign, b, sb);
  roundToExt(out, precisionBits);
  return true;
}

/** work = a (sign sa) + b (sign sb), exact but for a sticky bit; a and b finite. */
function addFinite(a: Ext80, sa: number, b: Ext80, sb: number): void {
  let big = a;
  let small = b;
  let sBig = sa;
  let sSmall = sb;
  const ea = effExp(a);
  const eb = effExp(b);
  if (eb > ea || (eb === ea && (b.hi > a.hi || (b.hi === a.hi && b.lo > a.lo)))) {
    big = b;
    small = a;
    sBig = sb;
    sSmall = sa;
  }
  const w = work;
  const eBig = effExp(big);
  w.sign = sBig;
  w.exp = eBig;
  w.w2 = small.hi;
  w.w1 = small.lo;
  w.w0 = 0;
  w.shiftRightSticky(eBig - effExp(small));
  if (sBig === sSmall) {
    const s1 = big.lo + w.w1;
    const s2 = big.hi + w.w2 + (s1 > 0xffffffff ? 1 : 0);
    w.w1 = s1 >>> 0;
    w.w2 = s2 >>> 0;
    if (s2 > 0xffffffff) {
      w.shiftRightSticky(1);
      w.w2 = (w.w2 | 0x80000000) >>> 0;
      w.exp += 1;
    }
  } else {
    const d0 = 0 - w.w0;
    const b0 = d0 < 0 ? 1 : 0;
    const d1 = big.lo - w.w1 - b0;
    const b1 = d1 < 0 ? 1 : 0;
    const d2 = big.hi - w.w2 - b1;
    w.w0 = d0 >>> 0;
    w.w1 = d1 >>> 0;
    w.w2 = d2 >>> 0;
    if (w.isZero()) {
      w.sign = fpx.rc === RC_DOWN ? 1 : 0;
      return;
    }
  }
  w.normalize();
}

/** Loads a finite nonzero value into `work`, normalized (denormals get an exponent below 1). */
function loadNormalized(x: Ext80): void {
  const w = work;
  w.sign = x.sign;
  w.exp = effExp(x);
  w.w2 = x.hi;
  w.w1 = x.lo;
  w.w0 = 0;
  w.normalize();
}

// Normalized significands of the two operands of mul/div, kept here to avoid allocating.
let aHi = 0;
let aLo = 0;
let aExp = 0;
let bHi = 0;
let bLo = 0;
let bExp = 0;

function loadOperands(a: Ext80, b: Ext80): void {
  loadNormalized(a);
  aHi = work.w2;
  aLo = work.w1;
  aExp = work.exp;
  loadNormalized(b);
  bHi = work.w2;
  bLo = work.w1;
  bExp = work.exp;
}

/** out = a × b, rounded to `precisionBits`. */
export function mul(a: Ext80, b: Ext80, out: Ext80, precisionBits: number): boolean {
  const ka = classify(a);
  const kb = classify(b);
  const sign = a.sign ^ b.sign;
  if (ka > K_INF || kb > K_INF) return nanResult2(a, ka, b, kb, out);
  if (ka === K_INF || kb === K_INF) {
    if (ka === K_ZERO || kb === K_ZERO) return invalid(out);
    if (anyDenormal(ka, kb) && !denormalOperand()) return false;
    setInfinity(out, sign);
    return true;
  }
  if (anyDenormal(ka, kb) && !denormalOperand()) return false;
  if (ka === K_ZERO || kb === K_ZERO) {
    setZero(out, sign);
    return true;
  }
  loadOperands(a, b);
  multiplySignificands(aHi, aLo, bHi, bLo);
  work.sign = sign;
  work.exp = aExp + bExp - EXT_BIAS + 1;
  work.normalize();
  roundToExt(out, precisionBits);
  return true;
}

/**
 * work.w2:w1:w0 = the top 96 bits of the 128-bit product (hi1:lo1) × (hi2:lo2), the lowest 32 bits folded
 * into a sticky bit. Uses 16-bit limbs so every partial sum stays exact in a double.
 */
export function multiplySignificands(hi1: number, lo1: number, hi2: number, lo2: number): void {
  const a0 = lo1 & 0xffff;
  const a1 = lo1 >>> 16;
  const a2 = hi1 & 0xffff;
  const a3 = hi1 >>> 16;
  const b0 = lo2 & 0xffff;
  const b1 = lo2 >>> 16;
  const b2 = hi2 & 0xffff;
  const b3 = hi2 >>> 16;
  let c = a0 * b0;
  const r0 = c & 0xffff;
  c = (c - r0) / 65536 + a0 * b1 + a1 * b0;
  const r1 = c & 0xffff;
  c = (c - r1) / 65536 + a0 * b2 + a1 * b1 + a2 * b0;
  const r2 = c & 0xffff;
  c = (c - r2) / 65536 + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const r3 = c & 0xffff;
  c = (c - r3) / 65536 + a1 * b3 + a2 * b2 + a3 * b1;
  const r4 = c & 0xffff;
  c = (c - r4) / 65536 + a2 * b3 + a3 * b2;
  const r5 = c & 0xffff;
  c = (c - r5) / 65536 + a3 * b3;
  const r6 = c & 0xffff;
  const r7 = ((c - r6) / 65536) & 0xffff;
  const w = work;
  w.w2 = ((r7 << 16) | r6) >>> 0;
  w.w1 = ((r5 << 16) | r4) >>> 0;
  w.w0 = ((r3 << 16) | r2 | ((r1 | r0) !== 0 ? 1 : 0)) >>> 0;
}

/** out = a / b, rounded to `precisionBits`. */
export function div(a: Ext80, b: Ext80, out: Ext80, precisionBits: number): boolean {
  const ka = classify(a);
  const kb = classify(b);
  const sign = a.sign ^ b.sign;
  if (ka > K_INF || kb > K_INF) return nanResult2(a, ka, b, kb, out);
  if (ka === K_INF) {
    if (kb === K_INF) return invalid(out);
    if (anyDenormal(ka, kb) && !denormalOperand()) return false;
    setInfinity(out, sign);
    return true;
  }
  if (kb === K_INF) {
    if (anyDenormal(ka, kb) && !denormalOperand()) return false;
    setZero(out, sign);
    return true;
  }
  if (ka === K_ZERO && kb === K_ZERO) return invalid(out);
  if (kb === K_ZERO) {
    // Division by zero outranks a denormal dividend: only ZE is reported.
    fpx.flags |= FSW_ZE;
    if (!fpx.zeroDivideMasked) return false;
    setInfinity(out, sign);
    return true;
  }
  if (anyDenormal(ka, kb) && !denormalOperand()) return false;
  if (ka === K_ZERO) {
    setZero(out, sign);
    return true;
  }
  loadOperands(a, b);
  work.exp = aExp - bExp + EXT_BIAS + 15;
  divideSignificands(aHi, aLo, bHi, bLo);
  work.sign = sign;
  roundToExt(out, precisionBits);
  return true;
}

/**
 * work = (nHi:nLo) / (dHi:dLo) for normalized 64-bit significands, as Q = floor(N·2^80 / D) (81 bits, far more
 * than the 66 rounding needs) and a sticky bit for a nonzero remainder; the caller adds 15 to the exponent
 * (work's integer bit is bit 95). Two long-division steps: a double-precision estimate of 32 and then 48
 * quotient bits, made exact by computing the remainder in 16-bit limbs and correcting by a unit or two.
 */
export function divideSignificands(nHi: number, nLo: number, dHi: number, dLo: number): void {
  splitLimbs(dHi, dLo, dLimbs);
  const qHi = divisionStep(nHi, nLo, 32);
  const qLo = divisionStep(remHi, remLo, 48);
  const sticky = (remHi | remLo) !== 0 ? 1 : 0;
  // Q = qHi·2^48 + qLo, qHi < 2^34, qLo < 2^48: lay it out as three 32-bit words.
  const qLoHigh = Math.floor(qLo / 0x100000000);
  const qHiLow = qHi % 0x10000;
  const w = work;
  w.w2 = Math.floor(qHi / 0x10000) >>> 0;
  w.w1 = (qLoHigh + qHiLow * 0x10000) >>> 0;
  w.w0 = (qLo - qLoHigh * 0x100000000) >>> 0;
  w.normalize();
  w.w0 = (w.w0 | sticky) >>> 0;
}

const dLimbs = new Float64Array(4);
const rLimbs = new Float64Array(8);
let remHi = 0;
let remLo = 0;

function splitLimbs(hi: number, lo: number, into: Float64Array): void {
  into[0] = lo & 0xffff;
  into[1] = lo >>> 16;
  into[2] = hi & 0xffff;
  into[3] = hi >>> 16;
}

/**
 * Returns q = floor(X·2^shift / D) for X = (xHi:xLo) < D·2^(64-shift)… (X < 2D) and leaves X·2^shift - q·D in
 * remHi:remLo. `shift` is a multiple of 16 up to 48; D's limbs are in dLimbs.
 */
function divisionStep(xHi: number, xLo: number, shift: number): number {
  const d = dLimbs;
  const dValue = (d[3] * 0x10000 + d[2]) * 0x100000000 + (d[1] * 0x10000 + d[0]);
  const xValue = xHi * 0x100000000 + xLo;
  let q = Math.floor((xValue / dValue) * 2 ** shift);
  if (q < 0) q = 0;
  const base = shift >>> 4;
  for (;;) {
    const sign = remainderOf(xHi, xLo, base, q);
    if (sign < 0) q -= 1;
    else if (sign > 0) q += 1;
    else return q;
  }
}

/**
 * rLimbs = X·2^(16·base) - q·D; returns -1 if that is negative, 1 if it is at least D, else 0 (and sets
 * remHi:remLo). All partial sums stay below 2^53, so doubles are exact.
 */
function remainderOf(xHi: number, xLo: number, base: number, q: number): number {
  const d = dLimbs;
  const r = rLimbs;
  r.fill(0);
  r[base] = xLo & 0xffff;
  r[base + 1] = xLo >>> 16;
  r[base + 2] = xHi & 0xffff;
  r[base + 3] = xHi >>> 16;
  let qRest = q;
  const q0 = qRest % 0x10000;
  qRest = (qRest - q0) / 0x10000;
  const q1 = qRest % 0x10000;
  qRest = (qRest - q1) / 0x10000;
  const q2 = qRest % 0x10000;
  const q3 = (qRest - q2) / 0x10000;
  let carry = 0;
  for (let k = 0; k < 8; k++) {
    let product = 0;
    if (k <= 3) product += q0 * d[k];
    if (k >= 1 && k <= 4) product += q1 * d[k - 1];
    if (k >= 2 && k <= 5) product += q2 * d[k - 2];
    if (k >= 3 && k <= 6) product += q3 * d[k - 3];
    const v = r[k] - product + carry;
    const limb = v & 0xffff;
    r[k] = limb;
    carry = (v - limb) / 0x10000;
  }
  if (carry < 0) return -1;
  if (r[7] !== 0 || r[6] !== 0 || r[5] !== 0 || r[4] !== 0) return 1;
  const hi = (r[3] * 0x10000 + r[2]) >>> 0;
  const lo = (r[1] * 0x10000 + r[0]) >>> 0;
  const dHi = (d[3] * 0x10000 + d[2]) >>> 0;
  const dLo = (d[1] * 0x10000 + d[0]) >>> 0;
  if (hi > dHi || (hi === dHi && lo >= dLo)) return 1;
  remHi = hi;
  remLo = lo;
  return 0;
}

/** out = √a, rounded to `precisionBits`. */
export function sqrt(a: Ext80, out: Ext80, precisionBits: number): boolean {
  const ka = classify(a);
  if (ka > K_INF) return nanResult1(a, ka, out);
  if (ka === K_ZERO) {
    out.copyFrom(a);
    return true;
  }
  if (a.sign === 1) return invalid(out);
  if (ka === K_INF) {
    out.copyFrom(a);
    return true;
  }
  if (ka === K_DENORMAL && !denormalOperand()) return false;
  loadNormalized(a);
  sqrtWork();
  roundToExt(out, precisionBits);
  return true;
}

const BIG_32 = BigInt(32);
const ROOT_66_BITS = BigInt(1) << BigInt(65);
const ROOT_67_BITS = BigInt(1) << BigInt(66);
const BIG_MASK32 = BigInt(0xffffffff);

/** Replaces the positive normalized value in `work` by its square root (at least 66 bits + sticky). */
function sqrtWork(): void {
  const w = work;
  const unbiased = w.exp - EXT_BIAS;
  // value = m·2^(u-63); scale m by 2^s with u-63-s even and s ≥ 67, so the root has 66 or 67 bits.
  const m = (BigInt(w.w2) << BIG_32) | BigInt(w.w1);
  const s = 67 + (unbiased & 1);
  const radicand = m << BigInt(s);
  const root = isqrt(radicand);
  const sticky = root * root !== radicand ? 1 : 0;
  // The root lies in [2^65, 2^67).
  const bits = root >= ROOT_67_BITS ? 67 : root >= ROOT_66_BITS ? 66 : 65;
  const top = root << BigInt(96 - bits);
  w.w2 = Number((top >> BigInt(64)) & BIG_MASK32);
  w.w1 = Number((top >> BIG_32) & BIG_MASK32);
  w.w0 = (Number(top & BIG_MASK32) | sticky) >>> 0;
  w.exp = EXT_BIAS + (unbiased - 63 - s) / 2 + bits - 1;
  w.sign = 0;
}

/**
 * floor(√n) for a BigInt 0 < n < 2^1000: Newton's method from just above a double-precision estimate
 * (converges from above in two or three steps).
 */
export function isqrt(n: bigint): bigint {
  const estimate = Math.sqrt(Number(n));
  let x =
    BigInt(Math.floor(estimate)) +
    (BigInt(1) << BigInt(Math.max(1, Math.ceil(Math.log2(estimate + 1)) - 40)));
  for (;;) {
    const y = (x + n / x) >> BigInt(1);
    if (y >= x) return x;
    x = y;
  }
}

/** Whether two classes make a comparison unordered. */
export function unorderedClass(k: number): boolean {
  return k === K_QNAN || k === K_SNAN || k === K_UNSUPPORTED;
}

/** Compares finite or infinite values: -1 (a < b), 0 (equal), 1 (a > b). */
export function compareOrdered(a: Ext80, ka: number, b: Ext80, kb: number): number {
  if (ka === K_ZERO && kb === K_ZERO) return 0;
  if (a.sign !== b.sign) return a.sign === 1 ? -1 : 1;
  const ea = ka === K_INF ? 0x8000 : effExp(a);
  const eb = kb === K_INF ? 0x8000 : effExp(b);
  let mag = 0;
  if (ka === K_ZERO) mag = -1;
  else if (kb === K_ZERO) mag = 1;
  else if (ea !== eb) mag = ea > eb ? 1 : -1;
  else if (a.hi !== b.hi) mag = a.hi > b.hi ? 1 : -1;
  else if (a.lo !== b.lo) mag = a.lo > b.lo ? 1 : -1;
  return a.sign === 1 ? -mag : mag;
}
