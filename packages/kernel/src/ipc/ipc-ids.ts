/**
 * What the three System V IPC kinds (shared memory, semaphores, message queues) share, as Linux's
 * ipc/util.c: a table of objects by index with keys, identifiers index + sequence * 32768 (the sequence
 * moving on whenever an index at or below the last one handed out is reused), the permission record
 * struct ipc64_perm shows, and the checks ipcperms and the owner-only commands make.
 * Layer: kernel ipc.
 */
import {
  EACCES,
  EEXIST,
  EINVAL,
  ENOENT,
  ENOSPC,
  EPERM,
  IPC_CREAT,
  IPC_EXCL,
  IPC_PRIVATE,
  ipc64PermLayout,
} from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';

const SEQ_MULTIPLIER = 32768;
/** The permission bits ipcperms compares (read and write, for owner, group, others). */
export const IPC_PERMISSION_BITS = 0o777;
export const READ_BITS = 0o444;
export const READ_WRITE_BITS = 0o666;

/** Who asks: the ids ipcperms and the set/stat calls look at, and the pid recorded as creator or operator. */
export interface IpcCaller {
  readonly pid: number;
  readonly euid: number;
  readonly egid: number;
  readonly groups: readonly number[];
}

/** struct kern_ipc_perm: an object's key, identifier and owner; subclasses add their kind's state. */
export abstract class IpcObject {
  /** Permission bits, and the kind's own mode flags (SHM_DEST, SHM_LOCKED). */
  mode: number;
  uid: number;
  gid: number;
  ctime: number;
  /** Set when IPC_RMID removed it (waiters then see EIDRM). */
  removed = false;

  constructor(
    public key: number,
    readonly id: number,
    readonly index: number,
    readonly seq: number,
    readonly cuid: number,
    readonly cgid: number,
    mode: number,
    now: number,
  ) {
    this.mode = mode & IPC_PERMISSION_BITS;
    this.uid = cuid;
    this.gid = cgid;
    this.ctime = now;
  }
}

/** Makes an object of a kind at a given identifier (the table picks it). */
export type IpcFactory<T extends IpcObject> = (key: number, id: number, index: number, seq: number) => T;

/** A kind's table; SysvShm, SysvSem and SysvMsg extend it with their calls. */
export class IpcIds<T extends IpcObject> {
  private readonly byIndex: (T | undefined)[] = [];
  private lastIndex = -1;
  private seq = 0;

  constructor(private readonly maxObjects: number) {}

  /**
   * The *get calls' lookup: the object for `key` (EEXIST with IPC_CREAT|IPC_EXCL, then `check` on it), or a
   * new one from `make` when the key is IPC_PRIVATE or absent with IPC_CREAT (ENOENT without).
   */
  protected getOrCreate(
    key: number,
    flags: number,
    caller: IpcCaller,
    check: (found: T) => void,
    make: IpcFactory<T>,
  ): T {
    if (key !== IPC_PRIVATE) {
      const found = this.byIndex.find((o) => o !== undefined && o.key === key);
      if (found) {
        if (flags & IPC_CREAT && flags & IPC_EXCL) throw new KernelError(EEXIST);
        check(found);
        checkPermission(found, flags & IPC_PERMISSION_BITS, caller);
        return found;
      }
      if (!(flags & IPC_CREAT)) throw new KernelError(ENOENT);
    }
    let index = this.byIndex.indexOf(undefined);
    if (index < 0) index = this.byIndex.length;
    if (index >= this.maxObjects) throw new KernelError(ENOSPC);
    if (index <= this.lastIndex) this.seq = (this.seq + 1) % (0x80000000 / SEQ_MULTIPLIER);
    this.lastIndex = index;
    const made = make(key, this.seq * SEQ_MULTIPLIER + index, index, this.seq);
    this.byIndex[index] = made;
    return made;
  }

  /** The object an identifier names: EINVAL when none (or its sequence is stale). */
  lookup(id: number): T {
    const found = id >= 0 ? this.byIndex[id % SEQ_MULTIPLIER] : undefined;
    if (!found || found.id !== id) throw new KernelError(EINVAL, 'no such IPC object');
    return found;
  }

  /** *_STAT: by index instead of identifier. */
  atIndex(index: number): T {
    const found = index >= 0 ? this.byIndex[index] : undefined;
    if (!found) throw new KernelError(EINVAL, 'no IPC object at that index');
    return found;
  }

  /** Takes an object out of the table (its identifier is free again). */
  drop(object: T): void {
    if (this.byIndex[object.index] === object) this.byIndex[object.index] = undefined;
    object.removed = true;
  }

  /** The highest index in use (IPC_INFO and *_INFO return it). */
  get highestIndex(): number {
    for (let i = this.byIndex.length - 1; i >= 0; i--) if (this.byIndex[i]) return i;
    return 0;
  }

  all(): T[] {
    return this.byIndex.filter((o): o is T => o !== undefined);
  }
}

/**
 * ipcperms: the bits `wanted` (read 4, write 2, as rwx triplets) against the object's owner, group or
 * other bits, whichever apply to the caller; root has CAP_IPC_OWNER.
 */
export function checkPermission(object: IpcObject, wanted: number, caller: IpcCaller): void {
  if (caller.euid === 0) return;
  const requested = ((wanted >> 6) | (wanted >> 3) | wanted) & 7;
  let granted = object.mode;
  if (caller.euid === object.uid || caller.euid === object.cuid) granted >>= 6;
  else if (inGroup(caller, object.gid) || inGroup(caller, object.cgid)) granted >>= 3;
  if (requested & ~granted & 7) throw new KernelError(EACCES);
}

/** IPC_SET and IPC_RMID need the owner, the creator or root. */
export function checkOwner(object: IpcObject, caller: IpcCaller): void {
  if (caller.euid !== 0 && caller.euid !== object.uid && caller.euid !== object.cuid) {
    throw new KernelError(EPERM);
  }
}

function inGroup(caller: IpcCaller, gid: number): boolean {
  return caller.egid === gid || caller.groups.includes(gid);
}

/** struct ipc64_perm of an object, at `at` in `view`. */
export function encodePerm(view: DataView, at: number, object: IpcObject): void {
  const P = ipc64PermLayout.fields;
  view.setInt32(at + P.key.offset, object.key, true);
  view.setUint32(at + P.uid.offset, object.uid, true);
  view.setUint32(at + P.gid.offset, object.gid, true);
  view.setUint32(at + P.cuid.offset, object.cuid, true);
  view.setUint32(at + P.cgid.offset, object.cgid, true);
  view.setUint16(at + P.mode.offset, object.mode, true);
  view.setUint16(at + P.seq.offset, object.seq, true);
}

/** IPC_SET's common part: owner, group and permission bits from the caller's ipc64_perm at `at`. */
export function setPerm(view: DataView, at: number, object: IpcObject, caller: IpcCaller, now: number): void {
  checkOwner(object, caller);
  const P = ipc64PermLayout.fields;
  object.uid = view.getUint32(at + P.uid.offset, true);
  object.gid = view.getUint32(at + P.gid.offset, true);
  object.mode =
    (object.mode & ~IPC_PERMISSION_BITS) | (view.getUint16(at + P.mode.offset, true) & IPC_PERMISSION_BITS);
  object.ctime = now;
}
