/**
 * Whether one process may look into another (ptrace_may_access with real credentials, as kcmp,
 * process_vm_readv/writev and get_robust_list ask): the same process, or the caller's real ids equal to the
 * target's real, effective and saved ids (user and group), or root (CAP_SYS_PTRACE). Layer: kernel proc.
 */
import type { Process } from './process.js';

export function mayAccessProcess(caller: Process, target: Process): boolean {
  if (caller === target) return true;
  const a = caller.creds;
  const b = target.creds;
  if (a.euid === 0) return true;
  const sameUser = a.uid === b.uid && a.uid === b.euid && a.uid === b.suid;
  const sameGroup = a.gid === b.gid && a.gid === b.egid && a.gid === b.sgid;
  return sameUser && sameGroup;
}
