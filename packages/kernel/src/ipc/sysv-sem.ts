/**
 * System V semaphore sets (semget, semop/semtimedop, semctl), as Linux's ipc/sem.c: a semop applies all its
 * operations or none (an operation may wait for a value to reach zero or to be large enough to subtract
 * from), in order, so several operations on one semaphore see each other; SEM_UNDO keeps a per-process
 * adjustment that is applied, clamped to 0..SEMVMX, when the process exits; SETVAL and SETALL clear the
 * adjustments of what they set. Waiters sleep on the set's queue and try again after every change; GETNCNT
 * and GETZCNT count them. IPC_RMID wakes them to EIDRM.
 * Layer: kernel ipc, over ipc-ids.ts; syscall/handlers/sysv-ipc.ts decodes the calls.
 */
import {
  E2BIG,
  EAGAIN,
  EFBIG,
  EIDRM,
  EINVAL,
  ERANGE,
  IPC_NOWAIT,
  SEM_UNDO,
  SEMAEM,
  SEMMNI,
  SEMMSL,
  SEMOPM,
  SEMVMX,
} from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import type { Process } from '../proc/process.js';
import { WaitQueue } from '../sched/wait-queue.js';
import {
  checkOwner,
  checkPermission,
  type IpcCaller,
  IpcIds,
  IpcObject,
  READ_BITS,
  READ_WRITE_BITS,
} from './ipc-ids.js';

/** One struct sembuf. */
export interface SemOp {
  readonly num: number;
  readonly op: number;
  readonly flags: number;
}

/** What a waiting semop waits for, so GETNCNT/GETZCNT can count it. */
interface Waiting {
  readonly num: number;
  readonly zero: boolean;
}

export class SemSet extends IpcObject {
  values: number[] = [];
  pids: number[] = [];
  otime = 0;
  readonly queue = new WaitQueue();
  readonly waiting = new Set<Waiting>();

  get size(): number {
    return this.values.length;
  }
}

export class SysvSem extends IpcIds<SemSet> {
  /** Each process's SEM_UNDO adjustments (set → amount per semaphore to add back at exit); exit drops them. */
  private readonly undo = new Map<Process, Map<SemSet, number[]>>();

  constructor() {
    super(SEMMNI);
  }

  /** semget. */
  get(key: number, nsems: number, flags: number, caller: IpcCaller, now: number): number {
    if (nsems < 0 || nsems > SEMMSL) throw new KernelError(EINVAL, 'semget: nsems');
    const fits = (found: SemSet) => {
      if (nsems > found.size) throw new KernelError(EINVAL, 'semget: more semaphores than the set has');
    };
    return this.getOrCreate(key, flags, caller, fits, (k, id, index, seq) => {
      if (nsems === 0) throw new KernelError(EINVAL, 'semget: an empty set');
      const set = new SemSet(k, id, index, seq, caller.euid, caller.egid, flags, now);
      set.values = new Array(nsems).fill(0);
      set.pids = new Array(nsems).fill(0);
      // A new set has not been operated on; its ctime is its creation.
      return set;
    }).id;
  }

  /** Checks a semop's arguments and permission (E2BIG, EFBIG, EACCES) before anything waits. */
  check(set: SemSet, ops: readonly SemOp[], caller: IpcCaller): void {
    if (ops.length > SEMOPM) throw new KernelError(E2BIG);
    if (ops.some((o) => o.num >= set.size)) throw new KernelError(EFBIG);
    checkPermission(set, ops.some((o) => o.op !== 0) ? READ_WRITE_BITS : READ_BITS, caller);
  }

