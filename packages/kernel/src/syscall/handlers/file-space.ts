/**
 * fallocate: reserving and freeing space in a file. kmOS's filesystems allocate as they are written, so
 * reserving is extending the size (mode 0) or nothing (FALLOC_FL_KEEP_SIZE); punching a hole writes zeros
 * over the range inside the file. Other modes are EOPNOTSUPP, as on a filesystem without them; the
 * descriptor and range are checked as Linux's vfs_fallocate does. Layer: kernel syscall handlers.
 */
import {
  EBADF,
  EFBIG,
  EINVAL,
  EISDIR,
  ENODEV,
  EOPNOTSUPP,
  ESPIPE,
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
} from '@kmos/abi-linux';
import { isDir, isFifo, isReg } from '../../fs/file-type.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { arg64, signed } from '../user-args.js';

/** The largest file offset (MAX_LFS_FILESIZE on 32-bit, in bytes). */
const MAX_FILE_BYTES = 2 ** 43 - 1;
/** Zeros written per call when punching a hole. */
const ZERO_CHUNK = 1 << 16;

async function fallocate(k: Kernel, t: Thread, fd: number, mode: number, offset: number, length: number) {
  if (offset < 0 || length <= 0) throw new KernelError(EINVAL);
  const punch = mode === (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
  if (mode !== 0 && mode !== FALLOC_FL_KEEP_SIZE && !punch)
    throw new KernelError(EOPNOTSUPP, 'fallocate mode');
  const file = t.process.files.get(signed(fd));
  if (!file.writable) throw new KernelError(EBADF);
  const st = await file.fstat();
  if (isFifo(st.mode)) throw new KernelError(ESPIPE);
  if (isDir(st.mode)) throw new KernelError(EISDIR);
  if (!isReg(st.mode)) throw new KernelError(ENODEV);
  if (offset + length > MAX_FILE_BYTES) throw new KernelError(EFBIG);
  if (mode === 0) {
    if (offset + length > st.sizeBytes) await k.vfs.ftruncate(file, offset + length);
    return 0;
  }
  if (punch) {
    const end = Math.min(offset + length, st.sizeBytes);
    const zeros = new Uint8Array(Math.min(ZERO_CHUNK, Math.max(0, end - offset)));
    for (let at = offset; at < end; at += zeros.length) {
      await file.pwrite(zeros.subarray(0, Math.min(zeros.length, end - at)), at);
    }
  }
  return 0;
}

export function fileSpaceSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    fallocate: {
      handler: (t, fd, mode, offLo, offHi, lenLo, lenHi) =>
        fallocate(k, t, fd, signed(mode), arg64(offLo, offHi), arg64(lenLo, lenHi)),
      status: 'partial',
      note: 'FALLOC_FL_ZERO_RANGE, COLLAPSE_RANGE and INSERT_RANGE are EOPNOTSUPP',
    },
  };
}
