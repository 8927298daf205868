/**
 * The x87 constants (FLDPI, FLDL2E, ...) and transcendental instructions (FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
 * F2XM1, FYL2X, FYL2XP1). Layer: arch plugin (cpu-i386), x87 unit; called by x87.ts.
 *
 * How it works: an operand becomes an exact BigInt rational m·2^e; the function is evaluated in fixed point
 * with PREC fractional bits (far more than the 64 kept) by argument reduction and Taylor/atanh series; the
 * result is rounded once, to 64 bits in the current rounding mode, by `roundBig` (a tiny result is
 * denormalized and rounded once, at the denormal's last place, by `roundToExt`). BigInt allocates, which is
 * acceptable here: these instructions are rare and slow on hardware too.
 *
 * Argument reduction for FSIN/FCOS/FSINCOS/FPTAN subtracts multiples of π/2 taken from the hardware's π, rounded
 * to 66 significant bits (PI_FOR_REDUCTION, SDM vol. 1, 8.3.8), not from the exact π: for large arguments the
 * results follow the hardware's reduction. Each result is the correctly rounded function of the (so reduced)
 * argument; the host's are within the 1 ulp SDM vol. 1, 8.3.10 allows and sometimes one ulp off, which is the
 * difference the tests accept (testdata/x87-oracle-run.ts, tests/cpu/documented-accuracy.ts).
 */
import { denormalOperand, invalid, nanResult1, nanResult2 } from './arith.js';
import {
  classify,
  type Ext80,
  fpx,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_ZERO,
  roundToExt,
  setInfinity,
  setZero,
  work,
} from './ext80.js';
import { EXT_BIAS, FSW_PE, FSW_ZE } from './x87-constants.js';

/** Fractional bits of the fixed-point evaluation. */
const PREC = 192;
const ONE = BigInt(1) << BigInt(PREC);
const B0 = BigInt(0);
const B1 = BigInt(1);
const B2 = BigInt(2);

/** atan(1/x) in fixed point, x a small positive integer. */
function atanInverse(x: number): bigint {
  const bx = BigInt(x);
  const x2 = bx * bx;
  let term = ONE / bx;
  let sum = B0;
  for (let k = 0; term !== B0; k++) {
    const t = term / BigInt(2 * k + 1);
    sum = k & 1 ? sum - t : sum + t;
    term /= x2;
  }
  return sum;
}

/** atanh(1/x) in fixed point. */
function atanhInverse(x: number): bigint {
  const bx = BigInt(x);
  const x2 = bx * bx;
  let term = ONE / bx;
  let sum = B0;
  for (let k = 0; term !== B0; k++) {
    sum += term / BigInt(2 * k + 1);
    term /= x2;
  }
  return sum;
}

const PI = BigInt(16) * atanInverse(5) - BigInt(4) * atanInverse(239);
/** ln 2 = 2·atanh(1/3). */
const LN2 = B2 * atanhInverse(3);
/** ln 10 = 3·ln 2 + ln(5/4), ln(5/4) = 2·atanh(1/9). */
const LN10 = BigInt(3) * LN2 + B2 * atanhInverse(9);
const LOG2E = (ONE * ONE) / LN2;
const LOG2_10 = (LN10 * ONE) / LN2;
const LOG10_2 = (LN2 * ONE) / LN10;

/**
 * Rounds sign·m·2^e (m > 0, exact or with `inexactBelow` meaning the true value is slightly above m·2^e)
 * into `out` at 64 bits in the current rounding mode.
 */
export function roundBig(sign: number, m: bigint, e: number, inexactBelow: boolean, out: Ext80): void {
  const bits = m.toString(2).length;
  const w = work;
  let top: bigint;
  let sticky = inexactBelow ? 1 : 0;
  if (bits > 96) {
    const drop = BigInt(bits - 96);
    top = m >> drop;
    if (top << drop !== m) sticky = 1;
  } else top = m << BigInt(96 - bits);
  w.sign = sign;
  w.exp = EXT_BIAS + bits - 1 + e;
  w.w2 = Number(top >> BigInt(64));
  w.w1 = Number((top >> BigInt(32)) & BigInt(0xffffffff));
  w.w0 = (Number(top & BigInt(0xffffffff)) | sticky) >>> 0;
  roundToExt(out, 64);
}

/** FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (D9 E8+i): rounded per RC, no exception flags. */
export function loadConstant(i: number, rc: number, out: Ext80): void {
  void rc;
  if (i === 0) {
    out.set(0, EXT_BIAS, 0x80000000, 0);
    return;
  }
  if (i === 6) {
    setZero(out, 0);
    return;
  }
  const value = i === 1 ? LOG2_10 : i === 2 ? LOG2E : i === 3 ? PI : i === 4 ? LOG10_2 : LN2;
  const savedFlags = fpx.flags;
  roundBig(0, value, -PREC, true, out);
  fpx.flags = savedFlags;
  fpx.roundedUp = false;
}

/** value of a finite x as m·2^e with m ≥ 0 a BigInt. */
function toBig(x: Ext80): bigint {
  return (BigInt(x.hi) << BigInt(32)) | BigInt(x.lo);
}

function exponentOf(x: Ext80): number {
  return (x.exp === 0 ? 1 : x.exp) - EXT_BIAS - 63;
}

/** x in fixed point with PREC fractional bits (truncated; `lostBits` tells whether bits were dropped). */
function toFixed(x: Ext80): bigint {
  const m = toBig(x);
  const e = exponentOf(x) + PREC;
  const v = e >= 0 ? m << BigInt(e) : m >> BigInt(-e);
  return x.sign ? -v : v;
}

// ---- series in fixed point -------------------------------------------------------------------------------

/** Fixed-point product, truncated towards zero (so alternating series of negative terms reach 0). */
function mulFixed(a: bigint, b: bigint): bigint {
  return (a * b) / ONE;
}

/** sin and cos of |t| ≤ π/4 (fixed point), by Taylor series. */
function sinCosReduced(t: bigint): [bigint, bigint] {
  const t2 = mulFixed(t, t);
  let term = t;
  let s = B0;
  for (let k = 1; term !== B0; k += 2) {
    s += term;
    term = -mulFixed(term, t2) / BigInt((k + 1) * (k + 2));
  }
  term = ONE;
  let c = B0;
  for (let k = 0; term !== B0; k += 2) {
    c += term;
    term = -mulFixed(term, t2) / BigInt((k + 1) * (k + 2));
  }
  return [s, c];
}

/** e^t for |t| ≤ 1 (fixed point). */
function expFixed(t: bigint): bigint {
  // e^t = (e^(t/2^8))^(2^8): a short series, then squaring.
  const r = t >> BigInt(8);
  let term = ONE;
  let sum = B0;
  for (let k = 1; term !== B0; k++) {
    sum += term;
    term = mulFixed(term, r) / BigInt(k);
  }
  for (let i = 0; i < 8; i++) sum = mulFixed(sum, sum);
  return sum;
}

/** ln(x) for a fixed-point x > 0. */
function lnFixed(x: bigint): bigint {
  // x = y·2^k with y in [1, 2); ln y = 2·atanh((y-1)/(y+1)).
  let k = 0;
  let y = x;
  while (y >= B2 * ONE) {
    y >>= B1;
    k++;
  }
  while (y < ONE) {
    y <<= B1;
    k--;
  }
  const z = ((y - ONE) * ONE) / (y + ONE);
  const z2 = mulFixed(z, z);
  let term = z;
  let sum = B0;
  for (let n = 1; term !== B0; n += 2) {
    sum += term / BigInt(n);
    term = mulFixed(term, z2);
  }
  return B2 * sum + BigInt(k) * LN2;
}

/** atan(t) for fixed-point t ≥ 0. */
function atanFixed(t: bigint): bigint {
  if (t > ONE) return PI / B2 - atanFixed((ONE * ONE) / t);
  // Halve the argument three times: atan t = 2·atan(t / (1 + √(1 + t²))).
  let x = t;
  let doublings = 0;
  while (x > ONE >> BigInt(4)) {
    x = (x * ONE) / (ONE + sqrtFixed(ONE + mulFixed(x, x)));
    doublings++;
  }
  const x2 = mulFixed(x, x);
  let term = x;
  let sum = B0;
  for (let n = 1; term !== B0; n += 2) {
    sum += ((n >> 1) & 1 ? -term : term) / BigInt(n);
    term = mulFixed(term, x2);
  }
  return sum << BigInt(doublings);
}

