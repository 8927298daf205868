/**
 * The common case of FADD/FSUB/FMUL/FDIV: both operands normal or zero and the result a normal number or zero,
 * written straight into the register file. Layer: arch plugin (cpu-i386), x87 unit; x87.ts tries these first
 * and falls back to the general operations of arith.ts, which handle every other case (denormals, infinities,
 * NaNs, unsupported formats, division by zero, results that overflow or are tiny).
 *
 * How it works: each function computes the exact significand as arith.ts does (the same alignment and sticky
 * bit for addition; for products the four 32×32-bit partial products; for quotients two 32-bit digits from
 * double quotients, or significand.ts's long division when a digit cannot be trusted: see divWords) into
 * three 32-bit words w2:w1:w0 (integer bit first, bit 0 of w0 sticky), then `roundToRegister` rounds them.
 * It refuses, returning NOT_HANDLED before anything is written, whenever the general path could report more
 * than "inexact" and "rounded up": an exponent below 1 before rounding (tiny, so UE may apply) or above the
 * largest normal after it (OE). Otherwise the outcome is the one `roundInto` gives for a normal result, so the
 * fast path changes speed only; fast-path.test.ts checks that against the general path. A handled result
 * returns the status bits it produces: FSW_PE when inexact and FSW_C1 when the significand was rounded up.
 *
 * Speed: everything stays in locals; the operands' significands travel in `words`, an Int32Array, and results
 * as int32 arguments (`| 0`), which V8 passes unboxed; both are read back as uint32 (`>>> 0`). Register forms
 * copy their operands from the register file (`fastRegisters`), not into Ext80 objects first. Round to
 * nearest (the default) is done inline; the other modes go through ext80.ts's `roundSignificand` (the mode
 * read from fpx.cw, which the caller sets). A 32×32 product is exact as its low word (Math.imul) and its high
 * word, which the double product (within 2^11 of the exact one) gives once the low word is taken off:
 * `productHigh`. Nothing here allocates.
 */
import { Ext80, fpx, roundSignificand, work } from './ext80.js';
import { divideSignificands } from './significand.js';
import { EXT_BIAS, FCW_RC, FCW_RC_SHIFT, FSW_C1, FSW_PE, RC_DOWN } from './x87-constants.js';
import type { X87State } from './x87-state.js';

/** Returned when the general path must run; the destination is untouched. */
export const NOT_HANDLED = -1;

const J_BIT = 0x80000000;
/** The largest biased exponent of a normal extended value. */
const EXP_NORMAL_MAX = 0x7ffe;

/** Whether (exp, hi) is a normal extended value: exponent 1..0x7ffe and the integer bit set. */
export function isNormal(exp: number, hi: number): boolean {
  return exp - 1 < EXP_NORMAL_MAX && exp !== 0 && (hi & J_BIT) !== 0;
}

/** Operations of `fastArith`, in the D8 numbering of the ModR/M reg field (2 and 3 are compares). */
export const OP_ADD = 0;
export const OP_MUL = 1;
export const OP_SUB = 4;
export const OP_SUBR = 5;
export const OP_DIV = 6;
export const OP_DIVR = 7;

/**
 * The significands of the operands (x hi, x lo, y hi, y lo as int32): an Int32Array keeps them unboxed
 * between the functions below without long parameter lists.
 */
const words = new Int32Array(4);

/** Register px = x op y for physical registers px and py: the operands are read straight from the file. */
export function fastRegisters(
  op: number,
  s: X87State,
  px: number,
  py: number,
  precisionBits: number,
): number {
  const w = words;
  w[0] = s.hi[px];
  w[1] = s.lo[px];
  w[2] = s.hi[py];
  w[3] = s.lo[py];
  return fastArith(op, s.sign[px], s.exp[px], s.sign[py], s.exp[py], s, px, precisionBits);
}

/** Register p = a op b for two Ext80s. */
export function fastArithExt80(
  op: number,
  a: Ext80,
  b: Ext80,
  s: X87State,
  p: number,
  precisionBits: number,
): number {
  const w = words;
  w[0] = a.hi;
  w[1] = a.lo;
  w[2] = b.hi;
  w[3] = b.lo;
  return fastArith(op, a.sign, a.exp, b.sign, b.exp, s, p, precisionBits);
}

