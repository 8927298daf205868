/**
 * The exit statuses of `kmos` (issue 4): 0 a clean poweroff or a command that did its job, 1 a kernel panic,
 * 2 a usage error or anything wrong with what the user asked for (a bad config, a refused plugin).
 * Layer: CLI.
 */
import { BootError, KernelPanic } from '@kmos/kernel';
import { CommanderError } from 'commander';
import type { CliIo } from './cli-io.js';

export const EXIT_OK = 0;
export const EXIT_PANIC = 1;
export const EXIT_USAGE = 2;

/** Reports an error as one line (with the stack under --debug) and says which status to exit with. */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text, whose exit code is 0).
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  if (error instanceof BootError) {
    io.err(`kmos: ${error.message}\n${stack}`);
    return EXIT_USAGE;
  }
  if (error instanceof KernelPanic) {
    io.err(`${error.message}\n${stack}`);
    return EXIT_PANIC;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(
    `kmos: internal error: ${message}\n${stack || (debug ? '' : '(run with --debug for the stack trace)\n')}`,
  );
  return EXIT_PANIC;
}
