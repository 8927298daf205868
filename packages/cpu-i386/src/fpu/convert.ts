/**
 * Conversions between the 80-bit register format and the memory formats the x87 loads and stores: m32fp,
 * m64fp, m16/m32/m64 integers and m80 packed BCD, plus rounding to an integer (FIST, FRNDINT). Layer: arch
 * plugin (cpu-i386), x87 unit; x87.ts calls these after reading memory and before writing it.
 *
 * Loads are exact (every m32fp/m64fp/integer value fits the extended format); an SNaN signals IE and arrives
 * quiet, a denormal signals DE. Stores round with `roundInto` in the destination format's exponent range, or
 * to an integer in the current rounding mode; values that do not fit give IE and the indefinite of the format.
 * Results of stores are left in `stored` (two uint32 words) so nothing is allocated on the store path.
 */
import { denormalOperand, invalid, nanResult1 } from './arith.js';
import {
  classify,
  type Ext80,
  FMT_DOUBLE_BIAS,
  FMT_DOUBLE_MAX,
  FMT_SINGLE_BIAS,
  FMT_SINGLE_MAX,
  fpx,
  K_DENORMAL,
  K_INF,
  K_QNAN,
  K_SNAN,
  K_UNSUPPORTED,
  K_ZERO,
  roundInto,
  setInfinity,
  setZero,
  work,
} from './ext80.js';
import { EXT_BIAS, EXT_EXP_MAX, FSW_IE, FSW_PE, RC_DOWN, RC_NEAREST, RC_UP } from './x87-constants.js';

const J_BIT = 0x80000000;

/** Loads an m32fp. Returns false when an unmasked IE/DE stops the instruction. */
export function loadSingle(bits: number, out: Ext80, keepSignalling = false): boolean {
  const sign = bits >>> 31;
  const e = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (e === 0xff) {
    return loadInfOrNaN(sign, frac === 0, (frac & 0x400000) !== 0, keepSignalling, frac << 8, 0, out);
  }
  if (e === 0) {
    if (frac === 0) {
      setZero(out, sign);
      return true;
    }
    fpx.srcDenormal = true;
    return loadFinite(sign, 1 - FMT_SINGLE_BIAS + EXT_BIAS, frac << 8, 0, out);
  }
  out.set(sign, e - FMT_SINGLE_BIAS + EXT_BIAS, J_BIT | (frac << 8), 0);
  return true;
}

/** Loads an m64fp given as two little-endian dwords. */
export function loadDouble(lo: number, hi: number, out: Ext80, keepSignalling = false): boolean {
  const sign = hi >>> 31;
  const e = (hi >>> 20) & 0x7ff;
  const fracHi = hi & 0xfffff;
  const mHi = (fracHi << 11) | (lo >>> 21);
  const mLo = lo << 11;
  if (e === 0x7ff)
    return loadInfOrNaN(sign, (fracHi | lo) === 0, (fracHi & 0x80000) !== 0, keepSignalling, mHi, mLo, out);
  if (e === 0) {
    if ((fracHi | lo) === 0) {
      setZero(out, sign);
      return true;
    }
    fpx.srcDenormal = true;
    return loadFinite(sign, 1 - FMT_DOUBLE_BIAS + EXT_BIAS, mHi, mLo, out);
  }
  out.set(sign, e - FMT_DOUBLE_BIAS + EXT_BIAS, J_BIT | mHi, mLo);
  return true;
}

function loadInfOrNaN(
  sign: number,
  isInf: boolean,
  isQuiet: boolean,
  keepSignalling: boolean,
  mHi: number,
  mLo: number,
  out: Ext80,
): boolean {
  if (isInf) {
    setInfinity(out, sign);
    return true;
  }
  // An SNaN kept for arithmetic stays signalling (the operation reports IE); FLD quiets it and reports IE.
  if (!isQuiet && !keepSignalling) {
    fpx.flags |= FSW_IE;
    if (!fpx.invalidMasked) return false;
  }
  out.set(sign, EXT_EXP_MAX, J_BIT | (keepSignalling ? 0 : 0x40000000) | mHi, mLo);
  return true;
}

