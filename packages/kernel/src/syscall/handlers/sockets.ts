/**
 * The socket syscalls: socket, socketpair, bind, connect, listen, accept/accept4, getsockname, getpeername,
 * sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg, shutdown, setsockopt/getsockopt, and socketcall, the
 * one entry i386 programs built for older kernels reach them all through. This layer decodes user memory
 * (sockaddr, msghdr, iovecs, control messages) and waits; the family's Socket (net/) does the rest. read,
 * write, readv and writev on a socket come here too (`socketRead`, `socketWrite`), so that messages carry the
 * writer's credentials.
 * Layer: kernel syscall handlers, over net/socket.ts.
 */
import {
  cmsghdrLayout,
  EAGAIN,
  EINVAL,
  ENOBUFS,
  ENOTSOCK,
  EPERM,
  EPIPE,
  ESRCH,
  MSG_CMSG_CLOEXEC,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  mmsghdrLayout,
  msghdrLayout,
  O_NONBLOCK,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SI_USER,
  SIGPIPE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOCKETCALL_NARGS,
  SOL_SOCKET,
  SYS_ACCEPT,
  SYS_ACCEPT4,
  SYS_BIND,
  SYS_CONNECT,
  SYS_GETPEERNAME,
  SYS_GETSOCKNAME,
  SYS_GETSOCKOPT,
  SYS_LISTEN,
  SYS_RECV,
  SYS_RECVFROM,
  SYS_RECVMMSG,
  SYS_RECVMSG,
  SYS_SEND,
  SYS_SENDMMSG,
  SYS_SENDMSG,
  SYS_SENDTO,
  SYS_SETSOCKOPT,
  SYS_SHUTDOWN,
  SYS_SOCKET,
  SYS_SOCKETPAIR,
  ucredLayout,
} from '@kmos/abi-linux';
import type { OpenFile } from '../../fs/open-file.js';
import { isWouldBlock, type WouldBlock } from '../../fs/would-block.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Ucred } from '../../net/message-queue.js';
import {
  type Received,
  type SendRequest,
  type Socket,
  type SocketCaller,
  SocketFile,
} from '../../net/socket.js';
import { closeDetached } from '../../proc/fd-table.js';
import { sigInfo } from '../../proc/siginfo.js';
import type { Thread } from '../../proc/thread.js';
import { sleepOnce } from '../../sched/sleep.js';
import { gatherFromUser, type Iovec, iovecsLength, readIovecs, scatterToUser } from '../iovec.js';
import type { SyscallHandler, SyscallImpl } from '../syscall-table.js';
import { pathContext, readUser, signed, struct, writeUser } from '../user-args.js';

/** sizeof(struct sockaddr_storage): the longest address any call takes. */
const SOCKADDR_MAX = 128;
/** The type argument's flags, beside the type in its low four bits. */
const SOCK_TYPE_MASK = 0xf;
/** SCM_MAX_FD: the most descriptors one message passes. */
const SCM_MAX_FD = 253;
/** MSG_WAITFORONE: recvmmsg waits for the first message only. */
const MSG_WAITFORONE = 0x10000;
/** The largest buffer one receive copies through. */
const RECEIVE_MAX = 1 << 20;
/** Option bytes setsockopt reads at most (the widest, a 64-bit struct timeval, is 16). */
const OPTION_MAX = 64;

const CMSG_HEADER = cmsghdrLayout.sizeBytes;
const cmsgAlign = (n: number) => (n + 3) & ~3;

function socketFile(t: Thread, fd: number): SocketFile {
  const file = t.process.files.get(signed(fd));
  if (!(file instanceof SocketFile)) throw new KernelError(ENOTSOCK);
  return file;
}

function callerOf(t: Thread): SocketCaller {
  const p = t.process;
  return {
    ctx: pathContext(t),
    creds: { pid: p.pid, uid: p.creds.euid, gid: p.creds.egid },
    messageCreds: { pid: p.pid, uid: p.creds.uid, gid: p.creds.gid },
  };
}

/** A sockaddr the user passes in (bind, connect, sendto): EINVAL past sockaddr_storage's size. */
function addressIn(t: Thread, ptr: number, len: number): Uint8Array {
  if (signed(len) < 0 || len > SOCKADDR_MAX) throw new KernelError(EINVAL, 'address length');
  return copyIn(t, ptr, len);
}

