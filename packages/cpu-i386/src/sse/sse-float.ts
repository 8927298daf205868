/**
 * SSE/SSE2 floating-point arithmetic on one lane: ADD, SUB, MUL, DIV, MIN, MAX, SQRT and the compare
 * predicates, in binary32 (PS/SS) and binary64 (PD/SD), with MXCSR's rounding control, DAZ, FTZ and the
 * exception flags (SDM vol. 1, 11.5; vol. 2, each instruction). Layer: arch plugin (cpu-i386), SIMD unit;
 * sse-dispatch.ts runs these over the lanes of a register, sse-state.ts holds the registers.
 *
 * Lanes are addressed by index into SseState's f32/f64 views; NaNs are recognised and built from the bit
 * patterns (a host float conversion could quiet a signaling NaN). Special operands (NaN, zero, infinity)
 * give exact results and are handled first. A finite result takes the fast path when rounding to nearest:
 * the host's arithmetic is correctly rounded (binary32 through binary64 by Math.fround, which is exact for
 * these five operations), and an error-free transformation (TwoSum, Dekker's product) says whether it was
 * inexact. Directed rounding, tiny results and operands where those transformations could overflow go
 * to the exact BigInt path in sse-round.ts.
 */
import {
  BINARY32,
  BINARY64,
  bitLength,
  type Exact,
  exactOf,
  type FloatFormat,
  isqrt,
  roundExact,
} from './sse-round.js';
import {
  MXCSR_DAZ,
  MXCSR_DE,
  MXCSR_IE,
  MXCSR_PE,
  MXCSR_ZE,
  RC_DOWN,
  RC_NEAREST,
  type SseState,
} from './sse-state.js';

export const OP_ADD = 0;
export const OP_MUL = 1;
export const OP_SUB = 4;
export const OP_MIN = 5;
export const OP_DIV = 6;
export const OP_MAX = 7;
/** Not an opcode column: 0F 51 is SQRT. */
export const OP_SQRT = 8;

/** Operand classes, from the bits. */
export const K_ZERO = 0;
export const K_NORMAL = 1;
export const K_DENORMAL = 2;
export const K_INF = 3;
export const K_QNAN = 4;
export const K_SNAN = 5;

export const F32_DEFAULT_NAN = 0xffc00000;
const F32_QUIET = 0x400000;
const F32_SIGN = 0x80000000;
const F64_DEFAULT_NAN_HI = 0xfff80000;
const F64_QUIET_HI = 0x80000;
const MIN_NORMAL_32 = 2 ** -126;
const MAX_32 = (2 - 2 ** -23) * 2 ** 127;
const MIN_NORMAL_64 = 2 ** -1022;
/** Dekker's product and quotient check stay exact for operands within these magnitudes. */
const SAFE_LOW = 2 ** -450;
const SAFE_HIGH = 2 ** 450;
const SQRT_SAFE_LOW = 2 ** -900;
const SQRT_SAFE_HIGH = 2 ** 900;
const SPLITTER = 134217729; // 2^27 + 1

const scratch32 = new Float32Array(2);
const scratchU32 = new Uint32Array(scratch32.buffer);
const exactA: Exact = { neg: false, n: 0n, e: 0 };
const exactB: Exact = { neg: false, n: 0n, e: 0 };

export function class32(b: number): number {
  const e = (b >>> 23) & 0xff;
  const m = b & 0x7fffff;
  if (e === 0) return m === 0 ? K_ZERO : K_DENORMAL;
  if (e === 0xff) return m === 0 ? K_INF : (m & F32_QUIET) !== 0 ? K_QNAN : K_SNAN;
  return K_NORMAL;
}

export function class64(hi: number, lo: number): number {
  const e = (hi >>> 20) & 0x7ff;
  const m = (hi & 0xfffff) | lo;
  if (e === 0) return m === 0 ? K_ZERO : K_DENORMAL;
  if (e === 0x7ff) return m === 0 ? K_INF : (hi & F64_QUIET_HI) !== 0 ? K_QNAN : K_SNAN;
  return K_NORMAL;
}

export function f32FromBits(b: number): number {
  scratchU32[0] = b;
  return scratch32[0];
}

