/**
 * Calls that advise or order and change nothing a program can see here: posix_fadvise (fadvise64 and
 * fadvise64_64), readahead, sync_file_range (writes reach the filesystem at once in kmOS) and membarrier
 * (one CPU, and a thread that makes a syscall has every store of the others behind it). Each checks its
 * arguments and descriptor as Linux does. Layer: kernel syscall handlers.
 */
import {
  EBADF,
  EINVAL,
  EPERM,
  ESPIPE,
  MEMBARRIER_CMD_GLOBAL,
  MEMBARRIER_CMD_GLOBAL_EXPEDITED,
  MEMBARRIER_CMD_PRIVATE_EXPEDITED,
  MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE,
  MEMBARRIER_CMD_QUERY,
  MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
  POSIX_FADV_NOREUSE,
  POSIX_FADV_NORMAL,
  SYNC_FILE_RANGE_WAIT_AFTER,
  SYNC_FILE_RANGE_WAIT_BEFORE,
  SYNC_FILE_RANGE_WRITE,
} from '@kmos/abi-linux';
import { RegularFile } from '../../fs/inode-file.js';
import { PipeFile } from '../../fs/pipe.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { arg64, signed } from '../user-args.js';

function fadvise(t: Thread, fd: number, length: number, advice: number): number {
  const file = t.process.files.get(signed(fd));
  if (file instanceof PipeFile) throw new KernelError(ESPIPE);
  if (length < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE) throw new KernelError(EINVAL);
  return 0;
}

const SYNC_FILE_RANGE_FLAGS =
  SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;

function syncFileRange(t: Thread, fd: number, offset: number, bytes: number, flags: number): number {
  if (flags & ~SYNC_FILE_RANGE_FLAGS || offset < 0 || bytes < 0) throw new KernelError(EINVAL);
  const file = t.process.files.get(signed(fd));
  if (file instanceof PipeFile) throw new KernelError(ESPIPE);
  return 0;
}

/** The commands answered: all but the rseq ones (kmOS has no rseq). */
const MEMBARRIER_COMMANDS =
  MEMBARRIER_CMD_GLOBAL |
  MEMBARRIER_CMD_GLOBAL_EXPEDITED |
  MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED |
  MEMBARRIER_CMD_PRIVATE_EXPEDITED |
  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED |
  MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE |
  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;

const REGISTRATIONS =
  MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED |
  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED |
  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;

/** Each private command, and the registration it needs. */
const NEEDS_REGISTRATION = new Map([
  [MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED],
  [MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE],
]);

function membarrier(t: Thread, cmd: number, flags: number): number {
  if (flags !== 0) throw new KernelError(EINVAL, 'membarrier flags');
  if (cmd === MEMBARRIER_CMD_QUERY) return MEMBARRIER_COMMANDS;
  if (!(cmd & MEMBARRIER_COMMANDS) || (cmd & (cmd - 1)) !== 0)
    throw new KernelError(EINVAL, `membarrier ${cmd}`);
  // Registrations belong to the address space: its threads share them, a fork child inherits them, exec
  // starts a new one without.
  const mm = t.process.mm;
  const needs = NEEDS_REGISTRATION.get(cmd);
  if (needs !== undefined && !(mm.membarrierRegistered & needs))
    throw new KernelError(EPERM, 'membarrier: not registered');
  if (cmd & REGISTRATIONS) mm.membarrierRegistered |= cmd;
  return 0;
}

export function adviceSyscalls(): Record<string, SyscallImpl> {
  return {
    // fadvise64's length is a size_t: never negative.
    fadvise64: { handler: (t, fd, _lo, _hi, length, advice) => fadvise(t, fd, length, signed(advice)) },
    fadvise64_64: {
      handler: (t, fd, _lo, _hi, lengthLo, lengthHi, advice) =>
        fadvise(t, fd, arg64(lengthLo, lengthHi), signed(advice)),
    },
    readahead: {
      handler: (t, fd) => {
        const file = t.process.files.get(signed(fd));
        if (!file.readable) throw new KernelError(EBADF);
        if (!(file instanceof RegularFile)) throw new KernelError(EINVAL, 'readahead of a special file');
        return 0;
      },
    },
    sync_file_range: {
      handler: (t, fd, offLo, offHi, bytesLo, bytesHi, flags) =>
        syncFileRange(t, fd, arg64(offLo, offHi), arg64(bytesLo, bytesHi), flags),
    },
    membarrier: { handler: (t, cmd, flags) => membarrier(t, signed(cmd), flags) },
  };
}
