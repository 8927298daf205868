/**
 * The kernel's message buffer (what `dmesg` will read): every line is kept with its guest timestamp and
 * written to the console once there is one; lines from before the console are replayed to it, as Linux's
 * early printk buffer is. Layer: kernel core.
 */
import type { Console } from '@kmos/abi-driver';
import type { LogLevel, LogSink } from './log.js';
import { WaitQueue } from './sched/wait-queue.js';

export interface KernelLine {
  readonly timeNs: number;
  readonly level: LogLevel;
  readonly subsystem: string;
  readonly message: string;
}

const encoder = new TextEncoder();

export class MessageBuffer {
  readonly lines: KernelLine[] = [];
  /** syslog(2)'s marks: lines before `clearedBefore` are cleared (SYSLOG_ACTION_CLEAR), before `readBefore` read. */
  clearedBefore = 0;
  readBefore = 0;
  /** Woken when a line is logged (a syslog reader waits for one). */
  readonly logged = new WaitQueue();
  private console: Console | null = null;

  constructor(
    private readonly clockNs: () => number,
    /** Whether lines are echoed on the console (the CLI's --quiet and `kmos run` turn it off). */
    private readonly echo: boolean,
    /** Told every line as it is logged (`kmos run` prints kernel errors, such as an OOM kill, on stderr). */
    private readonly listener: ((line: KernelLine) => void) | null = null,
  ) {}

  readonly sink: LogSink = (level, subsystem, message) => {
    const line = { timeNs: this.clockNs(), level, subsystem, message };
    this.lines.push(line);
    this.logged.wakeAll();
    this.listener?.(line);
    this.show(line);
  };

  attachConsole(console: Console): void {
    this.console = console;
    for (const line of this.lines) this.show(line);
  }

  private show(line: KernelLine): void {
    if (this.console && this.echo) this.console.write(encoder.encode(`${formatLine(line)}\n`));
  }
}

/** Syslog priorities of the log levels (KERN_ERR 3, KERN_WARNING 4, KERN_INFO 6, KERN_DEBUG 7). */
const SYSLOG_LEVELS: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/** A line as syslog(2) gives it to dmesg: `<6>[    0.000000] boot: ...`. */
export function syslogLine(line: KernelLine): string {
  return `<${SYSLOG_LEVELS[line.level] ?? 6}>${formatLine(line)}\n`;
}

/** `[    0.000000] boot: arch @kmos/cpu-i386@0.1.0`, as dmesg prints. */
export function formatLine(line: KernelLine): string {
  const seconds = (line.timeNs / 1e9).toFixed(6).padStart(12, ' ');
  return `[${seconds}] ${line.subsystem}: ${line.message}`;
}
