/**
 * Process file descriptors: pidfd_open, pidfd_send_signal and pidfd_getfd (waitid's P_PIDFD is in
 * lifecycle.ts), over ipc/pidfd.ts. Permissions as kill's (signals) and as ptrace's read access
 * (taking another process's descriptor: root or the same uid). Layer: kernel syscall handlers.
 */
import { EBADF, EINVAL, EPERM, ESRCH, O_NONBLOCK, SI_USER } from '@kmos/abi-linux';
import { PidFdFile } from '../../ipc/pidfd.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { sigInfo } from '../../proc/siginfo.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { signed } from '../user-args.js';
import { maySignal, queuedSigInfo } from './signals.js';

/** The highest signal number (_NSIG). */
const MAX_SIGNAL = 64;

function pidfdOf(t: Thread, fd: number): PidFdFile {
  const file = t.process.files.get(signed(fd));
  if (!(file instanceof PidFdFile)) throw new KernelError(EBADF, 'not a pidfd');
  return file;
}

function pidfdOpen(k: Kernel, t: Thread, pid: number, flags: number): number {
  if (flags & ~O_NONBLOCK || signed(pid) <= 0) throw new KernelError(EINVAL);
  const p = k.processes.processes.get(pid);
  if (!p) throw new KernelError(ESRCH);
  const owner = { uid: t.process.creds.euid, gid: t.process.creds.egid };
  return t.process.files.install(new PidFdFile(p, flags & O_NONBLOCK, owner), true);
}

/** pidfd_send_signal: kill's signal (SI_USER) or, with `infoPtr`, sigqueue's, to the pidfd's process. */
function pidfdSendSignal(
  k: Kernel,
  t: Thread,
  fd: number,
  signo: number,
  infoPtr: number,
  flags: number,
): number {
  if (flags !== 0) throw new KernelError(EINVAL, 'pidfd_send_signal flags');
  const target = pidfdOf(t, fd).process;
  if (signo > MAX_SIGNAL) throw new KernelError(EINVAL);
  if (!target.alive) throw new KernelError(ESRCH);
  if (!maySignal(t.process, target)) throw new KernelError(EPERM);
  const info =
    infoPtr === 0
      ? sigInfo(signo, SI_USER, { pid: t.process.pid, uid: t.process.creds.uid })
      : queuedSigInfo(t, infoPtr, signo, target);
  if (signo !== 0) k.signals.sendToProcess(target, info);
  return 0;
}

/** pidfd_getfd: a duplicate (close-on-exec) of descriptor `targetFd` of the pidfd's process. */
function pidfdGetfd(t: Thread, fd: number, targetFd: number, flags: number): number {
  if (flags !== 0) throw new KernelError(EINVAL, 'pidfd_getfd flags');
  const target = pidfdOf(t, fd).process;
  if (!target.alive) throw new KernelError(ESRCH);
  const me = t.process.creds;
  if (me.euid !== 0 && me.euid !== target.creds.uid) throw new KernelError(EPERM);
  if (!target.files.has(signed(targetFd))) throw new KernelError(EBADF);
  return t.process.files.install(target.files.get(signed(targetFd)).ref(), true);
}

export function pidfdSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    pidfd_open: { handler: (t, pid, flags) => pidfdOpen(k, t, pid, flags) },
    pidfd_send_signal: {
      handler: (t, fd, signo, info, flags) => pidfdSendSignal(k, t, fd, signo, info, flags),
    },
    pidfd_getfd: { handler: (t, fd, targetFd, flags) => pidfdGetfd(t, fd, targetFd, flags) },
  };
}
