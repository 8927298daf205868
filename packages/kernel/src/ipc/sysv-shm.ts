/**
 * System V shared memory segments (shmget, shmat, shmdt, shmctl), as Linux's ipc/shm.c keeps them. A
 * segment's pages are one page cache over a zero-filled source, which the segment holds itself (so the
 * pages outlive every attach) and each attach maps MAP_SHARED; the number of attaches is the cache's
 * count of VMAs beyond the segment's own reference, which fork and exit keep right as they copy and drop
 * VMAs. IPC_RMID of an attached segment marks it SHM_DEST and makes its key private; it goes when its
 * last attach does (noticed at the next look at the table). Identifiers are index + sequence * 32768,
 * as Linux numbers them; permissions follow ipcperms (owner, then creator, then group bits; root passes).
 * Layer: kernel ipc; syscall/handlers/sysv-ipc.ts decodes the calls.
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
  SHM_DEST,
  SHMMIN,
  SHMMNI,
} from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { AnonSharedSource, type PageCache, type PageCaches } from '../mm/page-cache.js';

/** Linux's default shmmax/shmall: ULONG_MAX - 2^24, on a 32-bit kernel. */
export const SHMMAX = 0xffffffff - 2 ** 24;
const SEQ_MULTIPLIER = 32768;
/** The permission bits ipcperms compares (read and write, for owner, group, others). */
const IPC_PERMISSION_BITS = 0o777;

/** Who asks: the ids ipcperms and the set/stat calls look at, and the pid recorded as creator or operator. */
export interface IpcCaller {
  readonly pid: number;
  readonly euid: number;
  readonly egid: number;
  readonly groups: readonly number[];
}

/** A segment's pages, named in /proc/<pid>/maps as Linux names them: /SYSV<key> (deleted). */
export class ShmSource extends AnonSharedSource {
  constructor(
    readonly key: number,
    readonly id: number,
  ) {
    super();
  }

  get identity() {
    const path = `/SYSV${(this.key >>> 0).toString(16).padStart(8, '0')} (deleted)`;
    return { devMajor: 0, devMinor: 1, ino: this.id, path };
  }
}

export class ShmSegment {
  /** Mode bits: permissions, SHM_DEST, SHM_LOCKED. */
  mode: number;
  uid: number;
  gid: number;
  atime = 0;
  dtime = 0;
  ctime: number;
  lpid = 0;

  constructor(
    public key: number,
    readonly id: number,
    readonly index: number,
    readonly seq: number,
    readonly sizeBytes: number,
    readonly source: ShmSource,
    readonly cache: PageCache,
    readonly cuid: number,
    readonly cgid: number,
    readonly cpid: number,
    mode: number,
    now: number,
  ) {
    this.mode = mode & IPC_PERMISSION_BITS;
    this.uid = cuid;
    this.gid = cgid;
    this.ctime = now;
  }

  /** Attaches now: VMAs naming the pages, less the segment's own reference. */
  get attaches(): number {
    return this.cache.vmaCount - 1;
  }

  get destroyed(): boolean {
    return (this.mode & SHM_DEST) !== 0;
  }
}

export class SysvShm {
  private readonly byIndex: (ShmSegment | undefined)[] = [];
  private lastIndex = -1;
  private seq = 0;

  constructor(private readonly caches: PageCaches) {}

  /** shmget: the identifier of the segment for `key`, created as `flags` allow. */
  get(key: number, size: number, flags: number, caller: IpcCaller, now: number): number {
    this.sweep();
    if (key !== IPC_PRIVATE) {
      const found = this.byIndex.find((s) => s !== undefined && s.key === key);
      if (found) {
        if (flags & IPC_CREAT && flags & IPC_EXCL) throw new KernelError(EEXIST);
        if (size > found.sizeBytes) throw new KernelError(EINVAL, 'shmget: larger than the segment');
        checkPermission(found, flags & IPC_PERMISSION_BITS, caller);
        return found.id;
      }
      if (!(flags & IPC_CREAT)) throw new KernelError(ENOENT);
    }
    if (size < SHMMIN || size > SHMMAX) throw new KernelError(EINVAL, 'shmget: size');
    return this.create(key, size, flags, caller, now).id;
  }