/** Register p = x op y, x and y given by sign and biased exponent, their significands in `words`. */
function fastArith(
  op: number,
  sx: number,
  ex: number,
  sy: number,
  ey: number,
  s: X87State,
  p: number,
  precisionBits: number,
): number {
  const xZero = isZero(ex, words[0], words[1]);
  const yZero = isZero(ey, words[2], words[3]);
  if (!(xZero || isNormal(ex, words[0])) || !(yZero || isNormal(ey, words[2]))) return NOT_HANDLED;
  if (xZero || yZero) return withZero(op, sx, ex, xZero, sy, ey, yZero, s, p, precisionBits);
  switch (op) {
    case OP_ADD:
      return addWords(s, p, sx, ex, sy, ey, precisionBits);
    case OP_MUL:
      return mulWords(s, p, sx ^ sy, ex + ey - EXT_BIAS + 1, precisionBits);
    case OP_SUB:
      return addWords(s, p, sx, ex, sy ^ 1, ey, precisionBits);
    case OP_SUBR:
      swapWords();
      return addWords(s, p, sy, ey, sx ^ 1, ex, precisionBits);
    case OP_DIV:
      return divWords(s, p, sx ^ sy, ex - ey + EXT_BIAS, precisionBits);
    default:
      swapWords();
      return divWords(s, p, sx ^ sy, ey - ex + EXT_BIAS, precisionBits);
  }
}

function isZero(exp: number, hi: number, lo: number): boolean {
  return (exp | hi | lo) === 0;
}

/**
 * Register p = x op y when x or y is a zero and the other a zero or normal: a zero (exact), or for a sum the
 * normal operand when the precision keeps all of it. A division by zero (ZE) is the general path's.
 */
function withZero(
  op: number,
  sx: number,
  ex: number,
  xZero: boolean,
  sy: number,
  ey: number,
  yZero: boolean,
  s: X87State,
  p: number,
  pc: number,
): number {
  if (op === OP_MUL) return writeZero(s, p, sx ^ sy);
  if (op === OP_DIV) return yZero ? NOT_HANDLED : writeZero(s, p, sx ^ sy);
  if (op === OP_DIVR) return xZero ? NOT_HANDLED : writeZero(s, p, sx ^ sy);
  // x + y, x - y or y - x: the signs the two addends have.
  const sa = op === OP_SUBR ? sx ^ 1 : sx;
  const sb = op === OP_SUB ? sy ^ 1 : sy;
  if (xZero && yZero) return writeZero(s, p, sa === sb ? sa : zeroSumSign());
  if (xZero) return exactAddend(s, p, sb, ey, words[2] as number, words[3] as number, pc);
  return exactAddend(s, p, sa, ex, words[0] as number, words[1] as number, pc);
}

/**
 * Register p = the normal addend of a sum with a zero, when it has no bits below the precision; else
 * NOT_HANDLED (its rounding is the general path's, as in x87-wasm.ts).
 */
function exactAddend(
  s: X87State,
  p: number,
  sign: number,
  exp: number,
  hi: number,
  lo: number,
  pc: number,
): number {
  const below = pc === 64 ? 0 : pc === 53 ? lo & 0x7ff : (hi & 0xff) | lo;
  if (below !== 0) return NOT_HANDLED;
  setRegister(s, p, sign, exp, hi, lo);
  return 0;
}

/** The sign of an exact zero sum of opposite-signed addends: - when rounding down, else + (IEEE 754-2008 6.3). */
function zeroSumSign(): number {
  return (fpx.cw & FCW_RC) === RC_DOWN << FCW_RC_SHIFT ? 1 : 0;
}

/** Register p = a zero of sign `sign`; it is exact: no status bit. */
function writeZero(s: X87State, p: number, sign: number): number {
  setRegister(s, p, sign, 0, 0, 0);
  return 0;
}

/** Physical register p = the value (sign, biased exponent, significand hi:lo), full. */
function setRegister(s: X87State, p: number, sign: number, exp: number, hi: number, lo: number): void {
  s.sign[p] = sign;
  s.exp[p] = exp;
  s.hi[p] = hi;
  s.lo[p] = lo;
  s.empty[p] = 0;
}

/** Exchanges x and y in `words`. */
function swapWords(): void {
  const w = words;
  const h = w[0];
  const l = w[1];
  w[0] = w[2];
  w[1] = w[3];
  w[2] = h;
  w[3] = l;
}

/** Register p = a + b (or a - b when `subtract` is 1). */
export function fastAdd(
  a: Ext80,
  b: Ext80,
  subtract: number,
  s: X87State,
  p: number,
  precisionBits: number,
): number {
  return fastArithExt80(subtract === 1 ? OP_SUB : OP_ADD, a, b, s, p, precisionBits);
}

/** Register p = a × b. */
export function fastMul(a: Ext80, b: Ext80, s: X87State, p: number, precisionBits: number): number {
  return fastArithExt80(OP_MUL, a, b, s, p, precisionBits);
}

