// The kernel's virtual memory (packages/kernel/src/mm). Re-exports only; address-space.ts explains the layout.
export {
  AddressSpace,
  DEFAULT_LIMITS,
  DEFAULT_MAX_MAP_COUNT,
  DEFAULT_STACK_LIMIT_BYTES,
  INITIAL_STACK_BYTES,
  MemoryManager,
  MMAP_MIN_ADDR,
  type MmLimits,
  type MmuNotifier,
  NULL_NOTIFIER,
  STACK_GUARD_GAP,
  TASK_SIZE,
} from './address-space.js';
export { type FrameKeeper, FrameRefs, UserFrames } from './frame-refs.js';
export {
  brk,
  type MapFile,
  madvise,
  mincore,
  mmap,
  mprotect,
  mremap,
  msync,
  munmap,
  setBrkStart,
  setupStack,
} from './mmap.js';
export {
  AnonSharedSource,
  PageCache,
  PageCaches,
  type PageSource,
  type SourceIdentity,
} from './page-cache.js';
export { CountingPageAllocator, freePageCount } from './page-counter.js';
export {
  FAULT_OK,
  FAULT_OOM,
  type FaultResult,
  type FaultSignal,
  handlePageFault,
  populate,
} from './page-fault.js';
export * from './page-table.js';
export { mapsLine, procMaps, procStatusVmLines, type VmStatus, vmStatus } from './proc-text.js';
export { ClockReclaim, type ReclaimStats, type Watermarks, watermarksFor } from './reclaim.js';
export { Swap, type SwapStats } from './swap.js';
export { SWAP_MIN_PAGES, SwapArea, type SwapKind } from './swap-area.js';
export { isSwapEntry, swapEntry, swapSlot } from './swap-entry.js';
export { formatSwapHeader, parseSwapHeader, SWAP_MAGIC, type SwapHeader } from './swap-header.js';
export { SwapSlots } from './swap-slots.js';
export { swapOn } from './swapon.js';
export {
  clearUser,
  copyFromUser,
  copyToUser,
  getUser32,
  putUser32,
  readUserString,
  strncpyFromUser,
} from './usercopy.js';
export {
  canMerge,
  VM_DONTCOPY,
  VM_GROWSDOWN,
  VM_MAYWRITE,
  VM_NORESERVE,
  VM_SHARED,
  Vma,
  VmaList,
} from './vma.js';
