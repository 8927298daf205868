/**
 * The double extended-precision value (sign, 15-bit biased exponent, 64-bit significand with an explicit
 * integer bit J) and the working form the arithmetic rounds from. Layer: arch plugin (cpu-i386), x87 unit;
 * arith.ts, convert.ts and transcendental.ts compute into `work` and call `roundInto`; x87.ts owns the
 * register file and turns the flags gathered in `fpx` into status-word bits.
 *
 * How rounding works: a result is (-1)^sign × w2.w1w0 × 2^(exp - 16383), where w2:w1:w0 is a 96-bit
 * significand whose top bit is the integer bit and whose bottom bit is sticky (the OR of every bit shifted
 * out below it). `roundInto` rounds that to `precisionBits` (64, 53 or 24) in the current rounding mode within
 * the exponent range of the destination format, producing denormals, infinities or the largest finite value
 * as IEEE 754 and the SDM describe, and records IE..PE and "rounded up" (C1) in `fpx`. A result is tiny (UE)
 * when its value rounded to `precisionBits` with an unbounded exponent is below the format's smallest normal,
 * i.e. tininess is detected after rounding; precision control narrows the significand only, so a register
 * result keeps the 15-bit exponent range at 24 and 53 bits. A tiny result is denormalized and rounded once, at
 * the `precisionBits` position of the shifted significand. Everything here works on preallocated objects with
 * number fields: the common path allocates nothing.
 */
import {
  EXT_BIAS,
  EXT_EXP_MAX,
  EXT_WRAP_BIAS,
  FCW_DM,
  FCW_IM,
  FCW_OM,
  FCW_RC,
  FCW_RC_SHIFT,
  FCW_UM,
  FCW_ZM,
  FSW_OE,
  FSW_PE,
  FSW_UE,
  RC_DOWN,
  RC_NEAREST,
  RC_UP,
} from './x87-constants.js';

/** One 80-bit value. `hi` holds significand bits 63..32 (bit 31 of `hi` is J), `lo` bits 31..0; both uint32. */
export class Ext80 {
  sign = 0;
  exp = 0;
  hi = 0;
  lo = 0;

  set(sign: number, exp: number, hi: number, lo: number): this {
    this.sign = sign;
    this.exp = exp;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  copyFrom(o: Ext80): this {
    this.sign = o.sign;
    this.exp = o.exp;
    this.hi = o.hi;
    this.lo = o.lo;
    return this;
  }
}

/** Operand classes, as the x87 distinguishes them (SDM vol. 1, 8.2 and table 8-3). */
export const K_ZERO = 0;
export const K_DENORMAL = 1;
export const K_NORMAL = 2;
export const K_INF = 3;
export const K_QNAN = 4;
export const K_SNAN = 5;
/** Unnormals, pseudo-infinities and pseudo-NaNs: "unsupported formats", always an invalid operand. */
export const K_UNSUPPORTED = 6;

const J_BIT = 0x80000000;
const QUIET_BIT = 0x40000000;

export function classify(x: Ext80): number {
  const e = x.exp;
  const j = x.hi & J_BIT;
  if (e === 0) return x.hi === 0 && x.lo === 0 ? K_ZERO : K_DENORMAL;
  if (e === EXT_EXP_MAX) {
    if (j === 0) return K_UNSUPPORTED;
    if ((x.hi & 0x7fffffff) === 0 && x.lo === 0) return K_INF;
    return x.hi & QUIET_BIT ? K_QNAN : K_SNAN;
  }
  return j === 0 ? K_UNSUPPORTED : K_NORMAL;
}

export function isNaNClass(k: number): boolean {
  return k === K_QNAN || k === K_SNAN;
}

/** The "real indefinite" QNaN the x87 returns for a masked invalid operation. */
export function setIndefinite(x: Ext80): void {
  x.set(1, EXT_EXP_MAX, 0xc0000000, 0);
}

export function setInfinity(x: Ext80, sign: number): void {
  x.set(sign, EXT_EXP_MAX, J_BIT, 0);
}

export function setZero(x: Ext80, sign: number): void {
  x.set(sign, 0, 0, 0);
}

export function quietNaN(x: Ext80): void {
  x.hi = (x.hi | QUIET_BIT) >>> 0;
}

/**
 * Exceptions and the C1 "rounded up" bit gathered while one instruction computes. x87.ts clears it before an
 * operation and merges it into the status word afterwards.
 */
export class FpuExceptions {
  flags = 0;
  roundedUp = false;
  /** The control word of the operation in progress; the masks and rounding mode below are read from it. */
  cw = 0x037f;
  /**
   * Set when a memory operand was a denormal of its own format (it is normal once extended). Its DE is
   * reported only if the operation goes on to compute with numbers, like a register denormal.
   */
  srcDenormal = false;