/** A denormal of a narrower format: value = 0.m × 2^(exp - 16383), normalized on the way in (exact). */
function loadFinite(sign: number, exp: number, mHi: number, mLo: number, out: Ext80): boolean {
  const w = work;
  w.sign = sign;
  w.exp = exp;
  w.w2 = mHi >>> 0;
  w.w1 = mLo >>> 0;
  w.w0 = 0;
  w.normalize();
  out.set(sign, w.exp, w.w2, w.w1);
  return true;
}

/** Loads a signed integer of up to 64 bits given as two dwords (hi carries the sign). Always exact. */
export function loadInt64(lo: number, hi: number, out: Ext80): void {
  let sign = 0;
  let mLo = lo >>> 0;
  let mHi = hi >>> 0;
  if (hi < 0 || mHi >= J_BIT) {
    sign = 1;
    mLo = (~mLo + 1) >>> 0;
    mHi = (~mHi + (mLo === 0 ? 1 : 0)) >>> 0;
  }
  if ((mHi | mLo) === 0) {
    setZero(out, 0);
    return;
  }
  const w = work;
  w.sign = sign;
  w.exp = EXT_BIAS + 63;
  w.w2 = mHi;
  w.w1 = mLo;
  w.w0 = 0;
  w.normalize();
  out.set(sign, w.exp, w.w2, w.w1);
}

/** Loads a signed 32-bit (or sign-extended 16-bit) integer: the magnitude shifted up to bit 63. */
export function loadInt32(v: number, out: Ext80): void {
  const x = v | 0;
  if (x === 0) {
    setZero(out, 0);
    return;
  }
  const m = x < 0 ? -x >>> 0 : x;
  const n = Math.clz32(m);
  out.set(x < 0 ? 1 : 0, EXT_BIAS + 31 - n, m << n, 0);
}

/** The result of a store: the memory image as two uint32 words (lo first). */
export class Stored {
  lo = 0;
  hi = 0;
}
export const stored = new Stored();

/**
 * m32fp/m64fp conversion of a register value into `stored`. Returns false when nothing may be stored
 * (unmasked IE, OE or UE).
 */
export function storeFloat(x: Ext80, isDouble: boolean): boolean {
  const k = classify(x);
  const s = stored;
  if (k === K_ZERO) return packFloat(isDouble, x.sign, 0, 0, 0);
  if (k === K_INF) return packFloat(isDouble, x.sign, isDouble ? 0x7ff : 0xff, 0, 0);
  if (k === K_UNSUPPORTED) return storeInvalidFloat(isDouble);
  if (k === K_QNAN || k === K_SNAN) {
    if (k === K_SNAN) {
      fpx.flags |= FSW_IE;
      if (!fpx.invalidMasked) return false;
    }
    return packFloat(isDouble, x.sign, isDouble ? 0x7ff : 0xff, (x.hi | 0x40000000) >>> 0, x.lo);
  }
  // A denormal register value does not signal DE here (it underflows the narrower format instead).
  const w = work;
  w.load(x);
  if (w.exp === 0) w.exp = 1;
  w.normalize();
  const r = isDouble
    ? roundInto(53, FMT_DOUBLE_BIAS, FMT_DOUBLE_MAX, 0)
    : roundInto(24, FMT_SINGLE_BIAS, FMT_SINGLE_MAX, 0);
  if (r.unstorable) return false;
  void s;
  return packFloat(isDouble, r.sign, r.exp, r.hi, r.lo);
}

function storeInvalidFloat(isDouble: boolean): boolean {
  fpx.flags |= FSW_IE;
  if (!fpx.invalidMasked) return false;
  return packFloat(isDouble, 1, isDouble ? 0x7ff : 0xff, 0xc0000000, 0);
}