  /**
   * One attempt at a semop: true when every operation applied, false when one must wait (the caller sleeps
   * on the set's queue and tries again); EAGAIN for an operation with IPC_NOWAIT, ERANGE past SEMVMX,
   * EIDRM once the set is gone.
   */
  tryOperate(set: SemSet, ops: readonly SemOp[], p: Process, now: number): boolean {
    if (set.removed) throw new KernelError(EIDRM);
    const values = set.values.slice();
    const adjust = this.undo.get(p)?.get(set)?.slice() ?? new Array(set.size).fill(0);
    for (const o of ops) {
      const current = values[o.num] as number;
      if (o.op === 0) {
        if (current !== 0) return this.blocked(o);
        continue;
      }
      const result = current + o.op;
      if (result < 0) return this.blocked(o);
      if (result > SEMVMX) throw new KernelError(ERANGE);
      if (o.flags & SEM_UNDO) {
        const undo = (adjust[o.num] as number) - o.op;
        if (undo < -SEMAEM - 1 || undo > SEMAEM) throw new KernelError(ERANGE);
        adjust[o.num] = undo;
      }
      values[o.num] = result;
    }
    set.values = values;
    for (const o of ops) set.pids[o.num] = p.pid;
    if (ops.some((o) => o.flags & SEM_UNDO)) this.undoOf(p).set(set, adjust);
    set.otime = now;
    if (ops.some((o) => o.op !== 0)) set.queue.wakeAll();
    return true;
  }

  private blocked(o: SemOp): false {
    if (o.flags & IPC_NOWAIT) throw new KernelError(EAGAIN);
    return false;
  }

  /** Marks a semop as waiting on `ops`' first blocking operation, for GETNCNT/GETZCNT; returns the unmark. */
  wait(set: SemSet, ops: readonly SemOp[]): () => void {
    const first = ops.find((o) =>
      o.op === 0 ? set.values[o.num] !== 0 : (set.values[o.num] as number) + o.op < 0,
    );
    if (!first) return () => {};
    const entry = { num: first.num, zero: first.op === 0 };
    set.waiting.add(entry);
    return () => set.waiting.delete(entry);
  }

  /** GETNCNT / GETZCNT. */
  waiters(set: SemSet, num: number, zero: boolean): number {
    let n = 0;
    for (const w of set.waiting) if (w.num === num && w.zero === zero) n++;
    return n;
  }

  /** SETVAL and SETALL: new values (ERANGE outside 0..SEMVMX), their adjustments cleared everywhere. */
  setValues(set: SemSet, first: number, values: readonly number[], pid: number, now: number): void {
    if (values.some((v) => v < 0 || v > SEMVMX)) throw new KernelError(ERANGE);
    values.forEach((v, i) => {
      set.values[first + i] = v;
      set.pids[first + i] = pid;
    });
    this.clearUndo(set, first, values.length);
    set.ctime = now;
    set.queue.wakeAll();
  }

  /** IPC_RMID: the set goes; waiters wake to EIDRM. */
  remove(set: SemSet, caller: IpcCaller): void {
    checkOwner(set, caller);
    this.drop(set);
    set.queue.wakeAll();
  }

  /** A process exits: its adjustments go back into the sets still there (exit_sem). */
  exit(p: Process): void {
    const adjustments = this.undo.get(p);
    if (!adjustments) return;
    this.undo.delete(p);
    for (const [set, adjust] of adjustments) {
      if (set.removed) continue;
      adjust.forEach((a, i) => {
        if (a === 0) return;
        set.values[i] = Math.min(SEMVMX, Math.max(0, (set.values[i] as number) + a));
        set.pids[i] = p.pid;
      });
      set.queue.wakeAll();
    }
  }

  private undoOf(p: Process): Map<SemSet, number[]> {
    let map = this.undo.get(p);
    if (!map) {
      map = new Map();
      this.undo.set(p, map);
    }
    return map;
  }

  /** Adjustments for semaphores first..first+count of `set` are cleared in every process (SETVAL, SETALL). */
  private clearUndo(set: SemSet, first: number, count: number): void {
    for (const map of this.undo.values()) {
      const adjust = map.get(set);
      if (adjust) for (let i = first; i < first + count; i++) adjust[i] = 0;
    }
  }
}
