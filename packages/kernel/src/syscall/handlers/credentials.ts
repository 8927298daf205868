/**
 * The set*id and group syscalls: setuid, setgid, setreuid, setregid, setresuid, setresgid, getresuid,
 * getresgid, setfsuid, setfsgid, getgroups, setgroups, with Linux's permission rules: root may set anything;
 * others only among their real, effective and saved ids. Each comes in the 32-bit-id form glibc uses and
 * the 16-bit one of i386's first ABI (ids.ts: 0xffff in is -1, an id past 16 bits out is the overflow id).
 * Layer: kernel syscall handlers.
 */
import { EINVAL, EPERM } from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { TaskCredentials } from '../../proc/task-credentials.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, struct, writeUser } from '../user-args.js';
import { fromId16, type IdWidth, toId16 } from './ids.js';

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

/** Writes ids of `width` bytes (4, or 2 for the 16-bit calls) at `ptr`. */
function writeIds(t: Thread, ptr: number, values: readonly number[], width: IdWidth): void {
  const { bytes, view } = struct(values.length * width);
  values.forEach((v, i) => {
    if (width === 4) view.setUint32(i * width, v, true);
    else view.setUint16(i * width, toId16(v), true);
  });
  writeUser(t, ptr, bytes);
}

function getres(t: Thread, which: Which, rp: number, ep: number, sp: number, width: IdWidth): number {
  const [r, e, s] = ids(t.process.creds as TaskCredentials, which);
  writeIds(t, rp, [r], width);
  writeIds(t, ep, [e], width);
  writeIds(t, sp, [s], width);
  return 0;
}

function getgroups(t: Thread, size: number, ptr: number, width: IdWidth): number {
  const groups = t.process.creds.groups;
  if (size === 0) return groups.length;
  if (size < groups.length) throw new KernelError(EINVAL);
  if (groups.length > 0) writeIds(t, ptr, groups, width);
  return groups.length;
}

function setgroups(t: Thread, size: number, ptr: number, width: IdWidth): number {
  if (t.process.creds.euid !== 0) throw new KernelError(EPERM);
  if (size > NGROUPS_MAX) throw new KernelError(EINVAL);
  const view = size > 0 ? readUser(t, ptr, size * width) : null;
  const groups = Array.from({ length: size }, (_, i) =>
    width === 4 ? view!.getUint32(i * 4, true) : fromId16(view!.getUint16(i * 2, true)),
  );
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
  const id = fromId16;
  return {
    setuid32: { handler: (t, u) => setOne(t, 'user', u) },
    setgid32: { handler: (t, g) => setOne(t, 'group', g) },
    setreuid32: { handler: (t, r, e) => setre(t, 'user', r, e) },
    setregid32: { handler: (t, r, e) => setre(t, 'group', r, e) },
    setresuid32: { handler: (t, r, e, s) => setres(t, 'user', r, e, s) },
    setresgid32: { handler: (t, r, e, s) => setres(t, 'group', r, e, s) },
    getresuid32: { handler: (t, r, e, s) => getres(t, 'user', r, e, s, 4) },
    getresgid32: { handler: (t, r, e, s) => getres(t, 'group', r, e, s, 4) },
    setfsuid32: { handler: (t, u) => setfs(t, 'user', u) },
    setfsgid32: { handler: (t, g) => setfs(t, 'group', g) },
    getgroups32: { handler: (t, size, ptr) => getgroups(t, size, ptr, 4) },
    setgroups32: { handler: (t, size, ptr) => setgroups(t, size, ptr, 4) },
    setuid: { handler: (t, u) => setOne(t, 'user', id(u)) },
    setgid: { handler: (t, g) => setOne(t, 'group', id(g)) },
    setreuid: { handler: (t, r, e) => setre(t, 'user', id(r), id(e)) },
    setregid: { handler: (t, r, e) => setre(t, 'group', id(r), id(e)) },
    setresuid: { handler: (t, r, e, s) => setres(t, 'user', id(r), id(e), id(s)) },
    setresgid: { handler: (t, r, e, s) => setres(t, 'group', id(r), id(e), id(s)) },
    getresuid: { handler: (t, r, e, s) => getres(t, 'user', r, e, s, 2) },
    getresgid: { handler: (t, r, e, s) => getres(t, 'group', r, e, s, 2) },
    setfsuid: { handler: (t, u) => toId16(setfs(t, 'user', id(u))) },
    setfsgid: { handler: (t, g) => toId16(setfs(t, 'group', id(g))) },
    getgroups: { handler: (t, size, ptr) => getgroups(t, size, ptr, 2) },
    setgroups: { handler: (t, size, ptr) => setgroups(t, size, ptr, 2) },
  };
}
