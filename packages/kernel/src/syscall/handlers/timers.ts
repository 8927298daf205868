/**
 * Timers: POSIX per-process timers (timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete)
 * and timer files (timerfd_create, timerfd_settime, timerfd_gettime, over ipc/timerfd.ts), in 32- and 64-bit
 * time, on the guest clock: CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME. A timer notifies by
 * a signal to the process (SIGEV_SIGNAL), to one of its threads (SIGEV_THREAD_ID, which glibc's SIGEV_THREAD
 * uses), or not at all (SIGEV_NONE). As in Linux: ids count from 0 per process; the signal carries SI_TIMER,
 * the timer id, the overrun count and the sigev_value; while a timer's signal is still pending further
 * expirations add to its overrun instead of queueing; fork does not copy timers and exec deletes them.
 * Layer: kernel syscall handlers, on the VirtualClock (sched/virtual-clock.ts).
 */
import {
  CLOCK_BOOTTIME,
  CLOCK_MONOTONIC,
  CLOCK_REALTIME,
  EINVAL,
  itimerspecLayout,
  kernelItimerspecLayout,
  SIGALRM,
  SIGEV_NONE,
  SIGEV_SIGNAL,
  SIGEV_THREAD_ID,
  sigeventLayout,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
  TFD_TIMER_ABSTIME,
  TFD_TIMER_CANCEL_ON_SET,
  TIMER_ABSTIME,
} from '@kmos/abi-linux';
import { TimerFdFile } from '../../ipc/timerfd.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { arm, type PosixTimer, timersOf } from '../../proc/posix-timers.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, setInt64, signed, struct, writeUser } from '../user-args.js';

const NS = 1e9;
/** The highest signal number (_NSIG). */
const MAX_SIGNAL = 64;

function timerOf(t: Thread, id: number): PosixTimer {
  const timer = timersOf.get(t.process)?.get(signed(id));
  if (!timer) throw new KernelError(EINVAL, `no timer ${signed(id)}`);
  return timer;
}

/** The clocks timers run on here; EINVAL for the CPU-time clocks and the rest. */
function checkClock(clock: number): void {
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME)
    throw new KernelError(EINVAL, `timers on clock ${clock}`);
}

function create(k: Kernel, t: Thread, clockArg: number, eventPtr: number, idPtr: number): number {
  const clock = signed(clockArg);
  checkClock(clock);
  let notify = SIGEV_SIGNAL;
  let signo = SIGALRM;
  let value: number | null = null;
  let thread: Thread | null = null;
  if (eventPtr !== 0) {
    const f = sigeventLayout.fields;
    const event = readUser(t, eventPtr, sigeventLayout.sizeBytes);
    value = event.getInt32(f.sigev_value.offset, true);
    signo = event.getInt32(f.sigev_signo.offset, true);
    notify = event.getInt32(f.sigev_notify.offset, true);
    if (notify === SIGEV_THREAD_ID) {
      const target = k.processes.threads.get(event.getInt32(f.sigev_notify_thread_id.offset, true));
      if (!target?.alive || target.process !== t.process) throw new KernelError(EINVAL, 'sigev thread');
      thread = target;
    } else if (notify !== SIGEV_SIGNAL && notify !== SIGEV_NONE) {
      throw new KernelError(EINVAL, `sigev_notify ${notify}`);
    }
    if (notify !== SIGEV_NONE && (signo < 1 || signo > MAX_SIGNAL))
      throw new KernelError(EINVAL, 'sigev_signo');
  }
  let timers = timersOf.get(t.process);
  if (!timers) {
    timers = new Map();
    timersOf.set(t.process, timers);
  }
  let id = 0;
  while (timers.has(id)) id++;
  // Without a sigevent the value is the timer's id, as POSIX and timer_create(2) say (a 6.18 host gave 0).
  const timer: PosixTimer = {
    id,
    clock,
    notify,
    signo,
    value: value ?? id,
    thread,
    deadlineNs: 0,
    intervalNs: 0,
    cancel: () => {},
    sent: null,
  };
  const { bytes, view } = struct(4);
  view.setInt32(0, id, true);
  writeUser(t, idPtr, bytes);
  timers.set(id, timer);
  return 0;
}

function readItimerspec(t: Thread, ptr: number, time64: boolean): { valueNs: number; intervalNs: number } {
  const layout = time64 ? kernelItimerspecLayout : itimerspecLayout;
  const v = readUser(t, ptr, layout.sizeBytes);
  const half = layout.sizeBytes / 2;
  const ns = (at: number) => {
    const sec = time64 ? Number(v.getBigInt64(at, true)) : v.getInt32(at, true);
    const nsec = v.getInt32(at + half / 2, true);
    if (sec < 0 || nsec < 0 || nsec >= NS) throw new KernelError(EINVAL, 'itimerspec');
    return sec * NS + nsec;
  };
  return {
    intervalNs: ns(layout.fields.it_interval.offset),
    valueNs: ns(layout.fields.it_value.offset),
  };
}

function writeItimerspec(t: Thread, ptr: number, valueNs: number, intervalNs: number, time64: boolean): void {
  const layout = time64 ? kernelItimerspecLayout : itimerspecLayout;
  const { bytes, view } = struct(layout.sizeBytes);
  const half = layout.sizeBytes / 2;
  const put = (at: number, ns: number) => {
    const sec = Math.floor(ns / NS);
    if (time64) setInt64(view, at, sec);
    else view.setInt32(at, sec, true);
    view.setInt32(at + half / 2, ns - sec * NS, true);
  };
  put(layout.fields.it_interval.offset, intervalNs);
  put(layout.fields.it_value.offset, valueNs);
  writeUser(t, ptr, bytes);
}

