/**
 * File lock syscalls: fcntl's record-lock commands (F_GETLK/F_SETLK/F_SETLKW with struct flock, their
 * F_*LK64 forms and the F_OFD_* open-file-description locks with struct flock64) and
 * flock(2). Decodes struct flock into a byte range as Linux's flock_to_posix_lock does, then calls the
 * lock table (fs/file-locks.ts); a blocked F_SETLKW or flock sleeps on the inode's queue, interruptibly.
 * Layer: kernel syscall handlers; fcntl (file-names.ts) hands its lock commands here.
 */
import {
  EAGAIN,
  EBADF,
  EDEADLK,
  EINVAL,
  EOVERFLOW,
  F_GETLK,
  F_GETLK64,
  F_OFD_GETLK,
  F_OFD_SETLK,
  F_OFD_SETLKW,
  F_RDLCK,
  F_SETLK,
  F_SETLK64,
  F_SETLKW,
  F_SETLKW64,
  F_UNLCK,
  F_WRLCK,
  flock64Layout,
  flockLayout,
  LOCK_EX,
  LOCK_NB,
  LOCK_SH,
  LOCK_UN,
  O_PATH,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
} from '@kmos/abi-linux';
import {
  addFlock,
  applyRangeLock,
  dropFlock,
  findConflict,
  flockConflicts,
  heldFlock,
  type LockType,
  locksOf,
  OFFSET_MAX,
  type RangeLock,
  waitingFor,
  wouldDeadlock,
} from '../../fs/file-locks.js';
import type { OpenFile } from '../../fs/open-file.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import { sleepUntil } from '../../sched/sleep.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';

/** The largest offset struct flock (32-bit off_t) can report: Linux's OFFT_OFFSET_MAX. */
const OFFT_OFFSET_MAX = 0x7fffffff;

const LOCK64_COMMANDS = new Set([F_GETLK64, F_SETLK64, F_SETLKW64]);
const OFD_COMMANDS = new Set([F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW]);
/** The fcntl commands this file answers. */
export const LOCK_COMMANDS = new Set([F_GETLK, F_SETLK, F_SETLKW, ...LOCK64_COMMANDS, ...OFD_COMMANDS]);

interface FlockArg {
  type: number;
  whence: number;
  start: number;
  len: number;
  pid: number;
}

/**
 * struct flock64 for the *LK64 and OFD commands, struct flock for the others — through fcntl and fcntl64
 * alike, as Linux 6.x on x86-64 treats 32-bit callers (the host oracle accepts F_GETLK64 through fcntl).
 */
function layoutFor(cmd: number) {
  return LOCK64_COMMANDS.has(cmd) || OFD_COMMANDS.has(cmd) ? flock64Layout : flockLayout;
}

function readFlock(t: Thread, ptr: number, layout: typeof flockLayout | typeof flock64Layout): FlockArg {
  const v = readUser(t, ptr, layout.sizeBytes);
  const F = layout.fields;
  const wide = layout === flock64Layout;
  const num = (at: number) => (wide ? Number(v.getBigInt64(at, true)) : v.getInt32(at, true));
  return {
    type: v.getInt16(F.l_type.offset, true),
    whence: v.getInt16(F.l_whence.offset, true),
    start: num(F.l_start.offset),
    len: num(F.l_len.offset),
    pid: v.getInt32(F.l_pid.offset, true),
  };
}

/** [start, end] of a struct flock, as flock_to_posix_lock computes it. */
async function rangeOf(file: OpenFile, arg: FlockArg): Promise<{ start: number; end: number }> {
  let base: number;
  if (arg.whence === SEEK_SET) base = 0;
  else if (arg.whence === SEEK_CUR) base = file.offset;
  else if (arg.whence === SEEK_END) base = (await file.fstat()).sizeBytes;
  else throw new KernelError(EINVAL);
  if (arg.start > OFFSET_MAX - base) throw new KernelError(EOVERFLOW);
  let start = base + arg.start;
  if (start < 0) throw new KernelError(EINVAL);
  let end: number;
  if (arg.len > 0) {
    if (arg.len - 1 > OFFSET_MAX - start) throw new KernelError(EOVERFLOW);
    end = start + arg.len - 1;
  } else if (arg.len < 0) {
    end = start - 1;
    start += arg.len;
    if (start < 0) throw new KernelError(EINVAL);
  } else {
    end = OFFSET_MAX;
  }
  return { start, end };
}