/** `len` bytes of user memory at `ptr`, in a buffer of their own. */
function copyIn(t: Thread, ptr: number, len: number): Uint8Array {
  if (len === 0) return new Uint8Array(0);
  const v = readUser(t, ptr, len);
  return new Uint8Array(v.buffer, v.byteOffset, len).slice();
}

/**
 * A sockaddr the kernel gives back (accept, getsockname, recvfrom): as much as the user's length allows,
 * then the full length written back (move_addr_to_user). A null address pointer skips both.
 */
function addressOut(t: Thread, ptr: number, lenPtr: number, address: Uint8Array | null): void {
  if (ptr === 0) return;
  const room = readUser(t, lenPtr, 4).getInt32(0, true);
  if (room < 0) throw new KernelError(EINVAL, 'address length');
  const full = address?.length ?? 0;
  if (address && room > 0) writeUser(t, ptr, address.subarray(0, Math.min(room, full)));
  writeInt(t, lenPtr, full);
}

function writeInt(t: Thread, ptr: number, value: number): void {
  const { bytes, view } = struct(4);
  view.setInt32(0, value, true);
  writeUser(t, ptr, bytes);
}

function newSocketFile(t: Thread, socket: Socket, flags: number): number {
  return t.process.files.install(
    new SocketFile(socket, flags & O_NONBLOCK, callerOf(t)),
    (flags & SOCK_CLOEXEC) !== 0,
  );
}

function typeFlags(type: number): number {
  const flags = type & ~SOCK_TYPE_MASK;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) throw new KernelError(EINVAL, 'socket type flags');
  return flags;
}

/**
 * Tries `attempt` until it does not block, sleeping on the queue it names; past `timeoutNs` (0: none) the
 * wait ends in EAGAIN, as SO_RCVTIMEO and SO_SNDTIMEO end it.
 */
async function untilDone<T>(
  k: Kernel,
  t: Thread,
  attempt: () => T | WouldBlock | Promise<T | WouldBlock>,
  timeoutNs = 0,
): Promise<T> {
  const deadline = timeoutNs > 0 ? k.clock.nowNs() + timeoutNs : null;
  for (;;) {
    const answer = await attempt();
    if (!isWouldBlock(answer)) return answer;
    if ((await sleepOnce(t, k.clock, answer.queue, deadline)) === 'timeout') throw new KernelError(EAGAIN);
  }
}

// ---- connections -------------------------------------------------------------------------------------

function socket(k: Kernel, t: Thread, family: number, type: number, protocol: number): number {
  const flags = typeFlags(type);
  return newSocketFile(t, k.sockets.create(family, type & SOCK_TYPE_MASK, signed(protocol)), flags);
}

function socketpair(
  k: Kernel,
  t: Thread,
  family: number,
  type: number,
  protocol: number,
  sv: number,
): number {
  const flags = typeFlags(type);
  const [a, b] = k.sockets.pair(family, type & SOCK_TYPE_MASK, signed(protocol), callerOf(t).creds);
  const fa = newSocketFile(t, a, flags);
  let fb: number;
  try {
    fb = newSocketFile(t, b, flags);
  } catch (error) {
    closeDetached(t.process.files.remove(fa));
    throw error;
  }
  const { bytes, view } = struct(8);
  view.setInt32(0, fa, true);
  view.setInt32(4, fb, true);
  try {
    writeUser(t, sv, bytes);
  } catch (error) {
    closeDetached(t.process.files.remove(fa));
    closeDetached(t.process.files.remove(fb));
    throw error;
  }
  return 0;
}

async function connect(k: Kernel, t: Thread, fd: number, addr: number, len: number): Promise<number> {
  const file = socketFile(t, fd);
  const address = addressIn(t, addr, len);
  const caller = callerOf(t);
  await untilDone(
    k,
    t,
    () => file.socket.connect(address, caller, file.nonBlocking),
    file.socket.sendTimeoutNs,
  );
  return 0;
}

async function accept(k: Kernel, t: Thread, fd: number, addr: number, lenPtr: number, flags: number) {
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) throw new KernelError(EINVAL, 'accept4 flags');
  const file = socketFile(t, fd);
  const accepted = await untilDone(
    k,
    t,
    () => file.socket.accept(file.nonBlocking),
    file.socket.receiveTimeoutNs,
  );
  const newFd = newSocketFile(t, accepted, flags);
  try {
    addressOut(t, addr, lenPtr, accepted.peerAddress());
  } catch (error) {
    closeDetached(t.process.files.remove(newFd));
    throw error;
  }
  return newFd;
}

