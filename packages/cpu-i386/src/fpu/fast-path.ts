/**
 * The common case of FADD/FSUB/FMUL/FDIV: both operands normal and the result a normal number, written straight
 * into the register file. Layer: arch plugin (cpu-i386), x87 unit; x87.ts tries these first and falls back to
 * the general operations of arith.ts, which handle every other case (zeros, denormals, infinities, NaNs,
 * unsupported formats, results that overflow or are tiny, exact zero differences).
 *
 * How it works: each function computes the exact significand into `work` as arith.ts does (the same
 * alignment and sticky bit for addition; significand.ts for products and quotients), then `roundToRegister`
 * rounds it with ext80.ts's `roundSignificand` (the rounding mode read from fpx.cw, which the caller sets). It refuses, returning NOT_HANDLED before anything is written,
 * whenever the general path could report more than "inexact" and "rounded up": an exponent below 1 before
 * rounding (tiny, so UE may apply) or above the largest normal after it (OE). Otherwise the outcome is the one
 * `roundInto` gives for a normal result, so the fast path changes speed only; significand.test.ts checks that
 * against the general path. A handled result returns the status bits it produces: FSW_PE when inexact and
 * FSW_C1 when the significand was rounded up. Nothing here allocates.
 */
import { type Ext80, fpx, roundSignificand, work } from './ext80.js';
import { divideSignificands, multiplySignificands } from './significand.js';
import { EXT_BIAS, FSW_C1, FSW_PE } from './x87-constants.js';
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

/**
 * Register p = a + b (or a - b when `subtract` is 1). Mirrors addFinite in arith.ts; an exact zero difference
 * (whose sign depends on the rounding mode) is not handled.
 */
export function fastAdd(
  a: Ext80,
  b: Ext80,
  subtract: number,
  s: X87State,
  p: number,
  precisionBits: number,
): number {
  const ex = a.exp;
  const ey = b.exp;
  const hx = a.hi;
  const hy = b.hi;
  const lx = a.lo;
  const ly = b.lo;
  const sx = a.sign;
  const sy = b.sign ^ subtract;
  if (!isNormal(ex, hx) || !isNormal(ey, hy)) return NOT_HANDLED;
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
    if ((w2 | w1 | w0) === 0) return NOT_HANDLED;
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
  const w = work;
  w.w2 = w2;
  w.w1 = w1;
  w.w0 = w0;
  return roundToRegister(s, p, sBig, e, precisionBits);
}

/** Register p = a × b. */
export function fastMul(a: Ext80, b: Ext80, s: X87State, p: number, precisionBits: number): number {
  if (!isNormal(a.exp, a.hi) || !isNormal(b.exp, b.hi)) return NOT_HANDLED;
  multiplySignificands(a, b);
  const w = work;
  let e = a.exp + b.exp - EXT_BIAS + 1;
  if (w.w2 < J_BIT) {
    // The product of two significands in [1, 2) is in [1, 4): at most one bit to normalize.
    w.w2 = ((w.w2 << 1) | (w.w1 >>> 31)) >>> 0;
    w.w1 = ((w.w1 << 1) | (w.w0 >>> 31)) >>> 0;
    w.w0 = (w.w0 << 1) >>> 0;
    e -= 1;
  }
  return roundToRegister(s, p, a.sign ^ b.sign, e, precisionBits);
}

/** Register p = a / b. */
export function fastDiv(a: Ext80, b: Ext80, s: X87State, p: number, precisionBits: number): number {
  if (!isNormal(a.exp, a.hi) || !isNormal(b.exp, b.hi)) return NOT_HANDLED;
  const w = work;
  w.exp = a.exp - b.exp + EXT_BIAS;
  divideSignificands(a, b);
  return roundToRegister(s, p, a.sign ^ b.sign, w.exp, precisionBits);
}

/**
 * Rounds work.w2:w1:w0 (normalized, exponent e) to `precisionBits` and writes it to physical register p, as
 * roundInto does for a result that is neither tiny nor overflows; NOT_HANDLED (and nothing written) when it is
 * one of those.
 */
function roundToRegister(s: X87State, p: number, sign: number, e: number, precisionBits: number): number {
  if (e < 1) return NOT_HANDLED;
  const inexact = roundSignificand(precisionBits, sign);
  const w = work;
  const exp = w.carried ? e + 1 : e;
  if (exp > EXP_NORMAL_MAX) return NOT_HANDLED;
  s.sign[p] = sign;
  s.exp[p] = exp;
  s.hi[p] = w.w2;
  s.lo[p] = w.w1;
  s.empty[p] = 0;
  return inexact ? (fpx.roundedUp ? FSW_PE | FSW_C1 : FSW_PE) : 0;
}
