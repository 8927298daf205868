/**
 * prctl(2) and personality(2): the process's name, and the settings proc/process-controls.ts keeps —
 * parent-death signal, dumpable, keep-capabilities, seccomp (never on), the capability bounding set,
 * securebits, timer slack, child subreaper, no-new-privileges, THP disable — with Linux's argument checks
 * (kernel/sys.c, read for them). personality stores any persona and returns the old one.
 * Layer: kernel syscall handlers.
 */
import {
  _NSIG,
  CAP_LAST_CAP,
  CAP_SETPCAP,
  EINVAL,
  EPERM,
  PERSONALITY_QUERY,
  PR_CAPBSET_DROP,
  PR_CAPBSET_READ,
  PR_GET_CHILD_SUBREAPER,
  PR_GET_DUMPABLE,
  PR_GET_KEEPCAPS,
  PR_GET_NAME,
  PR_GET_NO_NEW_PRIVS,
  PR_GET_PDEATHSIG,
  PR_GET_SECCOMP,
  PR_GET_SECUREBITS,
  PR_GET_THP_DISABLE,
  PR_GET_TIMERSLACK,
  PR_SET_CHILD_SUBREAPER,
  PR_SET_DUMPABLE,
  PR_SET_KEEPCAPS,
  PR_SET_NAME,
  PR_SET_NO_NEW_PRIVS,
  PR_SET_PDEATHSIG,
  PR_SET_SECUREBITS,
  PR_SET_THP_DISABLE,
  PR_SET_TIMERSLACK,
  TASK_COMM_LEN,
} from '@kmos/abi-linux';
import { KernelError } from '../../kernel-error.js';
import { capabilitiesOf } from '../../proc/capabilities.js';
import { DEFAULT_TIMER_SLACK_NS } from '../../proc/process-controls.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, struct, writeUser } from '../user-args.js';

/** The securebits a process may set (SECURE_ALL_BITS) and their lock bits (SECURE_ALL_LOCKS). */
const SECURE_ALL_BITS = 0x55;
const SECURE_ALL_LOCKS = SECURE_ALL_BITS << 1;
const SECBIT_KEEP_CAPS_LOCKED = 1 << 5;

export function prctlSyscalls(): Record<string, SyscallImpl> {
  return {
    prctl: {
      handler: prctl,
      status: 'partial',
      note: 'no seccomp (PR_SET_SECCOMP is EINVAL), PR_SET_MM, speculation or memory-tagging controls',
    },
    personality: {
      handler: (t, persona) => {
        const controls = t.process.controls;
        const old = controls.personality;
        if (persona >>> 0 !== PERSONALITY_QUERY) controls.personality = persona >>> 0;
        return old;
      },
    },
  };
}

function prctl(t: Thread, option: number, arg2: number, arg3: number, arg4: number, arg5: number): number {
  const p = t.process;
  const c = p.controls;
  const flag = (value: number) => {
    if (value !== 0 && value !== 1) throw new KernelError(EINVAL);
    return value === 1;
  };
  const mayChangeCapabilities = () => {
    if (!(capabilitiesOf(p).effective & (1n << BigInt(CAP_SETPCAP)))) throw new KernelError(EPERM);
  };
  const validCapability = (cap: number) => {
    if (cap < 0 || cap > CAP_LAST_CAP) throw new KernelError(EINVAL);
    return 1n << BigInt(cap);
  };
  switch (option) {
    case PR_SET_NAME: {
      const bytes = new Uint8Array(readUser(t, arg2, TASK_COMM_LEN).buffer);
      const end = bytes.indexOf(0);
      p.comm = Buffer.from(bytes.subarray(0, end < 0 ? TASK_COMM_LEN - 1 : end)).toString('latin1');
      return 0;
    }
    case PR_GET_NAME: {
      const out = new Uint8Array(TASK_COMM_LEN);
      out.set(Buffer.from(p.comm, 'latin1').subarray(0, TASK_COMM_LEN - 1));
      writeUser(t, arg2, out);
      return 0;
    }
    case PR_SET_PDEATHSIG:
      if (arg2 >>> 0 > _NSIG) throw new KernelError(EINVAL, 'not a signal');
      c.parentDeathSignal = arg2;
      return 0;
    case PR_GET_PDEATHSIG:
      return putInt(t, arg2, c.parentDeathSignal);
    case PR_GET_DUMPABLE:
      return 1;
    case PR_SET_DUMPABLE:
      flag(arg2);
      return 0;
    case PR_GET_KEEPCAPS:
      return c.keepCaps ? 1 : 0;
    case PR_SET_KEEPCAPS:
      if (c.secureBits & SECBIT_KEEP_CAPS_LOCKED) throw new KernelError(EPERM);
      c.keepCaps = flag(arg2);
      return 0;
    case PR_GET_SECCOMP:
      return 0;
    case PR_CAPBSET_READ:
      return c.bounding & validCapability(arg2) ? 1 : 0;
    case PR_CAPBSET_DROP: {
      mayChangeCapabilities();
      c.bounding &= ~validCapability(arg2);
      return 0;
    }
    case PR_GET_SECUREBITS:
      return c.secureBits;
    case PR_SET_SECUREBITS: {
      // cap_task_prctl: a locked bit cannot change, a lock cannot be lifted, unknown bits and a caller
      // without CAP_SETPCAP are refused, all with EPERM.
      const bits = arg2 >>> 0;
      const locks = c.secureBits & SECURE_ALL_LOCKS;
      if (
        (bits ^ c.secureBits) & (locks >> 1) ||
        locks & ~bits ||
        bits & ~(SECURE_ALL_BITS | SECURE_ALL_LOCKS)
      )
        throw new KernelError(EPERM);
      mayChangeCapabilities();
      c.secureBits = bits;
      return 0;
    }
    case PR_SET_TIMERSLACK:
      c.timerSlackNs = arg2 >>> 0 > 0 ? arg2 >>> 0 : DEFAULT_TIMER_SLACK_NS;
      return 0;
    case PR_GET_TIMERSLACK:
      return c.timerSlackNs;
    case PR_SET_CHILD_SUBREAPER:
      c.childSubreaper = arg2 !== 0;
      return 0;
    case PR_GET_CHILD_SUBREAPER:
      return putInt(t, arg2, c.childSubreaper ? 1 : 0);
    case PR_SET_NO_NEW_PRIVS:
      if (arg2 !== 1 || arg3 || arg4 || arg5) throw new KernelError(EINVAL);
      c.noNewPrivs = true;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (arg2 || arg3 || arg4 || arg5) throw new KernelError(EINVAL);
      return c.noNewPrivs ? 1 : 0;
    case PR_SET_THP_DISABLE:
      if (arg3 || arg4 || arg5) throw new KernelError(EINVAL);
      c.thpDisable = arg2 !== 0;
      return 0;
    case PR_GET_THP_DISABLE:
      if (arg2 || arg3 || arg4 || arg5) throw new KernelError(EINVAL);
      return c.thpDisable ? 1 : 0;
    default:
      // PR_SET_SECCOMP among them: a kernel without seccomp says EINVAL.
      throw new KernelError(EINVAL, `prctl option ${option}`);
  }
}

function putInt(t: Thread, ptr: number, value: number): number {
  const { bytes, view } = struct(4);
  view.setInt32(0, value, true);
  writeUser(t, ptr, bytes);
  return 0;
}
