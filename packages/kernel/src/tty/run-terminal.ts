/**
 * `kmos run`'s terminal, tied to a kernel: a kmOS tty over the host terminal whose signals reach the
 * kernel's process groups, the stdio files for the first process, and (with --realtime) a poll tick.
 * The tick exists because the trap loop, with every thread asleep and a timer due later, sleeps on the host
 * until that timer: a ^C typed meanwhile (say during `sleep 10`) would wait for it. A timer every
 * TTY_POLL_NS bounds that wait. Without --realtime guest time jumps to the next timer at once, so no tick
 * is needed (nor wanted: it would spin). Known limit: a guest that never makes a blocking syscall keeps
 * the host event loop from running, so its ^C waits until it blocks.
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

/** How long a ^C may wait for the trap loop's host sleep under --realtime. */
const TTY_POLL_NS = 20_000_000;

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

function startTick(k: Kernel): () => void {
  let cancel = () => {};
  const tick = () => {
    cancel = k.clock.at(k.clock.nowNs() + TTY_POLL_NS, tick);
  };
  tick();
  return () => cancel();
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
  const stopTick = k.clock.realtime ? startTick(k) : () => {};
  return {
    terminal,
    files,
    started(p) {
      terminal.tty.foregroundPgid = p.pgid;
      terminal.tty.sessionId = p.sid;
    },
    close() {
      stopTick();
      terminal.restore();
    },
  };
}
