/**
 * Reading and writing open files: read, write, readv, writev, pread64, pwrite64, lseek, _llseek (sendfile
 * and copy_file_range: file-copy.ts). Data moves between user memory and a kernel buffer through usercopy; a
 * file that would block puts the thread to sleep on the file's wait queue and the call is tried again when
 * it is woken.
 * Layer: kernel syscall handlers, over fs/open-file.ts.
 */
import type { PhysAddr, UserPtr } from '@kmos/abi-driver';
import {
  EINVAL,
  EOPNOTSUPP,
  EOVERFLOW,
  EPIPE,
  RWF_DSYNC,
  RWF_HIPRI,
  RWF_SYNC,
  SI_USER,
  SIGPIPE,
} from '@kmos/abi-linux';
import type { OpenFile } from '../../fs/open-file.js';
import { PipeFile, type PipeUserMemory } from '../../fs/pipe.js';
import { isWouldBlock } from '../../fs/would-block.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { copyFromUser, copyFromUserToPhys, copyToUser, copyToUserFromPhys } from '../../mm/usercopy.js';
import { SocketFile } from '../../net/socket.js';
import { sigInfo } from '../../proc/siginfo.js';
import type { Thread } from '../../proc/thread.js';
import { sleepOnce } from '../../sched/sleep.js';
import { type Iovec, readIovecs } from '../iovec.js';
import type { SyscallImpl } from '../syscall-table.js';
import { arg64, readUser, setInt64, signed, struct, writeUser } from '../user-args.js';
import { socketRead, socketWrite } from './sockets.js';

/** Linux's MAX_RW_COUNT: one read or write moves at most 2 GiB - 4 KiB. */
const MAX_RW_COUNT = 0x7ffff000;
/** The kernel buffer one transfer goes through at most; larger calls loop. */
const CHUNK_BYTES = 1 << 20;

type Io = (buf: Uint8Array) => ReturnType<OpenFile['read']>;

type Answer = ReturnType<OpenFile['read']>;

/**
 * Runs `io` until it does not block, sleeping on the file's queue between tries; `first` is its first answer
 * when the caller has it already. An answer given at once is not awaited: a woken pipe end retries and
 * returns within the same microtask.
 */
export async function untilReady(
  k: Kernel,
  t: Thread,
  io: () => Answer,
  first: Answer = io(),
): Promise<number> {
  let answer = first;
  for (;;) {
    const result = answer instanceof Promise ? await answer : answer;
    if (!isWouldBlock(result)) return result;
    await sleepOnce(t, k.clock, result.queue);
    answer = io();
  }
}

/** One result synchronously when the file answers at once (the common case), else a promise. */
function readInto(k: Kernel, t: Thread, ptr: number, len: number, io: Io): number | Promise<number> {
  const n = Math.min(len, MAX_RW_COUNT, CHUNK_BYTES);
  const buf = new Uint8Array(n);
  const finish = (count: number) => {
    if (count > 0) copyToUser(t.process.mm, ptr as UserPtr, buf.subarray(0, count));
    return count;
  };
  const first = io(buf);
  if (typeof first === 'number') return finish(first);
  return untilReady(k, t, () => io(buf), first).then(finish);
}

function writeFrom(k: Kernel, t: Thread, ptr: number, len: number, io: Io): number | Promise<number> {
  const n = Math.min(len, MAX_RW_COUNT);
  const buf = new Uint8Array(n);
  copyFromUser(t.process.mm, ptr as UserPtr, buf);
  return writeWith(k, t, () => io(buf));
}

/** Runs a write until it does not block; EPIPE also raises SIGPIPE, as Linux's pipe_write does. */
function writeWith(k: Kernel, t: Thread, io: () => ReturnType<OpenFile['write']>): number | Promise<number> {
  const onPipeError = (error: unknown) => {
    if (error instanceof Error && (error as { errno?: number }).errno === EPIPE) {
      k.signals.sendToThread(t, sigInfo(SIGPIPE, SI_USER, { pid: t.process.pid, uid: t.process.creds.uid }));
    }
    throw error;
  };
  let first: ReturnType<OpenFile['write']>;
  try {
    first = io();
  } catch (error) {
    return onPipeError(error);
  }
  if (typeof first === 'number') return first;
  return untilReady(k, t, io, first).catch(onPipeError);
}