function socketName(t: Thread, fd: number, addr: number, lenPtr: number, peer: boolean): number {
  const s = socketFile(t, fd).socket;
  addressOut(t, addr, lenPtr, peer ? s.peerAddress() : s.localAddress());
  return 0;
}

// ---- options -----------------------------------------------------------------------------------------

function getsockopt(
  t: Thread,
  fd: number,
  level: number,
  name: number,
  valPtr: number,
  lenPtr: number,
): number {
  const s = socketFile(t, fd).socket;
  const room = readUser(t, lenPtr, 4).getInt32(0, true);
  if (room < 0) throw new KernelError(EINVAL, 'option length');
  const value = s.getOption(signed(level), signed(name));
  const n = Math.min(room, value.length);
  if (n > 0) writeUser(t, valPtr, value.subarray(0, n));
  writeInt(t, lenPtr, n);
  return 0;
}

function setsockopt(t: Thread, fd: number, level: number, name: number, valPtr: number, len: number): number {
  const s = socketFile(t, fd).socket;
  if (signed(len) < 0) throw new KernelError(EINVAL, 'option length');
  s.setOption(signed(level), signed(name), copyIn(t, valPtr, Math.min(len, OPTION_MAX)));
  return 0;
}

// ---- sending -----------------------------------------------------------------------------------------

interface Outgoing {
  readonly data: Uint8Array;
  readonly to: Uint8Array | null;
  readonly rights: OpenFile[] | null;
  readonly creds: Ucred | null;
}

/**
 * Sends `out` whole unless the socket is non-blocking (a stream send may take several tries, waiting for
 * buffer space between them); a failure after some bytes went returns their count. EPIPE raises SIGPIPE
 * for a stream socket unless MSG_NOSIGNAL. The files in `out.rights` go with the first bytes, or are closed if nothing went.
 */
async function send(k: Kernel, t: Thread, file: SocketFile, out: Outgoing, flags: number): Promise<number> {
  const s = file.socket;
  const nonBlocking = file.nonBlocking || (flags & MSG_DONTWAIT) !== 0;
  const caller = callerOf(t);
  let done = 0;
  const request: SendRequest = {
    data: out.data,
    to: out.to,
    rights: out.rights,
    creds: out.creds,
    flags,
    nonBlocking,
  };
  try {
    do {
      request.data = out.data.subarray(done);
      done += await untilDone(k, t, () => s.send(request, caller), s.sendTimeoutNs);
    } while (done < out.data.length && !nonBlocking);
    return done;
  } catch (error) {
    if (done > 0) return done;
    // Only stream sockets raise SIGPIPE (sk_stream_error, unix_stream_sendmsg); datagram and seqpacket
    // sends just fail.
    if (
      error instanceof KernelError &&
      error.errno === EPIPE &&
      s.type === SOCK_STREAM &&
      !(flags & MSG_NOSIGNAL)
    ) {
      k.signals.sendToThread(t, sigInfo(SIGPIPE, SI_USER, { pid: t.process.pid, uid: t.process.creds.uid }));
    }
    throw error;
  } finally {
    for (const f of request.rights ?? []) closeDetached(f);
  }
}

function sendto(
  k: Kernel,
  t: Thread,
  fd: number,
  buf: number,
  len: number,
  flags: number,
  addr: number,
  alen: number,
) {
  const file = socketFile(t, fd);
  const data = gatherFromUser(t, [{ base: buf, len: Math.min(len, 0x7fffffff) }]);
  const to = addr !== 0 && alen !== 0 ? addressIn(t, addr, alen) : null;
  return send(k, t, file, { data, to, rights: null, creds: null }, flags);
}

/** write(2) and writev(2) on a socket: a send without flags. */
export function socketWrite(
  k: Kernel,
  t: Thread,
  file: SocketFile,
  iovecs: readonly Iovec[],
): Promise<number> {
  const data = gatherFromUser(t, iovecs);
  return send(k, t, file, { data, to: null, rights: null, creds: null }, 0);
}

interface MessageHeader {
  readonly name: number;
  readonly nameLen: number;
  readonly iovecs: Iovec[];
  readonly control: number;
  readonly controlLen: number;
}

