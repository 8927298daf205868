// @kmos/mm-buddy: the binary buddy page allocator. The plugin object, and the class for embedders and tests.
import type { PageAllocatorPlugin } from '@kmos/abi-driver';
import { BuddyAllocator } from './buddy-allocator.js';

export { BuddyAllocator, MAX_ORDER, ZONE_DMA_END_BYTES, ZONE_NAMES } from './buddy-allocator.js';

export const plugin: PageAllocatorPlugin = {
  kind: 'page-allocator',
  name: '@kmos/mm-buddy',
  version: '0.1.0',
  abi: '^1.0.0',
  create: (ctx) => new BuddyAllocator(ctx),
};

export default plugin;
