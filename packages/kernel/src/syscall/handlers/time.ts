/**
 * Clocks and sleeping: clock_gettime (32- and 64-bit time), clock_getres, gettimeofday, time, times,
 * getrusage, nanosleep, clock_nanosleep (resumed by restart_syscall after a stop), alarm, setitimer and
 * getitimer (ITIMER_REAL on the clock here; the CPU-time timers in proc/cpu-timers.ts). Guest time comes from the kernel's VirtualClock
 * (instructions by default, deterministic; the host clock with --realtime); CPU time is instructions run.
 * Layer: kernel syscall handlers.
 */
import {
  CLOCK_BOOTTIME,
  CLOCK_MONOTONIC,
  CLOCK_MONOTONIC_COARSE,
  CLOCK_MONOTONIC_RAW,
  CLOCK_PROCESS_CPUTIME_ID,
  CLOCK_REALTIME,
  CLOCK_REALTIME_COARSE,
  CLOCK_THREAD_CPUTIME_ID,
  EINTR,
  EINVAL,
  ERESTART_RESTARTBLOCK,
  ITIMER_PROF,
  ITIMER_REAL,
  ITIMER_VIRTUAL,
  itimervalLayout,
  kernelTimespecLayout,
  RUSAGE_CHILDREN,
  RUSAGE_SELF,
  RUSAGE_THREAD,
  SI_KERNEL,
  SIGALRM,
  TIMER_ABSTIME,
  timespecLayout,
  timevalLayout,
  tmsLayout,
  USER_HZ,
} from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { getCpuTimer, processCpuNs, setCpuTimer } from '../../proc/cpu-timers.js';
import type { Process } from '../../proc/process.js';
import { sigInfo } from '../../proc/siginfo.js';
import type { Thread } from '../../proc/thread.js';
import { childrenUsage, encodeRusage, processUsage, threadUsage, type Usage } from '../../proc/usage.js';
import { sleepUntil } from '../../sched/sleep.js';
import { NS_PER_INSN } from '../../sched/virtual-clock.js';
import { WaitQueue } from '../../sched/wait-queue.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';

const NS = 1e9;
const NOBODY = new WaitQueue();

function clockNs(k: Kernel, t: Thread, clock: number): number {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      return k.clock.epochNs();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return k.clock.nowNs();
    case CLOCK_PROCESS_CPUTIME_ID:
      return processCpuNs(t.process);
    case CLOCK_THREAD_CPUTIME_ID:
      return t.insns * NS_PER_INSN;
    default:
      throw new KernelError(EINVAL, `clock ${clock}`);
  }
}

function writeTimespec(t: Thread, ptr: number, ns: number, time64: boolean): void {
  const layout = time64 ? kernelTimespecLayout : timespecLayout;
  const { bytes, view } = struct(layout.sizeBytes);
  const sec = Math.floor(ns / NS);
  if (time64) view.setBigInt64(0, BigInt(sec), true);
  else view.setInt32(0, sec, true);
  view.setInt32(layout.fields.tv_nsec.offset, Math.floor(ns - sec * NS), true);
  writeUser(t, ptr, bytes);
}

function readTimespecNs(t: Thread, ptr: number, time64: boolean): number {
  const layout = time64 ? kernelTimespecLayout : timespecLayout;
  const v = readUser(t, ptr, layout.sizeBytes);
  const sec = time64 ? Number(v.getBigInt64(0, true)) : v.getInt32(0, true);
  const nsec = v.getInt32(layout.fields.tv_nsec.offset, true);
  if (sec < 0 || nsec < 0 || nsec >= NS) throw new KernelError(EINVAL);
  return sec * NS + nsec;
}

/** clock_nanosleep/nanosleep: sleeps on the guest clock; an interrupted sleep reports what remains. */
async function sleep(
  k: Kernel,
  t: Thread,
  clock: number,
  flags: number,
  reqPtr: number,
  remPtr: number,
  time64: boolean,
) {
  const req = readTimespecNs(t, reqPtr, time64);
  const absolute = (flags & TIMER_ABSTIME) !== 0;
  const offset = clock === CLOCK_REALTIME ? k.clock.epochNs() - k.clock.nowNs() : 0;
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME)
    throw new KernelError(EINVAL);
  const deadline = absolute ? req - offset : k.clock.nowNs() + req;
  return sleepToDeadline(k, t, deadline, absolute ? 0 : remPtr, time64);
}

/**
 * Sleeps until the monotonic `deadline`. Interrupted, it reports what remains in `remPtr` and leaves a
 * restart block: after a stop and SIGCONT (no handler ran), restart_syscall sleeps on to the same deadline.
 */
