/**
 * sched_getattr and sched_setattr: the scheduling attributes in one struct sched_attr (policy, flags,
 * nice, real-time priority, and for fair policies the slice as sched_runtime). The struct is read as
 * copy_struct_from_user does: size 0 means the first version, a size too small or too big is E2BIG with
 * the kernel's size written back, a longer struct must end in zeros. setattr clamps nice to -20..19 (as
 * Linux 5.x on), honours SCHED_FLAG_RESET_ON_FORK, KEEP_POLICY and KEEP_PARAMS; SCHED_DEADLINE is not
 * there (EPERM without privilege, EINVAL with). Layer: kernel syscall handlers, over scheduling.ts's rules.
 */
import { E2BIG, EINVAL, EPERM, SCHED_DEADLINE } from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';
import { applyScheduling, canNice, isRealtime, mayChange, rrInterval, threadOf } from './scheduling.js';

/** struct sched_attr's first version and the one kmOS knows (with the utilization clamps). */
const SCHED_ATTR_SIZE_VER0 = 48;
const SCHED_ATTR_SIZE = 56;
const PAGE = 4096;
const SCHED_FLAG_RESET_ON_FORK = 0x01;
const SCHED_FLAG_KEEP_POLICY = 0x08;
const SCHED_FLAG_KEEP_PARAMS = 0x10;
/** Every flag Linux defines (SCHED_FLAG_ALL). */
const SCHED_FLAG_ALL = 0x7f;
const MIN_NICE = -20;
const MAX_NICE = 19;

/** Offsets in struct sched_attr (linux/sched/types.h). */
const F = { size: 0, policy: 4, flags: 8, nice: 16, priority: 20, runtime: 24, deadline: 32, period: 40 };

function getattr(k: Kernel, t: Thread, pid: number, ptr: number, size: number, flags: number): number {
  if (ptr === 0 || signed(pid) < 0 || flags !== 0) throw new KernelError(EINVAL);
  if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE) throw new KernelError(EINVAL);
  const target = threadOf(k, t, pid);
  const { bytes, view } = struct(Math.min(size, SCHED_ATTR_SIZE));
  bytes.fill(0);
  view.setUint32(F.size, bytes.length, true);
  view.setUint32(F.policy, target.policy, true);
  view.setBigUint64(F.flags, target.resetOnFork ? BigInt(SCHED_FLAG_RESET_ON_FORK) : 0n, true);
  if (isRealtime(target.policy)) view.setUint32(F.priority, target.rtPriority, true);
  else {
    view.setInt32(F.nice, target.nice, true);
    view.setBigUint64(F.runtime, BigInt(rrInterval(k, target)), true);
  }
  writeUser(t, ptr, bytes);
  return 0;
}

/** The struct's size field as copy_struct_from_user takes it, E2BIG (after writing ours back) when unusable. */
function attrSize(t: Thread, ptr: number): number {
  const size = readUser(t, ptr, 4).getUint32(0, true) || SCHED_ATTR_SIZE_VER0;
  const tooLong = (): boolean => {
    const tail = readUser(t, ptr + SCHED_ATTR_SIZE, size - SCHED_ATTR_SIZE);
    for (let i = 0; i < tail.byteLength; i++) if (tail.getUint8(i) !== 0) return true;
    return false;
  };
  if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE || (size > SCHED_ATTR_SIZE && tooLong())) {
    const { bytes, view } = struct(4);
    view.setUint32(0, SCHED_ATTR_SIZE, true);
    writeUser(t, ptr, bytes);
    throw new KernelError(E2BIG);
  }
  return size;
}

function setattr(k: Kernel, t: Thread, pid: number, ptr: number, flags: number): number {
  if (ptr === 0 || signed(pid) < 0 || flags !== 0) throw new KernelError(EINVAL);
  const v = readUser(t, ptr, Math.min(attrSize(t, ptr), SCHED_ATTR_SIZE));
  const attrFlags = Number(v.getBigUint64(F.flags, true) & 0xffffffffn);
  if (v.getBigUint64(F.flags, true) > BigInt(SCHED_FLAG_ALL) || attrFlags & ~SCHED_FLAG_ALL) {
    throw new KernelError(EINVAL, 'sched_attr flags');
  }
  const target = threadOf(k, t, pid);
  const policy = attrFlags & SCHED_FLAG_KEEP_POLICY ? target.policy : v.getUint32(F.policy, true);
  if (policy === SCHED_DEADLINE) throw new KernelError(t.process.creds.euid === 0 ? EINVAL : EPERM);
  const keepParams = (attrFlags & SCHED_FLAG_KEEP_PARAMS) !== 0;
  const priority = keepParams ? target.rtPriority : v.getUint32(F.priority, true);
  const nice = Math.min(MAX_NICE, Math.max(MIN_NICE, v.getInt32(F.nice, true)));
  if (!isRealtime(policy) && !keepParams && nice < target.nice && !canNice(t, nice))
    throw new KernelError(EPERM);
  if (!mayChange(t, target)) throw new KernelError(EPERM);
  applyScheduling(
    t,
    target,
    policy,
    isRealtime(policy) ? priority : keepParams ? 0 : priority,
    (attrFlags & SCHED_FLAG_RESET_ON_FORK) !== 0,
  );
  if (!isRealtime(policy) && !keepParams) target.nice = nice;
  return 0;
}

export function schedAttrSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    sched_getattr: { handler: (t, pid, ptr, size, flags) => getattr(k, t, pid, ptr, size, flags) },
    sched_setattr: {
      handler: (t, pid, ptr, flags) => setattr(k, t, pid, ptr, flags),
      status: 'partial',
      note: 'no SCHED_DEADLINE; the utilization clamps are ignored',
    },
  };
}
