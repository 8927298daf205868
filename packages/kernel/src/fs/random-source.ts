/**
 * The kernel's deterministic random bytes (what /dev/random and /dev/urandom hand out): xoshiro128**,
 * seeded through splitmix32 from the config's seed, so a run is reproducible (STYLE.md rule 9: no
 * Math.random). Not cryptographic; a guest needing secrets on kmOS gets reproducible ones by design.
 * Layer: kernel VFS (devfs.ts); the kernel may share one instance for AT_RANDOM and getrandom().
 */

export class SeededRandom {
  private readonly s = new Uint32Array(4);

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32: spreads one 32-bit seed over the four state words (never all zero).
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  nextU32(): number {
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

  fill(into: Uint8Array): void {
    for (let i = 0; i < into.length; i += 4) {
      let word = this.nextU32();
      for (let j = i; j < Math.min(i + 4, into.length); j++, word >>>= 8) into[j] = word & 0xff;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
