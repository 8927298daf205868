/**
 * Files with no inode in any filesystem (eventfd, epoll): what fstat reports for them, as Linux's
 * anon_inodefs does — one anonymous device, a fresh inode number each, mode 0600 owned by the creator.
 * Layer: kernel ipc.
 */
import type { MaybePromise } from '@kmos/abi-driver';
import { O_RDWR } from '@kmos/abi-linux';
import { OpenFile, type Stat } from '../fs/open-file.js';

/** The anonymous device (0:0x0e) and a counter of inode numbers, like anon_inodefs's. */
const ANON_DEV = 0x0e;
let nextIno = 1;

export abstract class AnonFile extends OpenFile {
  private readonly ino = nextIno++;

  constructor(
    flags: number,
    private readonly owner: { uid: number; gid: number },
  ) {
    super(O_RDWR | flags, null);
  }

  /** The name anon_inodefs gives the kind ("eventfd", "eventpoll"): /proc/<pid>/fd shows anon_inode:[name]. */
  protected abstract readonly anonKind: string;

  override pathlessName(): string {
    return `anon_inode:[${this.anonKind}]`;
  }

  fstat(): MaybePromise<Stat> {
    return pseudoStat(ANON_DEV, this.ino, 0o600, this.owner);
  }
}

/** fstat of a file of a kernel-internal filesystem (anon_inodefs, sockfs): empty, timeless, one link. */
export function pseudoStat(
  dev: number,
  ino: number,
  mode: number,
  owner: { uid: number; gid: number },
): Stat {
  const zero = { sec: 0, nsec: 0 };
  return {
    dev,
    ino,
    mode,
    nlink: 1,
    uid: owner.uid,
    gid: owner.gid,
    rdev: 0,
    sizeBytes: 0,
    blockSizeBytes: 4096,
    blocks: 0,
    atime: zero,
    mtime: zero,
    ctime: zero,
  };
}