async function sleepToDeadline(k: Kernel, t: Thread, deadline: number, remPtr: number, time64: boolean) {
  try {
    await sleepUntil(t, k.clock, [NOBODY], () => k.clock.nowNs() >= deadline, deadline);
    return 0;
  } catch (error) {
    if (!(error instanceof KernelError)) throw error;
    if (remPtr !== 0) writeTimespec(t, remPtr, Math.max(0, deadline - k.clock.nowNs()), time64);
    t.restartBlock = (again) => sleepToDeadline(k, again, deadline, remPtr, time64);
    throw new KernelError(ERESTART_RESTARTBLOCK);
  }
}

/** getrusage: RUSAGE_SELF, RUSAGE_CHILDREN or RUSAGE_THREAD (anything else is EINVAL, as on Linux). */
function getrusage(t: Thread, who: number, ptr: number): number {
  let usage: Usage;
  if (who === RUSAGE_SELF) usage = processUsage(t.process);
  else if (who === RUSAGE_CHILDREN) usage = childrenUsage(t.process);
  else if (who === RUSAGE_THREAD) usage = threadUsage(t);
  else throw new KernelError(EINVAL);
  writeUser(t, ptr, encodeRusage(usage, NS_PER_INSN));
  return 0;
}

/** times(): the same CPU time as getrusage, in clock ticks; the return value is the monotonic clock in ticks. */
function times(k: Kernel, t: Thread, ptr: number): number {
  const ticks = (ns: number) => Math.floor((ns * USER_HZ) / NS);
  if (ptr !== 0) {
    const { bytes, view } = struct(tmsLayout.sizeBytes);
    view.setInt32(tmsLayout.fields.tms_utime.offset, ticks(processCpuNs(t.process)), true);
    view.setInt32(
      tmsLayout.fields.tms_cutime.offset,
      ticks(childrenUsage(t.process).insns * NS_PER_INSN),
      true,
    );
    writeUser(t, ptr, bytes);
  }
  return ticks(k.clock.nowNs());
}

/**
 * ITIMER_REAL, shared by alarm and setitimer: one SIGALRM timer per process on the guest clock, with an
 * optional interval that re-arms it. Replaced by each call.
 */
interface RealTimer {
  deadlineNs: number;
  readonly intervalNs: number;
  cancel: () => void;
}

const realTimers = new WeakMap<Process, RealTimer>();

/** Arms (or, with valueNs 0, disarms) the real timer; returns what was left of the old one. */
function setRealTimer(
  k: Kernel,
  p: Process,
  valueNs: number,
  intervalNs: number,
): { leftNs: number; intervalNs: number } {
  const old = realTimers.get(p);
  const previous = old
    ? { leftNs: Math.max(0, old.deadlineNs - k.clock.nowNs()), intervalNs: old.intervalNs }
    : { leftNs: 0, intervalNs: 0 };
  old?.cancel();
  realTimers.delete(p);
  if (valueNs > 0) {
    const timer: RealTimer = { deadlineNs: k.clock.nowNs() + valueNs, intervalNs, cancel: () => {} };
    const arm = () => {
      timer.cancel = k.clock.at(timer.deadlineNs, () => {
        k.signals.sendToProcess(p, sigInfo(SIGALRM, SI_KERNEL));
        if (timer.intervalNs > 0 && p.alive) {
          timer.deadlineNs += timer.intervalNs;
          arm();
        } else {
          realTimers.delete(p);
        }
      });
    };
    arm();
    realTimers.set(p, timer);
  }
  return previous;
}

function alarm(k: Kernel, t: Thread, seconds: number): number {
  const { leftNs } = setRealTimer(k, t.process, seconds * NS, 0);
  // Linux rounds the seconds left to the nearest, and never reports 0 for a timer that was still armed.
  return leftNs === 0 ? 0 : Math.max(1, Math.round(leftNs / NS));
}

function readItimerval(t: Thread, ptr: number): { valueNs: number; intervalNs: number } {
  const v = readUser(t, ptr, itimervalLayout.sizeBytes);
  const ns = (at: number) => {
    const sec = v.getInt32(at, true);
    const usec = v.getInt32(at + 4, true);
    if (sec < 0 || usec < 0 || usec >= 1e6) throw new KernelError(EINVAL);
    return sec * NS + usec * 1000;
  };
  return {
    intervalNs: ns(itimervalLayout.fields.it_interval.offset),
    valueNs: ns(itimervalLayout.fields.it_value.offset),
  };
}

function writeItimerval(t: Thread, ptr: number, valueNs: number, intervalNs: number): void {
  const { bytes, view } = struct(itimervalLayout.sizeBytes);
  const put = (at: number, ns: number) => {
    // A timer that has not fired yet never reads as zero (Linux rounds the remainder up to a microsecond).
    const usec = Math.ceil(ns / 1000);
    view.setInt32(at, Math.floor(usec / 1e6), true);
    view.setInt32(at + 4, usec % 1e6, true);
  };
  put(itimervalLayout.fields.it_interval.offset, intervalNs);
  put(itimervalLayout.fields.it_value.offset, valueNs);
  writeUser(t, ptr, bytes);
}

