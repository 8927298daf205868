/**
 * st_mode predicates under the short names the VFS files use (the S_IS* helpers of @kmos/abi-linux), the
 * d_type of a mode, and the permission-bit mask. Layer: kernel VFS.
 */
import { IFTODT, S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG, S_ISSOCK } from '@kmos/abi-linux';

/** The permission bits chmod may set: rwx for three classes plus setuid, setgid and sticky. */
export const MODE_PERMISSION_MASK = 0o7777;

export const dtypeOf = IFTODT;
export const isReg = S_ISREG;
export const isDir = S_ISDIR;
export const isLnk = S_ISLNK;
export const isFifo = S_ISFIFO;
export const isChr = S_ISCHR;
export const isBlk = S_ISBLK;
export const isSock = S_ISSOCK;