/** What is left before the timer expires (0 when disarmed). */
function remainingNs(k: Kernel, timer: PosixTimer): number {
  return timer.deadlineNs === 0 ? 0 : Math.max(1, timer.deadlineNs - k.clock.nowNs());
}

function settime(
  k: Kernel,
  t: Thread,
  id: number,
  flags: number,
  newPtr: number,
  oldPtr: number,
  time64: boolean,
) {
  const timer = timerOf(t, id);
  if (newPtr === 0) throw new KernelError(EINVAL);
  const next = readItimerspec(t, newPtr, time64);
  if (oldPtr !== 0) writeItimerspec(t, oldPtr, remainingNs(k, timer), timer.intervalNs, time64);
  timer.cancel();
  timer.cancel = () => {};
  timer.deadlineNs = 0;
  timer.intervalNs = next.intervalNs;
  if (next.valueNs === 0) return 0;
  arm(k, t.process, timer, deadlineOf(k, timer.clock, (flags & TIMER_ABSTIME) !== 0, next.valueNs));
  return 0;
}

/**
 * The monotonic deadline of a timer set to `valueNs` (not 0) on `clock`, absolute or from now; an absolute
 * time on the realtime clock keeps its distance from the monotonic one. A time already past is now.
 */
function deadlineOf(k: Kernel, clock: number, absolute: boolean, valueNs: number): number {
  const now = k.clock.nowNs();
  if (!absolute) return now + valueNs;
  const offset = clock === CLOCK_REALTIME ? k.clock.epochNs() - now : 0;
  return Math.max(valueNs - offset, now);
}

function timerFdCreate(k: Kernel, t: Thread, clockArg: number, flags: number): number {
  const clock = signed(clockArg);
  checkClock(clock);
  if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) throw new KernelError(EINVAL, 'timerfd_create flags');
  const owner = { uid: t.process.creds.euid, gid: t.process.creds.egid };
  const file = new TimerFdFile(clock, k.clock, flags & TFD_NONBLOCK, owner);
  return t.process.files.install(file, (flags & TFD_CLOEXEC) !== 0);
}

function timerFdOf(t: Thread, fd: number): TimerFdFile {
  const file = t.process.files.get(signed(fd));
  if (!(file instanceof TimerFdFile)) throw new KernelError(EINVAL, 'not a timerfd');
  return file;
}

/** timerfd_settime; TFD_TIMER_CANCEL_ON_SET is accepted: nothing sets the realtime clock here. */
function timerFdSettime(
  k: Kernel,
  t: Thread,
  fd: number,
  flags: number,
  newPtr: number,
  oldPtr: number,
  time64: boolean,
) {
  const file = timerFdOf(t, fd);
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) throw new KernelError(EINVAL, 'timerfd flags');
  const next = readItimerspec(t, newPtr, time64);
  const old = file.setting;
  const deadline =
    next.valueNs === 0 ? 0 : deadlineOf(k, file.clockId, (flags & TFD_TIMER_ABSTIME) !== 0, next.valueNs);
  file.set(deadline, next.intervalNs);
  if (oldPtr !== 0) writeItimerspec(t, oldPtr, old.leftNs, old.intervalNs, time64);
  return 0;
}

function timerFdGettime(t: Thread, fd: number, ptr: number, time64: boolean): number {
  const { leftNs, intervalNs } = timerFdOf(t, fd).setting;
  writeItimerspec(t, ptr, leftNs, intervalNs, time64);
  return 0;
}

export function timerSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const partial = {
    status: 'partial',
    note: 'CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME only',
  } as const;
  return {
    timer_create: {
      handler: (t, clock, eventPtr, idPtr) => create(k, t, clock, eventPtr, idPtr),
      ...partial,
    },
    timer_settime: {
      handler: (t, id, flags, newPtr, oldPtr) => settime(k, t, id, flags, newPtr, oldPtr, false),
    },
    timer_settime64: {
      handler: (t, id, flags, newPtr, oldPtr) => settime(k, t, id, flags, newPtr, oldPtr, true),
    },
    timer_gettime: {
      handler: (t, id, ptr) => {
        const timer = timerOf(t, id);
        writeItimerspec(t, ptr, remainingNs(k, timer), timer.intervalNs, false);
        return 0;
      },
    },
    timer_gettime64: {
      handler: (t, id, ptr) => {
        const timer = timerOf(t, id);
        writeItimerspec(t, ptr, remainingNs(k, timer), timer.intervalNs, true);
        return 0;
      },
    },
    timerfd_create: { handler: (t, clock, flags) => timerFdCreate(k, t, clock, flags), ...partial },
    timerfd_settime: {
      handler: (t, fd, flags, newPtr, oldPtr) => timerFdSettime(k, t, fd, flags, newPtr, oldPtr, false),
    },
    timerfd_settime64: {
      handler: (t, fd, flags, newPtr, oldPtr) => timerFdSettime(k, t, fd, flags, newPtr, oldPtr, true),
    },
    timerfd_gettime: { handler: (t, fd, ptr) => timerFdGettime(t, fd, ptr, false) },
    timerfd_gettime64: { handler: (t, fd, ptr) => timerFdGettime(t, fd, ptr, true) },
    timer_getoverrun: { handler: (t, id) => timerOf(t, id).sent?.overrun ?? 0 },
    timer_delete: {
      handler: (t, id) => {
        const timer = timerOf(t, id);
        timer.cancel();
        timersOf.get(t.process)?.delete(timer.id);
        return 0;
      },
    },
  };
}
