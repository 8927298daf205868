/**
 * Scheduling attributes: nice values (getpriority, setpriority, nice), policies and their priorities
 * (sched_getscheduler/setscheduler/getparam/setparam, the priority ranges, sched_rr_get_interval), CPU
 * affinity and getcpu. As in Linux they belong to a thread (PRIO_PROCESS and the sched_* calls name a tid),
 * new threads and forked children inherit them, and the permission rules are Linux's: raising priority needs
 * root or RLIMIT_NICE/RLIMIT_RTPRIO, another user's thread needs root. kmOS has one CPU and one run queue:
 * the values are kept and reported (/proc/<pid>/stat too), the scheduler does not weigh them.
 * Layer: kernel syscall handlers.
 */
import {
  EACCES,
  EINVAL,
  EPERM,
  ESRCH,
  PRIO_PGRP,
  PRIO_PROCESS,
  PRIO_USER,
  RLIMIT_NICE,
  RLIMIT_RTPRIO,
  SCHED_BATCH,
  SCHED_FIFO,
  SCHED_IDLE,
  SCHED_NORMAL,
  SCHED_RESET_ON_FORK,
  SCHED_RR,
} from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Process } from '../../proc/process.js';
import type { Thread } from '../../proc/thread.js';
import { NS_PER_INSN } from '../../sched/virtual-clock.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';
import { writeTimespec } from './time.js';

const MIN_NICE = -20;
const MAX_NICE = 19;
const MAX_RT_PRIO = 99;
/** SCHED_RR's time slice in Linux (RR_TIMESLICE, 100 ms). */
const RR_TIMESLICE_NS = 100_000_000;
/** The CPUs there are: one. */
const ONLINE_CPUS = 1;

export function isRealtime(policy: number): boolean {
  return policy === SCHED_FIFO || policy === SCHED_RR;
}

function isKnownPolicy(policy: number): boolean {
  return policy === SCHED_NORMAL || policy === SCHED_BATCH || policy === SCHED_IDLE || isRealtime(policy);
}

/** The soft limit of `resource` as a number (the limits are small here; infinity is large enough). */
function softLimit(p: Process, resource: number): number {
  const limit = p.rlimits[resource]?.[0] ?? 0n;
  return limit > 0xffffn ? 0xffff : Number(limit);
}

/** Linux's can_nice: root, or a nice value RLIMIT_NICE allows (its limit is 20 - nice). */
export function canNice(t: Thread, nice: number): boolean {
  return t.process.creds.euid === 0 || 20 - nice <= softLimit(t.process, RLIMIT_NICE);
}

/** Linux's check_same_owner for acting on another thread: root, or its uid or euid is the caller's euid. */
export function mayChange(caller: Thread, target: Thread): boolean {
  const c = caller.process.creds;
  const p = target.process.creds;
  return c.euid === 0 || p.uid === c.euid || p.euid === c.euid;
}

/** The live thread `pid` names (0: the caller); EINVAL for a negative pid, ESRCH for none. */
export function threadOf(k: Kernel, t: Thread, pid: number): Thread {
  if (signed(pid) < 0) throw new KernelError(EINVAL);
  if (pid === 0) return t;
  const target = k.processes.threads.get(pid);
  if (!target?.alive) throw new KernelError(ESRCH);
  return target;
}

/** The threads getpriority/setpriority's `which` and `who` name (an empty list: ESRCH). */
function prioTargets(k: Kernel, t: Thread, which: number, who: number): Thread[] {
  const live = (p: Process) => p.threads.filter((thread) => thread.alive);
  switch (which) {
    case PRIO_PROCESS:
      if (who === 0) return [t];
      return k.processes.threads.get(who)?.alive ? [k.processes.threads.get(who) as Thread] : [];
    case PRIO_PGRP: {
      const pgid = who === 0 ? t.process.pgid : who;
      return [...k.processes.processes.values()].filter((p) => p.alive && p.pgid === pgid).flatMap(live);
    }
    case PRIO_USER: {
      const uid = who === 0 ? t.process.creds.uid : who;
      return [...k.processes.processes.values()].filter((p) => p.alive && p.creds.uid === uid).flatMap(live);
    }
    default:
      throw new KernelError(EINVAL);
  }
}

/** ioprio classes (linux/ioprio.h): the class sits above 13 bits of data. */
const IOPRIO_CLASS_SHIFT = 13;
const IOPRIO_CLASS_NONE = 0;
const IOPRIO_CLASS_RT = 1;
const IOPRIO_CLASS_IDLE = 3;
/** ioprio's `which` is getpriority's plus one (IOPRIO_WHO_PROCESS 1, PGRP 2, USER 3). */
const IOPRIO_WHO_OFFSET = 1;

