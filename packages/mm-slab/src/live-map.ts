/**
 * The live-object map: one bit per 8-byte granule of RAM, set while an object starting at that granule is
 * handed out. It is this allocator's cheap check against double frees and wild frees: a free is accepted only
 * if the address is 8-aligned and its bit is set, and it clears the bit. Cost: one load and one store per
 * operation, and 1/64 of RAM in host memory (1 MiB for 64 MiB). Objects are at least 8 bytes, so two live
 * objects never share a granule. Layer: inside the allocator plugin; imports nothing.
 * Kept identical in mm-slub and mm-slab (SLOB uses tags instead): plugins may not import one another.
 */

/** Objects are 8-aligned at least (the ABI's minimum), so one bit per 8 bytes names every object start. */
const GRANULE_SHIFT = 3;
/** 32 granules per Int32 word: 256 bytes of RAM per word. */
const WORD_SHIFT = GRANULE_SHIFT + 5;

export class LiveMap {
  private readonly words: Int32Array;

  constructor(memoryBytes: number) {
    this.words = new Int32Array(Math.ceil(memoryBytes / (1 << WORD_SHIFT)));
  }

  /** True if `addr` is an 8-aligned address whose object is handed out now. False for any other number. */
  isLive(addr: number): boolean {
    if (addr >>> 0 !== addr || (addr & 7) !== 0) return false;
    return (this.words[addr >>> WORD_SHIFT] & (1 << ((addr >>> GRANULE_SHIFT) & 31))) !== 0;
  }

  mark(addr: number): void {
    this.words[addr >>> WORD_SHIFT] |= 1 << ((addr >>> GRANULE_SHIFT) & 31);
  }

  clear(addr: number): void {
    this.words[addr >>> WORD_SHIFT] &= ~(1 << ((addr >>> GRANULE_SHIFT) & 31));
  }
}
