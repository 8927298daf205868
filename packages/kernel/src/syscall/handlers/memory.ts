/**
 * Memory syscalls: brk, mmap2 and the old mmap with its argument block, munmap, mprotect, mremap, madvise,
 * msync, mincore. Handlers decode arguments and resolve file descriptors; mm/mmap.ts has the semantics.
 * Layer: kernel syscall handlers.
 */
import { PAGE_SIZE, type UserPtr } from '@kmos/abi-driver';
import {
  EBADF,
  EINVAL,
  EPERM,
  MAP_ANONYMOUS,
  MCL_CURRENT,
  MCL_FUTURE,
  MCL_ONFAULT,
  MLOCK_ONFAULT,
  mmapArgStructLayout,
  RLIMIT_MEMLOCK,
} from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import {
  brk,
  madvise,
  mincore,
  mlock,
  mlockall,
  mmap,
  mprotect,
  mremap,
  msync,
  munlockall,
  munmap,
} from '../../mm/mmap.js';
import { copyToUser } from '../../mm/usercopy.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed } from '../user-args.js';

function doMmap(
  k: Kernel,
  t: Thread,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fd: number,
  offsetBytes: number,
) {
  let file = null;
  if (!(flags & MAP_ANONYMOUS)) {
    if (signed(fd) < 0) throw new KernelError(EBADF);
    const open = t.process.files.get(signed(fd));
    file = k.filePages.mapFileOf(open);
  }
  return mmap(t.process.mm, addr, len, prot, flags, file, offsetBytes);
}

/** The old i386 mmap (syscall 90) takes one pointer to six words. */
function oldMmap(k: Kernel, t: Thread, argsPtr: number) {
  const F = mmapArgStructLayout.fields;
  const v = readUser(t, argsPtr, mmapArgStructLayout.sizeBytes);
  const word = (f: { offset: number }) => v.getUint32(f.offset, true);
  const offset = word(F.offset);
  if (offset % PAGE_SIZE !== 0) throw new KernelError(EINVAL);
  return doMmap(k, t, word(F.addr), word(F.len), word(F.prot), word(F.flags), word(F.fd), offset);
}

/**
 * RLIMIT_MEMLOCK in bytes for mlock, or null for no limit (root has CAP_IPC_LOCK); EPERM when it is 0 for
 * a process without the capability, as Linux's can_do_mlock.
 */
function memlockLimit(t: Thread): number | null {
  if (t.process.creds.euid === 0) return null;
  const soft = t.process.rlimits[RLIMIT_MEMLOCK]?.[0] ?? 0n;
  if (soft === 0n) throw new KernelError(EPERM, 'mlock: RLIMIT_MEMLOCK is 0');
  return soft > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(soft);
}

function mlockallFlags(t: Thread, flags: number): number {
  if (flags === 0 || flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || flags === MCL_ONFAULT)
    throw new KernelError(EINVAL, 'mlockall flags');
  mlockall(
    t.process.mm,
    (flags & MCL_CURRENT) !== 0,
    (flags & MCL_FUTURE) !== 0,
    (flags & MCL_ONFAULT) !== 0,
    memlockLimit(t),
  );
  return 0;
}

export function memorySyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    brk: { handler: (t, addr) => brk(t.process.mm, addr) },
    mmap2: {
      handler: (t, addr, len, prot, flags, fd, pgoff) =>
        doMmap(k, t, addr, len, prot, flags, fd, pgoff * PAGE_SIZE),
    },
    mmap: { handler: (t, args) => oldMmap(k, t, args) },
    munmap: {
      handler: (t, addr, len) => {
        munmap(t.process.mm, addr, len);
        return 0;
      },
    },
    mlock: {
      handler: (t, addr, len) => {
        mlock(t.process.mm, addr, len, 'lock', memlockLimit(t));
        return 0;
      },
    },
    mlock2: {
      handler: (t, addr, len, flags) => {
        if (flags & ~MLOCK_ONFAULT) throw new KernelError(EINVAL, 'mlock2 flags');
        mlock(t.process.mm, addr, len, flags & MLOCK_ONFAULT ? 'lock-on-fault' : 'lock', memlockLimit(t));
        return 0;
      },
    },
    munlock: {
      handler: (t, addr, len) => {
        mlock(t.process.mm, addr, len, 'unlock', null);
        return 0;
      },
    },
    mlockall: { handler: (t, flags) => mlockallFlags(t, flags) },
    munlockall: {
      handler: (t) => {
        munlockall(t.process.mm);
        return 0;
      },
    },
    mprotect: {
      handler: (t, addr, len, prot) => {
        mprotect(t.process.mm, addr, len, prot);
        return 0;
      },
    },
    mremap: {
      handler: (t, oldAddr, oldLen, newLen, flags, newAddr) =>
        mremap(t.process.mm, oldAddr, oldLen, newLen, flags, newAddr),
    },
    madvise: {
      handler: (t, addr, len, advice) => {
        madvise(t.process.mm, addr, len, advice);
        return 0;
      },
    },
    msync: {
      handler: (t, addr, len, flags) => {
        msync(t.process.mm, addr, len, flags);
        return 0;
      },
    },
    mincore: {
      handler: (t, addr, len, vec) => {
        copyToUser(t.process.mm, vec as UserPtr, mincore(t.process.mm, addr, len));
        return 0;
      },
    },
  };
}
