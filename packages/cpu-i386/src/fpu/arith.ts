/**
 * The four basic operations and square root on 80-bit values, correctly rounded (IEEE 754) to the precision
 * the control word selects. Layer: arch plugin (cpu-i386), x87 unit; called by x87.ts, built on ext80.ts.
 *
 * Each operation classifies its operands, applies the x87's special-value rules (NaN propagation, invalid
 * combinations, division by zero, denormal operands: SDM vol. 1, 4.8.3 and 8.5), then computes the exact
 * significand into `work` (with a sticky bit) and rounds it with `roundToExt`. Every function returns whether a
 * result was produced: false means an unmasked IE/DE/ZE leaves the destination untouched. add works on 32-bit
 * words, mul/div on 24-bit limbs in doubles (significand.ts); they allocate nothing. sqrt uses BigInt (it is
 * rarer).
 */
import {
  classify,
  Ext80,
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
import { divideSignificands, multiplySignificands } from './significand.js';
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

// The two operands of mul/div normalized (denormals get exponents below 1), kept here to avoid allocating.
const normA = new Ext80();
const normB = new Ext80();

function loadOperands(a: Ext80, b: Ext80): void {
  loadNormalized(a);
  normA.set(work.sign, work.exp, work.w2, work.w1);
  loadNormalized(b);
  normB.set(work.sign, work.exp, work.w2, work.w1);
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
  multiplySignificands(normA, normB);
  work.sign = sign;
  work.exp = normA.exp + normB.exp - EXT_BIAS + 1;
  work.normalize();
  roundToExt(out, precisionBits);
  return true;
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
  work.exp = normA.exp - normB.exp + EXT_BIAS;
  divideSignificands(normA, normB);
  work.sign = sign;
  roundToExt(out, precisionBits);
  return true;
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
