/**
 * Reading a traced process's memory for `--strace`: the strings and buffers its syscall arguments point at,
 * through the same usercopy as the syscall itself, returning null instead of failing on a bad pointer.
 * Layer: kernel syscall (diagnostics).
 */
import type { UserPtr } from '@kmos/abi-driver';
import { copyFromUser, readUserString } from '../mm/usercopy.js';
import type { Thread } from '../proc/thread.js';

export function peekUserString(t: Thread, ptr: number, maxBytes: number): string | null {
  try {
    return readUserString(t.process.mm, ptr as UserPtr, maxBytes);
  } catch {
    return null;
  }
}

export function peekUserBytes(t: Thread, ptr: number, sizeBytes: number): Uint8Array | null {
  try {
    const bytes = new Uint8Array(sizeBytes);
    copyFromUser(t.process.mm, ptr as UserPtr, bytes);
    return bytes;
  } catch {
    return null;
  }
}