function readMessageHeader(t: Thread, ptr: number): MessageHeader {
  const v = readUser(t, ptr, msghdrLayout.sizeBytes);
  const f = msghdrLayout.fields;
  const nameLen = v.getInt32(f.msg_namelen.offset, true);
  if (nameLen < 0) throw new KernelError(EINVAL, 'msg_namelen');
  const controlLen = v.getUint32(f.msg_controllen.offset, true);
  if (controlLen > 0x7fffffff) throw new KernelError(ENOBUFS, 'msg_controllen');
  return {
    name: v.getUint32(f.msg_name.offset, true),
    nameLen: Math.min(nameLen, SOCKADDR_MAX),
    iovecs: readIovecs(t, v.getUint32(f.msg_iov.offset, true), v.getUint32(f.msg_iovlen.offset, true)),
    control: v.getUint32(f.msg_control.offset, true),
    controlLen,
  };
}

/**
 * A send's control messages (__scm_send): SCM_RIGHTS takes a reference to each file named (EBADF for a
 * bad descriptor, EINVAL past 253 in all), SCM_CREDENTIALS the credentials to send, which an unprivileged
 * sender may only set to its own pid and to ids it holds (EPERM). Other levels are skipped.
 */
function readControl(
  k: Kernel,
  t: Thread,
  h: MessageHeader,
): { rights: OpenFile[] | null; creds: Ucred | null } {
  if (h.controlLen < CMSG_HEADER || h.control === 0) return { rights: null, creds: null };
  const v = readUser(t, h.control, h.controlLen);
  const f = cmsghdrLayout.fields;
  const rights: OpenFile[] = [];
  let creds: Ucred | null = null;
  try {
    for (let at = 0; at + CMSG_HEADER <= h.controlLen; ) {
      const len = v.getUint32(at + f.cmsg_len.offset, true);
      if (len < CMSG_HEADER || at + len > h.controlLen) throw new KernelError(EINVAL, 'cmsg_len');
      const level = v.getInt32(at + f.cmsg_level.offset, true);
      const type = v.getInt32(at + f.cmsg_type.offset, true);
      if (level === SOL_SOCKET) {
        if (type === SCM_RIGHTS) {
          const count = Math.floor((len - CMSG_HEADER) / 4);
          if (rights.length + count > SCM_MAX_FD) throw new KernelError(EINVAL, 'too many descriptors');
          for (let i = 0; i < count; i++) {
            rights.push(t.process.files.get(v.getInt32(at + CMSG_HEADER + i * 4, true)).ref());
          }
        } else if (type === SCM_CREDENTIALS) {
          if (len !== CMSG_HEADER + ucredLayout.sizeBytes) throw new KernelError(EINVAL, 'ucred length');
          creds = checkedCreds(k, t, v, at + CMSG_HEADER);
        } else {
          throw new KernelError(EINVAL, 'control message type');
        }
      }
      at += cmsgAlign(len);
    }
  } catch (error) {
    for (const file of rights) closeDetached(file);
    throw error;
  }
  return { rights: rights.length > 0 ? rights : null, creds };
}

function checkedCreds(k: Kernel, t: Thread, v: DataView, at: number): Ucred {
  const f = ucredLayout.fields;
  const creds = {
    pid: v.getInt32(at + f.pid.offset, true),
    uid: v.getUint32(at + f.uid.offset, true),
    gid: v.getUint32(at + f.gid.offset, true),
  };
  const c = t.process.creds;
  const root = c.euid === 0;
  const pidOk = creds.pid === t.process.pid || root;
  const uidOk = [c.uid, c.euid, c.suid].includes(creds.uid) || root;
  const gidOk = [c.gid, c.egid, c.sgid].includes(creds.gid) || root;
  if (!pidOk || !uidOk || !gidOk) throw new KernelError(EPERM, 'SCM_CREDENTIALS');
  if (!k.processes.processes.has(creds.pid)) throw new KernelError(ESRCH, 'SCM_CREDENTIALS pid');
  return creds;
}

async function sendmsg(k: Kernel, t: Thread, fd: number, msgPtr: number, flags: number): Promise<number> {
  const file = socketFile(t, fd);
  const h = readMessageHeader(t, msgPtr);
  const to = h.name !== 0 && h.nameLen > 0 ? addressIn(t, h.name, h.nameLen) : null;
  const data = gatherFromUser(t, h.iovecs);
  const { rights, creds } = readControl(k, t, h);
  return send(k, t, file, { data, to, rights, creds }, flags);
}

// ---- receiving ---------------------------------------------------------------------------------------

