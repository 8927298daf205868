/**
 * Exact IEEE rounding for the SSE unit's slow path: a finite value given exactly as sign, a BigInt
 * magnitude `n` times 2^e and a sticky bit (a nonzero tail below n's last bit, from a division or square
 * root) is rounded to binary32 or binary64 under MXCSR.RC, with the overflow, underflow and precision flags
 * the SDM defines (vol. 1, 4.9.1 and 11.5.2). Layer: arch plugin (cpu-i386), SIMD unit; sse-float.ts and
 * sse-convert.ts come here whenever the host's round-to-nearest arithmetic cannot give the answer (directed
 * rounding, tiny or huge results), so this path favours being obviously right over being fast.
 *
 * Tininess is detected before rounding, as the x86 SIMD unit does (SDM vol. 1, 4.9.1.5; confirmed by the
 * differential tests): an exact result below the smallest normal number is tiny even if it rounds up to it.
 */
import {
  MXCSR_FTZ,
  MXCSR_MASK_SHIFT,
  MXCSR_OE,
  MXCSR_PE,
  MXCSR_UE,
  RC_DOWN,
  RC_NEAREST,
  RC_UP,
  type SseState,
} from './sse-state.js';

export interface FloatFormat {
  /** Precision in bits, the hidden bit included. */
  readonly p: number;
  readonly emin: number;
  readonly emax: number;
}

export const BINARY32: FloatFormat = { p: 24, emin: -126, emax: 127 };
export const BINARY64: FloatFormat = { p: 53, emin: -1022, emax: 1023 };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A finite double as magnitude * 2^exponent, exactly. */
export interface Exact {
  neg: boolean;
  n: bigint;
  e: number;
}

export function exactOf(x: number, into: Exact): Exact {
  f64[0] = x;
  const hi = u32[1];
  const biased = (hi >>> 20) & 0x7ff;
  const mant = (hi & 0xfffff) * 4294967296 + u32[0];
  into.neg = hi >>> 31 === 1;
  into.n = BigInt(biased === 0 ? mant : mant + 4503599627370496);
  into.e = biased === 0 ? -1074 : biased - 1075;
  return into;
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds n * 2^e (plus the sticky tail) so that its last kept bit has weight 2^lsb. */
function roundAt(
  n: bigint,
  e: number,
  sticky: boolean,
  lsb: number,
  neg: boolean,
  rc: number,
): [bigint, boolean] {
  const shift = lsb - e;
  if (shift <= 0) return [n << BigInt(-shift), sticky];
  const q = n >> BigInt(shift);
  const rem = n - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  const inexact = rem !== 0n || sticky;
  let up = false;
  if (rc === RC_NEAREST) up = rem > half || (rem === half && (sticky || (q & 1n) === 1n));
  else if (rc === RC_UP) up = inexact && !neg;
  else if (rc === RC_DOWN) up = inexact && neg;
  return [up ? q + 1n : q, inexact];
}

function largest(f: FloatFormat): number {
  return (2 - 2 ** (1 - f.p)) * 2 ** f.emax;
}

/** The result of an overflow: infinity or the largest finite number, by rounding direction and sign. */
function overflowResult(neg: boolean, rc: number, f: FloatFormat): number {
  const toInf = rc === RC_NEAREST || (rc === RC_UP && !neg) || (rc === RC_DOWN && neg);
  const mag = toInf ? Number.POSITIVE_INFINITY : largest(f);
  return neg ? -mag : mag;
}

/**
 * Rounds (-1)^neg * n * 2^e (+ sticky) to format f under MXCSR's RC, FTZ and masks; raises OE/UE/PE in
 * s.raised. n must carry at least p + 2 bits whenever sticky is set, so the tail lies below the rounding bit.
 */
export function roundExact(
  s: SseState,
  neg: boolean,
  n: bigint,
  e: number,
  sticky: boolean,
  f: FloatFormat,
): number {
  if (n === 0n) return neg ? -0 : 0;
  const rc = s.roundingMode();
  const top = e + bitLength(n) - 1;
  // Tininess is judged on the exact value, before rounding (what the hardware does: a product that rounds
  // up to the smallest normal still raises UE).
  const tiny = top < f.emin;
  const lsb = Math.max(top, f.emin) - f.p + 1;
  const [q, inexact] = roundAt(n, e, sticky, lsb, neg, rc);
  const underflowMasked = (s.mxcsr & (MXCSR_UE << MXCSR_MASK_SHIFT)) !== 0;
  if (tiny) {
    if (!underflowMasked) s.raised |= MXCSR_UE | (inexact ? MXCSR_PE : 0);
    else if ((s.mxcsr & MXCSR_FTZ) !== 0) {
      s.raised |= MXCSR_UE | MXCSR_PE;
      return neg ? -0 : 0;
    } else if (inexact) s.raised |= MXCSR_UE | MXCSR_PE;
  } else if (inexact) s.raised |= MXCSR_PE;
  if (lsb + bitLength(q) - 1 > f.emax) {
    s.raised |= MXCSR_OE | MXCSR_PE;
    return overflowResult(neg, rc, f);
  }
  // q has at most p + 1 bits; two multiplications keep 2^lsb representable for binary64 subnormals.
  const a = Math.max(lsb, -1000);
  const mag = Number(q) * 2 ** a * 2 ** (lsb - a);
  return neg ? -mag : mag;
}

/** An integer square root (floor) of a BigInt, by Newton's iteration from a double estimate. */
export function isqrt(m: bigint): bigint {
  if (m < 2n) return m;
  let x = BigInt(Math.floor(Math.sqrt(Number(m))));
  for (;;) {
    const y = (x + m / x) >> 1n;
    if (y >= x - 1n && y <= x + 1n) {
      x = y;
      break;
    }
    x = y;
  }
  while (x * x > m) x -= 1n;
  while ((x + 1n) * (x + 1n) <= m) x += 1n;
  return x;
}
