// The ELF auxiliary vector: the (type, value) pairs the kernel puts on a new process's stack after envp,
// which ld.so and libc read with getauxval(). Layer: abi (data only, imports nothing). Written from the
// Linux UAPI headers (linux/auxvec.h, x86 asm/auxvec.h); auxv.test.ts checks the values and that every
// entry the running kernel hands a 32-bit program has a name here. Elf32_auxv_t's layout is in structs.ts.

export const AT_NULL = 0;
export const AT_IGNORE = 1;
export const AT_EXECFD = 2;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_NOTELF = 10;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_PLATFORM = 15;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_BASE_PLATFORM = 24;
export const AT_RANDOM = 25;
export const AT_HWCAP2 = 26;
/** Linux 6.3: the size of struct rseq the kernel supports (newer than the 6.1 UAPI headers this was checked with). */
export const AT_RSEQ_FEATURE_SIZE = 27;
/** Linux 6.3: the alignment struct rseq needs. */
export const AT_RSEQ_ALIGN = 28;
export const AT_EXECFN = 31;
/** x86: the entry point of the vDSO's __kernel_vsyscall (i386 only). */
export const AT_SYSINFO = 32;
/** x86: the address of the vDSO's ELF header. */
export const AT_SYSINFO_EHDR = 33;
export const AT_MINSIGSTKSZ = 51;

/** Auxv type → its header name. */
export const AUXV_NAMES: Readonly<Record<number, string>> = {
  0: 'AT_NULL',
  1: 'AT_IGNORE',
  2: 'AT_EXECFD',
  3: 'AT_PHDR',
  4: 'AT_PHENT',
  5: 'AT_PHNUM',
  6: 'AT_PAGESZ',
  7: 'AT_BASE',
  8: 'AT_FLAGS',
  9: 'AT_ENTRY',
  10: 'AT_NOTELF',
  11: 'AT_UID',
  12: 'AT_EUID',
  13: 'AT_GID',
  14: 'AT_EGID',
  15: 'AT_PLATFORM',
  16: 'AT_HWCAP',
  17: 'AT_CLKTCK',
  23: 'AT_SECURE',
  24: 'AT_BASE_PLATFORM',
  25: 'AT_RANDOM',
  26: 'AT_HWCAP2',
  27: 'AT_RSEQ_FEATURE_SIZE',
  28: 'AT_RSEQ_ALIGN',
  31: 'AT_EXECFN',
  32: 'AT_SYSINFO',
  33: 'AT_SYSINFO_EHDR',
  51: 'AT_MINSIGSTKSZ',
};

/** The number of bytes AT_RANDOM points at (glibc seeds the stack protector and pointer guard from them). */
export const AT_RANDOM_SIZE = 16;
/** The clock tick AT_CLKTCK reports: USER_HZ, the unit of times() and /proc tick counts. */
export const USER_HZ = 100;
