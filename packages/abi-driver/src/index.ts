// @kmos/abi-driver: the stable driver ABI. Re-exports only; see docs/driver-abi.md for the contract.
export * from './allocators.js';
export * from './arch.js';
export * from './console.js';
export * from './devices.js';
export * from './driver.js';
export * from './filesystem.js';
export * from './memory.js';
export * from './plugin.js';
export * from './version.js';

import type { ObjectAllocatorPlugin, PageAllocatorPlugin } from './allocators.js';
import type { ArchPlugin } from './arch.js';
import type { ConsolePlugin } from './console.js';
import type { DriverPlugin } from './driver.js';
import type { FilesystemPlugin } from './filesystem.js';

/** Any plugin, discriminated by `kind`. */
export type Plugin =
  | ArchPlugin
  | PageAllocatorPlugin
  | ObjectAllocatorPlugin
  | DriverPlugin
  | FilesystemPlugin
  | ConsolePlugin;
