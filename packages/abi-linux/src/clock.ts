// Clocks and timers: clock ids, TIMER_ABSTIME, interval timer kinds and timerfd flags (USER_HZ is in auxv.ts).
// Layer: abi (data only, imports nothing). Written from the Linux UAPI headers (linux/time.h,
// linux/timerfd.h, asm/param.h); clock.test.ts checks each value.
import { O_CLOEXEC, O_NONBLOCK } from './fcntl.js';

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME_ID = 2;
export const CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_REALTIME_COARSE = 5;
export const CLOCK_MONOTONIC_COARSE = 6;
export const CLOCK_BOOTTIME = 7;
export const CLOCK_REALTIME_ALARM = 8;
export const CLOCK_BOOTTIME_ALARM = 9;
export const CLOCK_SGI_CYCLE = 10;
export const CLOCK_TAI = 11;
export const MAX_CLOCKS = 16;

/** clock_nanosleep / timer_settime flag: the time is absolute, not relative. */
export const TIMER_ABSTIME = 0x01;

// setitimer / getitimer `which`.
export const ITIMER_REAL = 0;
export const ITIMER_VIRTUAL = 1;
export const ITIMER_PROF = 2;

// timerfd.
export const TFD_TIMER_ABSTIME = 1 << 0;
export const TFD_TIMER_CANCEL_ON_SET = 1 << 1;
export const TFD_CLOEXEC = O_CLOEXEC;
export const TFD_NONBLOCK = O_NONBLOCK;

/** Nanoseconds in a second: the bound tv_nsec must stay below (EINVAL otherwise). */
export const NSEC_PER_SEC = 1_000_000_000;
