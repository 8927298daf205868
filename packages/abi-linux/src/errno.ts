// Linux errno for the i386 user ABI: the numbers a syscall returns negated in %eax, their names and the
// messages glibc prints. Layer: abi (data only, imports nothing). The numbers and messages are generated
// from the host's headers into generated/errno.ts; this file adds the kernel-internal restart codes and
// two lookups. Used by the kernel's dispatcher (KernelError → -errno), strace-style tools and tests.
import { ERRNO_MESSAGES, ERRNO_NAMES } from './generated/errno.js';

export * from './generated/errno.js';

// Kernel-internal codes (include/linux/errno.h, not UAPI): a syscall interrupted by a signal returns one of
// these to the signal-delivery code, which rewrites it to EINTR or restarts the call. They never reach
// user space; the values are kernel facts with no user-space header to check them against.
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
/** Restart only if no handler ran (the signal was ignored or defaulted to a stop). */
export const ERESTARTNOHAND = 514;
export const ENOIOCTLCMD = 515;
/** Restart through restart_syscall (nanosleep, poll, futex with timeouts). */
export const ERESTART_RESTARTBLOCK = 516;

/** The largest errno; a syscall return value in [-MAX_ERRNO, -1] is an error (IS_ERR_VALUE). */
export const MAX_ERRNO = 4095;

/** The header name of an errno number (`14` → `'EFAULT'`), or null for an unassigned number. */
export function errnoName(errno: number): string | null {
  return ERRNO_NAMES[errno] ?? null;
}

/** The message glibc's strerror() prints, including its "Unknown error N" for unassigned numbers. */
export function strerror(errno: number): string {
  return ERRNO_MESSAGES[errno] ?? `Unknown error ${errno}`;
}
