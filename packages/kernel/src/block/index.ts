// The kernel's block layer (packages/kernel/src/block). Re-exports only; block-device.ts explains it.
export { BlockIoError, checkRequest, type SyncBlockDevice } from './block-device.js';
export { HostFileBlockDevice, type HostFileOptions, SECTOR_SIZE } from './host-file-device.js';
