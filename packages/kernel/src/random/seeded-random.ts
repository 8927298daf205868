/**
 * The kernel's random source: xoshiro128** seeded from the config's `machine.seed` through splitmix32, so
 * AT_RANDOM, getrandom and /dev/urandom give the same bytes on every run with the same seed (STYLE.md,
 * rule 9: no Math.random in the kernel). Not cryptographic, and not meant to be: determinism is the point.
 * Layer: kernel core.
 */

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

export class SeededRandom {
  private readonly s = new Uint32Array(4);

  constructor(seed: number) {
    let state = seed | 0;
    for (let i = 0; i < 4; i++) {
      let word: number;
      [state, word] = splitmix32(state);
      this.s[i] = word;
    }
  }

  /** The next 32 random bits. */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  fill(into: Uint8Array): Uint8Array {
    for (let i = 0; i < into.length; i += 4) {
      const word = this.next();
      for (let b = 0; b < 4 && i + b < into.length; b++) into[i + b] = (word >>> (8 * b)) & 0xff;
    }
    return into;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
