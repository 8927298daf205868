/**
 * System V shared memory segments (shmget, shmat, shmdt, shmctl), as Linux's ipc/shm.c keeps them. A
 * segment's pages are one page cache over a zero-filled source, which the segment holds itself (so the
 * pages outlive every attach) and each attach maps MAP_SHARED; the number of attaches is the cache's
 * count of VMAs beyond the segment's own reference, which fork and exit keep right as they copy and drop
 * VMAs. IPC_RMID of an attached segment marks it SHM_DEST and makes its key private; it goes when its
 * last attach does (noticed at the next look at the table).
 * Layer: kernel ipc, over ipc-ids.ts; syscall/handlers/sysv-ipc.ts decodes the calls.
 */
import { EINVAL, IPC_PRIVATE, SHM_DEST, SHMMIN, SHMMNI } from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { AnonSharedSource, type PageCache, type PageCaches } from '../mm/page-cache.js';
import { checkOwner, type IpcCaller, IpcIds, IpcObject } from './ipc-ids.js';

/** Linux's default shmmax/shmall: ULONG_MAX - 2^24, on a 32-bit kernel. */
export const SHMMAX = 0xffffffff - 2 ** 24;

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

export class ShmSegment extends IpcObject {
  atime = 0;
  dtime = 0;
  lpid = 0;
  sizeBytes = 0;
  cpid = 0;
  source!: ShmSource;
  cache!: PageCache;

  /** Attaches now: VMAs naming the pages, less the segment's own reference. */
  get attaches(): number {
    return this.cache.vmaCount - 1;
  }

  get destroyed(): boolean {
    return (this.mode & SHM_DEST) !== 0;
  }
}

export class SysvShm extends IpcIds<ShmSegment> {
  constructor(private readonly caches: PageCaches) {
    super(SHMMNI);
  }

  /** shmget: the identifier of the segment for `key`, created as `flags` allow. */
  get(key: number, size: number, flags: number, caller: IpcCaller, now: number): number {
    this.sweep();
    const tooLarge = (found: ShmSegment) => {
      if (size > found.sizeBytes) throw new KernelError(EINVAL, 'shmget: larger than the segment');
    };
    return this.getOrCreate(key, flags, caller, tooLarge, (k, id, index, seq) => {
      if (size < SHMMIN || size > SHMMAX) throw new KernelError(EINVAL, 'shmget: size');
      const segment = new ShmSegment(k, id, index, seq, caller.euid, caller.egid, flags, now);
      segment.sizeBytes = size;
      segment.cpid = caller.pid;
      segment.source = new ShmSource(k, id);
      segment.cache = this.caches.attach(segment.source);
      return segment;
    }).id;
  }

  override lookup(id: number): ShmSegment {
    this.sweep();
    return super.lookup(id);
  }

  override atIndex(index: number): ShmSegment {
    this.sweep();
    return super.atIndex(index);
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
    for (const s of super.all()) {
      if (s.destroyed && s.attaches === 0) {
        this.drop(s);
        s.cache.unref();
      }
    }
  }

  override all(): ShmSegment[] {
    this.sweep();
    return super.all();
  }

  /** The segment whose pages `source` is, or null (shmdt looks its attaches up so). */
  bySource(source: unknown): ShmSegment | null {
    if (!(source instanceof ShmSource)) return null;
    try {
      return super.lookup(source.id);
    } catch {
      return null;
    }
  }
}