/** The error of a + b rounded to nearest (Knuth's TwoSum): 0 exactly when the sum was exact. */
function twoSumError(a: number, b: number, sum: number): number {
  const bb = sum - a;
  return a - (sum - bb) + (b - bb);
}

/** The error of a * b rounded to nearest (Dekker/Veltkamp), for operands well inside the exponent range. */
function twoProductError(a: number, b: number, product: number): number {
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ah * bh - product + ah * bl + al * bh + al * bl;
}

/** A binary32 lane's bits after DAZ (a denormal becomes a zero of its sign). */
function daz32(s: SseState, b: number): number {
  return (s.mxcsr & MXCSR_DAZ) !== 0 && class32(b) === K_DENORMAL ? b & F32_SIGN : b;
}

/** Exactly when a NaN operand decides the result: IE for a signaling one, the first NaN quieted. */
function nanResult32(s: SseState, ka: number, kb: number, a: number, b: number): number {
  if (ka === K_SNAN || kb === K_SNAN) s.raised |= MXCSR_IE;
  return (ka >= K_QNAN ? a : b) | F32_QUIET;
}

/** The invalid operations of the four arithmetic operations and SQRT on non-NaN operands. */
function invalid(op: number, x: number, y: number): boolean {
  switch (op) {
    case OP_ADD:
      return x === -y && !Number.isFinite(x) && !Number.isFinite(y);
    case OP_SUB:
      return x === y && !Number.isFinite(x);
    case OP_MUL:
      return (x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x));
    case OP_DIV:
      return (x === 0 && y === 0) || (!Number.isFinite(x) && !Number.isFinite(y));
    default:
      return x < 0; // SQRT of a negative nonzero number (-0 is fine)
  }
}

function hostOp(op: number, x: number, y: number): number {
  switch (op) {
    case OP_ADD:
      return x + y;
    case OP_SUB:
      return x - y;
    case OP_MUL:
      return x * y;
    case OP_DIV:
      return x / y;
    default:
      return Math.sqrt(x);
  }
}

/** A result that is exact by construction (a zero or infinite operand); fixes the sign of an exact zero sum. */
function exactSpecial(s: SseState, op: number, x: number, y: number): number {
  if (op === OP_DIV && y === 0 && Number.isFinite(x) && x !== 0) s.raised |= MXCSR_ZE;
  const r = hostOp(op, x, y);
  if (r === 0 && (op === OP_ADD || op === OP_SUB) && s.roundingMode() === RC_DOWN) {
    const y2 = op === OP_SUB ? -y : y;
    // x + y2 = 0 exactly: -0 when rounding down unless both are +0 (SDM vol. 1, 4.8.3.4; IEEE 754 6.3).
    if (!(Object.is(x, 0) && Object.is(y2, 0))) return -0;
  }
  return r;
}

/** An exact result that is a denormal still underflows: FTZ flushes it (UE, PE), an unmasked UE traps. */
function tinyExact(s: SseState, r: number, minNormal: number, f: FloatFormat): number {
  if (r === 0 || Math.abs(r) >= minNormal || !Number.isFinite(r)) return r;
  const e = exactOf(r, exactA);
  return roundExact(s, e.neg, e.n, e.e, false, f);
}

/** DE for a denormal operand, unless IE or ZE (division by zero) took precedence (SDM vol. 1, 11.5.2). */
function denormalFlag(s: SseState, op: number, ka: number, kb: number, y: number): void {
  if ((ka === K_DENORMAL || kb === K_DENORMAL) && !(op === OP_DIV && y === 0)) s.raised |= MXCSR_DE;
}

