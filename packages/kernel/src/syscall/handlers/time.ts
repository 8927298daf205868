/**
 * Clocks and sleeping: clock_gettime (32- and 64-bit time), clock_getres, gettimeofday, time, times,
 * getrusage, nanosleep, clock_nanosleep, alarm. Guest time comes from the kernel's VirtualClock
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
  EINVAL,
  ERESTART_RESTARTBLOCK,
  ITIMER_PROF,
  ITIMER_REAL,
  ITIMER_VIRTUAL,
  itimervalLayout,
  kernelTimespecLayout,
  rusageLayout,
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
import type { Process } from '../../proc/process.js';
import { sigInfo } from '../../proc/siginfo.js';
import type { Thread } from '../../proc/thread.js';
import { sleepUntil } from '../../sched/sleep.js';
import { NS_PER_INSN } from '../../sched/virtual-clock.js';
import { WaitQueue } from '../../sched/wait-queue.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';

const NS = 1e9;
const NOBODY = new WaitQueue();

function processCpuNs(p: Process): number {
  let insns = p.deadThreadInsns;
  for (const t of p.threads) if (t.alive) insns += t.insns;
  return insns * NS_PER_INSN;
}

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
  try {
    await sleepUntil(t, k.clock, [NOBODY], () => k.clock.nowNs() >= deadline, deadline);
    return 0;
  } catch (error) {
    if (!absolute && remPtr !== 0) writeTimespec(t, remPtr, Math.max(0, deadline - k.clock.nowNs()), time64);
    if (error instanceof KernelError) throw new KernelError(ERESTART_RESTARTBLOCK);
    throw error;
  }
}

function writeRusage(t: Thread, ptr: number, cpuNs: number): void {
  const { bytes, view } = struct(rusageLayout.sizeBytes);
  const sec = Math.floor(cpuNs / NS);
  view.setInt32(rusageLayout.fields.ru_utime.offset, sec, true);
  view.setInt32(rusageLayout.fields.ru_utime.offset + 4, Math.floor((cpuNs - sec * NS) / 1000), true);
  writeUser(t, ptr, bytes);
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

function checkItimer(which: number): void {
  if (which === ITIMER_VIRTUAL || which === ITIMER_PROF)
    throw new KernelError(EINVAL, 'only ITIMER_REAL is kept');
  if (which !== ITIMER_REAL) throw new KernelError(EINVAL);
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
    times: {
      handler: (t, ptr) => {
        const ticks = (ns: number) => Math.floor((ns * USER_HZ) / NS);
        if (ptr !== 0) {
          const { bytes, view } = struct(tmsLayout.sizeBytes);
          view.setInt32(tmsLayout.fields.tms_utime.offset, ticks(processCpuNs(t.process)), true);
          view.setInt32(
            tmsLayout.fields.tms_cutime.offset,
            ticks(t.process.childrenInsns * NS_PER_INSN),
            true,
          );
          writeUser(t, ptr, bytes);
        }
        return ticks(k.clock.nowNs());
      },
    },
    getrusage: {
      handler: (t, who, ptr) => {
        const self = signed(who) === 0;
        writeRusage(t, ptr, self ? processCpuNs(t.process) : t.process.childrenInsns * NS_PER_INSN);
        return 0;
      },
      status: 'partial',
      note: 'only ru_utime is filled in (system time, faults and context switches read 0)',
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
      handler: (t, which, newPtr, oldPtr) => {
        checkItimer(which);
        const next = newPtr === 0 ? { valueNs: 0, intervalNs: 0 } : readItimerval(t, newPtr);
        const old = setRealTimer(k, t.process, next.valueNs, next.intervalNs);
        if (oldPtr !== 0) writeItimerval(t, oldPtr, old.leftNs, old.intervalNs);
        return 0;
      },
      status: 'partial',
      note: 'ITIMER_REAL only; ITIMER_VIRTUAL and ITIMER_PROF are EINVAL',
    },
    getitimer: {
      handler: (t, which, ptr) => {
        checkItimer(which);
        const timer = realTimers.get(t.process);
        writeItimerval(
          t,
          ptr,
          timer ? Math.max(0, timer.deadlineNs - k.clock.nowNs()) : 0,
          timer?.intervalNs ?? 0,
        );
        return 0;
      },
      status: 'partial',
      note: 'ITIMER_REAL only',
    },
  };
}

export { readTimespecNs, writeTimespec };
