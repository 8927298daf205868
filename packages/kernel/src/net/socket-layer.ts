/**
 * socket(2) and socketpair(2) by address family: AF_UNIX is built in; every other family is
 * EAFNOSUPPORT, as on a Linux kernel built without it, until a network stack registers one.
 * Layer: kernel net; the kernel owns one SocketLayer, the syscall layer asks it for new sockets.
 */
import {
  AF_UNIX,
  EAFNOSUPPORT,
  EINVAL,
  EOPNOTSUPP,
  EPROTONOSUPPORT,
  ESOCKTNOSUPPORT,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from '@kmos/abi-linux';
import type { PipeMemory } from '../fs/pipe.js';
import type { Vfs } from '../fs/vfs.js';
import { KernelError } from '../kernel-error.js';
import type { Ucred } from './message-queue.js';
import type { Socket } from './socket.js';
import { UnixNamespace } from './unix/unix-namespace.js';
import { type UnixEnvironment, UnixSocket } from './unix/unix-socket.js';

/** Families are numbered below AF_MAX (46 in Linux 6.x); others are EAFNOSUPPORT too. */
const SOCK_MAX = 11;

export class SocketLayer {
  private readonly unix: UnixEnvironment;

  constructor(vfs: Vfs, memory: PipeMemory) {
    this.unix = { names: new UnixNamespace<UnixSocket>(vfs), memory, live: new Set() };
  }

  /** /proc/net/unix. */
  unixTable(): string {
    const lines = ['Num       RefCount Protocol Flags    Type St Inode Path'];
    for (const socket of this.unix.live) lines.push(socket.procNetUnixLine());
    return `${lines.join('\n')}\n`;
  }

  /** socket(2) for `type` without its flags. */
  create(family: number, type: number, protocol: number): Socket {
    if (type < 0 || type >= SOCK_MAX) throw new KernelError(EINVAL, 'socket type');
    if (family !== AF_UNIX) throw new KernelError(EAFNOSUPPORT, `address family ${family}`);
    return new UnixSocket(unixType(type, protocol), this.unix);
  }

  /** socketpair(2): AF_UNIX only (Linux's other families answer EOPNOTSUPP, or lack the family). */
  pair(family: number, type: number, protocol: number, creds: Ucred): [Socket, Socket] {
    if (type < 0 || type >= SOCK_MAX) throw new KernelError(EINVAL, 'socket type');
    if (family !== AF_UNIX) throw new KernelError(EAFNOSUPPORT, `address family ${family}`);
    const kind = unixType(type, protocol);
    if (kind !== SOCK_STREAM && kind !== SOCK_DGRAM && kind !== SOCK_SEQPACKET)
      throw new KernelError(EOPNOTSUPP);
    return UnixSocket.pair(kind, this.unix, creds);
  }
}

/** unix_create: protocol 0 or PF_UNIX; SOCK_RAW is taken as SOCK_DGRAM. */
function unixType(type: number, protocol: number): number {
  if (protocol !== 0 && protocol !== AF_UNIX) throw new KernelError(EPROTONOSUPPORT);
  if (type === SOCK_RAW) return SOCK_DGRAM;
  if (type !== SOCK_STREAM && type !== SOCK_DGRAM && type !== SOCK_SEQPACKET)
    throw new KernelError(ESOCKTNOSUPPORT);
  return type;
}
