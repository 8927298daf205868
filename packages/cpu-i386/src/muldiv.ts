/**
 * MUL, IMUL (one-, two- and three-operand forms) and DIV/IDIV for 8, 16 and 32 bits, with #DE for a zero
 * divisor or a quotient that does not fit (SDM vol. 2). 32x32->64 products and 64/32 quotients are done in
 * 16-bit pieces so every intermediate is exact in a double and nothing allocates (no BigInt). Layer: arch
 * plugin (cpu-i386); called by the interpreter for F6/F7 and 0F AF / 69 / 6B.
 */
import { EAX, EDX, FLAG_CF, FLAG_OF, VEC_DE } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { raiseFault } from './fault.js';
import { setResultFlags } from './flags.js';

/** Scratch outputs of mul32: the high and low dwords of the last product (int32). */
export const product = { lo: 0, hi: 0 };

/** Unsigned 32x32 -> 64 into `product`. */
export function mulU32(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const low = a0 * b0;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const high = a1 * b1;
  const midSum = (low >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff);
  product.lo = ((midSum & 0xffff) << 16) | (low & 0xffff);
  product.hi = (high + (mid1 >>> 16) + (mid2 >>> 16) + Math.floor(midSum / 65536)) | 0;
}

/** Signed 32x32 -> 64 into `product`. */
export function mulS32(a: number, b: number): void {
  mulU32(a, b);
  let hi = product.hi;
  if (a < 0) hi -= b;
  if (b < 0) hi -= a;
  product.hi = hi | 0;
}

function mulFlags(c: CpuCore, res: number, m: number, overflow: boolean): void {
  setResultFlags(c, res, m, overflow ? FLAG_CF | FLAG_OF : 0);
}

/** F6/F7 /4: MUL. */
export function mul(c: CpuCore, src: number, m: number): void {
  const r = c.regs;
  if (m === 0xff) {
    const p = (r[EAX] & 0xff) * (src & 0xff);
    c.set16(EAX, p);
    mulFlags(c, p, 0xff, p > 0xff);
  } else if (m === 0xffff) {
    const p = (r[EAX] & 0xffff) * (src & 0xffff);
    c.set16(EAX, p);
    c.set16(EDX, p >>> 16);
    mulFlags(c, p & 0xffff, 0xffff, p > 0xffff);
  } else {
    mulU32(r[EAX], src);
    r[EAX] = product.lo;
    r[EDX] = product.hi;
    mulFlags(c, product.lo, -1, product.hi !== 0);
  }
}

/** F6/F7 /5: one-operand IMUL. */
export function imul1(c: CpuCore, src: number, m: number): void {
  const r = c.regs;
  if (m === 0xff) {
    const p = ((r[EAX] << 24) >> 24) * ((src << 24) >> 24);
    c.set16(EAX, p);
    mulFlags(c, p & 0xff, 0xff, p !== (p << 24) >> 24);
  } else if (m === 0xffff) {
    const p = ((r[EAX] << 16) >> 16) * ((src << 16) >> 16);
    c.set16(EAX, p);
    c.set16(EDX, p >> 16);
    mulFlags(c, p & 0xffff, 0xffff, p !== (p << 16) >> 16);
  } else {
    mulS32(r[EAX], src | 0);
    r[EAX] = product.lo;
    r[EDX] = product.hi;
    mulFlags(c, product.lo, -1, product.hi !== product.lo >> 31);
  }
}

/** Two- and three-operand IMUL: returns a*b truncated to the width; CF=OF when it did not fit. */
export function imulTrunc(c: CpuCore, a: number, b: number, m: number): number {
  if (m === 0xffff) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16);
    mulFlags(c, p & 0xffff, 0xffff, p !== (p << 16) >> 16);
    return p & 0xffff;
  }
  mulS32(a | 0, b | 0);
  mulFlags(c, product.lo, -1, product.hi !== product.lo >> 31);
  return product.lo;
}

function divideError(c: CpuCore): never {
  return raiseFault(c.fault, VEC_DE, -1);
}

/** F6/F7 /6: DIV. Registers change only when the quotient fits. */
export function div(c: CpuCore, src: number, m: number): void {
  const r = c.regs;
  const d = (src & m) >>> 0;
  if (d === 0) divideError(c);
  if (m === 0xff) {
    const n = r[EAX] & 0xffff;
    const q = Math.floor(n / d);
    if (q > 0xff) divideError(c);
    c.set16(EAX, ((n - q * d) << 8) | q);
  } else if (m === 0xffff) {
    const n = ((r[EDX] & 0xffff) * 65536 + (r[EAX] & 0xffff)) >>> 0;
    const q = Math.floor(n / d);
    if (q > 0xffff) divideError(c);
    c.set16(EAX, q);
    c.set16(EDX, n - q * d);
  } else {
    const hi = r[EDX] >>> 0;
    if (hi >= d) divideError(c);
    divU64(hi, r[EAX] >>> 0, d);
    r[EAX] = quotient.q;
    r[EDX] = quotient.r;
  }
}

/** Scratch outputs of divU64. */
const quotient = { q: 0, r: 0 };

/** (hi:lo) / d for hi < d, by 16-bit long division so each step is exact in a double. */
function divU64(hi: number, lo: number, d: number): void {
  let rem = hi;
  const x1 = rem * 65536 + (lo >>> 16);
  const q1 = Math.floor(x1 / d);
  rem = x1 - q1 * d;
  const x0 = rem * 65536 + (lo & 0xffff);
  const q0 = Math.floor(x0 / d);
  rem = x0 - q0 * d;
  quotient.q = (q1 * 65536 + q0) | 0;
  quotient.r = rem | 0;
}

/** F6/F7 /7: IDIV. Quotient truncates toward zero; the remainder has the dividend's sign. */
export function idiv(c: CpuCore, src: number, m: number): void {
  const r = c.regs;
  if ((src & m) === 0) divideError(c);
  if (m === 0xff) {
    const n = (r[EAX] << 16) >> 16;
    const d = (src << 24) >> 24;
    const q = Math.trunc(n / d);
    if (q > 0x7f || q < -0x80) divideError(c);
    c.set16(EAX, (((n - q * d) & 0xff) << 8) | (q & 0xff));
  } else if (m === 0xffff) {
    const n = ((r[EDX] & 0xffff) << 16) | (r[EAX] & 0xffff);
    const d = (src << 16) >> 16;
    const q = Math.trunc(n / d);
    if (q > 0x7fff || q < -0x8000) divideError(c);
    c.set16(EAX, q);
    c.set16(EDX, n - q * d);
  } else {
    idiv32(c, src | 0);
  }
}

function idiv32(c: CpuCore, d: number): void {
  const r = c.regs;
  let hi = r[EDX];
  let lo = r[EAX];
  const negative = hi < 0;
  if (negative) {
    lo = -lo | 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  }
  const ad = Math.abs(d);
  if (hi >>> 0 >= ad) divideError(c);
  divU64(hi >>> 0, lo >>> 0, ad);
  const qAbs = quotient.q >>> 0;
  const qNegative = negative !== d < 0;
  if (qNegative ? qAbs > 0x80000000 : qAbs > 0x7fffffff) divideError(c);
  r[EAX] = qNegative ? -qAbs | 0 : qAbs | 0;
  r[EDX] = negative ? -quotient.r | 0 : quotient.r;
}
