/**
 * Event descriptors: eventfd/eventfd2, signalfd/signalfd4, inotify_init/init1/add_watch/rm_watch and
 * epoll_create/epoll_create1/epoll_ctl/epoll_wait/epoll_pwait/epoll_pwait2. Layer: kernel syscall handlers, over ipc/eventfd.ts, ipc/signalfd.ts and ipc/epoll.ts.
 */
import {
  AT_EACCESS,
  AT_SYMLINK_NOFOLLOW,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EFD_SEMAPHORE,
  EINVAL,
  ENOTDIR,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  epollEventLayout,
  IN_ALL_EVENTS,
  IN_CLOEXEC,
  IN_DONT_FOLLOW,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_NONBLOCK,
  IN_ONLYDIR,
  KERNEL_SIGSET_SIZE,
  O_CLOEXEC,
  O_NONBLOCK,
  R_OK,
  SFD_CLOEXEC,
  SFD_NONBLOCK,
} from '@kmos/abi-linux';
import { EpollFile } from '../../ipc/epoll.js';
import { EventFdFile } from '../../ipc/eventfd.js';
import { InotifyFile } from '../../ipc/inotify.js';
import { SignalFdFile } from '../../ipc/signalfd.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import { notRestartedAfterHandler, sleepUntil } from '../../sched/sleep.js';
import type { SyscallImpl } from '../syscall-table.js';
import { pathContext, readUser, signed, struct, userPath, writeUser } from '../user-args.js';
import { withMask } from './poll.js';
import { readTimespecNs } from './time.js';

/** Linux's cap on maxevents: INT_MAX / sizeof(struct epoll_event). */
const EP_MAX_EVENTS = Math.floor(0x7fffffff / epollEventLayout.sizeBytes);

function owner(t: Thread) {
  return { uid: t.process.creds.euid, gid: t.process.creds.egid };
}

function eventfd(t: Thread, initial: number, flags: number): number {
  if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE)) throw new KernelError(EINVAL);
  const file = new EventFdFile(initial, flags & O_NONBLOCK, (flags & EFD_SEMAPHORE) !== 0, owner(t));
  return t.process.files.install(file, (flags & EFD_CLOEXEC) !== 0);
}

/** The size of the kernel's sigset_t, which signalfd takes. */
const SIGSET_BYTES = 8;

/** signalfd4: a new signalfd for the set (fd -1), or a new set for the signalfd `fd`. */
function signalfd(k: Kernel, t: Thread, fd: number, maskPtr: number, size: number, flags: number): number {
  if (size !== SIGSET_BYTES || flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) throw new KernelError(EINVAL);
  const mask = readUser(t, maskPtr, SIGSET_BYTES);
  const lo = mask.getUint32(0, true);
  const hi = mask.getUint32(4, true);
  if (signed(fd) !== -1) {
    const file = t.process.files.get(signed(fd));
    if (!(file instanceof SignalFdFile)) throw new KernelError(EINVAL, 'not a signalfd');
    file.setMask(lo, hi);
    return fd;
  }
  const file = new SignalFdFile(k.signals, lo, hi, flags & SFD_NONBLOCK, owner(t));
  return t.process.files.install(file, (flags & SFD_CLOEXEC) !== 0);
}

function inotifyInit(t: Thread, flags: number): number {
  if (flags & ~(IN_CLOEXEC | IN_NONBLOCK)) throw new KernelError(EINVAL);
  return t.process.files.install(new InotifyFile(flags & O_NONBLOCK, owner(t)), (flags & IN_CLOEXEC) !== 0);
}

/**
 * inotify_add_watch: the path's inode (its symlink's with IN_DONT_FOLLOW; ENOTDIR for a non-directory
 * with IN_ONLYDIR), which the caller must be able to read, watched for the mask's events.
 */
async function inotifyAddWatch(
  k: Kernel,
  t: Thread,
  fd: number,
  pathPtr: number,
  mask: number,
): Promise<number> {
  if (mask & IN_MASK_ADD && mask & IN_MASK_CREATE) throw new KernelError(EINVAL);
  if (!(mask & IN_ALL_EVENTS)) throw new KernelError(EINVAL, 'no events asked for');
  const file = t.process.files.get(signed(fd));
  if (!(file instanceof InotifyFile)) throw new KernelError(EINVAL, 'not an inotify descriptor');
  const ctx = pathContext(t);
  const path = userPath(t, pathPtr);
  const follow = mask & IN_DONT_FOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
  const target = await k.vfs.resolve(ctx, path, follow);
  if (mask & IN_ONLYDIR && !target.dentry.isDir) throw new KernelError(ENOTDIR);
  await k.vfs.access(ctx, null, path, R_OK, AT_EACCESS | follow);
  return file.watch(target.dentry.mount, target.dentry.ino, mask);
}

function inotifyRmWatch(t: Thread, fd: number, wd: number): number {
  const file = t.process.files.get(signed(fd));
  if (!(file instanceof InotifyFile)) throw new KernelError(EINVAL, 'not an inotify descriptor');
  file.unwatch(signed(wd));
  return 0;
}