interface Got extends Received {
  readonly data: Uint8Array;
}

/**
 * Receives into a kernel buffer of `len` bytes, waiting (up to SO_RCVTIMEO) unless non-blocking; with
 * MSG_WAITALL a stream receive goes on until the buffer is full, the stream ends or files arrive.
 */
async function receive(k: Kernel, t: Thread, file: SocketFile, len: number, flags: number): Promise<Got> {
  const s = file.socket;
  const nonBlocking = file.nonBlocking || (flags & MSG_DONTWAIT) !== 0;
  const data = new Uint8Array(Math.min(len, RECEIVE_MAX));
  const first = await untilDone(k, t, () => s.receive(data, flags, nonBlocking), s.receiveTimeoutNs);
  const waitAll = flags & MSG_WAITALL && !(flags & MSG_PEEK) && s.type === SOCK_STREAM && !nonBlocking;
  let bytes = first.bytes;
  let rights = first.rights;
  while (waitAll && bytes < data.length && !rights) {
    let more: Received;
    try {
      more = await untilDone(k, t, () => s.receive(data.subarray(bytes), flags, false), s.receiveTimeoutNs);
    } catch {
      break;
    }
    if (more.bytes === 0) break;
    bytes += more.bytes;
    rights = more.rights;
  }
  return { ...first, bytes, length: bytes === first.bytes ? first.length : bytes, rights, data };
}

/** The count a receive returns: with MSG_TRUNC a datagram's whole length. */
function receivedCount(s: Socket, got: Got, flags: number): number {
  return flags & MSG_TRUNC && s.type !== SOCK_STREAM ? got.length : got.bytes;
}

/** read(2) and readv(2) on a socket: a receive without flags; files passed along are closed. */
export async function socketRead(
  k: Kernel,
  t: Thread,
  file: SocketFile,
  iovecs: readonly Iovec[],
): Promise<number> {
  const got = await receive(k, t, file, iovecsLength(iovecs), 0);
  for (const f of got.rights ?? []) closeDetached(f);
  scatterToUser(t, iovecs, got.data.subarray(0, got.bytes));
  return got.bytes;
}

async function recvfrom(
  k: Kernel,
  t: Thread,
  fd: number,
  buf: number,
  len: number,
  flags: number,
  addr: number,
  lenPtr: number,
): Promise<number> {
  const file = socketFile(t, fd);
  const got = await receive(k, t, file, Math.min(len, 0x7fffffff), flags);
  for (const f of got.rights ?? []) closeDetached(f);
  if (got.bytes > 0) writeUser(t, buf, got.data.subarray(0, got.bytes));
  addressOut(t, addr, lenPtr, got.from);
  return receivedCount(file.socket, got, flags);
}

/**
 * The control messages a receive hands back (scm_recv): the sender's credentials when asked for, then the
 * files, installed as new descriptors as far as the buffer has room (the rest closed, MSG_CTRUNC).
 */
function writeControl(
  t: Thread,
  h: MessageHeader,
  got: Got,
  flags: number,
): { used: number; truncated: boolean } {
  const out = new Uint8Array(h.controlLen);
  const v = new DataView(out.buffer);
  let used = 0;
  let truncated = false;
  const header = (len: number, type: number) => {
    v.setUint32(used + cmsghdrLayout.fields.cmsg_len.offset, len, true);
    v.setInt32(used + cmsghdrLayout.fields.cmsg_level.offset, SOL_SOCKET, true);
    v.setInt32(used + cmsghdrLayout.fields.cmsg_type.offset, type, true);
  };
  if (got.creds) {
    const len = CMSG_HEADER + ucredLayout.sizeBytes;
    if (h.controlLen - used < len) truncated = true;
    else {
      header(len, SCM_CREDENTIALS);
      v.setInt32(used + CMSG_HEADER + ucredLayout.fields.pid.offset, got.creds.pid, true);
      v.setUint32(used + CMSG_HEADER + ucredLayout.fields.uid.offset, got.creds.uid, true);
      v.setUint32(used + CMSG_HEADER + ucredLayout.fields.gid.offset, got.creds.gid, true);
      used += cmsgAlign(len);
    }
  }
  const files = got.rights ?? [];
  if (files.length > 0) {
    const room = h.controlLen - used > CMSG_HEADER ? Math.floor((h.controlLen - used - CMSG_HEADER) / 4) : 0;
    const fds: number[] = [];
    for (const [i, file] of files.entries()) {
      if (i >= room) {
        closeDetached(file);
        continue;
      }
      try {
        fds.push(t.process.files.install(file, (flags & MSG_CMSG_CLOEXEC) !== 0));
      } catch {
        // install dropped the reference (EMFILE); the rest still need closing.
      }
    }
    if (fds.length < files.length) truncated = true;
    if (fds.length > 0) {
      header(CMSG_HEADER + fds.length * 4, SCM_RIGHTS);
      for (const [i, fd] of fds.entries()) v.setInt32(used + CMSG_HEADER + i * 4, fd, true);
      used += Math.min(cmsgAlign(CMSG_HEADER + fds.length * 4), h.controlLen - used);
    }
  }
  if (used > 0) writeUser(t, h.control, out.subarray(0, used));
  return { used, truncated };
}