function sqrtFixed(x: bigint): bigint {
  if (x <= B0) return B0;
  const n = x << BigInt(PREC);
  let r = B1 << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (r + n / r) >> B1;
    if (y >= r) return r;
    r = y;
  }
}

// ---- instructions ---------------------------------------------------------------------------------------

/** Rounds a fixed-point value (PREC fractional bits) into out; zero gives +0. */
function roundFixed(v: bigint, out: Ext80): void {
  if (v === B0) {
    setZero(out, 0);
    return;
  }
  roundBig(v < B0 ? 1 : 0, v < B0 ? -v : v, -PREC, true, out);
}

/** |x| < 2^63, the range of FSIN/FCOS/FSINCOS/FPTAN operands (SDM vol. 2, FSIN). */
function inTrigRange(x: Ext80): boolean {
  return x.exp - EXT_BIAS < 63;
}

/**
 * FSIN (which = 1), FCOS (2), FSINCOS (3): r = sin, r2 = cos. Returns 0 on success, 1 when |x| ≥ 2^63
 * (C2 set, operand unchanged), 2 when an unmasked exception suppresses the result.
 */
export function fsincos(x: Ext80, r: Ext80, r2: Ext80, which: number): number {
  const k = classify(x);
  if (k > K_INF) {
    if (!nanResult1(x, k, r)) return 2;
    r2.copyFrom(r);
    return 0;
  }
  if (k === K_INF) {
    if (!invalid(r)) return 2;
    r2.copyFrom(r);
    return 0;
  }
  if (k === K_DENORMAL && !denormalOperand()) return 2;
  if (!inTrigRange(x)) return 1;
  if (k === K_ZERO) {
    r.copyFrom(x);
    r2.set(0, EXT_BIAS, 0x80000000, 0);
    if (which !== 1) fpx.flags |= 0;
    return 0;
  }
  const [s, c] = sinCos(toFixed(x));
  if (which & 1) smallResult(x, s, r);
  if (which & 2) {
    // cos of a tiny x is 1 - x²/2: just below 1, which the fixed-point value cannot show.
    if (x.exp - EXT_BIAS < -PREC / 3) roundBig(0, ONE * B2 - B1, -PREC - 1, true, r2);
    else roundFixed(c, r2);
  }
  return 0;
}

/**
 * π as the hardware's argument reduction knows it: rounded to PI_REDUCTION_BITS significant bits. Reducing
 * with this value (instead of the exact π) reproduces the reference hardware's results for large arguments.
 */
const PI_REDUCTION_BITS = 66;
const PI_FOR_REDUCTION = roundToBits(PI, PI_REDUCTION_BITS);

function roundToBits(v: bigint, bits: number): bigint {
  const drop = BigInt(v.toString(2).length - bits);
  return ((v + (B1 << (drop - B1))) >> drop) << drop;
}

/** sin and cos of a fixed-point argument of any size below 2^63. */
function sinCos(t: bigint): [bigint, bigint] {
  const halfPi = PI_FOR_REDUCTION >> B1;
  const quarterPi = PI >> B2;
  let n = (t + quarterPi) / halfPi;
  if (t + quarterPi < B0) n -= B1;
  const reduced = t - n * halfPi;
  const [s, c] = sinCosReduced(reduced);
  switch (Number(((n % BigInt(4)) + BigInt(4)) % BigInt(4))) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}

/** Bits appended below a significand so that "a hair below it" is a value rounding can see. */
const GUARD_BITS = 80;
const GUARD = BigInt(GUARD_BITS);

/** Rounds a result that may be tiny (sin, tan of tiny x): below 2^-PREC/2 the series value is just x. */
function smallResult(x: Ext80, v: bigint, out: Ext80): void {
  if (x.exp - EXT_BIAS < -PREC / 3) {
    // sin x = x - x³/6: just below x. Round x with a sticky bit below it, towards zero.
    roundBig(x.sign, (toBig(x) << GUARD) - B1, exponentOf(x) - GUARD_BITS, true, out);
    return;
  }
  roundFixed(v, out);
}

