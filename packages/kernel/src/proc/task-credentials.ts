/**
 * A task's full credentials: the VFS's Credentials (real, effective, filesystem ids, groups) plus the saved
 * set-user and set-group ids the set*id syscalls juggle. Replaced whole on every change, never mutated, so a
 * Credentials handed to the VFS stays what it was. Layer: kernel proc.
 */
import type { Credentials } from '../fs/credentials.js';

export interface TaskCredentials extends Credentials {
  readonly suid: number;
  readonly sgid: number;
}

/** Credentials for a task started by the kernel as `uid`/`gid`: every id the same. */
export function credentialsOf(uid: number, gid: number, groups: readonly number[] = []): TaskCredentials {
  return { uid, gid, euid: uid, egid: gid, suid: uid, sgid: gid, fsuid: uid, fsgid: gid, groups };
}
