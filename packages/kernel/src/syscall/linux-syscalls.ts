/**
 * The Linux i386 syscall table kmOS implements: every subsystem's handlers gathered in one table, plus the
 * syscalls deliberately left out with the errno Linux itself would give. `kmos syscalls` prints it;
 * docs/syscalls.md is generated from it. Layer: kernel syscall.
 */
import { ENOSYS, EPERM } from '@kmos/abi-linux';
import type { Kernel } from '../kernel.js';
import { adviceSyscalls } from './handlers/advice.js';
import { capabilitySyscalls } from './handlers/capabilities.js';
import { credentialSyscalls } from './handlers/credentials.js';
import { eventSyscalls } from './handlers/events.js';
import { fileCopySyscalls } from './handlers/file-copy.js';
import { fileIoSyscalls } from './handlers/file-io.js';
import { fileNameSyscalls } from './handlers/file-names.js';
import { fileSpaceSyscalls } from './handlers/file-space.js';
import { futexSyscalls } from './handlers/futex.js';
import { identitySyscalls } from './handlers/identity.js';
import { lifecycleSyscalls } from './handlers/lifecycle.js';
import { memorySyscalls } from './handlers/memory.js';
import { miscSyscalls } from './handlers/misc.js';
import { oldAbiSyscalls } from './handlers/old-abi.js';
import { pidfdSyscalls } from './handlers/pidfd.js';
import { pollSyscalls } from './handlers/poll.js';
import { prctlSyscalls } from './handlers/prctl.js';
import { processAccessSyscalls } from './handlers/process-access.js';
import { schedAttrSyscalls } from './handlers/sched-attr.js';
import { schedulingSyscalls } from './handlers/scheduling.js';
import { signalSyscalls } from './handlers/signals.js';
import { socketSyscalls } from './handlers/sockets.js';
import { syslogSyscalls } from './handlers/syslog.js';
import { sysvIpcSyscalls } from './handlers/sysv-ipc.js';
import { timeSyscalls } from './handlers/time.js';
import { timerSyscalls } from './handlers/timers.js';
import { xattrSyscalls } from './handlers/xattrs.js';
import { type SyscallImpl, SyscallTable, type Unimplemented } from './syscall-table.js';

/** Left out on purpose; the errno is what a program would see on a Linux kernel without the feature. */
const UNIMPLEMENTED: Record<string, Unimplemented> = {
  rseq: { errno: ENOSYS, note: 'glibc falls back when restartable sequences are missing' },
  ioperm: { errno: EPERM, note: 'port I/O from user space is not allowed' },
  iopl: { errno: EPERM, note: 'port I/O from user space is not allowed' },
  vm86: { errno: ENOSYS, note: 'no virtual-8086 mode' },
  vm86old: { errno: ENOSYS, note: 'no virtual-8086 mode' },
};

export function linuxSyscallTable(k: Kernel): SyscallTable {
  const poll = pollSyscalls(k);
  return new SyscallTable(
    {
      ...identitySyscalls(k),
      ...credentialSyscalls(k),
      ...capabilitySyscalls(k),
      ...lifecycleSyscalls(k),
      ...memorySyscalls(k),
      ...signalSyscalls(k),
      ...timeSyscalls(k),
      ...fileIoSyscalls(k),
      ...fileCopySyscalls(k),
      ...adviceSyscalls(),
      ...fileNameSyscalls(k),
      ...fileSpaceSyscalls(k),
      ...xattrSyscalls(k),
      ...miscSyscalls(k),
      ...prctlSyscalls(),
      ...schedulingSyscalls(k),
      ...schedAttrSyscalls(k),
      ...timerSyscalls(k),
      ...pidfdSyscalls(k),
      ...processAccessSyscalls(k),
      ...poll,
      ...oldAbiSyscalls(k, (poll._newselect as SyscallImpl).handler),
      ...eventSyscalls(k),
      ...socketSyscalls(k),
      ...sysvIpcSyscalls(k),
      ...syslogSyscalls(k),
      ...futexSyscalls(k, k?.futexes),
    },
    UNIMPLEMENTED,
  );
}

/** The table's entries without a running kernel (for `kmos syscalls` and docs): the handlers are never called. */
export function describeSyscalls(): readonly import('./syscall-table.js').SyscallEntry[] {
  return linuxSyscallTable(null as unknown as Kernel).entries;
}