async function recvmsg(k: Kernel, t: Thread, fd: number, msgPtr: number, flags: number): Promise<number> {
  const file = socketFile(t, fd);
  const h = readMessageHeader(t, msgPtr);
  const got = await receive(k, t, file, iovecsLength(h.iovecs), flags);
  scatterToUser(t, h.iovecs, got.data.subarray(0, got.bytes));
  const control = h.control !== 0 ? writeControl(t, h, got, flags) : dropRights(got);
  const f = msghdrLayout.fields;
  if (h.name !== 0) addressOut(t, h.name, msgPtr + f.msg_namelen.offset, got.from);
  else writeInt(t, msgPtr + f.msg_namelen.offset, 0);
  writeInt(t, msgPtr + f.msg_controllen.offset, control.used);
  // Linux starts msg_flags from the call's MSG_CMSG_CLOEXEC (____sys_recvmsg), so it reads back set.
  const msgFlags =
    (flags & MSG_CMSG_CLOEXEC) | (got.truncated ? MSG_TRUNC : 0) | (control.truncated ? MSG_CTRUNC : 0);
  writeInt(t, msgPtr + f.msg_flags.offset, msgFlags);
  return receivedCount(file.socket, got, flags);
}

/** Files that came with a message received without a control buffer are closed (MSG_CTRUNC). */
function dropRights(got: Got): { used: number; truncated: boolean } {
  const files = got.rights ?? [];
  for (const f of files) closeDetached(f);
  return { used: 0, truncated: files.length > 0 || got.creds !== null };
}

// ---- several messages --------------------------------------------------------------------------------

/** sendmmsg/recvmmsg: each mmsghdr in turn, its count in msg_len; an error after the first ends the run. */
async function eachMessage(
  t: Thread,
  vec: number,
  vlen: number,
  one: (msgPtr: number, index: number) => Promise<number>,
): Promise<number> {
  const n = Math.min(vlen, 1024);
  let done = 0;
  for (; done < n; done++) {
    const at = vec + done * mmsghdrLayout.sizeBytes;
    let count: number;
    try {
      count = await one(at + mmsghdrLayout.fields.msg_hdr.offset, done);
    } catch (error) {
      if (done > 0) return done;
      throw error;
    }
    writeInt(t, at + mmsghdrLayout.fields.msg_len.offset, count);
  }
  return done;
}

// ---- the table ---------------------------------------------------------------------------------------

