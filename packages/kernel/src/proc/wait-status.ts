/**
 * The wait status word wait4 reports (the WIFEXITED/WEXITSTATUS/WIFSIGNALED... encoding of <sys/wait.h>),
 * and how `kmos run` turns it into a host exit status (128 + signal, as a shell does). Layer: kernel proc.
 */

import { W_CONTINUED, W_EXITCODE, W_STOPCODE, W_TERMSIG_STATUS } from '@kmos/abi-linux';

export function exitedStatus(code: number): number {
  return W_EXITCODE(code, 0);
}

/**
 * A death by signal `signo`. The core-dump bit stays clear: kmOS writes no core file (a default 'core'
 * action ends the process as 'term' does), and Linux sets the bit only when a core was written.
 */
export function signaledStatus(signo: number): number {
  return W_TERMSIG_STATUS(signo & 0x7f, false);
}

export function stoppedStatus(signo: number): number {
  return W_STOPCODE(signo & 0xff);
}

export const CONTINUED_STATUS = W_CONTINUED;

/** The shell's view: the exit code, or 128 + the terminating signal. */
export function hostExitCode(status: number): number {
  const signo = status & 0x7f;
  return signo === 0 ? (status >> 8) & 0xff : 128 + signo;
}