/** Pipes: read(2) and write(2) copy between user memory and the pipe's pages, with no kernel buffer. */
function pipeRead(k: Kernel, t: Thread, f: PipeFile, ptr: number, len: number): number | Promise<number> {
  const mem = userMemory(t);
  const n = Math.min(len, MAX_RW_COUNT);
  const first = f.readToUser(mem, ptr, n);
  if (typeof first === 'number') return first;
  return untilReady(k, t, () => f.readToUser(mem, ptr, n), first);
}

/**
 * A blocking write(2) to a pipe returns once every byte is in (pipe(7)), sleeping while the pipe is full;
 * an error or a signal after some bytes went in ends it with their count, as Linux's pipe_write does. A
 * non-blocking one takes what fits.
 */
function pipeWrite(k: Kernel, t: Thread, f: PipeFile, ptr: number, len: number): number | Promise<number> {
  const mem = userMemory(t);
  const n = Math.min(len, MAX_RW_COUNT);
  const first = writeWith(k, t, () => f.writeFromUser(mem, ptr, n));
  if (f.nonBlocking || (typeof first === 'number' && first === n)) return first;
  return writeRest(k, t, f, mem, ptr, n, first);
}

async function writeRest(
  k: Kernel,
  t: Thread,
  f: PipeFile,
  mem: PipeUserMemory,
  ptr: number,
  n: number,
  first: number | Promise<number>,
): Promise<number> {
  let done = await first;
  while (done < n) {
    const at = done;
    try {
      done += await writeWith(k, t, () => f.writeFromUser(mem, ptr + at, n - at));
    } catch {
      return done;
    }
  }
  return done;
}

function userMemory(t: Thread): PipeUserMemory {
  const mm = t.process.mm;
  return {
    copyInToPhys: (p, phys, n) => copyFromUserToPhys(mm, p as UserPtr, phys as PhysAddr, n),
    copyOutFromPhys: (p, phys, n) => copyToUserFromPhys(mm, p as UserPtr, phys as PhysAddr, n),
  };
}

/**
 * readv/writev: each iovec in turn, stopping early at a short transfer (as Linux does); `each` gets the bytes
 * moved before it too, which positioned transfers add to their position.
 */
async function vectored(
  iovecs: Iovec[],
  each: (v: Iovec, before: number) => number | Promise<number>,
): Promise<number> {
  let total = 0;
  for (const v of iovecs) {
    if (v.len === 0) continue;
    let n: number;
    try {
      n = await each(v, total);
    } catch (error) {
      if (total > 0) return total;
      throw error;
    }
    total += n;
    if (n < v.len) break;
  }
  return total;
}

function llseek(t: Thread, fd: number, high: number, low: number, resultPtr: number, whence: number) {
  const file = t.process.files.get(signed(fd));
  const offset = signed(high) * 0x1_0000_0000 + (low >>> 0);
  const done = (pos: number) => {
    const { bytes, view } = struct(8);
    setInt64(view, 0, pos);
    writeUser(t, resultPtr, bytes);
    return 0;
  };
  const pos = file.lseek(offset, whence);
  return typeof pos === 'number' ? done(pos) : pos.then(done);
}

/** The preadv2/pwritev2 flags kmOS honours; every write is already synchronous, and polling adds nothing. */
const RWF_HONOURED = RWF_HIPRI | RWF_DSYNC | RWF_SYNC;

/**
 * preadv/pwritev and their -2 forms: the iovecs moved at `pos` on, leaving the file offset alone; a
 * position of -1 (the -2 forms) means the file offset, as readv/writev. Other RWF flags are EOPNOTSUPP.
 */
function positioned(
  k: Kernel,
  t: Thread,
  fd: number,
  iov: number,
  count: number,
  pos: number,
  flags: number,
  write: boolean,
) {
  if (flags & ~RWF_HONOURED) throw new KernelError(EOPNOTSUPP, 'preadv2/pwritev2 flags');
  const f = t.process.files.get(signed(fd));
  const iovecs = readIovecs(t, iov, count);
  if (pos === -1) {
    return write
      ? vectored(iovecs, (v) => writeFrom(k, t, v.base, v.len, (b) => f.write(b)))
      : vectored(iovecs, (v) => readInto(k, t, v.base, v.len, (b) => f.read(b)));
  }
  if (pos < 0) throw new KernelError(EINVAL);
  return write
    ? vectored(iovecs, (v, before) => writeFrom(k, t, v.base, v.len, (b) => f.pwrite(b, pos + before)))
    : vectored(iovecs, (v, before) => readInto(k, t, v.base, v.len, (b) => f.pread(b, pos + before)));
}

