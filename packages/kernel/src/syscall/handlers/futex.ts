/**
 * The futex syscall (and futex_time64): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET,
 * WAKE_BITSET, private or shared, with relative (WAIT) or absolute (WAIT_BITSET) timeouts.
 * Layer: kernel syscall handlers, over ipc/futex.ts.
 */
import type { UserPtr } from '@kmos/abi-driver';
import {
  EAGAIN,
  EINVAL,
  ENOSYS,
  FUTEX_BITSET_MATCH_ANY,
  FUTEX_CLOCK_REALTIME,
  FUTEX_CMD_MASK,
  FUTEX_CMP_REQUEUE,
  FUTEX_OP_ADD,
  FUTEX_OP_ANDN,
  FUTEX_OP_CMP_EQ,
  FUTEX_OP_CMP_GE,
  FUTEX_OP_CMP_GT,
  FUTEX_OP_CMP_LE,
  FUTEX_OP_CMP_LT,
  FUTEX_OP_CMP_NE,
  FUTEX_OP_OPARG_SHIFT,
  FUTEX_OP_OR,
  FUTEX_OP_SET,
  FUTEX_OP_XOR,
  FUTEX_PRIVATE_FLAG,
  FUTEX_REQUEUE,
  FUTEX_WAIT,
  FUTEX_WAIT_BITSET,
  FUTEX_WAKE,
  FUTEX_WAKE_BITSET,
  FUTEX_WAKE_OP,
} from '@kmos/abi-linux';
import type { Futexes } from '../../ipc/futex.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { getUser32, putUser32 } from '../../mm/usercopy.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readTimespecNs } from './time.js';

/** The comparison of FUTEX_WAKE_OP on the old value (linux/futex.h FUTEX_OP_CMP_*). */
function compare(cmp: number, old: number, arg: number): boolean {
  switch (cmp) {
    case FUTEX_OP_CMP_EQ:
      return old === arg;
    case FUTEX_OP_CMP_NE:
      return old !== arg;
    case FUTEX_OP_CMP_LT:
      return (old | 0) < (arg | 0);
    case FUTEX_OP_CMP_LE:
      return (old | 0) <= (arg | 0);
    case FUTEX_OP_CMP_GT:
      return (old | 0) > (arg | 0);
    case FUTEX_OP_CMP_GE:
      return (old | 0) >= (arg | 0);
    default:
      throw new KernelError(ENOSYS);
  }
}

function applyOp(op: number, old: number, arg: number): number {
  switch (op) {
    case FUTEX_OP_SET:
      return arg;
    case FUTEX_OP_ADD:
      return (old + arg) >>> 0;
    case FUTEX_OP_OR:
      return (old | arg) >>> 0;
    case FUTEX_OP_ANDN:
      return (old & ~arg) >>> 0;
    case FUTEX_OP_XOR:
      return (old ^ arg) >>> 0;
    default:
      throw new KernelError(ENOSYS);
  }
}

function wakeOp(
  f: Futexes,
  t: Thread,
  priv: boolean,
  uaddr: number,
  n1: number,
  n2: number,
  uaddr2: number,
  encoded: number,
): number {
  const as = t.process.mm;
  const op = (encoded >>> 28) & 7;
  const cmp = (encoded >>> 24) & 15;
  let oparg = (encoded << 8) >> 20;
  const cmparg = (encoded << 20) >> 20;
  if ((encoded >>> 28) & FUTEX_OP_OPARG_SHIFT) oparg = 1 << (oparg & 31);
  const key1 = f.key(as, uaddr, priv);
  const key2 = f.key(as, uaddr2, priv);
  const old = getUser32(as, uaddr2 as UserPtr);
  putUser32(as, uaddr2 as UserPtr, applyOp(op & 7, old, oparg >>> 0));
  let woken = f.wake(key1, n1);
  if (compare(cmp, old, cmparg >>> 0)) woken += f.wake(key2, n2);
  return woken;
}

function futex(
  k: Kernel,
  f: Futexes,
  t: Thread,
  uaddr: number,
  op: number,
  val: number,
  timeout: number,
  uaddr2: number,
  val3: number,
  time64: boolean,
) {
  const cmd = op & FUTEX_CMD_MASK;
  const priv = (op & FUTEX_PRIVATE_FLAG) !== 0;
  const as = t.process.mm;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const key = f.key(as, uaddr, priv);
      const word = getUser32(as, uaddr as UserPtr);
      let deadline: number | null = null;
      if (timeout !== 0) {
        const ns = readTimespecNs(t, timeout, time64);
        if (cmd === FUTEX_WAIT) deadline = k.clock.nowNs() + ns;
        else deadline = op & FUTEX_CLOCK_REALTIME ? ns - (k.clock.epochNs() - k.clock.nowNs()) : ns;
      }
      return f.wait(t, key, word, val, cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3, deadline);
    }
    case FUTEX_WAKE:
      return f.wake(f.key(as, uaddr, priv), val);
    case FUTEX_WAKE_BITSET:
      return f.wake(f.key(as, uaddr, priv), val, val3);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      const from = f.key(as, uaddr, priv);
      const to = f.key(as, uaddr2, priv);
      if (cmd === FUTEX_CMP_REQUEUE && getUser32(as, uaddr as UserPtr) !== val3 >>> 0)
        throw new KernelError(EAGAIN);
      return f.requeue(from, to, val, timeout);
    }
    case FUTEX_WAKE_OP:
      return wakeOp(f, t, priv, uaddr, val, timeout, uaddr2, val3);
    default:
      throw new KernelError(cmd > 13 ? ENOSYS : EINVAL, `futex op ${cmd}`);
  }
}

export function futexSyscalls(k: Kernel, f: Futexes): Record<string, SyscallImpl> {
  const note = 'priority-inheritance operations (LOCK_PI...) are not supported';
  return {
    futex: {
      handler: (t, a, op, val, timeout, a2, v3) => futex(k, f, t, a, op, val, timeout, a2, v3, false),
      status: 'partial',
      note,
    },
    futex_time64: {
      handler: (t, a, op, val, timeout, a2, v3) => futex(k, f, t, a, op, val, timeout, a2, v3, true),
      status: 'partial',
      note,
    },
  };
}