/** Register p = a / b. */
export function fastDiv(a: Ext80, b: Ext80, s: X87State, p: number, precisionBits: number): number {
  return fastArithExt80(OP_DIV, a, b, s, p, precisionBits);
}

/** Register p = x + y (significands in `words`), rounded to `pc` bits. Mirrors addFinite in arith.ts. */
function addWords(
  s: X87State,
  p: number,
  sx: number,
  ex: number,
  sy: number,
  ey: number,
  pc: number,
): number {
  const hx = words[0] >>> 0;
  const lx = words[1] >>> 0;
  const hy = words[2] >>> 0;
  const ly = words[3] >>> 0;
  // big has the larger magnitude; small is shifted right to its exponent with a sticky bit.
  let eBig: number;
  let hBig: number;
  let lBig: number;
  let sBig: number;
  let shift: number;
  let w2: number;
  let w1: number;
  if (ey > ex || (ey === ex && (hy > hx || (hy === hx && ly > lx)))) {
    eBig = ey;
    hBig = hy;
    lBig = ly;
    sBig = sy;
    shift = ey - ex;
    w2 = hx;
    w1 = lx;
  } else {
    eBig = ex;
    hBig = hx;
    lBig = lx;
    sBig = sx;
    shift = ex - ey;
    w2 = hy;
    w1 = ly;
  }
  let w0 = 0;
  if (shift >= 96) {
    w2 = 0;
    w1 = 0;
    w0 = 1;
  } else if (shift >= 64) {
    const n = shift - 64;
    const sticky = n === 0 ? w1 : w1 | (w2 << (32 - n));
    w0 = ((n === 0 ? w2 : w2 >>> n) | (sticky !== 0 ? 1 : 0)) >>> 0;
    w1 = 0;
    w2 = 0;
  } else if (shift >= 32) {
    const n = shift - 32;
    if (n === 0) {
      w0 = w1;
      w1 = w2;
    } else {
      const sticky = w1 << (32 - n);
      w0 = ((w1 >>> n) | (w2 << (32 - n)) | (sticky !== 0 ? 1 : 0)) >>> 0;
      w1 = w2 >>> n;
    }
    w2 = 0;
  } else if (shift > 0) {
    w0 = (w1 << (32 - shift)) >>> 0;
    w1 = ((w1 >>> shift) | (w2 << (32 - shift))) >>> 0;
    w2 = w2 >>> shift;
  }
  let e = eBig;
  if (sx === sy) {
    const s1 = lBig + w1;
    const s2 = hBig + w2 + (s1 > 0xffffffff ? 1 : 0);
    w1 = s1 >>> 0;
    w2 = s2 >>> 0;
    if (s2 > 0xffffffff) {
      // Carry out of bit 63: shift right once, keeping the bit that leaves w0 as sticky.
      w0 = ((w0 >>> 1) | (w1 << 31) | (w0 & 1)) >>> 0;
      w1 = ((w1 >>> 1) | (w2 << 31)) >>> 0;
      w2 = ((w2 >>> 1) | J_BIT) >>> 0;
      e += 1;
    }
  } else {
    const d0 = 0 - w0;
    const b0 = d0 < 0 ? 1 : 0;
    const d1 = lBig - w1 - b0;
    const b1 = d1 < 0 ? 1 : 0;
    w0 = d0 >>> 0;
    w1 = d1 >>> 0;
    w2 = (hBig - w2 - b1) >>> 0;
    if ((w2 | w1 | w0) === 0) return writeZero(s, p, zeroSumSign());
    if (w2 === 0) {
      w2 = w1;
      w1 = w0;
      w0 = 0;
      e -= 32;
      if (w2 === 0) {
        w2 = w1;
        w1 = 0;
        e -= 32;
      }
    }
    const n = Math.clz32(w2);
    if (n > 0) {
      w2 = ((w2 << n) | (w1 >>> (32 - n))) >>> 0;
      w1 = ((w1 << n) | (w0 >>> (32 - n))) >>> 0;
      w0 = (w0 << n) >>> 0;
      e -= n;
    }
  }
  return roundToRegister(s, p, sBig, e, w2 | 0, w1 | 0, w0 | 0, pc);
}