function ioprioTargets(k: Kernel, t: Thread, which: number, who: number): Thread[] {
  if (which < 1 || which > 3) throw new KernelError(EINVAL);
  const targets = prioTargets(k, t, which - IOPRIO_WHO_OFFSET, signed(who));
  if (targets.length === 0) throw new KernelError(ESRCH);
  return targets;
}

/** ioprio_set: a class and level kept per thread (the real-time class needs root), as ionice sets them. */
function ioprioSet(k: Kernel, t: Thread, which: number, who: number, ioprio: number): number {
  const cls = (ioprio >>> IOPRIO_CLASS_SHIFT) & 0x7;
  const data = ioprio & ((1 << IOPRIO_CLASS_SHIFT) - 1);
  if (ioprio >>> 16 !== 0 || cls > IOPRIO_CLASS_IDLE) throw new KernelError(EINVAL);
  if (cls === IOPRIO_CLASS_NONE && data !== 0) throw new KernelError(EINVAL);
  if (cls === IOPRIO_CLASS_RT && t.process.creds.euid !== 0) throw new KernelError(EPERM);
  const targets = ioprioTargets(k, t, which, who);
  if (targets.some((target) => !mayChange(t, target))) throw new KernelError(EPERM);
  for (const target of targets) target.ioprio = ioprio;
  return 0;
}

/** ioprio_get: the targets' best (numerically lowest) priority, as ioprio_best picks it. */
function ioprioGet(k: Kernel, t: Thread, which: number, who: number): number {
  return Math.min(...ioprioTargets(k, t, which, who).map((target) => target.ioprio));
}

/** getpriority: 20 - the lowest nice among the targets (1..40; glibc turns it back into a nice value). */
function getpriority(k: Kernel, t: Thread, which: number, who: number): number {
  const targets = prioTargets(k, t, which, who);
  if (targets.length === 0) throw new KernelError(ESRCH);
  return 20 - Math.min(...targets.map((target) => target.nice));
}

/** setpriority: every target gets `nice` (clamped); EPERM or EACCES when a target may not be changed. */
function setpriority(k: Kernel, t: Thread, which: number, who: number, niceArg: number): number {
  const targets = prioTargets(k, t, which, who);
  if (targets.length === 0) throw new KernelError(ESRCH);
  const nice = Math.min(MAX_NICE, Math.max(MIN_NICE, signed(niceArg)));
  let error = 0;
  for (const target of targets) {
    if (!mayChange(t, target)) error = EPERM;
    else if (nice < target.nice && !canNice(t, nice)) error = EACCES;
    else target.nice = nice;
  }
  if (error !== 0) throw new KernelError(error);
  return 0;
}

/** nice(2): adds `increment` to the caller's nice value, clamped; lowering it needs can_nice (else EPERM). */
function nice(t: Thread, increment: number): number {
  const inc = Math.min(40, Math.max(-40, signed(increment)));
  const value = Math.min(MAX_NICE, Math.max(MIN_NICE, t.nice + inc));
  if (inc < 0 && !canNice(t, value)) throw new KernelError(EPERM);
  t.nice = value;
  return 0;
}

function readSchedPriority(t: Thread, ptr: number): number {
  if (ptr === 0) throw new KernelError(EINVAL);
  return readUser(t, ptr, 4).getInt32(0, true);
}

/** sched_setscheduler and sched_setparam (`policyArg` -1: keep the policy). */
function setscheduler(k: Kernel, t: Thread, pid: number, policyArg: number, paramPtr: number): number {
  const target = threadOf(k, t, pid);
  const policy = policyArg === -1 ? target.policy : policyArg & ~SCHED_RESET_ON_FORK;
  const resetOnFork = policyArg === -1 ? null : (policyArg & SCHED_RESET_ON_FORK) !== 0;
  applyScheduling(t, target, policy, readSchedPriority(t, paramPtr), resetOnFork);
  return 0;
}

/**
 * The checks and change sched_setscheduler, sched_setparam and sched_setattr share (__sched_setscheduler):
 * a known policy, a priority in its range, the caller allowed to change the target, and for unprivileged
 * callers RLIMIT_RTPRIO, RLIMIT_NICE out of SCHED_IDLE, and no clearing of reset-on-fork. `resetOnFork`
 * null keeps the flag.
 */
export function applyScheduling(
  t: Thread,
  target: Thread,
  policy: number,
  priority: number,
  resetOnFork: boolean | null,
): void {
  if (!isKnownPolicy(policy)) throw new KernelError(EINVAL);
  if (isRealtime(policy) ? priority < 1 || priority > MAX_RT_PRIO : priority !== 0)
    throw new KernelError(EINVAL);
  if (!mayChange(t, target)) throw new KernelError(EPERM);
  if (t.process.creds.euid !== 0) {
    // Unprivileged: real-time only up to RLIMIT_RTPRIO; out of SCHED_IDLE only as far as RLIMIT_NICE allows.
    if (isRealtime(policy) && priority > Math.max(target.rtPriority, softLimit(t.process, RLIMIT_RTPRIO)))
      throw new KernelError(EPERM);
    if (target.policy === SCHED_IDLE && policy !== SCHED_IDLE && !canNice(t, target.nice))
      throw new KernelError(EPERM);
    if (target.resetOnFork && resetOnFork === false) throw new KernelError(EPERM);
  }
  target.policy = policy;
  target.rtPriority = priority;
  if (resetOnFork !== null) target.resetOnFork = resetOnFork;
}