  /** Starts an operation under control word `cw` (three stores: this runs for every x87 instruction). */
  begin(cw: number): void {
    this.flags = 0;
    this.roundedUp = false;
    this.srcDenormal = false;
    this.cw = cw;
  }

  get rc(): number {
    return (this.cw & FCW_RC) >>> FCW_RC_SHIFT;
  }
  get invalidMasked(): boolean {
    return (this.cw & FCW_IM) !== 0;
  }
  get denormalMasked(): boolean {
    return (this.cw & FCW_DM) !== 0;
  }
  get zeroDivideMasked(): boolean {
    return (this.cw & FCW_ZM) !== 0;
  }
  get overflowMasked(): boolean {
    return (this.cw & FCW_OM) !== 0;
  }
  get underflowMasked(): boolean {
    return (this.cw & FCW_UM) !== 0;
  }
}
export const fpx = new FpuExceptions();

/** The working value: sign, biased extended exponent (unbounded int), 96-bit significand w2:w1:w0. */
export class Work {
  sign = 0;
  exp = 0;
  w2 = 0;
  w1 = 0;
  w0 = 0;
  /** Set by rounding when the significand carried out of bit 63 (it is then 1.000 and the exponent is one more). */
  carried = false;

  load(x: Ext80): void {
    this.sign = x.sign;
    this.exp = x.exp;
    this.w2 = x.hi;
    this.w1 = x.lo;
    this.w0 = 0;
  }

  isZero(): boolean {
    return (this.w2 | this.w1 | this.w0) === 0;
  }

  /** Shifts the significand right by n bits, ORing everything shifted out into bit 0 (sticky). */
  shiftRightSticky(n: number): void {
    if (n <= 0) return;
    let w2 = this.w2;
    let w1 = this.w1;
    let w0 = this.w0;
    let sticky = 0;
    if (n >= 96) {
      sticky = (w2 | w1 | w0) !== 0 ? 1 : 0;
      this.w2 = 0;
      this.w1 = 0;
      this.w0 = sticky;
      return;
    }
    while (n >= 32) {
      sticky |= w0;
      w0 = w1;
      w1 = w2;
      w2 = 0;
      n -= 32;
    }
    if (n > 0) {
      sticky |= w0 << (32 - n);
      w0 = ((w0 >>> n) | (w1 << (32 - n))) >>> 0;
      w1 = ((w1 >>> n) | (w2 << (32 - n))) >>> 0;
      w2 = w2 >>> n;
    }
    this.w2 = w2;
    this.w1 = w1;
    this.w0 = (w0 | (sticky !== 0 ? 1 : 0)) >>> 0;
  }