/** The exact path: the operation on the exact operands, rounded by sse-round.ts. */
function slowArith(s: SseState, op: number, x: number, y: number, f: FloatFormat): number {
  const a = exactOf(x, exactA);
  const b = exactOf(y, exactB);
  switch (op) {
    case OP_ADD:
    case OP_SUB: {
      const bNeg = op === OP_SUB ? !b.neg : b.neg;
      const e = Math.min(a.e, b.e);
      const sa = a.n << BigInt(a.e - e);
      const sb = b.n << BigInt(b.e - e);
      const n = (a.neg ? -sa : sa) + (bNeg ? -sb : sb);
      if (n === 0n) return s.roundingMode() === RC_DOWN ? -0 : 0;
      return roundExact(s, n < 0n, n < 0n ? -n : n, e, false, f);
    }
    case OP_MUL:
      return roundExact(s, a.neg !== b.neg, a.n * b.n, a.e + b.e, false, f);
    case OP_DIV: {
      const shift = Math.max(0, f.p + 3 + bitLength(b.n) - bitLength(a.n));
      const num = a.n << BigInt(shift);
      const q = num / b.n;
      return roundExact(s, a.neg !== b.neg, q, a.e - b.e - shift, q * b.n !== num, f);
    }
    default: {
      let n = a.n;
      let e = a.e;
      if ((e & 1) !== 0) {
        n <<= 1n;
        e -= 1;
      }
      const shift = Math.max(0, Math.ceil((2 * (f.p + 3) - bitLength(n)) / 2));
      const m = n << BigInt(2 * shift);
      const r = isqrt(m);
      return roundExact(s, false, r, e / 2 - shift, r * r !== m, f);
    }
  }
}

/** A finite, nonzero binary32 operation; the fast path when rounding to nearest and the result is normal. */
function finite32(s: SseState, op: number, x: number, y: number): number {
  if (s.roundingMode() === RC_NEAREST) {
    let r: number;
    let exact: boolean;
    if (op === OP_ADD || op === OP_SUB) {
      const y2 = op === OP_SUB ? -y : y;
      const d = x + y2;
      r = Math.fround(d);
      exact = r === d && twoSumError(x, y2, d) === 0;
    } else if (op === OP_MUL) {
      const d = x * y; // exact: 24 x 24 bits
      r = Math.fround(d);
      exact = r === d;
    } else if (op === OP_DIV) {
      r = Math.fround(x / y);
      exact = r * y === x;
    } else {
      r = Math.fround(Math.sqrt(x));
      exact = r * r === x;
    }
    const m = Math.abs(r);
    // Strictly above the smallest normal: a result that rounded up to it may have been tiny.
    if ((m > MIN_NORMAL_32 && m <= MAX_32) || (r === 0 && exact)) {
      if (!exact) s.raised |= MXCSR_PE;
      return r;
    }
  }
  return slowArith(s, op, x, y, BINARY32);
}

/** ADD/SUB/MUL/DIV/MIN/MAX/SQRT of binary32 lanes a and b (SQRT reads b) into lane d. */
export function arith32(s: SseState, op: number, d: number, a: number, b: number): void {
  const u = s.u32;
  let ab = daz32(s, op === OP_SQRT ? u[b] : u[a]);
  const bb = daz32(s, u[b]);
  if (op === OP_SQRT) ab = bb;
  const ka = class32(ab);
  const kb = class32(bb);
  if (op === OP_MIN || op === OP_MAX) {
    u[d] = minMax32(s, op, ab, bb, ka, kb);
    return;
  }
  if (ka >= K_QNAN || kb >= K_QNAN) {
    u[d] = nanResult32(s, ka, kb, ab, bb);
    return;
  }
  const x = f32FromBits(ab);
  const y = f32FromBits(bb);
  if (invalid(op, x, y)) {
    s.raised |= MXCSR_IE;
    u[d] = F32_DEFAULT_NAN;
    return;
  }
  denormalFlag(s, op, ka, kb, y);
  const special = ka === K_ZERO || kb === K_ZERO || ka === K_INF || kb === K_INF;
  s.f32[d] = special
    ? tinyExact(s, exactSpecial(s, op, x, y), MIN_NORMAL_32, BINARY32)
    : finite32(s, op, x, y);
}

/** MIN/MAX: any NaN (IE) or two zeros give the second operand (SDM vol. 2, MINPS). */
function minMax32(s: SseState, op: number, ab: number, bb: number, ka: number, kb: number): number {
  if (ka >= K_QNAN || kb >= K_QNAN) {
    s.raised |= MXCSR_IE;
    return bb;
  }
  if (ka === K_DENORMAL || kb === K_DENORMAL) s.raised |= MXCSR_DE;
  const x = f32FromBits(ab);
  const y = f32FromBits(bb);
  return (op === OP_MIN ? x < y : x > y) ? ab : bb;
}

