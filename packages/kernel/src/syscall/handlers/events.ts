/**
 * Event descriptors: eventfd/eventfd2, signalfd/signalfd4 and epoll_create/epoll_create1/epoll_ctl/epoll_wait/
 * epoll_pwait. Layer: kernel syscall handlers, over ipc/eventfd.ts, ipc/signalfd.ts and ipc/epoll.ts.
 */
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EFD_SEMAPHORE,
  EINVAL,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  epollEventLayout,
  KERNEL_SIGSET_SIZE,
  O_CLOEXEC,
  O_NONBLOCK,
  SFD_CLOEXEC,
  SFD_NONBLOCK,
} from '@kmos/abi-linux';
import { EpollFile } from '../../ipc/epoll.js';
import { EventFdFile } from '../../ipc/eventfd.js';
import { SignalFdFile } from '../../ipc/signalfd.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import { notRestartedAfterHandler, sleepUntil } from '../../sched/sleep.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';
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
