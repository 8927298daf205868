// @kmos/abi-linux: the Linux i386 user ABI as data. Re-exports only; each module says where its facts come from.

export * from './auxv.js';
export * from './capability.js';
export * from './clock.js';
export * from './elf.js';
export * from './errno.js';
export * from './fcntl.js';
export * from './futex.js';
export * from './inotify.js';
export * from './ioctl.js';
export * from './ipc.js';
export * from './mman.js';
export * from './netlink.js';
export * from './poll.js';
export * from './prctl.js';
export * from './random.js';
export * from './resource.js';
export * from './sem-msg.js';
export * from './shm.js';
export * from './signals.js';
export * from './socket.js';
export * from './stat.js';
export * from './structs.js';
export * from './syscalls.js';
export * from './wait.js';
export * from './x86.js';
