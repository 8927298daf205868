/**
 * capget and capset: the header's version picks one 32-bit data struct (version 1) or two (versions 2 and
 * 3); an unknown version is EINVAL with the kernel's version written back (0 when no data was given, which
 * is how libcap asks). capset may only narrow: permitted within permitted, effective within the new
 * permitted, inheritable within inheritable and permitted (EPERM), and only for the caller itself.
 * Layer: kernel syscall handlers, over proc/capabilities.ts.
 */
import {
  _LINUX_CAPABILITY_U32S_1,
  _LINUX_CAPABILITY_U32S_3,
  _LINUX_CAPABILITY_VERSION_1,
  _LINUX_CAPABILITY_VERSION_2,
  _LINUX_CAPABILITY_VERSION_3,
  EINVAL,
  EPERM,
  ESRCH,
} from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import {
  ALL_CAPABILITIES,
  type CapabilitySets,
  capabilitiesOf,
  setCapabilities,
} from '../../proc/capabilities.js';
import type { Process } from '../../proc/process.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, struct, writeUser } from '../user-args.js';

/** One __user_cap_data_struct: effective, permitted, inheritable, 32 bits each. */
const DATA_BYTES = 12;

/** The data structs a header's version takes, or null after writing the preferred version back. */
function structsFor(t: Thread, headerPtr: number): number | null {
  const version = readUser(t, headerPtr, 8).getUint32(0, true);
  if (version === _LINUX_CAPABILITY_VERSION_1) return _LINUX_CAPABILITY_U32S_1;
  if (version === _LINUX_CAPABILITY_VERSION_2 || version === _LINUX_CAPABILITY_VERSION_3) {
    return _LINUX_CAPABILITY_U32S_3;
  }
  const { bytes, view } = struct(4);
  view.setUint32(0, _LINUX_CAPABILITY_VERSION_3, true);
  writeUser(t, headerPtr, bytes);
  return null;
}

function targetOf(k: Kernel, t: Thread, headerPtr: number): Process {
  const pid = readUser(t, headerPtr, 8).getInt32(4, true);
  if (pid < 0) throw new KernelError(EINVAL);
  if (pid === 0) return t.process;
  const p = k.processes.threads.get(pid)?.process;
  if (!p) throw new KernelError(ESRCH);
  return p;
}

function capget(k: Kernel, t: Thread, headerPtr: number, dataPtr: number): number {
  const count = structsFor(t, headerPtr);
  if (count === null) {
    if (dataPtr === 0) return 0;
    throw new KernelError(EINVAL, 'capability version');
  }
  const sets = capabilitiesOf(targetOf(k, t, headerPtr));
  if (dataPtr === 0) return 0;
  const { bytes, view } = struct(count * DATA_BYTES);
  for (let i = 0; i < count; i++) {
    const word = (set: bigint) => Number((set >> BigInt(32 * i)) & 0xffffffffn);
    view.setUint32(i * DATA_BYTES, word(sets.effective), true);
    view.setUint32(i * DATA_BYTES + 4, word(sets.permitted), true);
    view.setUint32(i * DATA_BYTES + 8, word(sets.inheritable), true);
  }
  writeUser(t, dataPtr, bytes);
  return 0;
}

function capset(k: Kernel, t: Thread, headerPtr: number, dataPtr: number): number {
  const count = structsFor(t, headerPtr);
  if (count === null) throw new KernelError(EINVAL, 'capability version');
  if (targetOf(k, t, headerPtr) !== t.process) throw new KernelError(EPERM, 'capset of another process');
  const v = readUser(t, dataPtr, count * DATA_BYTES);
  const read = (offset: number) => {
    let set = 0n;
    for (let i = 0; i < count; i++)
      set |= BigInt(v.getUint32(i * DATA_BYTES + offset, true)) << BigInt(32 * i);
    // Bits past the last capability are dropped (mk_kernel_cap's CAP_VALID_MASK).
    return set & ALL_CAPABILITIES;
  };
  const old = capabilitiesOf(t.process);
  const next: CapabilitySets = { effective: read(0), permitted: read(4), inheritable: read(8) };
  const within = (a: bigint, b: bigint) => (a & ~b) === 0n;
  if (!within(next.permitted, old.permitted)) throw new KernelError(EPERM);
  if (!within(next.effective, next.permitted)) throw new KernelError(EPERM);
  if (!within(next.inheritable, old.inheritable | old.permitted)) throw new KernelError(EPERM);
  setCapabilities(t.process, next);
  return 0;
}

export function capabilitySyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    capget: { handler: (t, header, data) => capget(k, t, header, data) },
    capset: {
      handler: (t, header, data) => capset(k, t, header, data),
      status: 'partial',
      note: 'the sets are kept and reported; permission checks still go by the ids',
    },
  };
}