/** Packs sign, biased exponent and a left-aligned 64-bit significand (J dropped) into `stored`. */
function packFloat(isDouble: boolean, sign: number, exp: number, mHi: number, mLo: number): boolean {
  const s = stored;
  if (isDouble) {
    s.hi = ((sign << 31) | (exp << 20) | ((mHi >>> 11) & 0xfffff)) >>> 0;
    s.lo = ((mHi << 21) | (mLo >>> 11)) >>> 0;
  } else {
    s.lo = ((sign << 31) | (exp << 23) | ((mHi >>> 8) & 0x7fffff)) >>> 0;
    s.hi = 0;
  }
  return true;
}

/** Magnitude of a value rounded to an integer: `intHi:intLo`, with inexactness in fpx. */
export class IntegerResult {
  hi = 0;
  lo = 0;
  inexact = false;
  roundedUp = false;
}
export const integerResult = new IntegerResult();

/**
 * Rounds |x| (finite) to an integer in rounding mode `rc`, honouring x's sign for directed modes.
 * Returns false when the magnitude is 2^64 or more.
 */
export function roundMagnitude(x: Ext80, rc: number): boolean {
  const ir = integerResult;
  ir.inexact = false;
  ir.roundedUp = false;
  const e = (x.exp === 0 ? 1 : x.exp) - EXT_BIAS;
  if (e >= 64) return false;
  if ((x.hi | x.lo) === 0) {
    ir.hi = 0;
    ir.lo = 0;
    return true;
  }
  const w = work;
  w.w2 = x.hi;
  w.w1 = x.lo;
  w.w0 = 0;
  if (e < 63) w.shiftRightSticky(63 - e);
  const frac = w.w0;
  ir.hi = w.w2;
  ir.lo = w.w1;
  if (frac === 0) return true;
  ir.inexact = true;
  let up: boolean;
  if (rc === RC_NEAREST) up = frac > 0x80000000 || (frac === 0x80000000 && (ir.lo & 1) === 1);
  else if (rc === RC_UP) up = x.sign === 0;
  else if (rc === RC_DOWN) up = x.sign === 1;
  else up = false;
  if (up) {
    ir.roundedUp = true;
    const lo = ir.lo + 1;
    ir.lo = lo >>> 0;
    if (lo > 0xffffffff) ir.hi = (ir.hi + 1) >>> 0;
  }
  return true;
}

/**
 * FIST/FISTP/FISTTP conversion to a signed integer of `sizeBits` (16, 32, 64) into `stored`, in rounding mode
 * `rc`. Returns false when nothing may be stored (unmasked IE).
 */
export function storeInteger(x: Ext80, sizeBits: number, rc: number): boolean {
  const k = classify(x);
  if (k === K_INF || k === K_QNAN || k === K_SNAN || k === K_UNSUPPORTED) return integerIndefinite(sizeBits);
  if (k === K_DENORMAL) {
    // Denormal operands do not signal DE on integer stores (SDM vol. 2, FIST: #IS, #IA, #P only).
  }
  if (!roundMagnitude(x, rc)) return integerIndefinite(sizeBits);
  const ir = integerResult;
  if (!fitsSigned(ir.hi, ir.lo, x.sign, sizeBits)) return integerIndefinite(sizeBits);
  let lo = ir.lo;
  let hi = ir.hi;
  if (x.sign === 1) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  stored.lo = lo;
  stored.hi = hi;
  if (ir.inexact) {
    fpx.flags |= FSW_PE;
    fpx.roundedUp = ir.roundedUp;
  }
  return true;
}

function fitsSigned(hi: number, lo: number, sign: number, sizeBits: number): boolean {
  if (sizeBits === 64) return hi < J_BIT || (sign === 1 && hi === J_BIT && lo === 0);
  if (hi !== 0) return false;
  const limit = sizeBits === 32 ? J_BIT : 0x8000;
  return lo < limit || (sign === 1 && lo === limit);
}

