// Resource limits, usage and priorities: RLIMIT_*, RLIM_INFINITY, RUSAGE_*, PRIO_*. Layer: abi (data only,
// imports nothing). Written from the Linux UAPI headers (asm-generic/resource.h via linux/resource.h);
// resource.test.ts checks each value. struct rlimit/rlimit64/rusage layouts are in structs.ts.

export const RLIMIT_CPU = 0;
export const RLIMIT_FSIZE = 1;
export const RLIMIT_DATA = 2;
export const RLIMIT_STACK = 3;
export const RLIMIT_CORE = 4;
export const RLIMIT_RSS = 5;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_MEMLOCK = 8;
export const RLIMIT_AS = 9;
export const RLIMIT_LOCKS = 10;
export const RLIMIT_SIGPENDING = 11;
export const RLIMIT_MSGQUEUE = 12;
export const RLIMIT_NICE = 13;
export const RLIMIT_RTPRIO = 14;
export const RLIMIT_RTTIME = 15;
export const RLIM_NLIMITS = 16;

/** "No limit" in a 32-bit struct rlimit (~0UL on i386). */
export const RLIM_INFINITY = 0xffffffff;
/** "No limit" in struct rlimit64 (prlimit64): all 64 bits set, so a bigint. */
export const RLIM64_INFINITY = 0xffffffffffffffffn;

// getrusage `who`.
export const RUSAGE_SELF = 0;
export const RUSAGE_CHILDREN = -1;
export const RUSAGE_BOTH = -2;
export const RUSAGE_THREAD = 1;

// getpriority / setpriority `which`, and the nice range.
export const PRIO_MIN = -20;
export const PRIO_MAX = 20;
export const PRIO_PROCESS = 0;
export const PRIO_PGRP = 1;
export const PRIO_USER = 2;
