/**
 * kmalloc's size classes: the object caches `kmalloc(n)` draws from, named as Linux names them
 * (`kmalloc-96`, `kmalloc-1k`). Sizes above KMALLOC_MAX_CACHE_SIZE go straight to the page allocator.
 * The lookup is one typed-array read indexed by the size in 8-byte steps (Linux's `size_index` idea), so
 * kmalloc never loops over classes. Layer: inside the allocator plugin; imports nothing.
 * Kept identical in mm-slub and mm-slab: plugins may not import one another.
 */

/** The classes: powers of two plus 96 and 192, which Linux adds because those sizes are common. */
export const KMALLOC_SIZES: readonly number[] = [
  8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
];
/** The largest kmalloc served from a cache: two pages. */
export const KMALLOC_MAX_CACHE_SIZE = 8192;
const KMALLOC_MIN_SHIFT = 3;

/** `classBySize[(size + 7) >> 3]` = index into KMALLOC_SIZES of the smallest class that holds `size`. */
const classBySize = new Uint8Array((KMALLOC_MAX_CACHE_SIZE >>> KMALLOC_MIN_SHIFT) + 1);
for (let slot = 0, cls = 0; slot < classBySize.length; slot++) {
  while (KMALLOC_SIZES[cls] < slot << KMALLOC_MIN_SHIFT) cls++;
  classBySize[slot] = cls;
}

/** The class index for 0 <= sizeBytes <= KMALLOC_MAX_CACHE_SIZE (0 gets the smallest class). */
export function kmallocClass(sizeBytes: number): number {
  return classBySize[(sizeBytes + 7) >>> KMALLOC_MIN_SHIFT];
}

/** `kmalloc-64`, `kmalloc-1k`: the cache names /proc/slabinfo shows. */
export function kmallocCacheName(sizeBytes: number): string {
  return sizeBytes >= 1024 ? `kmalloc-${sizeBytes / 1024}k` : `kmalloc-${sizeBytes}`;
}

/** The page order of a kmalloc too large for the classes: the smallest 2^order pages that hold it. */
export function largeKmallocOrder(sizeBytes: number, pageSize: number): number {
  let order = 0;
  while (pageSize << order < sizeBytes) order++;
  return order;
}
