/**
 * Object tags: one byte per 8-byte granule of RAM, naming who handed out the object that starts there (0 =
 * nothing starts here, 1 = kmalloc, 2..255 = a cache). SLOB's pages are shared by every cache and kmalloc,
 * and its objects carry no header naming their cache, so this shadow is SLOB's check against double frees,
 * wild frees, kfree of a cache object and frees to the wrong cache: a free is accepted only if the tag at the
 * address is the freer's, and it clears the tag. Cost: one byte load and store per operation and 1/8 of RAM
 * in host memory (1 MiB for the 8 MiB machine SLOB is meant for; KASAN's shadow costs the same). Cache tags
 * repeat after 254 caches, so a wrong-cache free between two caches 254 apart goes unnoticed.
 * Layer: inside the mm-slob plugin; imports nothing.
 */

export const TAG_NONE = 0;
export const TAG_KMALLOC = 1;
const FIRST_CACHE_TAG = 2;
const CACHE_TAGS = 256 - FIRST_CACHE_TAG;
const GRANULE_SHIFT = 3;

/** The tag objects of cache number `cacheId` carry. */
export function cacheTag(cacheId: number): number {
  return FIRST_CACHE_TAG + (cacheId % CACHE_TAGS);
}

export class ObjectTags {
  private readonly tags: Uint8Array;

  constructor(memoryBytes: number) {
    this.tags = new Uint8Array(Math.ceil(memoryBytes / (1 << GRANULE_SHIFT)));
  }

  /** The tag of the object starting at `addr`; TAG_NONE for a non-object, an unaligned or a wild address. */
  tagAt(addr: number): number {
    if (addr >>> 0 !== addr || (addr & 7) !== 0) return TAG_NONE;
    return this.tags[addr >>> GRANULE_SHIFT] ?? TAG_NONE;
  }

  set(addr: number, tag: number): void {
    this.tags[addr >>> GRANULE_SHIFT] = tag;
  }
}