/** fcntl's lock commands on `file`. */
export async function fcntlLock(
  k: Kernel,
  t: Thread,
  file: OpenFile,
  cmd: number,
  ptr: number,
): Promise<number> {
  const layout = layoutFor(cmd);
  const arg = readFlock(t, ptr, layout);
  const ofd = OFD_COMMANDS.has(cmd);
  if (ofd && arg.pid !== 0) throw new KernelError(EINVAL, 'OFD locks take l_pid 0');
  if (arg.type !== F_RDLCK && arg.type !== F_WRLCK && arg.type !== F_UNLCK) throw new KernelError(EINVAL);
  const { start, end } = await rangeOf(file, arg);
  const request: RangeLock = {
    type: arg.type as LockType,
    start,
    end,
    owner: ofd ? file : t.process.files,
    pid: ofd ? -1 : t.process.pid,
    ofd,
  };
  if (cmd === F_GETLK || cmd === F_GETLK64 || cmd === F_OFD_GETLK)
    return getLock(t, file, request, ptr, layout);
  if (request.type === F_RDLCK && !file.readable) throw new KernelError(EBADF);
  if (request.type === F_WRLCK && !file.writable) throw new KernelError(EBADF);
  const wait = cmd === F_SETLKW || cmd === F_SETLKW64 || cmd === F_OFD_SETLKW;
  await setLock(k, t, file, request, wait);
  return 0;
}

function getLock(
  t: Thread,
  file: OpenFile,
  request: RangeLock,
  ptr: number,
  layout: typeof flockLayout | typeof flock64Layout,
): number {
  if (request.type === F_UNLCK) throw new KernelError(EINVAL);
  const locks = locksOf(file, false);
  const blocker = locks ? findConflict(locks, request) : null;
  const F = layout.fields;
  const { bytes, view } = struct(layout.sizeBytes);
  bytes.set(new Uint8Array(readUser(t, ptr, layout.sizeBytes).buffer));
  view.setInt16(F.l_type.offset, blocker ? blocker.type : F_UNLCK, true);
  if (blocker) {
    const len = blocker.end === OFFSET_MAX ? 0 : blocker.end - blocker.start + 1;
    if (layout === flockLayout) {
      if (blocker.start > OFFT_OFFSET_MAX) throw new KernelError(EOVERFLOW);
      if (blocker.end !== OFFSET_MAX && blocker.end > OFFT_OFFSET_MAX) throw new KernelError(EOVERFLOW);
      view.setInt32(F.l_start.offset, blocker.start, true);
      view.setInt32(F.l_len.offset, len, true);
    } else {
      view.setBigInt64(F.l_start.offset, BigInt(blocker.start), true);
      view.setBigInt64(F.l_len.offset, BigInt(len), true);
    }
    view.setInt16(F.l_whence.offset, SEEK_SET, true);
    view.setInt32(F.l_pid.offset, blocker.pid, true);
  }
  writeUser(t, ptr, bytes);
  return 0;
}

async function setLock(k: Kernel, t: Thread, file: OpenFile, request: RangeLock, wait: boolean) {
  const locks = locksOf(file, true);
  if (request.type !== F_UNLCK) {
    for (;;) {
      const blocker = findConflict(locks, request);
      if (!blocker) break;
      if (!wait) throw new KernelError(EAGAIN);
      if (!request.ofd && wouldDeadlock(request.owner, blocker)) throw new KernelError(EDEADLK);
      await waitingFor(locks, request, () =>
        sleepUntil(t, k.clock, [locks.changed], () => findConflict(locks, request) === null, null),
      );
    }
  }
  applyRangeLock(locks, request);
}

/** flock(2): whole-file locks of the open file description. */
export async function flock(k: Kernel, t: Thread, fd: number, operation: number): Promise<number> {
  const file = t.process.files.get(signed(fd));
  if (file.flags & O_PATH) throw new KernelError(EBADF);
  const op = operation & ~LOCK_NB;
  if (op !== LOCK_SH && op !== LOCK_EX && op !== LOCK_UN) throw new KernelError(EINVAL);
  const locks = locksOf(file, true);
  if (op === LOCK_UN) {
    dropFlock(locks, file);
    return 0;
  }
  const exclusive = op === LOCK_EX;
  if (heldFlock(locks, file) === (exclusive ? 'ex' : 'sh')) return 0;
  // A conversion gives up the old lock first, so a failed upgrade leaves none (flock_lock_inode).
  dropFlock(locks, file);
  while (flockConflicts(locks, file, exclusive)) {
    if (operation & LOCK_NB) throw new KernelError(EAGAIN);
    await sleepUntil(t, k.clock, [locks.changed], () => !flockConflicts(locks, file, exclusive), null);
  }
  addFlock(locks, file, exclusive, t.process.pid);
  return 0;
}
