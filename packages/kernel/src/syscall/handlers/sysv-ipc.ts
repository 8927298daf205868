/**
 * System V IPC calls: shmget, shmat, shmdt and shmctl, directly and through ipc(2), the multiplexer i386
 * glibc reaches them all by. Semaphores and message queues are not there yet: their ipc(2) calls are
 * ENOSYS, as on a kernel built without them. Layer: kernel syscall handlers, over ipc/sysv-shm.ts.
 */
import {
  EINVAL,
  ENOSYS,
  IPC_64,
  IPC_INFO,
  IPC_RMID,
  IPC_SET,
  IPC_STAT,
  MAP_FIXED,
  MAP_SHARED,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  SHM_EXEC,
  SHM_INFO,
  SHM_LOCK,
  SHM_LOCKED,
  SHM_RDONLY,
  SHM_REMAP,
  SHM_RND,
  SHM_STAT,
  SHM_STAT_ANY,
  SHM_UNLOCK,
  SHMAT,
  SHMCTL,
  SHMDT,
  SHMGET,
  SHMLBA,
  SHMMIN,
  SHMMNI,
  shmid64DsLayout,
} from '@kmos/abi-linux';
import {
  checkOwner,
  checkPermission,
  encodePerm,
  type IpcCaller,
  READ_BITS,
  READ_WRITE_BITS,
  setPerm,
} from '../../ipc/ipc-ids.js';
import { SHMMAX, type ShmSegment } from '../../ipc/sysv-shm.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { mmap } from '../../mm/mmap.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';

function callerOf(t: Thread): IpcCaller {
  const c = t.process.creds;
  return { pid: t.process.pid, euid: c.euid, egid: c.egid, groups: c.groups };
}

function nowSeconds(k: Kernel): number {
  return Math.floor(k.clock.epochNs() / 1e9);
}

/** shmat: maps the segment shared at `addr` (or where there is room); returns the address. */
function shmat(k: Kernel, t: Thread, id: number, addr: number, flags: number): number {
  const segment = k.shm.lookup(signed(id));
  const readOnly = (flags & SHM_RDONLY) !== 0;
  checkPermission(segment, readOnly ? READ_BITS : READ_WRITE_BITS, callerOf(t));
  let at = addr >>> 0;
  if (at % SHMLBA !== 0) {
    if (!(flags & SHM_RND)) throw new KernelError(EINVAL, 'shmat: unaligned address');
    at -= at % SHMLBA;
    if (at === 0 && flags & SHM_REMAP) throw new KernelError(EINVAL);
  }
  const as = t.process.mm;
  const end = at + Math.ceil(segment.sizeBytes / SHMLBA) * SHMLBA;
  if (at !== 0 && !(flags & SHM_REMAP) && !as.vmas.isFree(at, end)) {
    throw new KernelError(EINVAL, 'shmat: the range is in use');
  }
  const prot = PROT_READ | (readOnly ? 0 : PROT_WRITE) | (flags & SHM_EXEC ? PROT_EXEC : 0);
  const file = { source: segment.source, readable: true, writable: !readOnly };
  const mapped = mmap(as, at, segment.sizeBytes, prot, MAP_SHARED | (at !== 0 ? MAP_FIXED : 0), file, 0);
  segment.atime = nowSeconds(k);
  segment.lpid = t.process.pid;
  return mapped;
}

/** shmdt: unmaps the attach that starts at `addr` (every VMA of it, also when mprotect split it). */
function shmdt(k: Kernel, t: Thread, addr: number): number {
  const as = t.process.mm;
  const vmas = as.vmas.all();
  const first = vmas.findIndex((v) => v.start === addr >>> 0 && k.shm.bySource(v.cache?.source) !== null);
  if (first < 0) throw new KernelError(EINVAL, 'shmdt: no attach there');
  const head = vmas[first];
  const segment = k.shm.bySource(head.cache?.source) as ShmSegment;
  let end = head.end;
  for (let i = first + 1; i < vmas.length; i++) {
    const v = vmas[i];
    if (v.start !== end || v.cache !== head.cache || v.pgoff * 4096 !== v.start - head.start) break;
    end = v.end;
  }
  as.unmapRange(head.start, end);
  segment.dtime = nowSeconds(k);
  segment.lpid = t.process.pid;
  k.shm.sweep();
  return 0;
}

/** struct shmid64_ds of a segment. */
function encodeShmid(segment: ShmSegment): Uint8Array {
  const { bytes, view } = struct(shmid64DsLayout.sizeBytes);
  bytes.fill(0);
  const F = shmid64DsLayout.fields;
  encodePerm(view, F.shm_perm.offset, segment);
  view.setUint32(F.shm_segsz.offset, segment.sizeBytes, true);
  view.setUint32(F.shm_atime.offset, segment.atime, true);
  view.setUint32(F.shm_dtime.offset, segment.dtime, true);
  view.setUint32(F.shm_ctime.offset, segment.ctime, true);
  view.setInt32(F.shm_cpid.offset, segment.cpid, true);
  view.setInt32(F.shm_lpid.offset, segment.lpid, true);
  view.setUint32(F.shm_nattch.offset, segment.attaches, true);
  return bytes;
}