export function socketSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const handlers = {
    socket: (t: Thread, family: number, type: number, protocol: number) =>
      socket(k, t, family, type, protocol),
    socketpair: (t: Thread, family: number, type: number, protocol: number, sv: number) =>
      socketpair(k, t, family, type, protocol, sv),
    bind: async (t: Thread, fd: number, addr: number, len: number) => {
      const file = socketFile(t, fd);
      await file.socket.bind(addressIn(t, addr, len), callerOf(t));
      return 0;
    },
    connect: (t: Thread, fd: number, addr: number, len: number) => connect(k, t, fd, addr, len),
    listen: (t: Thread, fd: number, backlog: number) => {
      socketFile(t, fd).socket.listen(signed(backlog), callerOf(t));
      return 0;
    },
    accept: (t: Thread, fd: number, addr: number, lenPtr: number) => accept(k, t, fd, addr, lenPtr, 0),
    accept4: (t: Thread, fd: number, addr: number, lenPtr: number, flags: number) =>
      accept(k, t, fd, addr, lenPtr, flags),
    getsockname: (t: Thread, fd: number, addr: number, lenPtr: number) =>
      socketName(t, fd, addr, lenPtr, false),
    getpeername: (t: Thread, fd: number, addr: number, lenPtr: number) =>
      socketName(t, fd, addr, lenPtr, true),
    sendto: (t: Thread, fd: number, buf: number, len: number, flags: number, addr: number, alen: number) =>
      sendto(k, t, fd, buf, len, flags, addr, alen),
    recvfrom: (
      t: Thread,
      fd: number,
      buf: number,
      len: number,
      flags: number,
      addr: number,
      lenPtr: number,
    ) => recvfrom(k, t, fd, buf, len, flags, addr, lenPtr),
    sendmsg: (t: Thread, fd: number, msg: number, flags: number) => sendmsg(k, t, fd, msg, flags),
    recvmsg: (t: Thread, fd: number, msg: number, flags: number) => recvmsg(k, t, fd, msg, flags),
    sendmmsg: (t: Thread, fd: number, vec: number, vlen: number, flags: number) =>
      eachMessage(t, vec, vlen, (msg) => sendmsg(k, t, fd, msg, flags)),
    recvmmsg: (t: Thread, fd: number, vec: number, vlen: number, flags: number) =>
      eachMessage(t, vec, vlen, (msg, i) =>
        recvmsg(k, t, fd, msg, i > 0 && flags & MSG_WAITFORONE ? flags | MSG_DONTWAIT : flags),
      ),
    shutdown: (t: Thread, fd: number, how: number) => {
      socketFile(t, fd).socket.shutdown(how);
      return 0;
    },
    setsockopt: (t: Thread, fd: number, level: number, name: number, val: number, len: number) =>
      setsockopt(t, fd, level, name, val, len),
    getsockopt: (t: Thread, fd: number, level: number, name: number, val: number, lenPtr: number) =>
      getsockopt(t, fd, level, name, val, lenPtr),
  };
  /** socketcall's sub-calls; send and recv are sendto and recvfrom without an address. */
  const byCall: Record<number, SyscallHandler> = {
    [SYS_SOCKET]: handlers.socket,
    [SYS_BIND]: handlers.bind,
    [SYS_CONNECT]: handlers.connect,
    [SYS_LISTEN]: handlers.listen,
    [SYS_ACCEPT]: handlers.accept,
    [SYS_GETSOCKNAME]: handlers.getsockname,
    [SYS_GETPEERNAME]: handlers.getpeername,
    [SYS_SOCKETPAIR]: handlers.socketpair,
    [SYS_SEND]: (t, fd, buf, len, flags) => handlers.sendto(t, fd, buf, len, flags, 0, 0),
    [SYS_RECV]: (t, fd, buf, len, flags) => handlers.recvfrom(t, fd, buf, len, flags, 0, 0),
    [SYS_SENDTO]: handlers.sendto,
    [SYS_RECVFROM]: handlers.recvfrom,
    [SYS_SHUTDOWN]: handlers.shutdown,
    [SYS_SETSOCKOPT]: handlers.setsockopt,
    [SYS_GETSOCKOPT]: handlers.getsockopt,
    [SYS_SENDMSG]: handlers.sendmsg,
    [SYS_RECVMSG]: handlers.recvmsg,
    [SYS_ACCEPT4]: handlers.accept4,
    [SYS_RECVMMSG]: handlers.recvmmsg,
    [SYS_SENDMMSG]: handlers.sendmmsg,
  };
  const mmsgNote = 'recvmmsg ignores its timeout argument';
  // i386 has no accept syscall of its own: socketcall's SYS_ACCEPT is its only way in.
  const { accept: _socketcallOnly, ...direct } = handlers;
  return {
    ...Object.fromEntries(Object.entries(direct).map(([name, handler]) => [name, { handler }])),
    recvmmsg: { handler: handlers.recvmmsg, status: 'partial', note: mmsgNote },
    recvmmsg_time64: { handler: handlers.recvmmsg, status: 'partial', note: mmsgNote },
    socketcall: {
      handler: (t, call, args) => {
        const handler = byCall[call];
        const count = SOCKETCALL_NARGS[call];
        if (!handler || count === undefined) throw new KernelError(EINVAL, 'socketcall number');
        const v = readUser(t, args, count * 4);
        const a = Array.from({ length: 6 }, (_, i) => (i < count ? v.getUint32(i * 4, true) : 0));
        return handler(t, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, a[4] ?? 0, a[5] ?? 0);
      },
    },
  };
}
