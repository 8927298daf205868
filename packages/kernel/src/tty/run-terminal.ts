/**
 * `kmos run`'s terminal, tied to a kernel: a kmOS tty over the host terminal whose signals reach the
 * kernel's process groups, and the stdio files for the first process. A signal from the keyboard kicks the
 * trap loop, which ends a host sleep at once; a busy guest lets host events in every few milliseconds.
 * Layer: kernel host bridge, between run-program.ts and host-terminal.ts.
 */
import { SI_KERNEL } from '@kmos/abi-linux';
import type { OpenFile } from '../fs/open-file.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { sigInfo } from '../proc/siginfo.js';
import type { TaskCredentials } from '../proc/task-credentials.js';
import { attachHostTerminal, type HostTerminal } from './host-terminal.js';
import { TtyFile } from './tty-file.js';
import { ttySessions } from './tty-sessions.js';

export interface RunTerminal {
  readonly terminal: HostTerminal;
  /** Descriptors 0, 1 and 2: one open file description, as a login's stdio is. */
  readonly files: OpenFile[];
  /** The first process exists: it leads the foreground group and the session. */
  started(p: Process): void;
  close(): void;
}

/** The processes of group `pgid` get `signo` from the kernel (as n_tty's isig does with kill_pgrp). */
function signalGroup(k: Kernel, pgid: number, signo: number): void {
  for (const p of k.processes.inGroup(pgid)) k.signals.sendToProcess(p, sigInfo(signo, SI_KERNEL));
  k.kick();
}

export function openRunTerminal(
  k: Kernel,
  creds: TaskCredentials,
  stderrIsTerminal: boolean,
  stderr: OpenFile,
): RunTerminal {
  const terminal = attachHostTerminal({ signalGroup: (pgid, signo) => signalGroup(k, pgid, signo), pgid: 0 });
  const file = new TtyFile(terminal.tty, { uid: creds.uid, gid: creds.gid, minor: 0 });
  const files: OpenFile[] = [file, file.ref(), stderrIsTerminal ? file.ref() : stderr];
  return {
    terminal,
    files,
    started(p) {
      // The first process leads a session with this terminal as its controlling terminal, as a login's shell.
      terminal.tty.foregroundPgid = p.pgid;
      terminal.tty.sessionId = p.sid;
      terminal.tty.sessions = ttySessions(k);
      p.ctty = terminal.tty;
    },
    close() {
      terminal.restore();
    },
  };
}
