// Process control: the prctl(2) options libc and shells use, and the personality(2) bits that decide how an
// i386 program's address space is laid out (READ_IMPLIES_EXEC for binaries without PT_GNU_STACK,
// ADDR_NO_RANDOMIZE for reproducible runs). Layer: abi (data only, imports nothing). Written from the
// Linux UAPI headers (linux/prctl.h, linux/personality.h); prctl.test.ts checks each value.

export const PR_SET_PDEATHSIG = 1;
export const PR_GET_PDEATHSIG = 2;
export const PR_GET_DUMPABLE = 3;
export const PR_SET_DUMPABLE = 4;
export const PR_GET_KEEPCAPS = 7;
export const PR_SET_KEEPCAPS = 8;
/** Set the thread's comm name (16 bytes with the NUL, as /proc/<pid>/comm shows). */
export const PR_SET_NAME = 15;
export const PR_GET_NAME = 16;
export const PR_GET_SECCOMP = 21;
export const PR_SET_SECCOMP = 22;
export const PR_CAPBSET_READ = 23;
export const PR_CAPBSET_DROP = 24;
export const PR_GET_SECUREBITS = 27;
export const PR_SET_SECUREBITS = 28;
export const PR_SET_TIMERSLACK = 29;
export const PR_GET_TIMERSLACK = 30;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_GET_CHILD_SUBREAPER = 37;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_GET_NO_NEW_PRIVS = 39;
export const PR_SET_THP_DISABLE = 41;
export const PR_GET_THP_DISABLE = 42;

/** The size of a task's comm name, including the NUL (the kernel's TASK_COMM_LEN). */
export const TASK_COMM_LEN = 16;

// personality(2): the execution domain in the low byte, behaviour flags above it.
export const PER_LINUX = 0x0000;
export const PER_MASK = 0x00ff;
export const UNAME26 = 0x0020000;
export const ADDR_NO_RANDOMIZE = 0x0040000;
export const FDPIC_FUNCPTRS = 0x0080000;
export const MMAP_PAGE_ZERO = 0x0100000;
export const ADDR_COMPAT_LAYOUT = 0x0200000;
/** Every readable mapping is also executable: what the kernel sets for i386 binaries lacking PT_GNU_STACK. */
export const READ_IMPLIES_EXEC = 0x0400000;
export const ADDR_LIMIT_32BIT = 0x0800000;
export const SHORT_INODE = 0x1000000;
export const WHOLE_SECONDS = 0x2000000;
export const STICKY_TIMEOUTS = 0x4000000;
export const ADDR_LIMIT_3GB = 0x8000000;
/** personality(0xffffffff) queries the current personality without changing it. */
export const PERSONALITY_QUERY = 0xffffffff;