  /** Shifts left until the integer bit (bit 31 of w2) is set, adjusting the exponent. Zero stays zero. */
  normalize(): void {
    let w2 = this.w2;
    let w1 = this.w1;
    let w0 = this.w0;
    if ((w2 | w1 | w0) === 0) return;
    while (w2 === 0) {
      w2 = w1;
      w1 = w0;
      w0 = 0;
      this.exp -= 32;
    }
    const s = Math.clz32(w2);
    if (s > 0) {
      w2 = ((w2 << s) | (w1 >>> (32 - s))) >>> 0;
      w1 = ((w1 << s) | (w0 >>> (32 - s))) >>> 0;
      w0 = (w0 << s) >>> 0;
      this.exp -= s;
    }
    this.w2 = w2;
    this.w1 = w1;
    this.w0 = w0;
  }
}
export const work = new Work();

/** Destination formats for `roundInto`: precision, bias, largest normal biased exponent. */
export const FMT_EXT_BIAS = EXT_BIAS;
export const FMT_EXT_MAX = 0x7ffe;
export const FMT_DOUBLE_BIAS = 1023;
export const FMT_DOUBLE_MAX = 0x7fe;
export const FMT_SINGLE_BIAS = 127;
export const FMT_SINGLE_MAX = 0xfe;

/**
 * Result of `roundInto`: sign, biased exponent in the destination format (0 for zeros and denormals, max+1
 * for infinity) and the significand left-aligned in 64 bits (hi bit 31 is J). `unstorable` is set when an
 * unmasked OE/UE means a memory destination must not be written.
 */
export class Rounded {
  sign = 0;
  exp = 0;
  hi = 0;
  lo = 0;
  unstorable = false;
}
export const rounded = new Rounded();

/**
 * Rounds `work` (normalized, or zero) to `precisionBits` in the destination format whose bias and largest
 * normal biased exponent are given. `wrapBias` is EXT_WRAP_BIAS for register destinations (unmasked OE/UE
 * deliver the result with its exponent wrapped, SDM 8.5.4) and 0 for memory (nothing is stored).
 */
export function roundInto(precisionBits: number, bias: number, expMax: number, wrapBias: number): Rounded {
  const r = rounded;
  const w = work;
  r.sign = w.sign;
  r.unstorable = false;
  if (w.isZero()) {
    r.exp = 0;
    r.hi = 0;
    r.lo = 0;
    return r;
  }
  let e = w.exp - EXT_BIAS + bias;
  let tiny = false;
  // Tininess is detected after rounding (SDM vol. 1, 4.9.1.5): a value just below the smallest normal that
  // rounds, at `precisionBits` with an unbounded exponent, up to the smallest normal is not tiny. It then takes
  // the normal path below, whose rounding carries into exponent 1: no UE, and no wrapping when UE is unmasked.
  if (e < 1 && !(e === 0 && carriesToNextBinade(precisionBits, w.sign))) {
    tiny = true;
    if (fpx.underflowMasked) {
      w.shiftRightSticky(1 - e);
      e = 1;
    } else if (wrapBias !== 0 && e + wrapBias >= 1) {
      e += wrapBias;
    } else if (wrapBias !== 0) {
      // Too tiny even for the wrapped exponent (only FSCALE gets here): the result is a signed zero.
      fpx.flags |= FSW_UE | FSW_PE;
      r.exp = 0;
      r.hi = 0;
      r.lo = 0;
      fpx.roundedUp = false;
      return r;
    } else {
      // Unmasked underflow into memory: nothing is stored and only UE is reported.
      r.unstorable = true;
      fpx.flags |= FSW_UE;
      return r;
    }
  }
  const inexact = roundSignificand(precisionBits, w.sign);
  if (w.carried) e += 1;
  r.hi = w.w2;
  r.lo = w.w1;
  if (r.hi === 0 && r.lo === 0) r.exp = 0;
  else if (tiny && fpx.underflowMasked && (r.hi & J_BIT) === 0) r.exp = 0;
  else r.exp = e;
  if (tiny && fpx.underflowMasked) {
    if (inexact) fpx.flags |= FSW_UE;
  } else if (tiny && wrapBias !== 0) {
    fpx.flags |= FSW_UE;
  }
  if (r.exp > expMax) {
    overflow(r, precisionBits, expMax, wrapBias);
    if (r.unstorable) return r;
  }
  if (inexact) fpx.flags |= FSW_PE;
  return r;
}

/** Handles a rounded exponent above the format's range (SDM vol. 1, 4.9.1.4 and 8.5.4). */
function overflow(r: Rounded, precisionBits: number, expMax: number, wrapBias: number): void {
  fpx.flags |= FSW_OE;
  if (!fpx.overflowMasked) {
    if (wrapBias === 0) {
      r.unstorable = true;
      fpx.roundedUp = false;
    } else if (r.exp - wrapBias <= expMax) r.exp -= wrapBias;
    else {
      // Too large even for the wrapped exponent (only FSCALE gets here): the result is an infinity.
      fpx.flags |= FSW_PE;
      r.exp = expMax + 1;
      r.hi = J_BIT;
      r.lo = 0;
      fpx.roundedUp = true;
    }
    return;
  }
  fpx.flags |= FSW_PE;
  const rc = fpx.rc;
  const toInfinity = rc === RC_NEAREST || (rc === RC_UP && r.sign === 0) || (rc === RC_DOWN && r.sign === 1);
  if (toInfinity) {
    r.exp = expMax + 1;
    r.hi = J_BIT;
    r.lo = 0;
    fpx.roundedUp = true;
  } else {
    r.exp = expMax;
    setLargestSignificand(r, precisionBits);
    fpx.roundedUp = false;
  }
}

function setLargestSignificand(r: Rounded, precisionBits: number): void {
  if (precisionBits === 64) {
    r.hi = 0xffffffff;
    r.lo = 0xffffffff;
  } else if (precisionBits === 53) {
    r.hi = 0xffffffff;
    r.lo = 0xfffff800;
  } else {
    r.hi = 0xffffff00;
    r.lo = 0;
  }
}

/**
 * Whether rounding work's significand to `precisionBits` in the current mode would carry out of the integer
 * bit (the kept bits are all ones and the rounding goes away from zero). Reads `work` without changing it.
 */
function carriesToNextBinade(precisionBits: number, sign: number): boolean {
  const w = work;
  let kept: boolean;
  let roundBits: number;
  let half: number;
  let rest: number;
  if (precisionBits === 64) {
    kept = w.w2 === 0xffffffff && w.w1 === 0xffffffff;
    roundBits = w.w0;
    half = 0x80000000;
    rest = 0;
  } else if (precisionBits === 53) {
    kept = w.w2 === 0xffffffff && w.w1 >>> 11 === 0x1fffff;
    roundBits = w.w1 & 0x7ff;
    half = 0x400;
    rest = w.w0;
  } else {
    kept = w.w2 >>> 8 === 0xffffff;
    roundBits = w.w2 & 0xff;
    half = 0x80;
    rest = w.w1 | w.w0;
  }
  if (!kept || (roundBits === 0 && rest === 0)) return false;
  switch (fpx.rc) {
    case RC_NEAREST:
      // The kept least significant bit is a one, so a tie rounds up as well.
      return roundBits >= half;
    case RC_UP:
      return sign === 0;
    case RC_DOWN:
      return sign === 1;
    default:
      return false;
  }
}

/**
 * Rounds work.w2:w1:w0 to the top `precisionBits` bits in place (w0 ends up 0), in the rounding mode of
 * fpx.cw. Returns whether the value was inexact; sets fpx.roundedUp and work.carried. Also the rounding step of
 * fast-path.ts.
 */
export function roundSignificand(precisionBits: number, sign: number): boolean {
  const w = work;
  let roundBits: number;
  let half: number;
  let rest: number;
  let lsbOdd: number;
  if (precisionBits === 64) {
    roundBits = w.w0;
    half = 0x80000000;
    rest = 0;
    lsbOdd = w.w1 & 1;
    w.w0 = 0;
  } else if (precisionBits === 53) {
    roundBits = w.w1 & 0x7ff;
    half = 0x400;
    rest = w.w0;
    lsbOdd = w.w1 & 0x800;
    w.w1 = (w.w1 & 0xfffff800) >>> 0;
    w.w0 = 0;
  } else {
    roundBits = w.w2 & 0xff;
    half = 0x80;
    rest = w.w1 | w.w0;
    lsbOdd = w.w2 & 0x100;
    w.w2 = (w.w2 & 0xffffff00) >>> 0;
    w.w1 = 0;
    w.w0 = 0;
  }
  const inexact = roundBits !== 0 || rest !== 0;
  fpx.roundedUp = false;
  w.carried = false;
  if (!inexact) return false;
  let up: boolean;
  switch (fpx.rc) {
    case RC_NEAREST:
      up = roundBits > half || (roundBits === half && (rest !== 0 || lsbOdd !== 0));
      break;
    case RC_UP:
      up = sign === 0;
      break;
    case RC_DOWN:
      up = sign === 1;
      break;
    default:
      up = false;
  }
  if (up) {
    fpx.roundedUp = true;
    incrementAtPrecision(precisionBits);
  }
  return true;
}

function incrementAtPrecision(precisionBits: number): void {
  const w = work;
  if (precisionBits === 24) {
    const s = w.w2 + 0x100;
    w.w2 = s >>> 0;
    if (s > 0xffffffff) carryOut();
    return;
  }
  const s1 = w.w1 + (precisionBits === 64 ? 1 : 0x800);
  w.w1 = s1 >>> 0;
  if (s1 > 0xffffffff) {
    const s2 = w.w2 + 1;
    w.w2 = s2 >>> 0;
    if (s2 > 0xffffffff) carryOut();
  }
}

function carryOut(): void {
  work.w2 = J_BIT;
  work.w1 = 0;
  work.carried = true;
}

/** Rounds `work` into an extended-precision register value `out` (register destination). */
export function roundToExt(out: Ext80, precisionBits: number): void {
  const r = roundInto(precisionBits, FMT_EXT_BIAS, FMT_EXT_MAX, EXT_WRAP_BIAS);
  out.sign = r.sign;
  out.exp = r.exp;
  out.hi = r.hi >>> 0;
  out.lo = r.lo >>> 0;
}