function priorityBound(policy: number, max: boolean): number {
  if (isRealtime(policy)) return max ? MAX_RT_PRIO : 1;
  if (policy === SCHED_NORMAL || policy === SCHED_BATCH || policy === SCHED_IDLE) return 0;
  throw new KernelError(EINVAL);
}

/** What sched_rr_get_interval reports: RR's slice, none for FIFO, the scheduler's time slice for the rest. */
export function rrInterval(k: Kernel, target: Thread): number {
  if (target.policy === SCHED_RR) return RR_TIMESLICE_NS;
  if (target.policy === SCHED_FIFO) return 0;
  return k.sched.sliceInsns * NS_PER_INSN;
}

export function schedulingSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    ioprio_set: {
      handler: (t, which, who, ioprio) => ioprioSet(k, t, which, who, ioprio),
      status: 'partial',
      note: 'kept and reported; there is no block I/O scheduler to weigh it',
    },
    ioprio_get: { handler: (t, which, who) => ioprioGet(k, t, which, who) },
    getpriority: { handler: (t, which, who) => getpriority(k, t, which, who) },
    setpriority: { handler: (t, which, who, value) => setpriority(k, t, which, who, value) },
    nice: { handler: (t, increment) => nice(t, increment) },
    sched_getscheduler: {
      handler: (t, pid) => {
        const target = threadOf(k, t, pid);
        return target.policy | (target.resetOnFork ? SCHED_RESET_ON_FORK : 0);
      },
    },
    sched_setscheduler: {
      handler: (t, pid, policy, paramPtr) => setscheduler(k, t, pid, signed(policy), paramPtr),
      status: 'partial',
      note: 'policies and priorities are kept and reported; the scheduler runs every thread alike',
    },
    sched_getparam: {
      handler: (t, pid, paramPtr) => {
        if (paramPtr === 0) throw new KernelError(EINVAL);
        const { bytes, view } = struct(4);
        view.setInt32(0, threadOf(k, t, pid).rtPriority, true);
        writeUser(t, paramPtr, bytes);
        return 0;
      },
    },
    sched_setparam: {
      handler: (t, pid, paramPtr) => setscheduler(k, t, pid, -1, paramPtr),
      status: 'partial',
      note: 'priorities are kept and reported; the scheduler runs every thread alike',
    },
    sched_get_priority_max: { handler: (_t, policy) => priorityBound(signed(policy), true) },
    sched_get_priority_min: { handler: (_t, policy) => priorityBound(signed(policy), false) },
    sched_rr_get_interval: {
      handler: (t, pid, ptr) => {
        writeTimespec(t, ptr, rrInterval(k, threadOf(k, t, pid)), false);
        return 0;
      },
    },
    sched_rr_get_interval_time64: {
      handler: (t, pid, ptr) => {
        writeTimespec(t, ptr, rrInterval(k, threadOf(k, t, pid)), true);
        return 0;
      },
    },
    sched_getaffinity: {
      handler: (t, pid, len, ptr) => {
        threadOf(k, t, pid);
        // Linux: the buffer must be whole longs and hold a bit per possible CPU.
        if (len < 4 || len % 4 !== 0) throw new KernelError(EINVAL);
        const { bytes, view } = struct(4);
        view.setUint32(0, (1 << ONLINE_CPUS) - 1, true);
        writeUser(t, ptr, bytes);
        return 4;
      },
    },
    sched_setaffinity: {
      handler: (t, pid, len, ptr) => {
        const target = threadOf(k, t, pid);
        if (!mayChange(t, target)) throw new KernelError(EPERM);
        // The mask must name an online CPU (only the first word matters with one CPU).
        const first =
          len >= 4 ? readUser(t, ptr, 4).getUint32(0, true) : len > 0 ? readUser(t, ptr, 1).getUint8(0) : 0;
        if ((first & ((1 << ONLINE_CPUS) - 1)) === 0) throw new KernelError(EINVAL);
        return 0;
      },
    },
    getcpu: {
      handler: (t, cpuPtr, nodePtr) => {
        const { bytes } = struct(4);
        if (cpuPtr !== 0) writeUser(t, cpuPtr, bytes);
        if (nodePtr !== 0) writeUser(t, nodePtr, bytes);
        return 0;
      },
    },
  };
}
