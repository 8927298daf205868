/**
 * Who a process is and where it runs: pids and ids, process groups and sessions, uname, umask, resource
 * limits, the random source. Layer: kernel syscall handlers (thin: decode, then proc/).
 */
import {
  __NEW_UTS_LEN,
  EINVAL,
  EPERM,
  ESRCH,
  newUtsnameLayout,
  RLIM_NLIMITS,
  RLIMIT_AS,
  RLIMIT_NOFILE,
  rlimit64Layout,
  rlimitLayout,
} from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { limitsForAddressSpace } from '../../mm/address-space.js';
import type { Process } from '../../proc/process.js';
import { addressSpaceLimit, NR_OPEN, withLimit } from '../../proc/resource-limits.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';
import { toId16 } from './ids.js';

/** What uname reports: Linux, so glibc's kernel-version checks pass, and kmOS in the version string. */
export const UTS = {
  sysname: 'Linux',
  nodename: 'kmos',
  release: '6.1.0-kmos',
  version: '#1 SMP kmOS',
  machine: 'i686',
  domainname: '(none)',
};

function writeUtsname(t: Thread, ptr: number): number {
  const { bytes } = struct(newUtsnameLayout.sizeBytes);
  const fields = [UTS.sysname, UTS.nodename, UTS.release, UTS.version, UTS.machine, UTS.domainname];
  fields.forEach((value, i) => {
    bytes.set(Buffer.from(value, 'latin1'), i * (__NEW_UTS_LEN + 1));
  });
  writeUser(t, ptr, bytes);
  return 0;
}

function prlimit(
  k: Kernel,
  t: Thread,
  pid: number,
  resource: number,
  newPtr: number,
  oldPtr: number,
): number {
  const target = pid === 0 ? t : k.processes.processes.get(pid)?.mainThread;
  if (!target) throw new KernelError(ESRCH);
  if (resource >= RLIM_NLIMITS) throw new KernelError(EINVAL);
  const process = target.process;
  const limits = process.rlimits;
  const F = rlimit64Layout.fields;
  if (oldPtr !== 0) {
    const { bytes, view } = struct(rlimit64Layout.sizeBytes);
    view.setBigUint64(F.rlim_cur.offset, limits[resource]![0], true);
    view.setBigUint64(F.rlim_max.offset, limits[resource]![1], true);
    writeUser(t, oldPtr, bytes);
  }
  if (newPtr !== 0) {
    const view = readUser(t, newPtr, rlimit64Layout.sizeBytes);
    setLimit(
      t,
      process,
      resource,
      view.getBigUint64(F.rlim_cur.offset, true),
      view.getBigUint64(F.rlim_max.offset, true),
    );
  }
  return 0;
}

/** Sets a resource limit of `process` as `t` asks (EINVAL soft over hard, EPERM raising hard unprivileged). */
export function setLimit(t: Thread, process: Process, resource: number, soft: bigint, hard: bigint): void {
  if (resource >= RLIM_NLIMITS) throw new KernelError(EINVAL);
  const limits = process.rlimits;
  if (soft > hard) throw new KernelError(EINVAL);
  if (hard > limits[resource]![1] && t.process.creds.euid !== 0) throw new KernelError(EPERM);
  if (resource === RLIMIT_NOFILE && hard > BigInt(NR_OPEN)) throw new KernelError(EPERM);
  process.rlimits = withLimit(limits, resource, soft, hard);
  // The descriptor table hands out descriptors below the soft limit only.
  if (resource === RLIMIT_NOFILE) process.files.maxFds = Number(soft);
  // may_expand_vm reads RLIMIT_AS at every mmap, brk and mremap.
  if (resource === RLIMIT_AS) process.mm.limits = limitsForAddressSpace(addressSpaceLimit(process.rlimits));
}

