// poll(2) and epoll(7) events and control operations, and eventfd flags. Layer: abi (data only, imports
// nothing). Written from the Linux UAPI headers (asm-generic/poll.h via linux/poll.h, linux/eventpoll.h);
// poll.test.ts checks each value. struct pollfd and struct epoll_event layouts are in structs.ts.
import { O_CLOEXEC, O_NONBLOCK } from './fcntl.js';

export const POLLIN = 0x0001;
export const POLLPRI = 0x0002;
export const POLLOUT = 0x0004;
export const POLLERR = 0x0008;
export const POLLHUP = 0x0010;
export const POLLNVAL = 0x0020;
export const POLLRDNORM = 0x0040;
export const POLLRDBAND = 0x0080;
export const POLLWRNORM = 0x0100;
export const POLLWRBAND = 0x0200;
export const POLLMSG = 0x0400;
export const POLLREMOVE = 0x1000;
export const POLLRDHUP = 0x2000;

export const EPOLL_CLOEXEC = O_CLOEXEC;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;

export const EPOLLIN = 0x00000001;
export const EPOLLPRI = 0x00000002;
export const EPOLLOUT = 0x00000004;
export const EPOLLERR = 0x00000008;
export const EPOLLHUP = 0x00000010;
export const EPOLLNVAL = 0x00000020;
export const EPOLLRDNORM = 0x00000040;
export const EPOLLRDBAND = 0x00000080;
export const EPOLLWRNORM = 0x00000100;
export const EPOLLWRBAND = 0x00000200;
export const EPOLLMSG = 0x00000400;
export const EPOLLRDHUP = 0x00002000;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLWAKEUP = 1 << 29;
export const EPOLLONESHOT = 1 << 30;
/** Bit 31: compare as unsigned (events >>> 0). */
export const EPOLLET = 0x80000000;

// eventfd2 flags (glibc's <sys/eventfd.h>; the kernel's EFD_* are the O_* bits of the same names).
export const EFD_SEMAPHORE = 1;
export const EFD_CLOEXEC = O_CLOEXEC;
export const EFD_NONBLOCK = O_NONBLOCK;

// signalfd4 flags (<linux/signalfd.h>: the O_* bits of the same names).
export const SFD_CLOEXEC = O_CLOEXEC;
export const SFD_NONBLOCK = O_NONBLOCK;
