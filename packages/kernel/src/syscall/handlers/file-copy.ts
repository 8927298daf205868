/**
 * Copies between open files inside the kernel: sendfile and sendfile64 (from a file, at an offset given or
 * the file's own, to any file) and copy_file_range (between regular files). As in Linux a copy stops at a
 * short read or write and returns what it moved; the input's position (the offset in user memory, or the
 * file's) advances by what was written, so nothing read is lost. Layer: kernel syscall handlers.
 */
import { EBADF, EINVAL, EISDIR, ESPIPE, O_APPEND } from '@kmos/abi-linux';
import { RegularFile } from '../../fs/inode-file.js';
import type { OpenFile } from '../../fs/open-file.js';
import { isDirMode } from '../../fs/path-walk.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, setInt64, signed, struct, writeUser } from '../user-args.js';
import { untilReady } from './file-io.js';

/** Linux's MAX_RW_COUNT: one call moves at most 2 GiB - 4 KiB. */
const MAX_RW_COUNT = 0x7ffff000;
/** The kernel buffer a copy goes through, a piece at a time. */
const CHUNK_BYTES = 1 << 20;

type Answer = ReturnType<OpenFile['read']>;

/** An offset argument in user memory: 32 or 64 bits; null when the pointer is NULL. */
interface UserOffset {
  read(): number;
  write(value: number): void;
}

function userOffset(t: Thread, ptr: number, bits: 32 | 64): UserOffset | null {
  if (ptr === 0) return null;
  return {
    read: () => {
      const v = readUser(t, ptr, bits / 8);
      const value = bits === 32 ? v.getInt32(0, true) : v.getUint32(0, true) + v.getInt32(4, true) * 2 ** 32;
      if (value < 0) throw new KernelError(EINVAL, 'negative offset');
      return value;
    },
    write: (value) => {
      const { bytes, view } = struct(bits / 8);
      if (bits === 32) view.setInt32(0, value, true);
      else setInt64(view, 0, value);
      writeUser(t, ptr, bytes);
    },
  };
}

/**
 * Moves up to `count` bytes through a buffer: `get` fills a piece (given it and the bytes written before it),
 * `put` writes it out; stops at the end of the input or a short write. Returns the bytes written.
 */
async function copy(
  k: Kernel,
  t: Thread,
  count: number,
  get: (buf: Uint8Array, done: number) => Answer,
  put: (data: Uint8Array, done: number) => Answer,
): Promise<number> {
  const buf = new Uint8Array(Math.min(count, CHUNK_BYTES));
  let written = 0;
  while (written < count) {
    const want = Math.min(buf.length, count - written);
    const n = await untilReady(k, t, () => get(buf.subarray(0, want), written));
    if (n === 0) break;
    const w = await untilReady(k, t, () => put(buf.subarray(0, n), written));
    written += w;
    if (w < n || n < want) break;
  }
  return written;
}

/**
 * sendfile/sendfile64: from a regular file at *offset (which advances; the file's position stays) or at its
 * position (which advances), to any file; from anything else only through its position, without an offset.
 */
async function sendfile(
  k: Kernel,
  t: Thread,
  outFd: number,
  inFd: number,
  offset: UserOffset | null,
  countArg: number,
) {
  const input = t.process.files.get(signed(inFd));
  const output = t.process.files.get(signed(outFd));
  if (!input.readable || !output.writable) throw new KernelError(EBADF);
  if (output.flags & O_APPEND) throw new KernelError(EINVAL, 'sendfile to an O_APPEND file');
  const count = Math.min(countArg, MAX_RW_COUNT);
  const write = (data: Uint8Array) => output.write(data);
  if (!(input instanceof RegularFile)) {
    if (offset) throw new KernelError(ESPIPE, 'sendfile offset on a file without positions');
    return copy(k, t, count, (buf) => input.read(buf), write);
  }
  const start = offset ? offset.read() : input.offset;
  const written = await copy(k, t, count, (buf, done) => input.pread(buf, start + done), write);
  if (offset) offset.write(start + written);
  else input.offset = start + written;
  return written;
}

/** copy_file_range: regular file to regular file, each at *offset (advancing it) or its own position. */
async function copyFileRange(
  k: Kernel,
  t: Thread,
  inFd: number,
  inOffset: UserOffset | null,
  outFd: number,
  outOffset: UserOffset | null,
  countArg: number,
  flags: number,
) {
  if (flags !== 0) throw new KernelError(EINVAL, 'copy_file_range flags');
  const input = t.process.files.get(signed(inFd));
  const output = t.process.files.get(signed(outFd));
  if (!input.readable || !output.writable || output.flags & O_APPEND) throw new KernelError(EBADF);
  for (const file of [input, output]) {
    const stat = await file.fstat();
    if (isDirMode(stat.mode)) throw new KernelError(EISDIR);
    if (!(file instanceof RegularFile)) throw new KernelError(EINVAL, 'copy_file_range of a special file');
  }
  const inputFile = input as RegularFile;
  const outputFile = output as RegularFile;
  const from = inOffset ? inOffset.read() : inputFile.offset;
  const to = outOffset ? outOffset.read() : outputFile.offset;
  const count = Math.min(countArg, MAX_RW_COUNT);
  const sameFile = inputFile.dentry.sameAs(outputFile.dentry);
  if (sameFile && from < to + count && to < from + count) throw new KernelError(EINVAL, 'overlapping ranges');
  const written = await copy(
    k,
    t,
    count,
    (buf, done) => inputFile.pread(buf, from + done),
    (data, done) => outputFile.pwrite(data, to + done),
  );
  if (inOffset) inOffset.write(from + written);
  else inputFile.offset = from + written;
  if (outOffset) outOffset.write(to + written);
  else outputFile.offset = to + written;
  return written;
}

export function fileCopySyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    sendfile: {
      handler: (t, outFd, inFd, offsetPtr, count) =>
        sendfile(k, t, outFd, inFd, userOffset(t, offsetPtr, 32), count),
    },
    sendfile64: {
      handler: (t, outFd, inFd, offsetPtr, count) =>
        sendfile(k, t, outFd, inFd, userOffset(t, offsetPtr, 64), count),
    },
    copy_file_range: {
      handler: (t, inFd, inPtr, outFd, outPtr, count, flags) =>
        copyFileRange(k, t, inFd, userOffset(t, inPtr, 64), outFd, userOffset(t, outPtr, 64), count, flags),
    },
  };
}