/** getrlimit's 32-bit struct: infinity is 0xffffffff; larger limits are clamped to it. */
function getrlimit32(t: Thread, resource: number, ptr: number): number {
  if (resource >= RLIM_NLIMITS) throw new KernelError(EINVAL);
  const [soft, hard] = t.process.rlimits[resource]!;
  const clamp = (v: bigint) => (v > 0xffffffffn ? 0xffffffff : Number(v));
  const { bytes, view } = struct(rlimitLayout.sizeBytes);
  view.setUint32(rlimitLayout.fields.rlim_cur.offset, clamp(soft), true);
  view.setUint32(rlimitLayout.fields.rlim_max.offset, clamp(hard), true);
  writeUser(t, ptr, bytes);
  return 0;
}

function getpgidOrSid(k: Kernel, t: Thread, pid: number, which: 'pgid' | 'sid'): number {
  const p = pid === 0 ? t.process : k.processes.processes.get(pid);
  if (!p) throw new KernelError(ESRCH);
  return p[which];
}

function setpgid(k: Kernel, t: Thread, pid: number, pgid: number): number {
  const p = pid === 0 ? t.process : k.processes.processes.get(pid);
  if (!p || (p !== t.process && p.parent !== t.process)) throw new KernelError(ESRCH);
  if (signed(pgid) < 0) throw new KernelError(EINVAL);
  if (p.sid !== t.process.sid || p.pid === p.sid) throw new KernelError(EPERM);
  p.pgid = pgid === 0 ? p.pid : pgid;
  return 0;
}

function setsid(t: Thread): number {
  const p = t.process;
  if (p.pgid === p.pid) throw new KernelError(EPERM);
  p.sid = p.pid;
  p.pgid = p.pid;
  p.ctty = null;
  return p.sid;
}

export function identitySyscalls(k: Kernel): Record<string, SyscallImpl> {
  const id = (f: (t: Thread) => number): SyscallImpl => ({ handler: (t) => f(t) });
  return {
    getpid: id((t) => t.process.pid),
    gettid: id((t) => t.tid),
    getppid: id((t) => t.process.parent?.pid ?? 0),
    getuid: id((t) => toId16(t.process.creds.uid)),
    getuid32: id((t) => t.process.creds.uid),
    geteuid: id((t) => toId16(t.process.creds.euid)),
    geteuid32: id((t) => t.process.creds.euid),
    getgid: id((t) => toId16(t.process.creds.gid)),
    getgid32: id((t) => t.process.creds.gid),
    getegid: id((t) => toId16(t.process.creds.egid)),
    getegid32: id((t) => t.process.creds.egid),
    getpgrp: id((t) => t.process.pgid),
    getpgid: { handler: (t, pid) => getpgidOrSid(k, t, pid, 'pgid') },
    setpgid: { handler: (t, pid, pgid) => setpgid(k, t, pid, pgid) },
    getsid: { handler: (t, pid) => getpgidOrSid(k, t, pid, 'sid') },
    setsid: { handler: (t) => setsid(t) },
    uname: { handler: (t, ptr) => writeUtsname(t, ptr) },
    umask: {
      handler: (t, mask) => {
        const old = t.process.fs.umask;
        t.process.fs.umask = mask & 0o777;
        return old;
      },
    },
    prlimit64: {
      handler: (t, pid, resource, newPtr, oldPtr) => prlimit(k, t, pid, resource, newPtr, oldPtr),
    },
    ugetrlimit: { handler: (t, resource, ptr) => getrlimit32(t, resource, ptr) },
    getrlimit: { handler: (t, resource, ptr) => getrlimit32(t, resource, ptr) },
    getrandom: {
      handler: (t, ptr, len) => {
        const n = Math.min(len, 33554431);
        writeUser(t, ptr, k.random.fill(new Uint8Array(n)));
        return n;
      },
    },
    // A settled promise makes the dispatcher put the thread to sleep and wake it at once: the back of the queue.
    sched_yield: { handler: () => Promise.resolve(0) },
  };
}