/** FPTAN: r = tan x, r2 = 1.0. Status codes as fsincos. */
export function fptan(x: Ext80, r: Ext80, r2: Ext80): number {
  const k = classify(x);
  if (k > K_INF) {
    if (!nanResult1(x, k, r)) return 2;
    r2.copyFrom(r);
    return 0;
  }
  if (k === K_INF) {
    if (!invalid(r)) return 2;
    r2.copyFrom(r);
    return 0;
  }
  if (k === K_DENORMAL && !denormalOperand()) return 2;
  if (!inTrigRange(x)) return 1;
  r2.set(0, EXT_BIAS, 0x80000000, 0);
  if (k === K_ZERO) {
    r.copyFrom(x);
    return 0;
  }
  if (x.exp - EXT_BIAS < -PREC / 3) {
    roundBig(x.sign, toBig(x) << GUARD, exponentOf(x) - GUARD_BITS, true, r);
    return 0;
  }
  const [s, c] = sinCos(toFixed(x));
  const tanFixed = (s * ONE) / c;
  roundFixed(tanFixed, r);
  return 0;
}

/** FPATAN: r = atan(b / a) with the quadrant of (a, b) = (x, y) = (ST(0), ST(1)). */
export function fpatan(a: Ext80, b: Ext80, r: Ext80): boolean {
  const ka = classify(a);
  const kb = classify(b);
  if (ka > K_INF || kb > K_INF) return nanResult2(a, ka, b, kb, r);
  if ((ka === K_DENORMAL || kb === K_DENORMAL) && !denormalOperand()) return false;
  const xNeg = a.sign === 1;
  if (kb === K_ZERO || ka === K_INF || kb === K_INF || ka === K_ZERO) return atanSpecial(a, ka, b, kb, r);
  // atan(|y|/|x|) in fixed point, then the quadrant.
  const y = toBig(b);
  const x = toBig(a);
  const shift = exponentOf(b) - exponentOf(a);
  if (shift < -PREC / 3 && !xNeg) return atanOfTinyRatio(y, x, shift, b.sign, r);
  const ratio =
    shift >= 0 ? ((y << BigInt(shift + PREC)) * B1) / x : (y << BigInt(PREC)) / (x << BigInt(-shift));
  let angle = atanFixed(ratio);
  if (xNeg) angle = PI - angle;
  roundFixed(b.sign ? -angle : angle, r);
  return true;
}

/**
 * atan(t) for t = y/x < 2^-64: t - t³/3, i.e. just below t. The quotient is computed with relative precision
 * (the fixed-point form would underflow) and rounded as "a hair below".
 */
function atanOfTinyRatio(y: bigint, x: bigint, shift: number, sign: number, r: Ext80): boolean {
  const q = (y << BigInt(PREC)) / x;
  roundBig(sign, q * B2 - B1, shift - PREC - 1, true, r);
  return true;
}

function atanSpecial(a: Ext80, ka: number, b: Ext80, kb: number, r: Ext80): boolean {
  const xNeg = a.sign === 1;
  let angle: bigint;
  if (kb === K_ZERO) angle = xNeg ? PI : B0;
  else if (kb === K_INF && ka === K_INF) angle = xNeg ? (BigInt(3) * PI) / BigInt(4) : PI / BigInt(4);
  else if (kb === K_INF || ka === K_ZERO) angle = PI / B2;
  else angle = xNeg ? PI : B0;
  if (angle === B0) {
    setZero(r, b.sign);
    return true;
  }
  roundFixed(b.sign ? -angle : angle, r);
  return true;
}

/** F2XM1: r = 2^x - 1 for -1 ≤ x ≤ 1. */
export function f2xm1(x: Ext80, r: Ext80): boolean {
  const k = classify(x);
  if (k > K_INF) return nanResult1(x, k, r);
  if (k === K_INF) {
    if (x.sign) r.set(1, EXT_BIAS, 0x80000000, 0);
    else setInfinity(r, 0);
    return true;
  }
  if (k === K_DENORMAL && !denormalOperand()) return false;
  if (k === K_ZERO) {
    r.copyFrom(x);
    return true;
  }
  if (outsideUnitInterval(x)) return unchangedOutOfDomain(x, r);
  if (x.exp - EXT_BIAS < -PREC / 3) {
    // 2^x - 1 ≈ x·ln 2
    const m = toBig(x) * LN2;
    roundBig(x.sign, m, exponentOf(x) - PREC, true, r);
    return true;
  }
  if (x.exp - EXT_BIAS >= 6) {
    // Outside the documented domain (-1 ≤ x ≤ 1) the result is undefined; saturate instead of computing 2^huge.
    if (x.sign) r.set(1, EXT_BIAS, 0x80000000, 0);
    else setInfinity(r, 0);
    return true;
  }
  const v = expFixed(mulFixed(toFixed(x), LN2)) - ONE;
  roundFixed(v, r);
  return true;
}

