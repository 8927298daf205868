/**
 * CPU time for `kmos run --stats`: unlike elapsed time, it leaves out the time a virtual machine's CPU is
 * taken away (steal) and the time the thread waits for a core, so runs on a busy host compare better (a
 * neighbour sharing caches and cores still slows both). Layer: CLI.
 *
 * On Linux it is the calling thread's time on the CPU from /proc/thread-self/schedstat (nanoseconds): the
 * thread that runs the guest and the kernel, without V8's compiler threads beside it. Elsewhere it is the
 * process's user and system time, those threads included.
 */
import { readFileSync } from 'node:fs';

export interface CpuClock {
  /** Whose time it measures: "main thread" or "process". */
  readonly whose: string;
  /** CPU seconds so far. */
  seconds(): number;
}

function threadSeconds(): number {
  const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  if (!Number.isFinite(ns)) throw new Error('schedstat without a run time');
  return ns / 1e9;
}

function processSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export function cpuClock(): CpuClock {
  try {
    threadSeconds();
    return { whose: 'main thread', seconds: threadSeconds };
  } catch {
    return { whose: 'process', seconds: processSeconds };
  }
}
