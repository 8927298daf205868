/**
 * Errors crossing the VFS boundary. Filesystem plugins throw ErrnoErrors (any Error with a positive `errno`);
 * the syscall dispatcher knows only KernelError, so the VFS converts at its public entry points. Layer:
 * kernel VFS.
 */
import type { MaybePromise } from '@kmos/abi-driver';
import { KernelError } from '../kernel-error.js';

export function fsError(errno: number, detail = ''): KernelError {
  return new KernelError(errno, detail);
}

/** An ErrnoError from a plugin becomes a KernelError; anything else (a bug) passes through unchanged. */
export function toKernelError(error: unknown): unknown {
  if (error instanceof KernelError) return error;
  if (error instanceof Error) {
    const errno = (error as { errno?: unknown }).errno;
    if (typeof errno === 'number' && Number.isInteger(errno) && errno > 0) {
      return new KernelError(errno, error.message);
    }
  }
  return error;
}

/**
 * Runs `body`, converting plugin errors; the VFS's public methods go through it. A body that finished at
 * once (see maybe-sync.ts) gives its value at once.
 */
export function guarded<T>(body: () => MaybePromise<T>): MaybePromise<T> {
  try {
    const result = body();
    return result instanceof Promise ? result.catch(rethrowAsKernelError) : result;
  } catch (error) {
    throw toKernelError(error);
  }
}

function rethrowAsKernelError(error: unknown): never {
  throw toKernelError(error);
}