/** |x| > 1. */
function outsideUnitInterval(x: Ext80): boolean {
  return x.exp - EXT_BIAS >= 1 || (x.exp - EXT_BIAS === 0 && (x.hi !== 0x80000000 || x.lo !== 0));
}

/**
 * F2XM1 and FYL2XP1 outside their documented domains are undefined by the SDM; the reference hardware
 * returns the operand unchanged and reports PE, and so do we.
 */
function unchangedOutOfDomain(x: Ext80, r: Ext80): boolean {
  r.copyFrom(x);
  fpx.flags |= FSW_PE;
  return true;
}

/** FYL2X: r = y·log2(x), x = ST(0), y = ST(1). */
export function fyl2x(x: Ext80, y: Ext80, r: Ext80): boolean {
  const kx = classify(x);
  const ky = classify(y);
  if (kx > K_INF || ky > K_INF) return nanResult2(x, kx, y, ky, r);
  // Invalid and divide-by-zero outrank the denormal operand exception.
  if (x.sign === 1 && kx !== K_ZERO) return invalid(r);
  if (kx === K_ZERO) {
    if (ky === K_ZERO) return invalid(r);
    if (ky === K_INF) {
      // ∞·log2(0) is an infinity without a division by zero.
      setInfinity(r, y.sign ^ 1);
      return true;
    }
    fpx.flags |= FSW_ZE;
    if (!fpx.zeroDivideMasked) return false;
    setInfinity(r, y.sign ^ 1);
    return true;
  }
  if ((kx === K_DENORMAL || ky === K_DENORMAL) && !denormalOperand()) return false;
  if (kx === K_INF || ky === K_INF || ky === K_ZERO) return log2Special(x, kx, y, ky, r);
  const log2x = log2OfExt(x);
  multiplyAndRound(log2x, y, r);
  return true;
}

function log2Special(x: Ext80, kx: number, y: Ext80, ky: number, r: Ext80): boolean {
  const isOne = kx === K_NORMAL && x.exp === EXT_BIAS && x.hi === 0x80000000 && x.lo === 0;
  const xAboveOne = x.exp >= EXT_BIAS && !isOne;
  if (kx === K_INF) {
    if (ky === K_ZERO) return invalid(r);
    setInfinity(r, y.sign);
    return true;
  }
  if (ky === K_INF) {
    if (isOne) return invalid(r);
    setInfinity(r, xAboveOne ? y.sign : y.sign ^ 1);
    return true;
  }
  // y = 0: ±0 with the sign of y·log2 x.
  setZero(r, xAboveOne || isOne ? y.sign : y.sign ^ 1);
  return true;
}

/** log2(x) in fixed point for finite x > 0. */
function log2OfExt(x: Ext80): bigint {
  const m = toBig(x);
  const e = exponentOf(x);
  // x = m·2^e; log2 x = e + log2 m.
  const lnm = lnFixed(m << BigInt(PREC));
  return BigInt(e) * ONE + (lnm * ONE) / LN2;
}

/** r = fixed-point v × y, rounded. Exact zero gives +0 (or the sign rules of the caller). */
function multiplyAndRound(v: bigint, y: Ext80, r: Ext80): void {
  if (v === B0) {
    setZero(r, y.sign);
    return;
  }
  const neg = (v < B0 ? 1 : 0) ^ y.sign;
  const m = (v < B0 ? -v : v) * toBig(y);
  roundBig(neg, m, exponentOf(y) - PREC, true, r);
}

