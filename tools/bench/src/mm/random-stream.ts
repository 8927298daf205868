/**
 * The operation streams every workload replays: which slot to touch next and what size to ask for, from a
 * seeded xorshift generator, precomputed into typed arrays so the timed loop does no arithmetic of its own
 * beyond an index. Same seed, same stream, in every run and every worker. Layer: the bench tool.
 */

export const STREAM_LENGTH = 1 << 16;
export const STREAM_MASK = STREAM_LENGTH - 1;
const SEED = 0x6b6d4f53; // "kmOS"

function xorshift32(state: number): number {
  let x = state;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** `length` numbers in [0, bound), from `seed`. */
export function uniformStream(bound: number, seed = SEED): Uint32Array {
  const out = new Uint32Array(STREAM_LENGTH);
  let state = seed;
  for (let i = 0; i < STREAM_LENGTH; i++) {
    state = xorshift32(state);
    out[i] = state % bound;
  }
  return out;
}

/**
 * kmalloc request sizes, skewed small as kernel requests are: 60% 8..128 bytes, 25% 129..1024, 15% 1025..8192.
 */
export const MIXED_SIZES_LABEL = '8..8192 B (60% <=128, 25% <=1K, 15% <=8K)';
export function mixedSizeStream(seed = SEED ^ 0x5a5a5a5a): Uint32Array {
  const pick = uniformStream(100, seed);
  const raw = uniformStream(8192, seed ^ 0x1234567);
  const out = new Uint32Array(STREAM_LENGTH);
  for (let i = 0; i < STREAM_LENGTH; i++) {
    if (pick[i] < 60) out[i] = 8 + (raw[i] % 121);
    else if (pick[i] < 85) out[i] = 129 + (raw[i] % 896);
    else out[i] = 1025 + (raw[i] % 7168);
  }
  return out;
}
