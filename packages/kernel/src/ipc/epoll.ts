/**
 * epoll: an interest list of (descriptor, events, data) and a wait that reports the ready ones, level- or
 * edge-triggered (EPOLLET), optionally once (EPOLLONESHOT). Readiness comes from each open file's poll() and
 * the wait sleeps on their wait queues. An entry whose descriptor was closed (or now names another file)
 * drops out, as Linux drops it when the file goes. Layer: kernel ipc, above fs/open-file.ts.
 */
import { EEXIST, EINVAL, ENOENT, EPERM, EPOLLERR, EPOLLET, EPOLLHUP, EPOLLONESHOT } from '@kmos/abi-linux';
import { DirectoryFile } from '../fs/directory-file.js';
import { RegularFile } from '../fs/inode-file.js';
import type { OpenFile } from '../fs/open-file.js';
import { KernelError } from '../kernel-error.js';
import type { FdTable } from '../proc/fd-table.js';
import { WaitQueue } from '../sched/wait-queue.js';
import { AnonFile } from './anon-file.js';

/** Always reported, asked for or not (epoll_ctl(2)). */
const ALWAYS = EPOLLERR | EPOLLHUP;
/** The event bits a file's poll() can answer with (the rest are flags of the entry). */
const EVENT_BITS = 0x0fffffff;

interface Interest {
  readonly file: OpenFile;
  events: number;
  data: bigint;
  /** Edge-triggered: the ready bits last reported, so the same state is not reported again. */
  reported: number;
}

export interface ReadyEvent {
  readonly events: number;
  readonly data: bigint;
}

export class EpollFile extends AnonFile {
  protected readonly anonKind = 'eventpoll';
  private readonly interest = new Map<number, Interest>();
  private readonly queue = new WaitQueue();

  control(op: 'add' | 'mod' | 'del', fd: number, file: OpenFile, events: number, data: bigint): void {
    if (file === this) throw new KernelError(EINVAL, 'an epoll instance cannot watch itself');
    if (file instanceof RegularFile || file instanceof DirectoryFile) {
      // Regular files and directories are always ready: Linux refuses them.
      throw new KernelError(EPERM, 'file does not support epoll');
    }
    const entry = this.interest.get(fd);
    if (op === 'add') {
      if (entry && entry.file === file) throw new KernelError(EEXIST);
      this.interest.set(fd, { file, events, data, reported: 0 });
    } else if (!entry || entry.file !== file) {
      throw new KernelError(ENOENT);
    } else if (op === 'del') {
      this.interest.delete(fd);
    } else {
      entry.events = events;
      entry.data = data;
      entry.reported = 0;
    }
  }

  /** The entries ready now, at most `max`; consumes edge and one-shot state for those reported. */
  collect(files: FdTable, max: number): ReadyEvent[] {
    const ready: ReadyEvent[] = [];
    for (const [fd, entry] of this.interest) {
      if (!files.has(fd) || files.get(fd) !== entry.file) {
        this.interest.delete(fd);
        continue;
      }
      const bits = entry.file.poll() & ((entry.events & EVENT_BITS) | ALWAYS);
      if (entry.events & EPOLLET) {
        const fresh = bits & ~entry.reported;
        entry.reported = bits;
        if (fresh === 0) continue;
      } else if (bits === 0) {
        continue;
      }
      if (entry.events === 0) continue;
      ready.push({ events: bits, data: entry.data });
      if (entry.events & EPOLLONESHOT) entry.events = 0;
      if (ready.length >= max) break;
    }
    return ready;
  }

  /** The queues to sleep on while nothing is ready. */
  queues(): WaitQueue[] {
    const queues = [this.queue];
    for (const entry of this.interest.values()) if (entry.file.waitQueue) queues.push(entry.file.waitQueue);
    return queues;
  }

  override poll(): number {
    for (const entry of this.interest.values()) {
      if (entry.file.poll() & ((entry.events & EVENT_BITS) | ALWAYS)) return 1;
    }
    return 0;
  }

  override get waitQueue(): WaitQueue {
    return this.queue;
  }

  protected release(): void {
    this.interest.clear();
  }
}