/** FYL2XP1: r = y·log2(x + 1) for |x| < 1 - √2/2. */
export function fyl2xp1(x: Ext80, y: Ext80, r: Ext80): boolean {
  const kx = classify(x);
  const ky = classify(y);
  if (kx > K_INF || ky > K_INF) return nanResult2(x, kx, y, ky, r);
  if ((kx === K_DENORMAL || ky === K_DENORMAL) && !denormalOperand()) return false;
  if (kx === K_INF) {
    // log2(1 + ∞) = ∞; the hardware treats 1 + (-∞) as invalid.
    if (x.sign === 1 || ky === K_ZERO) return invalid(r);
    setInfinity(r, y.sign);
    return true;
  }
  if (kx === K_ZERO || ky === K_ZERO) {
    if (ky === K_INF) return invalid(r);
    setZero(r, x.sign ^ y.sign);
    return true;
  }
  if (ky === K_INF) {
    setInfinity(r, x.sign ^ y.sign);
    return true;
  }
  if (outsideLog1pDomain(x)) return log2OnePlusLarge(x, y, r);
  if (x.exp - EXT_BIAS < -100) return log2OnePlusTiny(x, y, r);
  // log2(1 + x) = ln(1 + x)/ln 2, with ln(1 + x) = 2·atanh(x / (2 + x)) accurate for tiny x.
  const m = toBig(x);
  const e = exponentOf(x);
  const wide = PREC * 2;
  const xw = x.sign
    ? -(m << BigInt(wide + e))
    : e + wide >= 0
      ? m << BigInt(wide + e)
      : m >> BigInt(-(wide + e));
  const oneWide = B1 << BigInt(wide);
  const z = (xw << BigInt(wide)) / (B2 * oneWide + xw);
  const z2 = (z * z) >> BigInt(wide);
  const scale = B1 << BigInt(wide);
  let term = z;
  let sum = B0;
  for (let n = 1; term !== B0; n += 2) {
    sum += term / BigInt(n);
    term = (term * z2) / scale;
  }
  const ln1p = B2 * sum;
  const lnTwoWide = LN2 << BigInt(wide - PREC);
  const log2 = (ln1p << BigInt(wide)) / lnTwoWide;
  const neg = (log2 < B0 ? 1 : 0) ^ y.sign;
  const mag = (log2 < B0 ? -log2 : log2) * toBig(y);
  if (mag === B0) {
    setZero(r, neg);
    return true;
  }
  roundBig(neg, mag, exponentOf(y) - wide, true, r);
  return true;
}

/**
 * FYL2XP1 outside its documented domain: the reference hardware still computes y·log2(1 + x) when 1 + x > 0,
 * and returns x unchanged (with PE) when 1 + x ≤ 0.
 */
function log2OnePlusLarge(x: Ext80, y: Ext80, r: Ext80): boolean {
  const v = ONE + toFixed(x);
  if (v <= B0) return unchangedOutOfDomain(x, r);
  multiplyAndRound((lnFixed(v) * ONE) / LN2, y, r);
  return true;
}

/** 1 - √2/2, the bound of FYL2XP1's domain, as a 64-bit significand at exponent -2. */
const LOG1P_LIMIT_HI = 0x95f61998;
const LOG1P_LIMIT_LO = 0x0c4336f7;

/** |x| ≥ 1 - √2/2. */
function outsideLog1pDomain(x: Ext80): boolean {
  const e = x.exp - EXT_BIAS;
  if (e !== -2) return e > -2;
  return x.hi > LOG1P_LIMIT_HI || (x.hi === LOG1P_LIMIT_HI && x.lo >= LOG1P_LIMIT_LO);
}

/**
 * FYL2XP1 for |x| < 2^-100: ln(1 + x) = x - x²/2 + x³/3 - ..., so x - x²/2 is exact to far beyond 64 bits
 * and the neglected terms only make the magnitude larger (the sticky direction roundBig assumes).
 */
function log2OnePlusTiny(x: Ext80, y: Ext80, r: Ext80): boolean {
  const m = toBig(x);
  const e = exponentOf(x);
  // |x - x²/2| = 2^(2e-1)·(m·2^(1-e) ∓ m²), minus for x > 0.
  const lead = m << BigInt(1 - e);
  const mag = x.sign ? lead + m * m : lead - m * m;
  const scaled = (mag * toBig(y) * ONE) / LN2;
  roundBig(x.sign ^ y.sign, scaled, 2 * e - 1 + exponentOf(y), true, r);
  return true;
}

void FSW_PE;