/** The CPU-time timer `which` names, 'real' for ITIMER_REAL; EINVAL for anything else. */
function itimerKind(which: number): 'real' | 'virtual' | 'prof' {
  if (which === ITIMER_REAL) return 'real';
  if (which === ITIMER_VIRTUAL) return 'virtual';
  if (which === ITIMER_PROF) return 'prof';
  throw new KernelError(EINVAL);
}

function setitimer(k: Kernel, t: Thread, which: number, newPtr: number, oldPtr: number): number {
  const kind = itimerKind(which);
  const next = newPtr === 0 ? { valueNs: 0, intervalNs: 0 } : readItimerval(t, newPtr);
  const old =
    kind === 'real'
      ? setRealTimer(k, t.process, next.valueNs, next.intervalNs)
      : setCpuTimer(t.process, kind, next.valueNs, next.intervalNs);
  if (oldPtr !== 0) writeItimerval(t, oldPtr, old.leftNs, old.intervalNs);
  return 0;
}

function getitimer(k: Kernel, t: Thread, which: number, ptr: number): number {
  const kind = itimerKind(which);
  if (kind !== 'real') {
    const { leftNs, intervalNs } = getCpuTimer(t.process, kind);
    writeItimerval(t, ptr, leftNs, intervalNs);
    return 0;
  }
  const timer = realTimers.get(t.process);
  writeItimerval(t, ptr, timer ? Math.max(0, timer.deadlineNs - k.clock.nowNs()) : 0, timer?.intervalNs ?? 0);
  return 0;
}

export function timeSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    clock_gettime: {
      handler: (t, clock, ptr) => {
        writeTimespec(t, ptr, clockNs(k, t, signed(clock)), false);
        return 0;
      },
    },
    clock_gettime64: {
      handler: (t, clock, ptr) => {
        writeTimespec(t, ptr, clockNs(k, t, signed(clock)), true);
        return 0;
      },
    },
    clock_getres: {
      handler: (t, clock, ptr) => {
        clockNs(k, t, signed(clock));
        if (ptr !== 0) writeTimespec(t, ptr, 1, false);
        return 0;
      },
    },
    clock_getres_time64: {
      handler: (t, clock, ptr) => {
        clockNs(k, t, signed(clock));
        if (ptr !== 0) writeTimespec(t, ptr, 1, true);
        return 0;
      },
    },
    gettimeofday: {
      handler: (t, tvPtr) => {
        if (tvPtr !== 0) {
          const ns = k.clock.epochNs();
          const { bytes, view } = struct(timevalLayout.sizeBytes);
          view.setInt32(0, Math.floor(ns / NS), true);
          view.setInt32(timevalLayout.fields.tv_usec.offset, Math.floor((ns % NS) / 1000), true);
          writeUser(t, tvPtr, bytes);
        }
        return 0;
      },
    },
    time: {
      handler: (t, ptr) => {
        const sec = Math.floor(k.clock.epochNs() / NS);
        if (ptr !== 0) writeUser(t, ptr, new Uint8Array(new Int32Array([sec]).buffer));
        return sec;
      },
    },
    times: { handler: (t, ptr) => times(k, t, ptr) },
    getrusage: {
      handler: (t, who, ptr) => getrusage(t, signed(who), ptr),
      status: 'partial',
      note: 'ru_stime is 0 (a syscall runs no guest instructions); every page fault counts as minor',
    },
    nanosleep: { handler: (t, req, rem) => sleep(k, t, CLOCK_MONOTONIC, 0, req, rem, false) },
    clock_nanosleep: {
      handler: (t, clock, flags, req, rem) => sleep(k, t, signed(clock), flags, req, rem, false),
    },
    clock_nanosleep_time64: {
      handler: (t, clock, flags, req, rem) => sleep(k, t, signed(clock), flags, req, rem, true),
    },
    alarm: { handler: (t, seconds) => alarm(k, t, seconds) },
    setitimer: {
      handler: (t, which, newPtr, oldPtr) => setitimer(k, t, which, newPtr, oldPtr),
      status: 'partial',
      note: 'ITIMER_VIRTUAL and ITIMER_PROF both run on CPU time in guest instructions (there is no system time)',
    },
    getitimer: { handler: (t, which, ptr) => getitimer(k, t, which, ptr) },
    restart_syscall: {
      handler: (t) => {
        const restart = t.restartBlock;
        t.restartBlock = null;
        if (!restart) throw new KernelError(EINTR);
        return restart(t);
      },
    },
  };
}

export { readTimespecNs, writeTimespec };
