/**
 * The kernel's three kinds of failure at boot and after (STYLE.md, rule 5): a user error in what was asked of
 * it (a bad config, a refused plugin) is a BootError the CLI prints as one line and exits 2 on; a broken
 * invariant is a KernelPanic (exit 1); errors a guest sees are KernelError(errno), defined with the syscall
 * layer. Layer: kernel core; imports nothing else of the kernel.
 */

/** Something wrong with what the user asked for: the config file, a plugin it names. One sentence, no stack. */
export class BootError extends Error {
  override readonly name = 'BootError';
}

/** The config file is unreadable, not JSON, or breaks the schema. `where` is the file and, when known, the field. */
export class ConfigError extends BootError {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${file}${where ? `: ${where}` : ''}: ${problem}`);
  }
}

/** A plugin the config names failed one of the checks: found, of the right kind, ABI in range, complete. */
export class PluginRefusedError extends BootError {
  constructor(
    readonly plugin: string,
    readonly reason: string,
  ) {
    super(`Refused plugin ${plugin}: ${reason}.`);
  }
}

/** A broken kernel invariant: the machine stops with this message and the context it names. */
/** The panic when every process is blocked and nothing can wake any of them. */
export const DEADLOCK = 'every process is blocked and nothing can wake any of them (deadlock)';

export class KernelPanic extends Error {
  override readonly name = 'KernelPanic';
  constructor(message: string) {
    super(`Kernel panic - not syncing: ${message}`);
  }
}