  private create(key: number, size: number, flags: number, caller: IpcCaller, now: number): ShmSegment {
    let index = this.byIndex.indexOf(undefined);
    if (index < 0) index = this.byIndex.length;
    if (index >= SHMMNI) throw new KernelError(ENOSPC);
    // Linux's sequence moves on whenever an index at or below the last one handed out is reused.
    if (index <= this.lastIndex) this.seq = (this.seq + 1) % (0x80000000 / SEQ_MULTIPLIER);
    this.lastIndex = index;
    const id = this.seq * SEQ_MULTIPLIER + index;
    const source = new ShmSource(key, id);
    const cache = this.caches.attach(source);
    const segment = new ShmSegment(
      key,
      id,
      index,
      this.seq,
      size,
      source,
      cache,
      caller.euid,
      caller.egid,
      caller.pid,
      flags,
      now,
    );
    this.byIndex[index] = segment;
    return segment;
  }

  /** The segment an identifier names: EINVAL when none (or the sequence is stale). */
  lookup(id: number): ShmSegment {
    this.sweep();
    const segment = id >= 0 ? this.byIndex[id % SEQ_MULTIPLIER] : undefined;
    if (!segment || segment.id !== id) throw new KernelError(EINVAL, 'no such segment');
    return segment;
  }

  /** SHM_STAT: by index instead of identifier. */
  atIndex(index: number): ShmSegment {
    this.sweep();
    const segment = index >= 0 ? this.byIndex[index] : undefined;
    if (!segment) throw new KernelError(EINVAL, 'no segment at that index');
    return segment;
  }

  /** IPC_RMID: gone now if nothing is attached, else once the last attach goes. */
  remove(segment: ShmSegment, caller: IpcCaller): void {
    checkOwner(segment, caller);
    segment.mode |= SHM_DEST;
    segment.key = IPC_PRIVATE;
    this.sweep();
  }

  /** Drops destroyed segments nobody has attached: their pages go with the segment's reference. */
  sweep(): void {
    for (const s of this.byIndex) {
      if (s?.destroyed && s.attaches === 0) {
        this.byIndex[s.index] = undefined;
        s.cache.unref();
      }
    }
  }

  /** The highest index in use (IPC_INFO and SHM_INFO return it), and the segments, for /proc/sysvipc/shm. */
  get highestIndex(): number {
    for (let i = this.byIndex.length - 1; i >= 0; i--) if (this.byIndex[i]) return i;
    return 0;
  }

  segments(): ShmSegment[] {
    this.sweep();
    return this.byIndex.filter((s): s is ShmSegment => s !== undefined);
  }

  /** The segment whose pages `cache` holds, or null (shmdt looks its attaches up so). */
  bySource(source: unknown): ShmSegment | null {
    return source instanceof ShmSource ? (this.byIndex[source.id % SEQ_MULTIPLIER] ?? null) : null;
  }
}

/**
 * ipcperms: the bits `wanted` (read 4, write 2, as rwx triplets) against the segment's owner, group or
 * other bits, whichever apply to the caller; root has CAP_IPC_OWNER.
 */
export function checkPermission(segment: ShmSegment, wanted: number, caller: IpcCaller): void {
  if (caller.euid === 0) return;
  const requested = ((wanted >> 6) | (wanted >> 3) | wanted) & 7;
  let granted = segment.mode;
  if (caller.euid === segment.uid || caller.euid === segment.cuid) granted >>= 6;
  else if (inGroup(caller, segment.gid) || inGroup(caller, segment.cgid)) granted >>= 3;
  if (requested & ~granted & 7) throw new KernelError(EACCES);
}

/** IPC_SET, IPC_RMID and SHM_LOCK need the owner, the creator or root. */
export function checkOwner(segment: ShmSegment, caller: IpcCaller): void {
  if (caller.euid !== 0 && caller.euid !== segment.uid && caller.euid !== segment.cuid)
    throw new KernelError(EPERM);
}

function inGroup(caller: IpcCaller, gid: number): boolean {
  return caller.egid === gid || caller.groups.includes(gid);
}