/** The integer indefinite (most negative value) after IE. */
function integerIndefinite(sizeBits: number): boolean {
  fpx.flags |= FSW_IE;
  if (!fpx.invalidMasked) return false;
  stored.lo = sizeBits === 16 ? 0x8000 : sizeBits === 32 ? J_BIT : 0;
  stored.hi = sizeBits === 64 ? J_BIT : 0;
  return true;
}

/** FRNDINT: rounds a finite x to an integral value in rounding mode `rc`. Returns false on unmasked DE. */
export function roundToIntegral(x: Ext80, rc: number, out: Ext80): boolean {
  const k = classify(x);
  if (k === K_QNAN || k === K_SNAN || k === K_UNSUPPORTED) return nanResult1(x, k, out);
  if (k === K_DENORMAL && !denormalOperand()) return false;
  if (k === K_ZERO || k === K_INF || x.exp - EXT_BIAS >= 63) {
    out.copyFrom(x);
    return true;
  }
  roundMagnitude(x, rc);
  const ir = integerResult;
  if (ir.inexact) {
    fpx.flags |= FSW_PE;
    fpx.roundedUp = ir.roundedUp;
  }
  if ((ir.hi | ir.lo) === 0) {
    setZero(out, x.sign);
    return true;
  }
  loadInt64(ir.lo, ir.hi & 0x7fffffff, out);
  if (ir.hi >= J_BIT) out.set(0, EXT_BIAS + 63, ir.hi, ir.lo);
  out.sign = x.sign;
  return true;
}

const BIG_TEN = BigInt(10);
const BCD_LIMIT = BigInt('1000000000000000000');

/** FBLD: 18 packed decimal digits and a sign byte (bytes given lowest first) to an exact extended value. */
export function loadBcd(bytes: Uint8Array, out: Ext80): void {
  let v = BigInt(0);
  for (let i = 8; i >= 0; i--) {
    const b = bytes[i];
    v = v * BIG_TEN + BigInt(b >>> 4);
    v = v * BIG_TEN + BigInt(b & 0xf);
  }
  const sign = bytes[9] >>> 7;
  loadInt64(Number(v & BigInt(0xffffffff)), Number(v >> BigInt(32)), out);
  out.sign = sign;
}

/**
 * FBSTP: rounds x to an integer and packs it into 10 bytes. Returns false when nothing may be stored. Values
 * of 10^18 or more, NaNs and infinities give IE and the BCD indefinite.
 */
export function storeBcd(x: Ext80, rc: number, into: Uint8Array): boolean {
  const k = classify(x);
  let ok = k !== K_INF && k !== K_QNAN && k !== K_SNAN && k !== K_UNSUPPORTED && roundMagnitude(x, rc);
  let v = BigInt(0);
  if (ok) {
    const ir = integerResult;
    v = (BigInt(ir.hi) << BigInt(32)) | BigInt(ir.lo);
    ok = v < BCD_LIMIT;
  }
  if (!ok) {
    fpx.flags |= FSW_IE;
    if (!fpx.invalidMasked) return false;
    into.fill(0);
    into[7] = 0xc0;
    into[8] = 0xff;
    into[9] = 0xff;
    return true;
  }
  for (let i = 0; i < 9; i++) {
    const lowDigit = Number(v % BIG_TEN);
    v /= BIG_TEN;
    const highDigit = Number(v % BIG_TEN);
    v /= BIG_TEN;
    into[i] = (highDigit << 4) | lowDigit;
  }
  into[9] = x.sign << 7;
  if (integerResult.inexact) {
    fpx.flags |= FSW_PE;
    fpx.roundedUp = integerResult.roundedUp;
  }
  return true;
}

export { invalid };
