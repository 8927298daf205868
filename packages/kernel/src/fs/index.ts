// The kernel's VFS and built-in filesystems: re-exports only (each module's header says what it is).

export { SeededRandom } from '../random/seeded-random.js';
export { BlockDeviceFile } from './block-file.js';
export { CharDeviceDriver, CharDeviceFile, type IoctlHandler, MemDeviceDriver } from './char-file.js';
export {
  type Credentials,
  fsGid,
  fsUid,
  inGroup,
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  mayAccess,
  ROOT_CREDENTIALS,
} from './credentials.js';
export { Dentry } from './dentry.js';
export { blockDevNumber, createDevfs, type DevfsOptions } from './devfs.js';
export { type CharDriver, DeviceSwitch } from './device-switch.js';
export { DirectoryFile, dirent64Size, putDirent64 } from './directory-file.js';
export { fsError, guarded, toKernelError } from './fs-error.js';
export { Hostfs, type HostfsOptions } from './hostfs.js';
export { RegularFile, seekTarget } from './inode-file.js';
export { type KernelMountOptions, type KernelMounts, mountKernelFilesystems } from './kernel-mounts.js';
export { NAME_MAX, PATH_MAX, PIPE_BUF } from './limits.js';
export { Mount, type MountInfo, MountTable } from './mount-table.js';
export { InodeBackedFile, OpenFile, type Stat, statOf, type UserMemory } from './open-file.js';
export { MAXSYMLINKS, type PathContext, PathWalk, type Resolved } from './path-walk.js';
export { PIPE_CAPACITY_BYTES, PIPE_DEF_BUFFERS, Pipe, PipeFile, type PipeMemory } from './pipe.js';
export {
  type ProcBasics,
  Procfs,
  type ProcNode,
  type ProcPidProvider,
  procDir,
  procFile,
  procLink,
  registerBasicEntries,
} from './procfs.js';
export { Tmpfs, type TmpfsOptions } from './tmpfs.js';
export { type StatfsResult, Vfs, type VfsOptions } from './vfs.js';
export type { TimeSpec } from './vfs-attr.js';
export { isWouldBlock, WouldBlock } from './would-block.js';
