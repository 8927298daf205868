/**
 * The wait status word wait4 reports (the WIFEXITED/WEXITSTATUS/WIFSIGNALED... encoding of <sys/wait.h>),
 * and how `kmos run` turns it into a host exit status (128 + signal, as a shell does). Layer: kernel proc.
 */

export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}

export function signaledStatus(signo: number, coreDumped: boolean): number {
  return (signo & 0x7f) | (coreDumped ? 0x80 : 0);
}

export function stoppedStatus(signo: number): number {
  return ((signo & 0xff) << 8) | 0x7f;
}

export const CONTINUED_STATUS = 0xffff;

/** The shell's view: the exit code, or 128 + the terminating signal. */
export function hostExitCode(status: number): number {
  const signo = status & 0x7f;
  return signo === 0 ? (status >> 8) & 0xff : 128 + signo;
}
