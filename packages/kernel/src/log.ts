/**
 * The kernel log: one Logger per subsystem (boot, mm, cpu, syscall...), gated so a debug line costs one
 * boolean test when its subsystem is off. Lines go to a sink the embedder chooses (the CLI prints them to
 * stderr; tests collect them). Layer: kernel core.
 */
import type { Logger } from '@kmos/abi-driver';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LogSettings {
  readonly level: LogLevel;
  /** Subsystems whose debug lines are shown whatever the level. */
  readonly debug: readonly string[];
}

export type LogSink = (level: LogLevel, subsystem: string, message: string) => void;

export class KernelLog {
  constructor(
    private readonly settings: LogSettings,
    private readonly sink: LogSink,
  ) {}

  logger(subsystem: string): Logger {
    const rank = LEVEL_RANK[this.settings.level];
    const debugEnabled = rank === 0 || this.settings.debug.includes(subsystem);
    const emit = (level: LogLevel, message: string) => this.sink(level, subsystem, message);
    const nothing = () => {};
    return {
      debugEnabled,
      debug: debugEnabled ? (m) => emit('debug', m) : nothing,
      info: rank <= 1 ? (m) => emit('info', m) : nothing,
      warn: rank <= 2 ? (m) => emit('warn', m) : nothing,
      error: (m) => emit('error', m),
    };
  }
}
