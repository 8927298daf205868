/**
 * Extended attributes (getxattr, listxattr, setxattr, removexattr and their l- and f- forms): no kmOS
 * filesystem stores any yet. The file is found as Linux finds it (ENOENT, ENOTDIR, EBADF... come first), a
 * name outside the four namespaces is EOPNOTSUPP and a bad name's length ERANGE, as in Linux; then a read
 * finds no attribute (ENODATA, what Linux gives on a filesystem with xattrs and none set; procfs has no
 * xattr support at all there, so EOPNOTSUPP), a list is empty and a write is EOPNOTSUPP. `ls -l` asks for
 * security.selinux of every file and reports anything but ENODATA and EOPNOTSUPP as an error.
 * Layer: kernel syscall handlers, over fs/vfs.ts.
 */
import type { UserPtr } from '@kmos/abi-driver';
import { AT_SYMLINK_NOFOLLOW, EFAULT, ENODATA, EOPNOTSUPP, ERANGE } from '@kmos/abi-linux';
import { PROC_SUPER_MAGIC } from '../../fs/procfs.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { strncpyFromUser } from '../../mm/usercopy.js';
import type { Thread } from '../../proc/thread.js';
import type { SyscallImpl } from '../syscall-table.js';
import { pathContext, signed, userPath } from '../user-args.js';

/** XATTR_NAME_MAX: the longest attribute name. */
const XATTR_NAME_MAX = 255;
const NAMESPACES = ['user.', 'trusted.', 'security.', 'system.'];
const NOTE = 'no filesystem stores extended attributes yet: reads find none, lists are empty, writes fail';

/** The file an xattr call names: a path (followed or not) or a descriptor. */
type Target = { path: number; follow: boolean } | { fd: number };

/** The filesystem type (statfs f_type) of the target, after Linux's checks on finding it. */
async function fsTypeOf(k: Kernel, t: Thread, target: Target): Promise<number> {
  if ('fd' in target) return (await k.vfs.fstatfs(t.process.files.get(signed(target.fd)))).type;
  const ctx = pathContext(t);
  const path = userPath(t, target.path);
  // stat finds the file itself (a final symlink not followed for the l- forms); statfs its filesystem.
  await k.vfs.stat(ctx, null, path, target.follow ? 0 : AT_SYMLINK_NOFOLLOW);
  return (await k.vfs.statfs(ctx, null, path)).type;
}

/** An attribute name: ERANGE when empty or too long, EOPNOTSUPP outside the namespaces Linux knows. */
function attributeName(t: Thread, ptr: number): string {
  if (ptr === 0) throw new KernelError(EFAULT, 'NULL name');
  const bytes = new Uint8Array(XATTR_NAME_MAX + 1);
  const n = strncpyFromUser(t.process.mm, ptr as UserPtr, bytes);
  if (n === 0 || n > XATTR_NAME_MAX) throw new KernelError(ERANGE, 'xattr name length');
  const name = Buffer.from(bytes.buffer, 0, n).toString('latin1');
  if (!NAMESPACES.some((ns) => name.startsWith(ns))) throw new KernelError(EOPNOTSUPP, 'xattr namespace');
  return name;
}

async function getxattr(k: Kernel, t: Thread, target: Target, namePtr: number): Promise<number> {
  const type = await fsTypeOf(k, t, target);
  attributeName(t, namePtr);
  throw new KernelError(type === PROC_SUPER_MAGIC ? EOPNOTSUPP : ENODATA, 'no extended attributes');
}

async function listxattr(k: Kernel, t: Thread, target: Target): Promise<number> {
  await fsTypeOf(k, t, target);
  return 0;
}

async function changexattr(k: Kernel, t: Thread, target: Target, namePtr: number): Promise<number> {
  await fsTypeOf(k, t, target);
  attributeName(t, namePtr);
  throw new KernelError(EOPNOTSUPP, 'extended attributes are not stored');
}

const path = (ptr: number): Target => ({ path: ptr, follow: true });
const link = (ptr: number): Target => ({ path: ptr, follow: false });
const fd = (n: number): Target => ({ fd: n });

export function xattrSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const partial = { status: 'partial', note: NOTE } as const;
  return {
    getxattr: { handler: (t, p, name) => getxattr(k, t, path(p), name), ...partial },
    lgetxattr: { handler: (t, p, name) => getxattr(k, t, link(p), name), ...partial },
    fgetxattr: { handler: (t, f, name) => getxattr(k, t, fd(f), name), ...partial },
    listxattr: { handler: (t, p) => listxattr(k, t, path(p)), ...partial },
    llistxattr: { handler: (t, p) => listxattr(k, t, link(p)), ...partial },
    flistxattr: { handler: (t, f) => listxattr(k, t, fd(f)), ...partial },
    setxattr: { handler: (t, p, name) => changexattr(k, t, path(p), name), ...partial },
    lsetxattr: { handler: (t, p, name) => changexattr(k, t, link(p), name), ...partial },
    fsetxattr: { handler: (t, f, name) => changexattr(k, t, fd(f), name), ...partial },
    removexattr: { handler: (t, p, name) => changexattr(k, t, path(p), name), ...partial },
    lremovexattr: { handler: (t, p, name) => changexattr(k, t, link(p), name), ...partial },
    fremovexattr: { handler: (t, f, name) => changexattr(k, t, fd(f), name), ...partial },
  };
}
