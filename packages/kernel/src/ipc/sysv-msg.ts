/**
 * System V message queues (msgget, msgsnd, msgrcv, msgctl), as Linux's ipc/msg.c: typed messages in
 * arrival order, their text kept in kmalloc'd memory; a queue holds at most msg_qbytes bytes and as many
 * messages, and a sender waits (or gets EAGAIN) past that; msgrcv takes the first message, the first of a
 * type (or, with MSG_EXCEPT, of any other type), or with a negative type the first of the lowest type up
 * to its absolute value; too long a message is E2BIG unless MSG_NOERROR truncates it; MSG_COPY (with
 * IPC_NOWAIT) copies the message at an index and leaves it. IPC_RMID wakes waiters to EIDRM.
 * Layer: kernel ipc, over ipc-ids.ts; syscall/handlers/sysv-ipc.ts decodes the calls.
 */
import {
  E2BIG,
  EAGAIN,
  EIDRM,
  EINVAL,
  ENOMEM,
  ENOMSG,
  EPERM,
  IPC_NOWAIT,
  MSG_COPY,
  MSG_EXCEPT,
  MSG_NOERROR,
  MSGMNB,
  MSGMNI,
} from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { KernelBytes, type KernelMemory } from '../mm/kernel-bytes.js';
import { WaitQueue } from '../sched/wait-queue.js';
import { checkOwner, checkPermission, type IpcCaller, IpcIds, IpcObject, READ_BITS } from './ipc-ids.js';

interface Message {
  readonly type: number;
  readonly text: KernelBytes;
}

export class MsgQueue extends IpcObject {
  messages: Message[] = [];
  bytes = 0;
  qbytes = MSGMNB;
  stime = 0;
  rtime = 0;
  lspid = 0;
  lrpid = 0;
  readonly queue = new WaitQueue();
}

/** A message taken (or copied) off a queue. */
export interface Received {
  readonly type: number;
  readonly text: Uint8Array;
}

export class SysvMsg extends IpcIds<MsgQueue> {
  constructor(private readonly mem: KernelMemory) {
    super(MSGMNI);
  }

  get(key: number, flags: number, caller: IpcCaller, now: number): number {
    return this.getOrCreate(
      key,
      flags,
      caller,
      () => {},
      (k, id, index, seq) => {
        return new MsgQueue(k, id, index, seq, caller.euid, caller.egid, flags, now);
      },
    ).id;
  }

  /** One attempt at msgsnd: true when queued, false when the queue is full and the sender may wait. */
  trySend(q: MsgQueue, type: number, text: Uint8Array, flags: number, pid: number, now: number): boolean {
    if (q.removed) throw new KernelError(EIDRM);
    if (q.bytes + text.length > q.qbytes || q.messages.length + 1 > q.qbytes) {
      if (flags & IPC_NOWAIT) throw new KernelError(EAGAIN);
      return false;
    }
    q.messages.push({ type, text: KernelBytes.store(this.mem, text, ENOMEM) });
    q.bytes += text.length;
    q.lspid = pid;
    q.stime = now;
    q.queue.wakeAll();
    return true;
  }

  /** One attempt at msgrcv: the message, or null when there is none yet and the receiver may wait. */
  tryReceive(
    q: MsgQueue,
    maxBytes: number,
    wanted: number,
    flags: number,
    pid: number,
    now: number,
  ): Received | null {
    if (q.removed) throw new KernelError(EIDRM);
    const index =
      flags & MSG_COPY ? (wanted < q.messages.length ? wanted : -1) : pick(q.messages, wanted, flags);
    if (index < 0) {
      if (flags & IPC_NOWAIT) throw new KernelError(ENOMSG);
      return null;
    }
    const m = q.messages[index] as Message;
    if (m.text.length > maxBytes && !(flags & MSG_NOERROR)) throw new KernelError(E2BIG);
    const text = new Uint8Array(Math.min(m.text.length, maxBytes));
    m.text.copyOut(this.mem, 0, text, 0, text.length);
    if (flags & MSG_COPY) return { type: m.type, text };
    q.messages.splice(index, 1);
    q.bytes -= m.text.length;
    m.text.free(this.mem);
    q.lrpid = pid;
    q.rtime = now;
    q.queue.wakeAll();
    return { type: m.type, text };
  }

  checkReceive(q: MsgQueue, flags: number, caller: IpcCaller): void {
    if (flags & MSG_COPY && (!(flags & IPC_NOWAIT) || flags & MSG_EXCEPT))
      throw new KernelError(EINVAL, 'MSG_COPY');
    checkPermission(q, READ_BITS, caller);
  }

  /** IPC_SET's msg_qbytes: raising it past MSGMNB needs root. */
  setQueueBytes(q: MsgQueue, qbytes: number, caller: IpcCaller): void {
    if (qbytes > MSGMNB && qbytes > q.qbytes && caller.euid !== 0) throw new KernelError(EPERM);
    q.qbytes = qbytes;
    q.queue.wakeAll();
  }

  remove(q: MsgQueue, caller: IpcCaller): void {
    checkOwner(q, caller);
    this.drop(q);
    for (const m of q.messages) m.text.free(this.mem);
    q.messages = [];
    q.bytes = 0;
    q.queue.wakeAll();
  }
}

/** The message msgrcv takes for `wanted` (0: first; > 0: that type, or another with MSG_EXCEPT; < 0: lowest up to it). */
function pick(messages: readonly Message[], wanted: number, flags: number): number {
  if (wanted === 0) return messages.length > 0 ? 0 : -1;
  if (wanted > 0) {
    return messages.findIndex((m) => (flags & MSG_EXCEPT ? m.type !== wanted : m.type === wanted));
  }
  let best = -1;
  for (const [i, m] of messages.entries()) {
    if (m.type <= -wanted && (best < 0 || m.type < (messages[best] as Message).type)) best = i;
  }
  return best;
}