/** preadv/pwritev's position: a negative one is EINVAL (there is no "current offset" form). */
function nonNegative(lo: number, hi: number): number {
  const pos = arg64(lo, hi);
  if (pos < 0) throw new KernelError(EINVAL);
  return pos;
}

export function fileIoSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const file = (t: Thread, fd: number) => t.process.files.get(signed(fd));
  return {
    read: {
      handler: (t, fd, ptr, len) => {
        const f = file(t, fd);
        if (f instanceof PipeFile) return pipeRead(k, t, f, ptr, len);
        if (f instanceof SocketFile) return socketRead(k, t, f, [{ base: ptr, len }]);
        return readInto(k, t, ptr, len, (b) => f.read(b));
      },
    },
    write: {
      handler: (t, fd, ptr, len) => {
        const f = file(t, fd);
        if (f instanceof PipeFile) return pipeWrite(k, t, f, ptr, len);
        if (f instanceof SocketFile) return socketWrite(k, t, f, [{ base: ptr, len }]);
        return writeFrom(k, t, ptr, len, (b) => f.write(b));
      },
    },
    pread64: {
      handler: (t, fd, ptr, len, lo, hi) => {
        const f = file(t, fd);
        const pos = arg64(lo, hi);
        if (pos < 0) throw new KernelError(EINVAL);
        return readInto(k, t, ptr, len, (b) => f.pread(b, pos));
      },
    },
    pwrite64: {
      handler: (t, fd, ptr, len, lo, hi) => {
        const f = file(t, fd);
        const pos = arg64(lo, hi);
        return writeFrom(k, t, ptr, len, (b) => f.pwrite(b, pos));
      },
    },
    readv: {
      handler: (t, fd, iov, count) => {
        const f = file(t, fd);
        if (f instanceof SocketFile) return socketRead(k, t, f, readIovecs(t, iov, count));
        return vectored(readIovecs(t, iov, count), (v) => readInto(k, t, v.base, v.len, (b) => f.read(b)));
      },
    },
    writev: {
      handler: (t, fd, iov, count) => {
        const f = file(t, fd);
        if (f instanceof SocketFile) return socketWrite(k, t, f, readIovecs(t, iov, count));
        return vectored(readIovecs(t, iov, count), (v) => writeFrom(k, t, v.base, v.len, (b) => f.write(b)));
      },
    },
    preadv: {
      handler: (t, fd, iov, count, lo, hi) => positioned(k, t, fd, iov, count, nonNegative(lo, hi), 0, false),
    },
    pwritev: {
      handler: (t, fd, iov, count, lo, hi) => positioned(k, t, fd, iov, count, nonNegative(lo, hi), 0, true),
    },
    preadv2: {
      handler: (t, fd, iov, count, lo, hi, flags) =>
        positioned(k, t, fd, iov, count, arg64(lo, hi), flags, false),
      status: 'partial',
      note: 'RWF_NOWAIT and RWF_APPEND are EOPNOTSUPP',
    },
    pwritev2: {
      handler: (t, fd, iov, count, lo, hi, flags) =>
        positioned(k, t, fd, iov, count, arg64(lo, hi), flags, true),
      status: 'partial',
      note: 'RWF_NOWAIT and RWF_APPEND are EOPNOTSUPP',
    },
    lseek: {
      handler: (t, fd, offset, whence) => {
        const pos = file(t, fd).lseek(signed(offset), whence);
        const check = (p: number) => {
          if (p > 0x7fffffff) throw new KernelError(EOVERFLOW, 'offset does not fit lseek');
          return p;
        };
        return typeof pos === 'number' ? check(pos) : pos.then(check);
      },
    },
    _llseek: { handler: (t, fd, hi, lo, result, whence) => llseek(t, fd, hi, lo, result, whence) },
  };
}