/** The unsigned longs of a struct shminfo64 or shm_info. */
function longs(values: readonly number[]): Uint8Array {
  const { bytes, view } = struct(values.length * 4);
  values.forEach((v, i) => {
    view.setUint32(i * 4, v >>> 0, true);
  });
  return bytes;
}

/** Pages a segment's size takes. */
const pagesOf = (bytes: number) => Math.ceil(bytes / 4096);

function shmctl(k: Kernel, t: Thread, id: number, rawCmd: number, buf: number): number {
  const cmd = rawCmd & ~IPC_64;
  const caller = callerOf(t);
  if (!(rawCmd & IPC_64) && cmd !== IPC_RMID && cmd !== SHM_LOCK && cmd !== SHM_UNLOCK) {
    throw new KernelError(EINVAL, 'shmctl: the old (non-IPC_64) structures');
  }
  switch (cmd) {
    case IPC_INFO:
      // struct shminfo64: shmmax, shmmin, shmmni, shmseg, shmall and four unused longs.
      writeUser(t, buf, longs([SHMMAX, SHMMIN, SHMMNI, SHMMNI, SHMMAX, 0, 0, 0, 0]));
      return k.shm.highestIndex;
    case SHM_INFO: {
      const all = k.shm.segments();
      const pages = all.reduce((n, s) => n + pagesOf(s.sizeBytes), 0);
      const resident = all.reduce((n, s) => n + s.cache.pageCount, 0);
      // struct shm_info: used_ids, shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes.
      writeUser(t, buf, longs([all.length, pages, resident, 0, 0, 0]));
      return k.shm.highestIndex;
    }
    case SHM_STAT:
    case SHM_STAT_ANY: {
      const segment = k.shm.atIndex(signed(id));
      if (cmd === SHM_STAT) checkPermission(segment, READ_BITS, caller);
      writeUser(t, buf, encodeShmid(segment));
      return segment.id;
    }
    case IPC_STAT: {
      const segment = k.shm.lookup(signed(id));
      checkPermission(segment, READ_BITS, caller);
      writeUser(t, buf, encodeShmid(segment));
      return 0;
    }
    case IPC_SET: {
      const segment = k.shm.lookup(signed(id));
      const v = readUser(t, buf, shmid64DsLayout.sizeBytes);
      setPerm(v, shmid64DsLayout.fields.shm_perm.offset, segment, caller, nowSeconds(k));
      return 0;
    }
    case IPC_RMID:
      k.shm.remove(k.shm.lookup(signed(id)), caller);
      return 0;
    case SHM_LOCK:
    case SHM_UNLOCK: {
      const segment = k.shm.lookup(signed(id));
      checkOwner(segment, caller);
      segment.mode = cmd === SHM_LOCK ? segment.mode | SHM_LOCKED : segment.mode & ~SHM_LOCKED;
      return 0;
    }
    default:
      throw new KernelError(EINVAL, 'shmctl command');
  }
}

export function sysvIpcSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const shmget = (t: Thread, key: number, size: number, flags: number) =>
    k.shm.get(signed(key), size >>> 0, flags, callerOf(t), nowSeconds(k));
  return {
    shmget: { handler: (t, key, size, flags) => shmget(t, key, size, flags) },
    shmat: { handler: (t, id, addr, flags) => shmat(k, t, id, addr, flags) },
    shmdt: { handler: (t, addr) => shmdt(k, t, addr) },
    shmctl: {
      handler: (t, id, cmd, buf) => shmctl(k, t, id, cmd, buf),
      status: 'partial',
      note: 'only the IPC_64 structures (what glibc uses)',
    },
    ipc: {
      handler: (t, call, first, second, third, ptr) => {
        const version = call >>> 16;
        switch (call & 0xffff) {
          case SHMAT: {
            if (version !== 0) throw new KernelError(EINVAL, 'ipc: iBCS2 shmat');
            const at = shmat(k, t, first, ptr, second);
            const { bytes, view } = struct(4);
            view.setUint32(0, at, true);
            writeUser(t, third, bytes);
            return 0;
          }
          case SHMDT:
            return shmdt(k, t, ptr);
          case SHMGET:
            return shmget(t, first, second, third);
          case SHMCTL:
            return shmctl(k, t, first, second, ptr);
          default:
            throw new KernelError(ENOSYS, 'ipc: semaphores and message queues');
        }
      },
      status: 'partial',
      note: 'shared memory only: semaphore and message queue calls are ENOSYS',
    },
  };
}