function epollCreate(t: Thread, flags: number): number {
  if (flags & ~EPOLL_CLOEXEC) throw new KernelError(EINVAL);
  return t.process.files.install(new EpollFile(0, owner(t)), (flags & O_CLOEXEC) !== 0);
}

function epollOf(t: Thread, epfd: number): EpollFile {
  const file = t.process.files.get(signed(epfd));
  if (!(file instanceof EpollFile)) throw new KernelError(EINVAL, 'not an epoll descriptor');
  return file;
}

function epollCtl(t: Thread, epfd: number, op: number, fd: number, eventPtr: number): number {
  const epoll = epollOf(t, epfd);
  const file = t.process.files.get(signed(fd));
  const names = { [EPOLL_CTL_ADD]: 'add', [EPOLL_CTL_MOD]: 'mod', [EPOLL_CTL_DEL]: 'del' } as const;
  const name = names[op as keyof typeof names];
  if (!name) throw new KernelError(EINVAL);
  let events = 0;
  let data = 0n;
  if (name !== 'del') {
    const v = readUser(t, eventPtr, epollEventLayout.sizeBytes);
    events = v.getUint32(epollEventLayout.fields.events.offset, true);
    data = v.getBigUint64(epollEventLayout.fields.data.offset, true);
  }
  epoll.control(name, signed(fd), file, events, data);
  return 0;
}

/** epoll_wait's timeout in milliseconds (negative: none) as nanoseconds, or null for none. */
function msTimeout(ms: number): number | null {
  return signed(ms) < 0 ? null : signed(ms) * 1e6;
}

async function epollWait(
  k: Kernel,
  t: Thread,
  epfd: number,
  eventsPtr: number,
  max: number,
  timeoutNs: number | null,
): Promise<number> {
  const epoll = epollOf(t, epfd);
  if (signed(max) <= 0 || max > EP_MAX_EVENTS) throw new KernelError(EINVAL);
  let ready = epoll.collect(t.process.files, max);
  if (ready.length === 0 && timeoutNs !== 0) {
    const deadline = timeoutNs === null ? null : k.clock.nowNs() + timeoutNs;
    const collected = () => {
      ready = epoll.collect(t.process.files, max);
      return ready.length > 0;
    };
    await notRestartedAfterHandler(sleepUntil(t, k.clock, epoll.queues(), collected, deadline));
  }
  if (ready.length === 0) return 0;
  const size = epollEventLayout.sizeBytes;
  const { bytes, view } = struct(ready.length * size);
  ready.forEach((e, i) => {
    view.setUint32(i * size + epollEventLayout.fields.events.offset, e.events, true);
    view.setBigUint64(i * size + epollEventLayout.fields.data.offset, e.data, true);
  });
  writeUser(t, eventsPtr, bytes);
  return ready.length;
}

export function eventSyscalls(k: Kernel): Record<string, SyscallImpl> {
  /** epoll_pwait/epoll_pwait2: the wait under the given signal mask (sigsetsize must be 8). */
  const pwait = (t: Thread, sigmask: number, size: number, wait: () => Promise<number>) => {
    if (sigmask !== 0 && size !== KERNEL_SIGSET_SIZE) throw new KernelError(EINVAL);
    return withMask(k, t, sigmask, wait);
  };
  return {
    eventfd: { handler: (t, initial) => eventfd(t, initial, 0) },
    inotify_init: { handler: (t) => inotifyInit(t, 0) },
    inotify_init1: { handler: (t, flags) => inotifyInit(t, flags) },
    inotify_add_watch: { handler: (t, fd, path, mask) => inotifyAddWatch(k, t, fd, path, mask) },
    inotify_rm_watch: { handler: (t, fd, wd) => inotifyRmWatch(t, fd, wd) },
    eventfd2: { handler: (t, initial, flags) => eventfd(t, initial, flags) },
    signalfd: { handler: (t, fd, mask, size) => signalfd(k, t, fd, mask, size, 0) },
    signalfd4: { handler: (t, fd, mask, size, flags) => signalfd(k, t, fd, mask, size, flags) },
    epoll_create: {
      handler: (t, size) => {
        if (signed(size) <= 0) throw new KernelError(EINVAL);
        return epollCreate(t, 0);
      },
    },
    epoll_create1: { handler: (t, flags) => epollCreate(t, flags) },
    epoll_ctl: { handler: (t, epfd, op, fd, event) => epollCtl(t, epfd, op, fd, event) },
    epoll_wait: {
      handler: (t, epfd, events, max, timeout) => epollWait(k, t, epfd, events, max, msTimeout(timeout)),
    },
    epoll_pwait: {
      handler: (t, epfd, events, max, timeout, sigmask, size) =>
        pwait(t, sigmask, size, () => epollWait(k, t, epfd, events, max, msTimeout(timeout))),
    },
    epoll_pwait2: {
      handler: (t, epfd, events, max, timeout, sigmask, size) => {
        const ns = timeout === 0 ? null : readTimespecNs(t, timeout, true);
        return pwait(t, sigmask, size, () => epollWait(k, t, epfd, events, max, ns));
      },
    },
  };
}
