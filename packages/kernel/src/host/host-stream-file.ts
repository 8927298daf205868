/**
 * The host's standard streams as open files of the first process under `kmos run`: reads and writes go to the
 * host descriptor as they are (like qemu-user, the guest's stdio is the host's). A host descriptor that is
 * not ready (EAGAIN on a non-blocking pipe) is polled again after a short host wait. When stdin and stdout
 * are host terminals, run-program.ts gives the program a kmOS tty instead (tty/run-terminal.ts); these files
 * then serve only a redirected stderr.
 * Layer: kernel host bridge (only `kmos run` uses it).
 */
import { fstatSync, readlinkSync, readSync, writeSync } from 'node:fs';
import type { MaybePromise } from '@kmos/abi-driver';
import { EIO, EPIPE, O_RDONLY, O_WRONLY, S_IFCHR, S_IFIFO, S_IFREG } from '@kmos/abi-linux';
import { fsError } from '../fs/fs-error.js';
import { OpenFile, type Stat } from '../fs/open-file.js';

const HOST_RETRY_MS = 2;

export class HostStreamFile extends OpenFile {
  constructor(
    private readonly hostFd: number,
    writable: boolean,
  ) {
    super(writable ? O_WRONLY : O_RDONLY, null);
  }

  /** The host's name for the descriptor (a pipe, a file, a terminal): what the same program shows natively. */
  override pathlessName(): string {
    try {
      return readlinkSync(`/proc/self/fd/${this.hostFd}`);
    } catch {
      return super.pathlessName();
    }
  }

  protected override readImpl(into: Uint8Array): MaybePromise<number> {
    try {
      return readSync(this.hostFd, into, 0, into.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return this.retryRead(into);
      if (code === 'EOF') return 0;
      throw fsError(EIO, `host read: ${code}`);
    }
  }

  protected override writeImpl(from: Uint8Array): MaybePromise<number> {
    let done = 0;
    while (done < from.length) {
      try {
        done += writeSync(this.hostFd, from, done, from.length - done);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') throw fsError(EPIPE, 'host stream closed');
        throw fsError(EIO, `host write: ${code}`);
      }
    }
    return done;
  }

  private retryRead(into: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        try {
          resolve(readSync(this.hostFd, into, 0, into.length, null));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') this.retryRead(into).then(resolve, reject);
          else reject(fsError(EIO, 'host read'));
        }
      }, HOST_RETRY_MS);
    });
  }

  override fstat(): Stat {
    const st = fstatSync(this.hostFd);
    const type = st.isFIFO() ? S_IFIFO : st.isFile() ? S_IFREG : S_IFCHR;
    const time = { sec: Math.floor(st.mtimeMs / 1000), nsec: 0 };
    return {
      ino: st.ino,
      mode: type | (st.mode & 0o7777),
      nlink: st.nlink,
      uid: st.uid,
      gid: st.gid,
      rdev: 0,
      sizeBytes: st.isFile() ? st.size : 0,
      blockSizeBytes: 4096,
      blocks: 0,
      atime: time,
      mtime: time,
      ctime: time,
      dev: 0,
    };
  }

  protected override release(): void {}
}