/** Register p = x × y (significands in `words`), the product having sign `sign` and exponent e or e - 1. */
function mulWords(s: X87State, p: number, sign: number, e: number, precisionBits: number): number {
  const ah = words[0] >>> 0;
  const al = words[1] >>> 0;
  const bh = words[2] >>> 0;
  const bl = words[3] >>> 0;
  // The 128-bit product from its four 32×32 parts, each exact as (high, low): words p3:p2:p1:p0.
  const llLo = Math.imul(al, bl) >>> 0;
  const lhLo = Math.imul(al, bh) >>> 0;
  const hlLo = Math.imul(ah, bl) >>> 0;
  const hhLo = Math.imul(ah, bh) >>> 0;
  // Column sums below 3·2^32 + 2 are exact; a carry is taken off with Math.floor, so only doubles below
  // 2^32 are truncated to integers (V8 truncates larger ones out of line).
  const m1 = productHigh(al * bl, llLo) + lhLo + hlLo;
  const c1 = Math.floor(m1 * INV_TWO_32);
  const p1 = m1 - c1 * TWO_32;
  const m2 = hhLo + productHigh(al * bh, lhLo) + productHigh(ah * bl, hlLo) + c1;
  const c2 = Math.floor(m2 * INV_TWO_32);
  let p2 = m2 - c2 * TWO_32;
  let p3 = productHigh(ah * bh, hhLo) + c2; // below 2^32: the product is below 2^128
  let p1s = p1;
  let p0 = llLo;
  if (p3 < J_BIT) {
    // The product of two significands in [1, 2) is in [1, 4): at most one bit to normalize.
    p3 = ((p3 << 1) | (p2 >>> 31)) >>> 0;
    p2 = ((p2 << 1) | (p1s >>> 31)) >>> 0;
    p1s = ((p1s << 1) | (p0 >>> 31)) >>> 0;
    p0 = p0 << 1;
    e -= 1;
  }
  return roundToRegister(s, p, sign, e, p3 | 0, p2 | 0, p1s | (p0 !== 0 ? 1 : 0), precisionBits);
}

const TWO_32 = 4294967296;
const INV_TWO_32 = 1 / TWO_32;

/**
 * The high word of a 32×32-bit product, from its double approximation (within half an ulp of the exact
 * product P) and its exact low word. approx - low is within half an ulp of high·2^32, a multiple of 2^32 and
 * of twice that ulp, so it rounds to exactly high·2^32; the added 0.5 is only a margin for the truncation.
 */
function productHigh(approx: number, low: number): number {
  return ((approx - low) * INV_TWO_32 + 0.5) >>> 0;
}

/**
 * Register p = x / y (significands in `words`), the quotient having sign `sign` and exponent e (or e - 1
 * when N < D). The quotient of the significands N / D is found as Q = floor(N·2^65 / D), 65 or 66
 * bits, in two 32-bit steps whose digits come from double quotients: qa = floor(N·2^33 / D), then
 * qb = floor(R·2^32 / D) for the remainder R = N·2^33 - qa·D. Each double estimate, a product with the one
 * reciprocal 2^33/D, is within 2^-17 of the exact one (four roundings of 2^-53 on a value below 2^34, the
 * scalings by powers of two being exact), so when it is at least 2^-16 away from an
 * integer its floor is the exact digit, R is below D and so known from its low 64 bits (Math.imul and one
 * `productHigh`), and the last remainder cannot be zero: sticky. An estimate that close to an integer (an
 * exact quotient, or about one division in 2^15) takes significand.ts's long division instead.
 */
function divWords(s: X87State, p: number, sign: number, e: number, precisionBits: number): number {
  const nh = words[0] >>> 0;
  const nl = words[1] >>> 0;
  const dh = words[2] >>> 0;
  const dl = words[3] >>> 0;
  const reciprocal = TWO_33 / (dh * TWO_32 + dl);
  const estimateA = (nh * TWO_32 + nl) * reciprocal;
  const qa = Math.floor(estimateA); // in [2^32, 2^34)
  if (!clearOfInteger(estimateA - qa)) return divideExactly(s, p, sign, e, precisionBits);
  const qaHigh = qa >= TWO_33 ? (qa >= TWO_33 + TWO_32 ? 3 : 2) : 1;
  const qaLow = qa - qaHigh * TWO_32;
  // R = N·2^33 - qa·D modulo 2^64, whose low word of N·2^33 is 0 and high word N's low word shifted once.
  const productLow = Math.imul(qaLow, dl);
  let rh = ((nl << 1) - (productHigh(qaLow * dl, productLow >>> 0) | 0)) | 0;
  rh = (rh - Math.imul(qaLow, dh) - Math.imul(qaHigh, dl) - (productLow !== 0 ? 1 : 0)) | 0;
  const rl = -productLow >>> 0;
  const estimateB = ((rh >>> 0) * TWO_32 + rl) * reciprocal * 0.5;
  const qb = Math.floor(estimateB); // below 2^32
  if (!clearOfInteger(estimateB - qb)) return divideExactly(s, p, sign, e, precisionBits);
  // Q = qa·2^32 + qb with the integer bit moved to bit 95 of w2:w1:w0, and the sticky bit.
  if (qaHigh === 1) {
    // Q has 65 bits: N < D, the quotient is below 1.
    e -= 1;
    return roundToRegister(
      s,
      p,
      sign,
      e,
      J_BIT | (qaLow >>> 1),
      (qaLow << 31) | (qb >>> 1),
      (qb << 31) | 1,
      precisionBits,
    );
  }
  return roundToRegister(
    s,
    p,
    sign,
    e,
    (qaHigh << 30) | (qaLow >>> 2),
    (qaLow << 30) | (qb >>> 2),
    (qb << 30) | 1,
    precisionBits,
  );
}

