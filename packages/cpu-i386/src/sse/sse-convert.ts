/**
 * SSE/SSE2 conversions on one lane: binary32 <-> binary64, int32 -> float, and float -> int32 under
 * MXCSR.RC or by truncation (SDM vol. 2, CVTxx2yy). Layer: arch plugin (cpu-i386), SIMD unit; the dispatch in
 * sse-dispatch.ts runs these over lanes of SseState's views.
 *
 * A NaN converted between the float formats keeps its payload's high bits and is quieted (IE when it was
 * signaling); a float -> int conversion of a NaN or of a value outside int32 gives the integer indefinite
 * 0x80000000 with IE. Narrowing and int32 -> binary32 round; when the host's nearest rounding cannot give
 * the answer or the flags, sse-round.ts computes them exactly.
 */

import { class32, class64, f32FromBits, K_DENORMAL, K_QNAN, K_SNAN, K_ZERO } from './sse-float.js';
import { BINARY32, type Exact, exactOf, roundExact } from './sse-round.js';
import {
  MXCSR_DAZ,
  MXCSR_DE,
  MXCSR_IE,
  MXCSR_PE,
  RC_CHOP,
  RC_DOWN,
  RC_NEAREST,
  RC_UP,
  type SseState,
} from './sse-state.js';

export const INTEGER_INDEFINITE = 0x80000000 | 0;
const SIGN = 0x80000000;
const MIN_NORMAL_32 = 2 ** -126;
const MAX_32 = (2 - 2 ** -23) * 2 ** 127;
const TWO_31 = 2147483648;
const exact: Exact = { neg: false, n: 0n, e: 0 };

function dazOn(s: SseState): boolean {
  return (s.mxcsr & MXCSR_DAZ) !== 0;
}

/** CVTSS2SD / CVTPS2PD lane: exact, but a NaN is quieted and a denormal operand raises DE. */
export function f32ToF64(s: SseState, d: number, a: number): void {
  const b = s.u32[a];
  const k = class32(b);
  const u = s.u32;
  if (k >= K_QNAN) {
    if (k === K_SNAN) s.raised |= MXCSR_IE;
    const m = b & 0x7fffff;
    u[2 * d + 1] = (b & SIGN) | 0x7ff80000 | (m >>> 3);
    u[2 * d] = (m & 7) << 29;
    return;
  }
  if (k === K_DENORMAL) {
    if (dazOn(s)) {
      u[2 * d + 1] = b & SIGN;
      u[2 * d] = 0;
      return;
    }
    s.raised |= MXCSR_DE;
  }
  s.f64[d] = f32FromBits(b);
}

/** CVTSD2SS / CVTPD2PS lane: rounds under RC with OE, UE and PE. */
export function f64ToF32(s: SseState, d: number, a: number): void {
  const hi = s.u32[2 * a + 1];
  const lo = s.u32[2 * a];
  const k = class64(hi, lo);
  if (k >= K_QNAN) {
    if (k === K_SNAN) s.raised |= MXCSR_IE;
    s.u32[d] = (hi & SIGN) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (lo >>> 29);
    return;
  }
  if (k === K_DENORMAL) {
    if (dazOn(s)) {
      s.u32[d] = hi & SIGN;
      return;
    }
    s.raised |= MXCSR_DE;
  }
  const x = s.f64[a];
  if (k === K_ZERO || !Number.isFinite(x)) {
    s.f32[d] = x;
    return;
  }
  s.f32[d] = narrow(s, x);
}

/** x rounded to binary32 under RC; the host's fround when that is the answer and the flags are plain. */
function narrow(s: SseState, x: number): number {
  if (s.roundingMode() === RC_NEAREST) {
    const r = Math.fround(x);
    const m = Math.abs(r);
    if (m > MIN_NORMAL_32 && m <= MAX_32) {
      if (r !== x) s.raised |= MXCSR_PE;
      return r;
    }
  }
  const e = exactOf(x, exact);
  return roundExact(s, e.neg, e.n, e.e, false, BINARY32);
}

/** CVTSI2SS / CVTDQ2PS lane. */
export function intToF32(s: SseState, d: number, v: number): void {
  s.f32[d] = v === 0 ? 0 : narrow(s, v);
}

/** A float value rounded to an integer under rc (RC_CHOP for the truncating forms). */
function roundToInteger(x: number, rc: number): number {
  switch (rc) {
    case RC_DOWN:
      return Math.floor(x);
    case RC_UP:
      return Math.ceil(x);
    case RC_CHOP:
      return Math.trunc(x);
    default: {
      const f = Math.floor(x);
      const frac = x - f;
      if (frac > 0.5) return f + 1;
      if (frac < 0.5) return f;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

/** A non-NaN value to int32: indefinite with IE when out of range, PE when inexact. */
function toInt32(s: SseState, x: number, truncate: boolean): number {
  const r = roundToInteger(x, truncate ? RC_CHOP : s.roundingMode());
  if (!(r >= -TWO_31 && r < TWO_31)) {
    s.raised |= MXCSR_IE;
    return INTEGER_INDEFINITE;
  }
  if (r !== x) s.raised |= MXCSR_PE;
  return r | 0;
}

/** CVT(T)SS2SI / CVT(T)PS2DQ lane: DAZ applies; no DE (SDM vol. 2, CVTSS2SI exceptions). */
export function f32ToInt(s: SseState, a: number, truncate: boolean): number {
  const b = s.u32[a];
  const k = class32(b);
  if (k >= K_QNAN) {
    s.raised |= MXCSR_IE;
    return INTEGER_INDEFINITE;
  }
  if (k === K_DENORMAL && dazOn(s)) return 0;
  return toInt32(s, f32FromBits(b), truncate);
}

export function f64ToInt(s: SseState, a: number, truncate: boolean): number {
  const k = class64(s.u32[2 * a + 1], s.u32[2 * a]);
  if (k >= K_QNAN) {
    s.raised |= MXCSR_IE;
    return INTEGER_INDEFINITE;
  }
  if (k === K_DENORMAL && dazOn(s)) return 0;
  return toInt32(s, s.f64[a], truncate);
}
