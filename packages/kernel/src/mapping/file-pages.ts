/**
 * The bridge from the VFS to mm for file-backed mappings: one PageSource per (mount, inode), so every process
 * mapping the same file shares one page cache — the same frames for read-only text and for MAP_SHARED data.
 * Page reads must be synchronous (the fault path cannot wait); filesystems that answer asynchronously need
 * a synchronous block cache first (reported as EIO until then). Layer: kernel, between fs/ and mm/.
 */
import { PAGE_SIZE } from '@kmos/abi-driver';
import { EIO, ENODEV } from '@kmos/abi-linux';
import type { Dentry } from '../fs/dentry.js';
import { RegularFile } from '../fs/inode-file.js';
import type { CachedPages, Mount } from '../fs/mount-table.js';
import type { OpenFile } from '../fs/open-file.js';
import { KernelError } from '../kernel-error.js';
import type { MapFile } from '../mm/mmap.js';
import type { PageSource, SourceIdentity } from '../mm/page-cache.js';

class InodePages implements PageSource {
  readonly identity: SourceIdentity;

  constructor(
    private readonly dentry: Dentry,
    dev: { major: number; minor: number },
    describe: (d: Dentry) => string,
  ) {
    // The path /proc/<pid>/maps shows: where the file is now, as Linux's d_path (not the name it was
    // opened by, which may be relative or /proc/self/exe).
    this.identity = {
      devMajor: dev.major,
      devMinor: dev.minor,
      ino: dentry.ino,
      get path() {
        return describe(dentry);
      },
    };
  }

  readPage(offsetBytes: number, into: Uint8Array): number {
    const read = this.dentry.mount.fs.read(this.dentry.ino, offsetBytes, into);
    if (typeof read !== 'number') {
      void read.catch(() => {});
      throw new KernelError(EIO, 'filesystem cannot serve page faults synchronously');
    }
    into.fill(0, read, PAGE_SIZE);
    return read;
  }

  writePage(offsetBytes: number, from: Uint8Array): void {
    const written = this.dentry.mount.fs.write(this.dentry.ino, offsetBytes, from);
    if (typeof written !== 'number') void written.catch(() => {});
  }

  /**
   * A mapping holds the inode open, as an open file does: a program unlinked while it runs still pages in.
   * Open files read and write through its cached pages meanwhile.
   */
  mapped(cache: CachedPages): void {
    this.dentry.mount.hold(this.dentry.ino);
    this.dentry.mount.cachedPages.set(this.dentry.ino, cache);
  }

  unmapped(): void {
    const { mount, ino } = this.dentry;
    mount.cachedPages.delete(ino);
    if (!mount.drop(ino)) return;
    const released = mount.fs.release(ino);
    if (released instanceof Promise) released.catch(() => {});
  }
}

export class FilePages {
  private readonly byMount = new Map<Mount, Map<number, InodePages>>();

  /** `describe` gives a file's path as /proc shows it (MountTable.displayPath). */
  constructor(private readonly describe: (d: Dentry) => string) {}

  /** The page source of `dentry`'s inode (the same object every time, so its page cache is shared). */
  sourceFor(dentry: Dentry, dev: { major: number; minor: number }): PageSource {
    let inodes = this.byMount.get(dentry.mount);
    if (!inodes) {
      inodes = new Map();
      this.byMount.set(dentry.mount, inodes);
    }
    let source = inodes.get(dentry.ino);
    if (!source) {
      source = new InodePages(dentry, dev, this.describe);
      inodes.set(dentry.ino, source);
    }
    return source;
  }

  /** mmap's view of an open file; ENODEV when the file cannot be mapped (pipes, sockets, most devices). */
  mapFileOf(file: OpenFile): MapFile {
    if (!(file instanceof RegularFile)) throw new KernelError(ENODEV, 'only regular files can be mapped');
    const source = this.sourceFor(file.dentry, { major: 0, minor: 0 });
    return { source, readable: file.readable, writable: file.writable };
  }
}