const TWO_33 = 8589934592;
/** A digit estimate this far from an integer (2^-16) has the exact digit as its floor. */
const CLEAR = 1 / 65536;

function clearOfInteger(fraction: number): boolean {
  return fraction >= CLEAR && fraction <= 1 - CLEAR;
}

const dividend = new Ext80();
const divisor = new Ext80();

/** `divWords` by significand.ts's exact long division. */
function divideExactly(s: X87State, p: number, sign: number, e: number, precisionBits: number): number {
  const w = work;
  w.exp = e;
  divideSignificands(dividend.set(0, 0, words[0], words[1]), divisor.set(0, 0, words[2], words[3]));
  return roundToRegister(s, p, sign, w.exp, w.w2 | 0, w.w1 | 0, w.w0 | 0, precisionBits);
}

/**
 * Rounds the significand w2:w1:w0 (int32 words, normalized, exponent e) to `precisionBits` and writes it to
 * physical register p, as roundInto does for a result that is neither tiny nor overflows; NOT_HANDLED (and
 * nothing written) when it is one of those.
 */
function roundToRegister(
  s: X87State,
  p: number,
  sign: number,
  e: number,
  w2: number,
  w1: number,
  w0: number,
  precisionBits: number,
): number {
  if (e < 1) return NOT_HANDLED;
  if ((fpx.cw & FCW_RC) !== 0) {
    const w = work;
    w.w2 = w2 >>> 0;
    w.w1 = w1 >>> 0;
    w.w0 = w0 >>> 0;
    return roundDirected(s, p, sign, e, precisionBits);
  }
  let hi = w2 >>> 0;
  let lo = w1 >>> 0;
  // Round to nearest, ties to even: `half` is the weight of the first dropped bit, `unit` of the last kept.
  let dropped: number;
  let rest: number;
  let half: number;
  let odd: number;
  if (precisionBits === 64) {
    dropped = w0 >>> 0;
    rest = 0;
    half = 0x80000000;
    odd = lo & 1;
  } else if (precisionBits === 53) {
    dropped = lo & 0x7ff;
    rest = w0;
    half = 0x400;
    odd = lo & 0x800;
    lo = (lo - dropped) >>> 0;
  } else {
    dropped = hi & 0xff;
    rest = lo | w0;
    half = 0x80;
    odd = hi & 0x100;
    hi = (hi - dropped) >>> 0;
    lo = 0;
  }
  let status = 0;
  if ((dropped | rest) !== 0) {
    status = FSW_PE;
    // The unit in the last place kept: 1 (64 bits), 0x800 (53) or 0x100 of hi (24).
    const unit = precisionBits === 64 ? 1 : half * 2;
    if (dropped > half || (dropped === half && (rest !== 0 || odd !== 0))) {
      status = FSW_PE | FSW_C1;
      if (precisionBits === 24) hi += unit;
      else {
        lo += unit;
        if (lo > 0xffffffff) {
          lo = 0;
          hi += 1;
        }
      }
      if (hi > 0xffffffff) {
        hi = J_BIT;
        e += 1;
      }
    }
  }
  if (e > EXP_NORMAL_MAX) return NOT_HANDLED;
  setRegister(s, p, sign, e, hi, lo);
  return status;
}

/** `roundToRegister` of `work` in the directed rounding modes, through ext80.ts's `roundSignificand`. */
function roundDirected(s: X87State, p: number, sign: number, e: number, precisionBits: number): number {
  const w = work;
  const inexact = roundSignificand(precisionBits, sign);
  const exp = w.carried ? e + 1 : e;
  if (exp > EXP_NORMAL_MAX) return NOT_HANDLED;
  setRegister(s, p, sign, exp, w.w2, w.w1);
  return inexact ? (fpx.roundedUp ? FSW_PE | FSW_C1 : FSW_PE) : 0;
}
