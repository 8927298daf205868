/**
 * inotify (inotify(7)): a file whose reads return struct inotify_event records for the inodes it watches.
 * Each watch (a watch descriptor per inode) hears the events of its mask from fs/fsnotify.ts. As Linux's:
 * an event equal to the last one queued is merged into it; past 16384 queued events one IN_Q_OVERFLOW
 * (wd -1) stands for the lost ones; IN_ONESHOT watches go after their first event and a deleted inode's
 * watch after IN_DELETE_SELF, each saying IN_IGNORED; names are padded with NULs to 16-byte multiples;
 * a read takes whole events only (EINVAL when the first does not fit).
 * Layer: kernel ipc, over fs/fsnotify.ts.
 */
import {
  EAGAIN,
  EEXIST,
  EINVAL,
  FIONREAD,
  IN_ALL_EVENTS,
  IN_DELETE_SELF,
  IN_IGNORED,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_ONESHOT,
  IN_Q_OVERFLOW,
  inotifyEventLayout,
  POLLIN,
  POLLRDNORM,
} from '@kmos/abi-linux';
import { addWatch, type InodeWatch, removeWatch } from '../fs/fsnotify.js';
import type { Mount } from '../fs/mount-table.js';
import { answerInt, type UserMemory } from '../fs/open-file.js';
import { WouldBlock } from '../fs/would-block.js';
import { KernelError } from '../kernel-error.js';
import { WaitQueue } from '../sched/wait-queue.js';
import { AnonFile } from './anon-file.js';

/** /proc/sys/fs/inotify/max_queued_events. */
const MAX_QUEUED_EVENTS = 16384;
const HEADER_BYTES = inotifyEventLayout.sizeBytes;

interface QueuedEvent {
  readonly wd: number;
  readonly mask: number;
  readonly cookie: number;
  /** The name's bytes, NUL-padded to a multiple of 16, or empty. */
  readonly name: Uint8Array;
}

class Watch implements InodeWatch {
  constructor(
    readonly wd: number,
    readonly mount: Mount,
    readonly ino: number,
    /** Event bits and IN_ONESHOT; written by add_watch when the watch is changed. */
    public flags: number,
    private readonly owner: InotifyFile,
  ) {}

  get mask(): number {
    return this.flags & IN_ALL_EVENTS;
  }

  deliver(mask: number, cookie: number, name: string | null): void {
    this.owner.enqueue(this.wd, mask, cookie, name);
    // A one-shot watch, and one whose inode is gone, end here.
    if (this.flags & IN_ONESHOT || mask & IN_DELETE_SELF) this.owner.dropWatch(this);
  }
}

export class InotifyFile extends AnonFile {
  protected readonly anonKind = 'inotify';
  private readonly watches = new Map<number, Watch>();
  private nextWd = 1;
  private events: QueuedEvent[] = [];
  private queuedBytes = 0;
  private readonly queue = new WaitQueue();

  /** inotify_add_watch: the inode's watch descriptor, new or (the inode already watched) the same. */
  watch(mount: Mount, ino: number, mask: number): number {
    for (const w of this.watches.values()) {
      if (w.mount !== mount || w.ino !== ino) continue;
      if (mask & IN_MASK_CREATE) throw new KernelError(EEXIST);
      const kept = mask & IN_MASK_ADD ? w.flags & IN_ALL_EVENTS : 0;
      w.flags = kept | (mask & (IN_ALL_EVENTS | IN_ONESHOT));
      return w.wd;
    }
    const w = new Watch(this.nextWd++, mount, ino, mask & (IN_ALL_EVENTS | IN_ONESHOT), this);
    this.watches.set(w.wd, w);
    addWatch(mount, ino, w);
    return w.wd;
  }

  /** inotify_rm_watch: EINVAL for a descriptor this instance does not have. */
  unwatch(wd: number): void {
    const w = this.watches.get(wd);
    if (!w) throw new KernelError(EINVAL, 'no such watch');
    this.dropWatch(w);
  }

  dropWatch(w: Watch): void {
    if (!this.watches.delete(w.wd)) return;
    removeWatch(w.mount, w.ino, w);
    this.enqueue(w.wd, IN_IGNORED, 0, null);
  }

  enqueue(wd: number, mask: number, cookie: number, name: string | null): void {
    const bytes = name === null ? new Uint8Array(0) : padded(name);
    const last = this.events[this.events.length - 1];
    if (
      last &&
      last.wd === wd &&
      last.mask === mask &&
      last.cookie === cookie &&
      sameBytes(last.name, bytes)
    ) {
      return;
    }
    if (this.events.length >= MAX_QUEUED_EVENTS) {
      if (last?.mask !== IN_Q_OVERFLOW)
        this.push({ wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, name: bytes.subarray(0, 0) });
      return;
    }
    this.push({ wd, mask, cookie, name: bytes });
  }

  private push(event: QueuedEvent): void {
    this.events.push(event);
    this.queuedBytes += HEADER_BYTES + event.name.length;
    this.queue.wakeAll();
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock {
    if (this.events.length === 0) {
      if (this.nonBlocking) throw new KernelError(EAGAIN);
      return new WouldBlock(this.queue);
    }
    const view = new DataView(into.buffer, into.byteOffset, into.byteLength);
    const f = inotifyEventLayout.fields;
    let at = 0;
    let taken = 0;
    for (const e of this.events) {
      const size = HEADER_BYTES + e.name.length;
      if (at + size > into.length) break;
      view.setInt32(at + f.wd.offset, e.wd, true);
      view.setUint32(at + f.mask.offset, e.mask >>> 0, true);
      view.setUint32(at + f.cookie.offset, e.cookie, true);
      view.setUint32(at + f.len.offset, e.name.length, true);
      into.set(e.name, at + HEADER_BYTES);
      at += size;
      taken++;
    }
    if (taken === 0) throw new KernelError(EINVAL, 'buffer too small for the next event');
    this.events = this.events.slice(taken);
    this.queuedBytes -= at;
    return at;
  }

  override poll(): number {
    return this.events.length > 0 ? POLLIN | POLLRDNORM : 0;
  }

  override get waitQueue(): WaitQueue {
    return this.queue;
  }

  override ioctl(request: number, arg: number, mem: UserMemory): number {
    if (request !== FIONREAD) return super.ioctl(request, arg, mem) as number;
    return answerInt(mem, arg, this.queuedBytes);
  }

  protected release(): void {
    for (const w of this.watches.values()) removeWatch(w.mount, w.ino, w);
    this.watches.clear();
    this.events = [];
    this.queue.wakeAll();
  }
}

/** A name as inotify_event carries it: its bytes, a NUL, and NULs up to a multiple of 16. */
function padded(name: string): Uint8Array {
  const bytes = new TextEncoder().encode(name);
  const out = new Uint8Array(Math.ceil((bytes.length + 1) / HEADER_BYTES) * HEADER_BYTES);
  out.set(bytes);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
