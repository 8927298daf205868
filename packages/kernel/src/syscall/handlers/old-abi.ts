/**
 * Calls of i386's first ABI that later ones replaced, for programs built against old headers or libcs:
 * stat, lstat and fstat (struct stat: 32-bit sizes and inode numbers, 16-bit link counts and ids), statfs
 * and fstatfs (struct statfs), getdents (struct linux_dirent) and readdir (one entry a call), select (its
 * five arguments in a struct) and setrlimit (struct rlimit). What does not fit the old structs is
 * EOVERFLOW, as Linux's cp_new_stat, do_statfs_native and filldir say; ids past 16 bits read as 65534.
 * Layer: kernel syscall handlers.
 */
import {
  AT_SYMLINK_NOFOLLOW,
  EOVERFLOW,
  linuxDirent64Layout,
  linuxDirentLayout,
  rlimitLayout,
  selArgStructLayout,
  statfsLayout,
  statLayout,
} from '@kmos/abi-linux';
import type { Stat } from '../../fs/open-file.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { after } from '../../maybe-sync.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallHandler, SyscallImpl } from '../syscall-table.js';
import { pathContext, readUser, signed, struct, userPath, writeUser } from '../user-args.js';
import { statfsOf } from './file-names.js';
import { setLimit } from './identity.js';
import { toId16 } from './ids.js';

/** MAX_NON_LFS: the largest size the old structs hold. */
const MAX_NON_LFS = 0x7fffffff;
const U32_MAX = 0xffffffff;
/** RLIM_INFINITY in struct rlimit. */
const RLIM_INFINITY_32 = 0xffffffff;

function encodeStat(st: Stat): Uint8Array {
  if (st.sizeBytes > MAX_NON_LFS || st.ino > U32_MAX || st.nlink > 0xffff) throw new KernelError(EOVERFLOW);
  const F = statLayout.fields;
  const { bytes, view } = struct(statLayout.sizeBytes);
  bytes.fill(0);
  view.setUint32(F.st_dev.offset, st.dev, true);
  view.setUint32(F.st_ino.offset, st.ino, true);
  view.setUint16(F.st_mode.offset, st.mode, true);
  view.setUint16(F.st_nlink.offset, st.nlink, true);
  view.setUint16(F.st_uid.offset, toId16(st.uid), true);
  view.setUint16(F.st_gid.offset, toId16(st.gid), true);
  view.setUint32(F.st_rdev.offset, st.rdev, true);
  view.setUint32(F.st_size.offset, st.sizeBytes, true);
  view.setUint32(F.st_blksize.offset, st.blockSizeBytes, true);
  view.setUint32(F.st_blocks.offset, st.blocks >>> 0, true);
  view.setUint32(F.st_atime.offset, st.atime.sec, true);
  view.setUint32(F.st_atime_nsec.offset, st.atime.nsec, true);
  view.setUint32(F.st_mtime.offset, st.mtime.sec, true);
  view.setUint32(F.st_mtime_nsec.offset, st.mtime.nsec, true);
  view.setUint32(F.st_ctime.offset, st.ctime.sec, true);
  view.setUint32(F.st_ctime_nsec.offset, st.ctime.nsec, true);
  return bytes;
}

/**
 * getdents: struct linux_dirent records, made from linux_dirent64 ones read into a buffer of the same size
 * (an old record is never larger than its 64-bit one, so whatever was read fits).
 */
function getdents(t: Thread, fd: number, ptr: number, count: number) {
  const file = t.process.files.get(signed(fd));
  const wide = new Uint8Array(Math.min(count, 1 << 20));
  return after(file.getdents64(wide), (n) => {
    const W = linuxDirent64Layout.fields;
    const N = linuxDirentLayout.fields;
    const src = new DataView(wide.buffer, 0, n);
    const out = new Uint8Array(n);
    const dst = new DataView(out.buffer);
    let written = 0;
    for (let at = 0; at < n; ) {
      const reclen = src.getUint16(at + W.d_reclen.offset, true);
      const ino = Number(src.getBigUint64(at + W.d_ino.offset, true));
      if (ino > U32_MAX) {
        if (written === 0) throw new KernelError(EOVERFLOW);
        break;
      }
      const name = wide.subarray(at + W.d_name.offset, at + reclen);
      const nameLength = name.indexOf(0) < 0 ? name.length : name.indexOf(0);
      const size = (N.d_name.offset + nameLength + 2 + 3) & ~3;
      dst.setUint32(written + N.d_ino.offset, ino, true);
      dst.setUint32(
        written + N.d_off.offset,
        Number(src.getBigUint64(at + W.d_off.offset, true) & 0xffffffffn),
        true,
      );
      dst.setUint16(written + N.d_reclen.offset, size, true);
      out.set(name.subarray(0, nameLength), written + N.d_name.offset);
      // d_type goes in the record's last byte, after the name's NUL and padding.
      out[written + size - 1] = src.getUint8(at + W.d_type.offset);
      written += size;
      at += reclen;
    }
    if (written > 0) writeUser(t, ptr, out.subarray(0, written));
    return written;
  });
}

