/**
 * The set*id and group syscalls (the 32-bit-id forms glibc uses on i386): setuid, setgid, setreuid,
 * setregid, setresuid, setresgid, getresuid, getresgid, setfsuid, setfsgid, getgroups, setgroups, with
 * Linux's permission rules: root may set anything; others only among their real, effective and saved ids.
 * Layer: kernel syscall handlers.
 */
import type { UserPtr } from '@kmos/abi-driver';
import { EINVAL, EPERM } from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { putUser32 } from '../../mm/usercopy.js';
import type { TaskCredentials } from '../../proc/task-credentials.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, struct, writeUser } from '../user-args.js';

/** -1 as an id argument: leave that id as it is. */
const KEEP = 0xffffffff;
const NGROUPS_MAX = 65536;

type Which = 'user' | 'group';

function ids(c: TaskCredentials, which: Which): [number, number, number] {
  return which === 'user' ? [c.uid, c.euid, c.suid] : [c.gid, c.egid, c.sgid];
}

function withIds(c: TaskCredentials, which: Which, [r, e, s]: [number, number, number]): TaskCredentials {
  return which === 'user'
    ? { ...c, uid: r, euid: e, suid: s, fsuid: e }
    : { ...c, gid: r, egid: e, sgid: s, fsgid: e };
}

/** setres[ug]id: each id -1 to keep; unprivileged callers may pick only among their current three. */
function setres(t: Thread, which: Which, r: number, e: number, s: number): number {
  const c = t.process.creds as TaskCredentials;
  const current = ids(c, which);
  const privileged = c.euid === 0;
  const next = [r, e, s].map((v, i) => {
    if (v === KEEP) return current[i]!;
    if (!privileged && !current.includes(v)) throw new KernelError(EPERM);
    return v;
  }) as [number, number, number];
  t.process.creds = withIds(c, which, next);
  return 0;
}

/** set[ug]id: root sets all three; others only the effective id, to the real or saved one. */
function setOne(t: Thread, which: Which, id: number): number {
  const c = t.process.creds as TaskCredentials;
  const [r, , s] = ids(c, which);
  if (c.euid === 0) return setres(t, which, id, id, id);
  if (id !== r && id !== s) throw new KernelError(EPERM);
  return setres(t, which, KEEP, id, KEEP);
}

/** setre[ug]id: the saved id follows the new effective one when the real id is set or the effective changes. */
function setre(t: Thread, which: Which, r: number, e: number): number {
  const c = t.process.creds as TaskCredentials;
  const [oldR] = ids(c, which);
  const newE = e === KEEP ? ids(c, which)[1] : e;
  const saved = r !== KEEP || (e !== KEEP && e !== oldR) ? newE : KEEP;
  return setres(t, which, r, e, saved);
}

function getres(t: Thread, which: Which, rp: number, ep: number, sp: number): number {
  const [r, e, s] = ids(t.process.creds as TaskCredentials, which);
  putUser32(t.process.mm, rp as UserPtr, r);
  putUser32(t.process.mm, ep as UserPtr, e);
  putUser32(t.process.mm, sp as UserPtr, s);
  return 0;
}

function getgroups(t: Thread, size: number, ptr: number): number {
  const groups = t.process.creds.groups;
  if (size === 0) return groups.length;
  if (size < groups.length) throw new KernelError(EINVAL);
  const { bytes, view } = struct(groups.length * 4);
  groups.forEach((g, i) => {
    view.setUint32(i * 4, g, true);
  });
  if (groups.length > 0) writeUser(t, ptr, bytes);
  return groups.length;
}

function setgroups(t: Thread, size: number, ptr: number): number {
  if (t.process.creds.euid !== 0) throw new KernelError(EPERM);
  if (size > NGROUPS_MAX) throw new KernelError(EINVAL);
  const view = size > 0 ? readUser(t, ptr, size * 4) : null;
  const groups = Array.from({ length: size }, (_, i) => view!.getUint32(i * 4, true));
  t.process.creds = { ...(t.process.creds as TaskCredentials), groups };
  return 0;
}

/** setfs[ug]id returns the old fs id; it may be set to any of the caller's ids (or anything by root). */
function setfs(t: Thread, which: Which, id: number): number {
  const c = t.process.creds as TaskCredentials;
  const old = which === 'user' ? (c.fsuid ?? c.euid) : (c.fsgid ?? c.egid);
  const allowed = c.euid === 0 || [...ids(c, which), old].includes(id);
  if (id !== KEEP && allowed) t.process.creds = which === 'user' ? { ...c, fsuid: id } : { ...c, fsgid: id };
  return old;
}

export function credentialSyscalls(_k: Kernel): Record<string, SyscallImpl> {
  return {
    setuid32: { handler: (t, id) => setOne(t, 'user', id) },
    setgid32: { handler: (t, id) => setOne(t, 'group', id) },
    setreuid32: { handler: (t, r, e) => setre(t, 'user', r, e) },
    setregid32: { handler: (t, r, e) => setre(t, 'group', r, e) },
    setresuid32: { handler: (t, r, e, s) => setres(t, 'user', r, e, s) },
    setresgid32: { handler: (t, r, e, s) => setres(t, 'group', r, e, s) },
    getresuid32: { handler: (t, r, e, s) => getres(t, 'user', r, e, s) },
    getresgid32: { handler: (t, r, e, s) => getres(t, 'group', r, e, s) },
    setfsuid32: { handler: (t, id) => setfs(t, 'user', id) },
    setfsgid32: { handler: (t, id) => setfs(t, 'group', id) },
    getgroups32: { handler: (t, size, ptr) => getgroups(t, size, ptr) },
    setgroups32: { handler: (t, size, ptr) => setgroups(t, size, ptr) },
  };
}
