// @kmos/mm-slab: Bonwick's slab object allocator. The plugin object, and the class for embedders and tests.
import type { ObjectAllocatorPlugin } from '@kmos/abi-driver';
import { SlabAllocator } from './slab-allocator.js';

export { KMALLOC_MAX_CACHE_SIZE, KMALLOC_SIZES } from './kmalloc-classes.js';
export { MIN_ALIGN_BYTES, SlabAllocator } from './slab-allocator.js';
export { BUFCTL_OFF_SLAB_SIZE, CACHE_LINE_BYTES, EMPTY_SLABS_KEPT } from './slab-cache.js';

export const plugin: ObjectAllocatorPlugin = {
  kind: 'object-allocator',
  name: '@kmos/mm-slab',
  version: '0.1.0',
  abi: '^1.0.0',
  create: (ctx) => new SlabAllocator(ctx),
};

export default plugin;
