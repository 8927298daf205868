/**
 * System V IPC calls: shared memory (shmget, shmat, shmdt, shmctl), semaphores (semget, semop, semtimedop,
 * semctl) and message queues (msgget, msgsnd, msgrcv, msgctl), directly and through ipc(2), the
 * multiplexer i386 glibc reaches them all by. The waits (semop, msgsnd, msgrcv) are never restarted after
 * a handler, as signal(7) lists them. Layer: kernel syscall handlers, over ipc/sysv-*.ts.
 */
import type { UserPtr } from '@kmos/abi-driver';
import {
  E2BIG,
  EAGAIN,
  EINVAL,
  GETALL,
  GETNCNT,
  GETPID,
  GETVAL,
  GETZCNT,
  IPC_64,
  IPC_INFO,
  IPC_RMID,
  IPC_SET,
  IPC_STAT,
  MAP_FIXED,
  MAP_SHARED,
  MSG_INFO,
  MSG_STAT,
  MSG_STAT_ANY,
  MSGCTL,
  MSGGET,
  MSGMAX,
  MSGMNB,
  MSGMNI,
  MSGRCV,
  MSGSND,
  msqid64DsLayout,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  SEM_INFO,
  SEM_STAT,
  SEM_STAT_ANY,
  SEMAEM,
  SEMCTL,
  SEMGET,
  SEMMNI,
  SEMMSL,
  SEMOP,
  SEMOPM,
  SEMTIMEDOP,
  SEMVMX,
  SETALL,
  SETVAL,
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
  sembufLayout,
  semid64DsLayout,
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
import type { MsgQueue } from '../../ipc/sysv-msg.js';
import type { SemOp, SemSet } from '../../ipc/sysv-sem.js';
import { SHMMAX, type ShmSegment } from '../../ipc/sysv-shm.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { mmap } from '../../mm/mmap.js';
import { copyFromUser } from '../../mm/usercopy.js';
import type { Thread } from '../../proc/thread.js';
import { notRestartedAfterHandler, sleepOnce } from '../../sched/sleep.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';
import { readTimespecNs } from './time.js';

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
      const all = k.shm.all();
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

// ---- semaphores ----------------------------------------------------------------------------------------

function readSemOps(t: Thread, ptr: number, count: number): SemOp[] {
  const size = sembufLayout.sizeBytes;
  const F = sembufLayout.fields;
  const v = readUser(t, ptr, count * size);
  return Array.from({ length: count }, (_, i) => ({
    num: v.getUint16(i * size + F.sem_num.offset, true),
    op: v.getInt16(i * size + F.sem_op.offset, true),
    flags: v.getInt16(i * size + F.sem_flg.offset, true),
  }));
}

/** semop/semtimedop: all the operations at once, waiting (up to the timeout: EAGAIN) until they can be. */
async function semtimedop(
  k: Kernel,
  t: Thread,
  id: number,
  opsPtr: number,
  count: number,
  timeout: number | null,
) {
  if (signed(count) < 1) throw new KernelError(EINVAL);
  if (count > SEMOPM) throw new KernelError(E2BIG);
  const ops = readSemOps(t, opsPtr, count);
  const set = k.sem.lookup(signed(id));
  k.sem.check(set, ops, callerOf(t));
  const deadline = timeout === null ? null : k.clock.nowNs() + timeout;
  for (;;) {
    if (k.sem.tryOperate(set, ops, t.process, nowSeconds(k))) return 0;
    const unmark = k.sem.wait(set, ops);
    try {
      const end = await notRestartedAfterHandler(sleepOnce(t, k.clock, set.queue, deadline));
      if (end === 'timeout') throw new KernelError(EAGAIN);
    } finally {
      unmark();
    }
  }
}

function encodeSemid(set: SemSet): Uint8Array {
  const { bytes, view } = struct(semid64DsLayout.sizeBytes);
  bytes.fill(0);
  const F = semid64DsLayout.fields;
  encodePerm(view, F.sem_perm.offset, set);
  view.setUint32(F.sem_otime.offset, set.otime, true);
  view.setUint32(F.sem_ctime.offset, set.ctime, true);
  view.setUint32(F.sem_nsems.offset, set.size, true);
  return bytes;
}

/** semctl; `arg` is the union semun's value (a number, or a pointer to a buffer or an array). */
function semctl(k: Kernel, t: Thread, id: number, num: number, rawCmd: number, arg: number): number {
  const cmd = rawCmd & ~IPC_64;
  const caller = callerOf(t);
  const now = nowSeconds(k);
  switch (cmd) {
    case IPC_INFO:
    case SEM_INFO: {
      const sets = k.sem.all();
      const info = cmd === IPC_INFO;
      const total = sets.reduce((n, s) => n + s.size, 0);
      // struct seminfo: semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem.
      const semmns = SEMMNI * SEMMSL;
      const fields = [
        semmns,
        SEMMNI,
        semmns,
        semmns,
        SEMMSL,
        SEMOPM,
        SEMOPM,
        info ? 20 : sets.length,
        SEMVMX,
        info ? SEMAEM : total,
      ];
      writeUser(t, arg, longs(fields));
      return k.sem.highestIndex;
    }
    case SEM_STAT:
    case SEM_STAT_ANY: {
      const set = k.sem.atIndex(signed(id));
      if (cmd === SEM_STAT) checkPermission(set, READ_BITS, caller);
      writeUser(t, arg, encodeSemid(set));
      return set.id;
    }
  }
  const set = k.sem.lookup(signed(id));
  const inRange = () => {
    if (num >= set.size) throw new KernelError(EINVAL, 'semctl: semaphore number');
  };
  switch (cmd) {
    case IPC_STAT:
      checkPermission(set, READ_BITS, caller);
      writeUser(t, arg, encodeSemid(set));
      return 0;
    case IPC_SET:
      setPerm(
        readUser(t, arg, semid64DsLayout.sizeBytes),
        semid64DsLayout.fields.sem_perm.offset,
        set,
        caller,
        now,
      );
      return 0;
    case IPC_RMID:
      k.sem.remove(set, caller);
      return 0;
    case GETVAL:
    case GETPID:
    case GETNCNT:
    case GETZCNT:
      checkPermission(set, READ_BITS, caller);
      inRange();
      if (cmd === GETVAL) return set.values[num] as number;
      if (cmd === GETPID) return set.pids[num] as number;
      return k.sem.waiters(set, num, cmd === GETZCNT);
    case GETALL: {
      checkPermission(set, READ_BITS, caller);
      const { bytes, view } = struct(set.size * 2);
      set.values.forEach((v, i) => {
        view.setUint16(i * 2, v, true);
      });
      writeUser(t, arg, bytes);
      return 0;
    }
    case SETVAL:
      checkPermission(set, READ_WRITE_BITS, caller);
      inRange();
      k.sem.setValues(set, num, [signed(arg)], t.process.pid, now);
      return 0;
    case SETALL: {
      checkPermission(set, READ_WRITE_BITS, caller);
      const v = readUser(t, arg, set.size * 2);
      const values = Array.from({ length: set.size }, (_, i) => v.getUint16(i * 2, true));
      k.sem.setValues(set, 0, values, t.process.pid, now);
      return 0;
    }
    default:
      throw new KernelError(EINVAL, 'semctl command');
  }
}

// ---- message queues ------------------------------------------------------------------------------------

/** The mtype long that starts a struct msgbuf, then its text. */
const MTYPE_BYTES = 4;

async function msgsnd(k: Kernel, t: Thread, id: number, ptr: number, size: number, flags: number) {
  if (signed(size) < 0 || size > MSGMAX || signed(id) < 0) throw new KernelError(EINVAL);
  const type = readUser(t, ptr, MTYPE_BYTES).getInt32(0, true);
  if (type < 1) throw new KernelError(EINVAL, 'msgsnd: mtype');
  const text = new Uint8Array(size);
  if (size > 0) copyFromUser(t.process.mm, (ptr + MTYPE_BYTES) as UserPtr, text);
  const q = k.msg.lookup(signed(id));
  checkPermission(q, 0o222, callerOf(t));
  while (!k.msg.trySend(q, type, text, flags, t.process.pid, nowSeconds(k))) {
    await notRestartedAfterHandler(sleepOnce(t, k.clock, q.queue));
  }
  return 0;
}

async function msgrcv(
  k: Kernel,
  t: Thread,
  id: number,
  ptr: number,
  size: number,
  wanted: number,
  flags: number,
) {
  if (signed(id) < 0 || signed(size) < 0) throw new KernelError(EINVAL);
  const q = k.msg.lookup(signed(id));
  k.msg.checkReceive(q, flags, callerOf(t));
  for (;;) {
    const got = k.msg.tryReceive(q, size, signed(wanted), flags, t.process.pid, nowSeconds(k));
    if (got) {
      const { bytes, view } = struct(MTYPE_BYTES + got.text.length);
      view.setInt32(0, got.type, true);
      bytes.set(got.text, MTYPE_BYTES);
      writeUser(t, ptr, bytes);
      return got.text.length;
    }
    await notRestartedAfterHandler(sleepOnce(t, k.clock, q.queue));
  }
}

function encodeMsqid(q: MsgQueue): Uint8Array {
  const { bytes, view } = struct(msqid64DsLayout.sizeBytes);
  bytes.fill(0);
  const F = msqid64DsLayout.fields;
  encodePerm(view, F.msg_perm.offset, q);
  view.setUint32(F.msg_stime.offset, q.stime, true);
  view.setUint32(F.msg_rtime.offset, q.rtime, true);
  view.setUint32(F.msg_ctime.offset, q.ctime, true);
  view.setUint32(F.msg_cbytes.offset, q.bytes, true);
  view.setUint32(F.msg_qnum.offset, q.messages.length, true);
  view.setUint32(F.msg_qbytes.offset, q.qbytes, true);
  view.setInt32(F.msg_lspid.offset, q.lspid, true);
  view.setInt32(F.msg_lrpid.offset, q.lrpid, true);
  return bytes;
}

function msgctl(k: Kernel, t: Thread, id: number, rawCmd: number, buf: number): number {
  const cmd = rawCmd & ~IPC_64;
  const caller = callerOf(t);
  switch (cmd) {
    case IPC_INFO:
    case MSG_INFO: {
      const queues = k.msg.all();
      const info = cmd === IPC_INFO;
      const messages = queues.reduce((n, q) => n + q.messages.length, 0);
      const bytes = queues.reduce((n, q) => n + q.bytes, 0);
      // struct msginfo: msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql (ints), msgseg (short).
      const { bytes: out, view } = struct(32);
      out.fill(0);
      const fields = info
        ? [(MSGMNI * MSGMNB) / 1024, MSGMNB, MSGMAX, MSGMNB, MSGMNI, 16, MSGMNB]
        : [queues.length, messages, MSGMAX, MSGMNB, MSGMNI, 16, bytes];
      fields.forEach((v, i) => {
        view.setInt32(i * 4, v, true);
      });
      view.setUint16(28, 0xffff, true);
      writeUser(t, buf, out);
      return k.msg.highestIndex;
    }
    case MSG_STAT:
    case MSG_STAT_ANY: {
      const q = k.msg.atIndex(signed(id));
      if (cmd === MSG_STAT) checkPermission(q, READ_BITS, caller);
      writeUser(t, buf, encodeMsqid(q));
      return q.id;
    }
    case IPC_STAT: {
      const q = k.msg.lookup(signed(id));
      checkPermission(q, READ_BITS, caller);
      writeUser(t, buf, encodeMsqid(q));
      return 0;
    }
    case IPC_SET: {
      const q = k.msg.lookup(signed(id));
      const v = readUser(t, buf, msqid64DsLayout.sizeBytes);
      setPerm(v, msqid64DsLayout.fields.msg_perm.offset, q, caller, nowSeconds(k));
      k.msg.setQueueBytes(q, v.getUint32(msqid64DsLayout.fields.msg_qbytes.offset, true), caller);
      return 0;
    }
    case IPC_RMID:
      k.msg.remove(k.msg.lookup(signed(id)), caller);
      return 0;
    default:
      throw new KernelError(EINVAL, 'msgctl command');
  }
}

export function sysvIpcSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const shmget = (t: Thread, key: number, size: number, flags: number) =>
    k.shm.get(signed(key), size >>> 0, flags, callerOf(t), nowSeconds(k));
  const semget = (t: Thread, key: number, nsems: number, flags: number) =>
    k.sem.get(signed(key), signed(nsems), flags, callerOf(t), nowSeconds(k));
  const msgget = (t: Thread, key: number, flags: number) =>
    k.msg.get(signed(key), flags, callerOf(t), nowSeconds(k));
  const timeoutAt = (t: Thread, ptr: number, time64: boolean) =>
    ptr === 0 ? null : readTimespecNs(t, ptr, time64);
  return {
    semget: { handler: (t, key, nsems, flags) => semget(t, key, nsems, flags) },
    semctl: { handler: (t, id, num, cmd, arg) => semctl(k, t, id, num, cmd, arg) },
    semtimedop_time64: {
      handler: (t, id, ops, count, timeout) => semtimedop(k, t, id, ops, count, timeoutAt(t, timeout, true)),
    },
    msgget: { handler: (t, key, flags) => msgget(t, key, flags) },
    msgsnd: { handler: (t, id, ptr, size, flags) => msgsnd(k, t, id, ptr, size, flags) },
    msgrcv: { handler: (t, id, ptr, size, type, flags) => msgrcv(k, t, id, ptr, size, type, flags) },
    msgctl: { handler: (t, id, cmd, buf) => msgctl(k, t, id, cmd, buf) },
    shmget: { handler: (t, key, size, flags) => shmget(t, key, size, flags) },
    shmat: { handler: (t, id, addr, flags) => shmat(k, t, id, addr, flags) },
    shmdt: { handler: (t, addr) => shmdt(k, t, addr) },
    shmctl: {
      handler: (t, id, cmd, buf) => shmctl(k, t, id, cmd, buf),
      status: 'partial',
      note: 'only the IPC_64 structures (what glibc uses)',
    },
    ipc: {
      handler: (t, call, first, second, third, ptr, fifth) => {
        const version = call >>> 16;
        switch (call & 0xffff) {
          case SEMOP:
            return semtimedop(k, t, first, ptr, second, null);
          case SEMTIMEDOP:
            return semtimedop(k, t, first, ptr, second, timeoutAt(t, fifth, false));
          case SEMGET:
            return semget(t, first, second, third);
          case SEMCTL:
            // The union semun comes by pointer through ipc(2).
            if (ptr === 0) throw new KernelError(EINVAL);
            return semctl(k, t, first, second, third, readUser(t, ptr, 4).getUint32(0, true));
          case MSGSND:
            return msgsnd(k, t, first, ptr, second, third);
          case MSGRCV: {
            if (version !== 0) return msgrcv(k, t, first, ptr, second, fifth, third);
            // Version 0 passes struct ipc_kludge { msgp, msgtyp }.
            const kludge = readUser(t, ptr, 8);
            return msgrcv(k, t, first, kludge.getUint32(0, true), second, kludge.getInt32(4, true), third);
          }
          case MSGGET:
            return msgget(t, first, second);
          case MSGCTL:
            return msgctl(k, t, first, second, ptr);
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
            throw new KernelError(EINVAL, 'ipc call');
        }
      },
    },
  };
}
