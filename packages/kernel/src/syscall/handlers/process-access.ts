/**
 * Calls that look into another process: kcmp (do two processes share a resource?) and process_vm_readv /
 * process_vm_writev (copy between address spaces), under ptrace's access rule (proc/process-access.ts).
 * Layer: kernel syscall handlers.
 */
import type { UserPtr } from '@kmos/abi-driver';
import { EBADF, EFAULT, EINVAL, EPERM, ESRCH } from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { copyFromUser, copyToUser } from '../../mm/usercopy.js';
import type { Process } from '../../proc/process.js';
import { mayAccessProcess } from '../../proc/process-access.js';
import type { Thread } from '../../proc/thread.js';
import { type Iovec, readIovecs } from '../iovec.js';
import type { SyscallImpl } from '../syscall-table.js';
import { signed } from '../user-args.js';

/** kcmp types (linux/kcmp.h). */
const KCMP_FILE = 0;
const KCMP_VM = 1;
const KCMP_FILES = 2;
const KCMP_FS = 3;
const KCMP_SIGHAND = 4;
const KCMP_IO = 5;
const KCMP_SYSVSEM = 6;

/** A stable number per kernel object, for kcmp's ordering (Linux orders obfuscated pointers). */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(o, id);
  }
  return id;
}

function processOf(k: Kernel, caller: Thread, pid: number): Process {
  const target = k.processes.threads.get(signed(pid))?.process;
  if (!target) throw new KernelError(ESRCH);
  if (!mayAccessProcess(caller.process, target)) throw new KernelError(EPERM);
  return target;
}

/** kcmp: 0 when both name the same object, else 1 or 2 by a consistent order. */
function kcmp(
  k: Kernel,
  t: Thread,
  pid1: number,
  pid2: number,
  type: number,
  idx1: number,
  idx2: number,
): number {
  const a = processOf(k, t, pid1);
  const b = processOf(k, t, pid2);
  const pick = (p: Process, idx: number): object => {
    switch (type) {
      case KCMP_FILE: {
        if (!p.files.has(signed(idx))) throw new KernelError(EBADF);
        return p.files.get(signed(idx));
      }
      case KCMP_VM:
        return p.mm;
      case KCMP_FILES:
        return p.files;
      case KCMP_FS:
        return p.fs;
      case KCMP_SIGHAND:
        return p.signals;
      // One I/O context and one System V undo list per process here.
      case KCMP_IO:
      case KCMP_SYSVSEM:
        return p;
      default:
        throw new KernelError(EINVAL, 'kcmp type');
    }
  };
  const x = objectId(pick(a, idx1));
  const y = objectId(pick(b, idx2));
  return x === y ? 0 : x < y ? 1 : 2;
}

/**
 * process_vm_readv/writev: the remote ranges in order, copied to or from the local ones in order. A fault in
 * the remote process ends the copy there (its count returned, EFAULT when nothing moved); one in the
 * caller's memory is EFAULT.
 */
function processVm(
  k: Kernel,
  t: Thread,
  pid: number,
  localPtr: number,
  localCount: number,
  remotePtr: number,
  remoteCount: number,
  flags: number,
  write: boolean,
): number {
  if (flags !== 0) throw new KernelError(EINVAL);
  const local = readIovecs(t, localPtr, localCount);
  const remote = readIovecs(t, remotePtr, remoteCount);
  const target = processOf(k, t, pid);
  const mine = t.process.mm;
  const theirs = target.mm;
  let done = 0;
  let li = 0;
  let lOffset = 0;
  for (const r of remote) {
    for (let rOffset = 0; rOffset < r.len; ) {
      while (li < local.length && lOffset >= (local[li] as Iovec).len) {
        li++;
        lOffset = 0;
      }
      if (li >= local.length) return done;
      const l = local[li] as Iovec;
      const n = Math.min(r.len - rOffset, l.len - lOffset);
      const buf = new Uint8Array(n);
      try {
        if (write) copyFromUser(mine, (l.base + lOffset) as UserPtr, buf);
        else copyFromUser(theirs, (r.base + rOffset) as UserPtr, buf);
      } catch (error) {
        if (!write && done > 0) return done;
        throw error;
      }
      try {
        if (write) copyToUser(theirs, (r.base + rOffset) as UserPtr, buf);
        else copyToUser(mine, (l.base + lOffset) as UserPtr, buf);
      } catch (error) {
        if (write && done > 0) return done;
        throw error instanceof KernelError ? new KernelError(EFAULT) : error;
      }
      done += n;
      rOffset += n;
      lOffset += n;
    }
  }
  return done;
}

export function processAccessSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    kcmp: {
      handler: (t, pid1, pid2, type, idx1, idx2) => kcmp(k, t, pid1, pid2, type, idx1, idx2),
      status: 'partial',
      note: 'KCMP_EPOLL_TFD is EINVAL',
    },
    process_vm_readv: {
      handler: (t, pid, lvec, lcnt, rvec, rcnt, flags) =>
        processVm(k, t, pid, lvec, lcnt, rvec, rcnt, flags, false),
    },
    process_vm_writev: {
      handler: (t, pid, lvec, lcnt, rvec, rcnt, flags) =>
        processVm(k, t, pid, lvec, lcnt, rvec, rcnt, flags, true),
    },
  };
}
