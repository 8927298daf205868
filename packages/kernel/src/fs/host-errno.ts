/**
 * Host errors to guest errnos. The host is Linux, so node's error codes (`ENOENT`, `ENOTEMPTY`) are the
 * very names of @kmos/abi-linux's errno table; the number comes from that table, never from the host.
 * Layer: kernel VFS, used by hostfs.ts.
 */
import { EIO, ERRNO_NAMES } from '@kmos/abi-linux';
import type { KernelError } from '../kernel-error.js';
import { fsError } from './fs-error.js';

const BY_NAME = new Map<string, number>(Object.entries(ERRNO_NAMES).map(([n, name]) => [name, Number(n)]));

/** The Linux errno for a node:fs error (EIO for anything without a known code). */
export function hostErrno(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && BY_NAME.get(code)) || EIO;
}

export function hostError(error: unknown, what: string): KernelError {
  return fsError(hostErrno(error), `host: ${what}: ${(error as Error)?.message ?? error}`);
}

/** Runs a host call; host failures become KernelErrors, other exceptions pass through. */
export function onHost<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (
      (error as { code?: unknown } | null)?.code !== undefined &&
      typeof (error as { syscall?: unknown }).syscall === 'string'
    ) {
      throw hostError(error, what);
    }
    throw error;
  }
}