/** readdir: one struct old_linux_dirent (ino, offset, name length, name); 1, or 0 at the end. */
function readdir(t: Thread, fd: number, ptr: number) {
  const file = t.process.files.get(signed(fd));
  const at = file.offset;
  const wide = new Uint8Array(linuxDirent64Layout.fields.d_name.offset + 256 + 8);
  return after(file.getdents64(wide), (n) => {
    if (n === 0) return 0;
    const W = linuxDirent64Layout.fields;
    const src = new DataView(wide.buffer, 0, n);
    // Only the first entry is taken: the directory goes on after it.
    file.offset = Number(src.getBigUint64(W.d_off.offset, true));
    const ino = Number(src.getBigUint64(W.d_ino.offset, true));
    if (ino > U32_MAX) throw new KernelError(EOVERFLOW);
    const name = wide.subarray(W.d_name.offset, src.getUint16(W.d_reclen.offset, true));
    const nameLength = name.indexOf(0) < 0 ? name.length : name.indexOf(0);
    const { bytes, view } = struct(10 + nameLength + 1);
    bytes.fill(0);
    view.setUint32(0, ino, true);
    view.setUint32(4, at >>> 0, true);
    view.setUint16(8, nameLength, true);
    bytes.set(name.subarray(0, nameLength), 10);
    writeUser(t, ptr, bytes);
    return 1;
  });
}

async function statfs(k: Kernel, t: Thread, fileOrPath: { fd: number } | { path: number }, ptr: number) {
  const r = await statfsOf(k, t, fileOrPath);
  const big = [r.blocks, r.blocksFree, r.blocksAvailable, r.blockSizeBytes, r.files, r.filesFree];
  if (big.some((v) => v > U32_MAX)) throw new KernelError(EOVERFLOW);
  const F = statfsLayout.fields;
  const { bytes, view } = struct(statfsLayout.sizeBytes);
  bytes.fill(0);
  view.setUint32(F.f_type.offset, r.type, true);
  view.setUint32(F.f_bsize.offset, r.blockSizeBytes, true);
  view.setUint32(F.f_blocks.offset, r.blocks, true);
  view.setUint32(F.f_bfree.offset, r.blocksFree, true);
  view.setUint32(F.f_bavail.offset, r.blocksAvailable, true);
  view.setUint32(F.f_files.offset, r.files, true);
  view.setUint32(F.f_ffree.offset, r.filesFree, true);
  view.setUint32(F.f_fsid.offset, r.fsid, true);
  view.setUint32(F.f_namelen.offset, r.nameMaxBytes, true);
  view.setUint32(F.f_frsize.offset, r.blockSizeBytes, true);
  writeUser(t, ptr, bytes);
  return 0;
}

function setrlimit(t: Thread, resource: number, ptr: number): number {
  const v = readUser(t, ptr, rlimitLayout.sizeBytes);
  const wide = (x: number) => (x === RLIM_INFINITY_32 ? 0xffffffffffffffffn : BigInt(x));
  const soft = v.getUint32(rlimitLayout.fields.rlim_cur.offset, true);
  const hard = v.getUint32(rlimitLayout.fields.rlim_max.offset, true);
  setLimit(t, t.process, resource, wide(soft), wide(hard));
  return 0;
}

export function oldAbiSyscalls(k: Kernel, newselect: SyscallHandler): Record<string, SyscallImpl> {
  const stat = (t: Thread, pathPtr: number, ptr: number, flags: number) =>
    after(k.vfs.stat(pathContext(t), null, userPath(t, pathPtr), flags), (st) => {
      writeUser(t, ptr, encodeStat(st));
      return 0;
    });
  return {
    stat: { handler: (t, path, ptr) => stat(t, path, ptr, 0) },
    lstat: { handler: (t, path, ptr) => stat(t, path, ptr, AT_SYMLINK_NOFOLLOW) },
    fstat: {
      handler: (t, fd, ptr) =>
        after(t.process.files.get(signed(fd)).fstat(), (st) => {
          writeUser(t, ptr, encodeStat(st));
          return 0;
        }),
    },
    statfs: { handler: (t, path, ptr) => statfs(k, t, { path }, ptr) },
    fstatfs: { handler: (t, fd, ptr) => statfs(k, t, { fd }, ptr) },
    getdents: { handler: (t, fd, ptr, count) => getdents(t, fd, ptr, count) },
    readdir: { handler: (t, fd, ptr) => readdir(t, fd, ptr) },
    select: {
      handler: (t, argsPtr) => {
        const v = readUser(t, argsPtr, selArgStructLayout.sizeBytes);
        const F = selArgStructLayout.fields;
        const arg = (f: { offset: number }) => v.getUint32(f.offset, true);
        return newselect(t, arg(F.n), arg(F.inp), arg(F.outp), arg(F.exp), arg(F.tvp), 0);
      },
    },
    setrlimit: { handler: (t, resource, ptr) => setrlimit(t, resource, ptr) },
  };
}