// ---- binary64 ------------------------------------------------------------------------------------------

/** Loads lane i's bits after DAZ into hi/lo; returns its class. */
function load64(s: SseState, i: number, hiLo: Uint32Array, at: number): number {
  let hi = s.u32[2 * i + 1];
  let lo = s.u32[2 * i];
  let k = class64(hi, lo);
  if (k === K_DENORMAL && (s.mxcsr & MXCSR_DAZ) !== 0) {
    hi &= F32_SIGN;
    lo = 0;
    k = K_ZERO;
  }
  hiLo[at] = lo;
  hiLo[at + 1] = hi;
  return k;
}

const ops64 = new Float64Array(2);
const ops64Bits = new Uint32Array(ops64.buffer);

function store64Bits(s: SseState, d: number, at: number): void {
  s.u32[2 * d] = ops64Bits[at];
  s.u32[2 * d + 1] = ops64Bits[at + 1];
}

function storeNan64(s: SseState, d: number, hi: number, lo: number): void {
  s.u32[2 * d] = lo;
  s.u32[2 * d + 1] = hi;
}

function finite64(s: SseState, op: number, x: number, y: number): number {
  if (s.roundingMode() === RC_NEAREST) {
    const ax = Math.abs(x);
    const ay = Math.abs(y);
    let r = 0;
    let exact = false;
    let fast = false;
    if (op === OP_ADD || op === OP_SUB) {
      const y2 = op === OP_SUB ? -y : y;
      r = x + y2;
      exact = twoSumError(x, y2, r) === 0;
      fast = Number.isFinite(r) && (Math.abs(r) > MIN_NORMAL_64 || r === 0);
    } else if (op === OP_SQRT) {
      if (ax >= SQRT_SAFE_LOW && ax <= SQRT_SAFE_HIGH) {
        r = Math.sqrt(x);
        const p = r * r;
        exact = p === x && twoProductError(r, r, p) === 0;
        fast = true;
      }
    } else if (ax >= SAFE_LOW && ax <= SAFE_HIGH && ay >= SAFE_LOW && ay <= SAFE_HIGH) {
      fast = true;
      if (op === OP_MUL) {
        r = x * y;
        exact = twoProductError(x, y, r) === 0;
      } else {
        r = x / y;
        const p = r * y;
        exact = x - p === twoProductError(r, y, p);
      }
    }
    if (fast) {
      if (!exact) s.raised |= MXCSR_PE;
      return r;
    }
  }
  return slowArith(s, op, x, y, BINARY64);
}

/** ADD/SUB/MUL/DIV/MIN/MAX/SQRT of binary64 lanes a and b (SQRT reads b) into lane d. */
export function arith64(s: SseState, op: number, d: number, a: number, b: number): void {
  // ops64[0] = a, ops64[1] = b (SQRT has one operand, b).
  const ka = load64(s, op === OP_SQRT ? b : a, ops64Bits, 0);
  const kb = load64(s, b, ops64Bits, 2);
  if (op === OP_MIN || op === OP_MAX) {
    minMax64(s, op, d, ka, kb);
    return;
  }
  if (ka >= K_QNAN || kb >= K_QNAN) {
    if (ka === K_SNAN || kb === K_SNAN) s.raised |= MXCSR_IE;
    const at = ka >= K_QNAN ? 0 : 2;
    storeNan64(s, d, ops64Bits[at + 1] | F64_QUIET_HI, ops64Bits[at]);
    return;
  }
  const x = ops64[0];
  const y = ops64[1];
  if (invalid(op, x, y)) {
    s.raised |= MXCSR_IE;
    storeNan64(s, d, F64_DEFAULT_NAN_HI, 0);
    return;
  }
  denormalFlag(s, op, ka, kb, y);
  const special = ka === K_ZERO || kb === K_ZERO || ka === K_INF || kb === K_INF;
  s.f64[d] = special
    ? tinyExact(s, exactSpecial(s, op, x, y), MIN_NORMAL_64, BINARY64)
    : finite64(s, op, x, y);
}

