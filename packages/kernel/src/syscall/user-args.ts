/**
 * Decoding syscall arguments that point into user memory: path strings (PATH_MAX, EFAULT, ENAMETOOLONG),
 * NULL-terminated string arrays (argv, envp), and small structs read and written through DataViews. All
 * reads and writes go through mm/usercopy, which walks the page tables. Layer: kernel syscall.
 */
import type { UserPtr } from '@kmos/abi-driver';
import { AT_FDCWD, E2BIG, EFAULT, ENAMETOOLONG, ENOENT } from '@kmos/abi-linux';
import type { OpenFile } from '../fs/open-file.js';
import type { PathContext } from '../fs/path-walk.js';
import { KernelError } from '../kernel-error.js';
import { copyFromUser, copyToUser, getUser32, strncpyFromUser } from '../mm/usercopy.js';
import type { FsContext } from '../proc/process.js';
import type { Thread } from '../proc/thread.js';

const PATH_MAX = 4096;
/** Linux's MAX_ARG_STRINGS: argv and envp entries each. */
const MAX_ARG_STRINGS = 0x7fffffff;

const pathBuffer = new Uint8Array(PATH_MAX);

/** A path argument as a byte string (latin1); ENOENT for "", ENAMETOOLONG past PATH_MAX. */
export function userPath(t: Thread, ptr: number, allowEmpty = false): string {
  if (ptr === 0) throw new KernelError(EFAULT, 'NULL path');
  const n = strncpyFromUser(t.process.mm, ptr as UserPtr, pathBuffer);
  if (n >= PATH_MAX) throw new KernelError(ENAMETOOLONG);
  if (n === 0 && !allowEmpty) throw new KernelError(ENOENT, 'empty path');
  return Buffer.from(pathBuffer.buffer, 0, n).toString('latin1');
}

/**
 * The buffer userStringArray reads an array's strings into, back to back: kept for every call (reads are
 * synchronous), since allocating and zeroing 128 KiB twice per execve cost more than the copies. One slice
 * of it then holds all the strings, so an execve allocates one buffer per array, not one per string.
 */
let stringScratch = new Uint8Array(0);
/** A scratch grown past this (a huge argv) is let go after the call rather than kept. */
const STRING_SCRATCH_KEEP_BYTES = 1024 * 1024;

/** A NULL-terminated array of string pointers (argv, envp), each string as bytes. */
export function userStringArray(t: Thread, ptr: number, maxBytes: number): Uint8Array[] {
  if (ptr === 0) return [];
  const mm = t.process.mm;
  const ends: number[] = [];
  let used = 0;
  for (let i = 0; i < MAX_ARG_STRINGS; i++) {
    const strPtr = getUser32(mm, (ptr + i * 4) as UserPtr);
    if (strPtr === 0) break;
    if (stringScratch.length < used + maxBytes + 1) growStringScratch(used, used + maxBytes + 1);
    const n = strncpyFromUser(mm, strPtr as UserPtr, stringScratch, used, maxBytes + 1);
    if (n > maxBytes) throw new KernelError(E2BIG, 'argument too long');
    used += n;
    ends.push(used);
  }
  const all = stringScratch.slice(0, used);
  if (stringScratch.length > STRING_SCRATCH_KEEP_BYTES) stringScratch = new Uint8Array(0);
  const out: Uint8Array[] = new Array(ends.length);
  for (let i = 0, start = 0; i < ends.length; start = ends[i], i++) out[i] = all.subarray(start, ends[i]);
  return out;
}

/** A larger scratch, keeping its first `keepBytes`. */
function growStringScratch(keepBytes: number, sizeBytes: number): void {
  const next = new Uint8Array(Math.max(sizeBytes, stringScratch.length * 2));
  next.set(stringScratch.subarray(0, keepBytes));
  stringScratch = next;
}

export function readUser(t: Thread, ptr: number, sizeBytes: number): DataView {
  const bytes = new Uint8Array(sizeBytes);
  copyFromUser(t.process.mm, ptr as UserPtr, bytes);
  return new DataView(bytes.buffer);
}

export function writeUser(t: Thread, ptr: number, bytes: Uint8Array): void {
  copyToUser(t.process.mm, ptr as UserPtr, bytes);
}

/**
 * Stores integer `value` (within +-2^53) as a little-endian 64-bit field, two's complement when negative:
 * the same bytes as setBigInt64/setBigUint64 without making a BigInt, which the stat and getdents paths
 * did for every field.
 */
export function setInt64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value >>> 0, true);
  view.setUint32(offset + 4, Math.floor(value / 0x1_0000_0000) >>> 0, true);
}

/**
 * Structs are cut from shared chunks: a typed array of its own needs a backing store outside the JS heap
 * (V8 keeps only the smallest inside), which with the collector's bookkeeping cost more than a stat's whole
 * encoding. Room is never handed out twice, so a struct stays valid as long as it is held; a used-up chunk is
 * left to the collector. (A struct's `bytes.buffer` is the chunk: use `bytes` and `view` only.)
 */
const STRUCT_CHUNK_BYTES = 64 * 1024;
/** Larger structs (poll and epoll arrays, group lists) get buffers of their own. */
const STRUCT_SHARED_MAX_BYTES = 4096;
let structChunk = new ArrayBuffer(STRUCT_CHUNK_BYTES);
let structTop = 0;

/** A zeroed struct of `sizeBytes` to fill and then `writeUser`. */
export function struct(sizeBytes: number): { bytes: Uint8Array; view: DataView } {
  if (sizeBytes > STRUCT_SHARED_MAX_BYTES) {
    const bytes = new Uint8Array(sizeBytes);
    return { bytes, view: new DataView(bytes.buffer) };
  }
  if (structTop + sizeBytes > STRUCT_CHUNK_BYTES) {
    structChunk = new ArrayBuffer(STRUCT_CHUNK_BYTES);
    structTop = 0;
  }
  const at = structTop;
  structTop = (at + sizeBytes + 7) & ~7;
  return {
    bytes: new Uint8Array(structChunk, at, sizeBytes),
    view: new DataView(structChunk, at, sizeBytes),
  };
}

/** A dirfd argument: null for AT_FDCWD, else the open directory (EBADF as the fd table says). */
export function dirAt(t: Thread, dirfd: number): OpenFile | null {
  return signed(dirfd) === AT_FDCWD ? null : t.process.files.get(signed(dirfd));
}

/** The calling thread's view of the namespace for the VFS. */
export function pathContext(t: Thread): PathContext {
  const fs: FsContext = t.process.fs;
  return { cred: t.process.creds, root: fs.root, cwd: fs.cwd, umask: fs.umask };
}

/** Signed 32-bit view of an argument register (fds, offsets, AT_FDCWD). */
export function signed(x: number): number {
  return x | 0;
}

/** A signed 64-bit argument from two registers, low word first, as i386 passes loff_t. */
export function arg64(lo: number, hi: number): number {
  return signed(hi) * 2 ** 32 + (lo >>> 0);
}
