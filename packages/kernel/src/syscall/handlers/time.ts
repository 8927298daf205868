/**
 * Clocks and sleeping: clock_gettime (32- and 64-bit time), clock_getres, gettimeofday, time, times,
 * getrusage, nanosleep, clock_nanosleep, alarm. Guest time comes from the kernel's VirtualClock
 * (instructions by default, deterministic; the host clock with --realtime); CPU time is instructions run.
 * Layer: kernel syscall handlers.
 */
import {
  EINVAL,
  ERESTART_RESTARTBLOCK,
  kernelTimespecLayout,
  rusageLayout,
  SI_KERNEL,
  SIGALRM,
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

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_MONOTONIC_COARSE = 6;
const CLOCK_BOOTTIME = 7;
const TIMER_ABSTIME = 1;
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
async function sleep(k: Kernel, t: Thread, clock: number, flags: number, reqPtr: number, remPtr: number, time64: boolean) {
  const req = readTimespecNs(t, reqPtr, time64);
  const absolute = (flags & TIMER_ABSTIME) !== 0;
  const offset = clock === CLOCK_REALTIME ? k.clock.epochNs() - k.clock.nowNs() : 0;
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME) throw new KernelError(EINVAL);
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

/** alarm: one SIGALRM timer per process, replaced by each call; returns the seconds the old one had left. */
const alarms = new WeakMap<Process, { deadline: number; cancel: () => void }>();

function alarm(k: Kernel, t: Thread, seconds: number): number {
  const p = t.process;
  const old = alarms.get(p);
  const left = old ? Math.max(1, Math.round((old.deadline - k.clock.nowNs()) / NS)) : 0;
  old?.cancel();
  alarms.delete(p);
  if (seconds > 0) {
    const deadline = k.clock.nowNs() + seconds * NS;
    const cancel = k.clock.at(deadline, () => {
      alarms.delete(p);
      k.signals.sendToProcess(p, sigInfo(SIGALRM, SI_KERNEL));
    });
    alarms.set(p, { deadline, cancel });
  }
  return left;
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
          view.setInt32(tmsLayout.fields.tms_cutime.offset, ticks(t.process.childrenInsns * NS_PER_INSN), true);
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
    clock_nanosleep: { handler: (t, clock, flags, req, rem) => sleep(k, t, signed(clock), flags, req, rem, false) },
    clock_nanosleep_time64: { handler: (t, clock, flags, req, rem) => sleep(k, t, signed(clock), flags, req, rem, true) },
    alarm: { handler: (t, seconds) => alarm(k, t, seconds) },
  };
}

export { readTimespecNs, writeTimespec };