function minMax64(s: SseState, op: number, d: number, ka: number, kb: number): void {
  if (ka >= K_QNAN || kb >= K_QNAN) {
    s.raised |= MXCSR_IE;
    store64Bits(s, d, 2);
    return;
  }
  if (ka === K_DENORMAL || kb === K_DENORMAL) s.raised |= MXCSR_DE;
  const x = ops64[0];
  const y = ops64[1];
  store64Bits(s, d, (op === OP_MIN ? x < y : x > y) ? 0 : 2);
}

// ---- compares ------------------------------------------------------------------------------------------

/** CMPxx predicates 0..7: EQ LT LE UNORD NEQ NLT NLE ORD; LT, LE, NLT and NLE signal on a QNaN too. */
function predicate(pred: number, x: number, y: number, unordered: boolean): boolean {
  switch (pred & 7) {
    case 0:
      return !unordered && x === y;
    case 1:
      return !unordered && x < y;
    case 2:
      return !unordered && x <= y;
    case 3:
      return unordered;
    case 4:
      return unordered || x !== y;
    case 5:
      return unordered || !(x < y);
    case 6:
      return unordered || !(x <= y);
    default:
      return !unordered;
  }
}

function signalsOnQnan(pred: number): boolean {
  const p = pred & 3;
  return p === 1 || p === 2;
}

/** Classifies and raises IE/DE for a compare of two classes; true when unordered. */
function compareFlags(s: SseState, ka: number, kb: number, signaling: boolean): boolean {
  if (ka >= K_QNAN || kb >= K_QNAN) {
    if (signaling || ka === K_SNAN || kb === K_SNAN) s.raised |= MXCSR_IE;
    return true;
  }
  if (ka === K_DENORMAL || kb === K_DENORMAL) s.raised |= MXCSR_DE;
  return false;
}

export function compare32(s: SseState, pred: number, a: number, b: number): boolean {
  const ab = daz32(s, s.u32[a]);
  const bb = daz32(s, s.u32[b]);
  const unordered = compareFlags(s, class32(ab), class32(bb), signalsOnQnan(pred));
  return predicate(pred, f32FromBits(ab), f32FromBits(bb), unordered);
}

export function compare64(s: SseState, pred: number, a: number, b: number): boolean {
  const kb = load64(s, b, ops64Bits, 2);
  const ka = load64(s, a, ops64Bits, 0);
  const unordered = compareFlags(s, ka, kb, signalsOnQnan(pred));
  return predicate(pred, ops64[0], ops64[1], unordered);
}

/** COMIS/UCOMIS: -2 unordered, -1 less, 0 equal, 1 greater; COMIS signals on a QNaN. */
export function ordered32(s: SseState, a: number, b: number, signaling: boolean): number {
  const ab = daz32(s, s.u32[a]);
  const bb = daz32(s, s.u32[b]);
  if (compareFlags(s, class32(ab), class32(bb), signaling)) return -2;
  const x = f32FromBits(ab);
  const y = f32FromBits(bb);
  return x < y ? -1 : x === y ? 0 : 1;
}

export function ordered64(s: SseState, a: number, b: number, signaling: boolean): number {
  const kb = load64(s, b, ops64Bits, 2);
  const ka = load64(s, a, ops64Bits, 0);
  if (compareFlags(s, ka, kb, signaling)) return -2;
  const x = ops64[0];
  const y = ops64[1];
  return x < y ? -1 : x === y ? 0 : 1;
}

/** RCPPS/RSQRTPS: the SDM allows a relative error up to 1.5 * 2^-12; this returns the correctly rounded value. */
export function approx32(s: SseState, rsqrt: boolean, d: number, b: number): void {
  const bb = s.u32[b];
  const k = class32(bb);
  if (k >= K_QNAN) {
    s.u32[d] = bb | F32_QUIET;
    return;
  }
  const x = k === K_DENORMAL ? (bb & F32_SIGN ? -0 : 0) : f32FromBits(bb);
  if (rsqrt && x < 0) {
    s.u32[d] = F32_DEFAULT_NAN;
    return;
  }
  s.f32[d] = Math.fround(rsqrt ? 1 / Math.sqrt(x) : 1 / x);
}
