// inotify(7): event bits, watch flags and inotify_init1 flags. Layer: abi (data only). Written from the
// UAPI <linux/inotify.h>; inotify.test.ts checks each value. struct inotify_event's layout is in structs.ts.
import { O_CLOEXEC, O_NONBLOCK } from './fcntl.js';

export const IN_ACCESS = 0x00000001;
export const IN_MODIFY = 0x00000002;
export const IN_ATTRIB = 0x00000004;
export const IN_CLOSE_WRITE = 0x00000008;
export const IN_CLOSE_NOWRITE = 0x00000010;
export const IN_OPEN = 0x00000020;
export const IN_MOVED_FROM = 0x00000040;
export const IN_MOVED_TO = 0x00000080;
export const IN_CREATE = 0x00000100;
export const IN_DELETE = 0x00000200;
export const IN_DELETE_SELF = 0x00000400;
export const IN_MOVE_SELF = 0x00000800;
export const IN_UNMOUNT = 0x00002000;
export const IN_Q_OVERFLOW = 0x00004000;
export const IN_IGNORED = 0x00008000;
export const IN_CLOSE = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE;
export const IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO;
export const IN_ONLYDIR = 0x01000000;
export const IN_DONT_FOLLOW = 0x02000000;
export const IN_EXCL_UNLINK = 0x04000000;
export const IN_MASK_CREATE = 0x10000000;
export const IN_MASK_ADD = 0x20000000;
export const IN_ISDIR = 0x40000000;
export const IN_ONESHOT = 0x80000000;
export const IN_ALL_EVENTS =
  IN_ACCESS |
  IN_MODIFY |
  IN_ATTRIB |
  IN_CLOSE_WRITE |
  IN_CLOSE_NOWRITE |
  IN_OPEN |
  IN_MOVED_FROM |
  IN_MOVED_TO |
  IN_DELETE |
  IN_CREATE |
  IN_DELETE_SELF |
  IN_MOVE_SELF;
export const IN_CLOEXEC = O_CLOEXEC;
export const IN_NONBLOCK = O_NONBLOCK;
