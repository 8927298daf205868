// File types and permission bits (st_mode), statx request masks and attributes, directory entry types
// and the device-number encodings of the i386 stat structs. Layer: abi (data only, imports nothing).
// Written from the Linux UAPI headers (linux/stat.h) and glibc's <dirent.h> and <sys/sysmacros.h> for DT_*
// and makedev; stat.test.ts checks each value. Struct layouts are in structs.ts.

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IRWXU = 0o700;
export const S_IRUSR = 0o400;
export const S_IWUSR = 0o200;
export const S_IXUSR = 0o100;
export const S_IRWXG = 0o070;
export const S_IRGRP = 0o040;
export const S_IWGRP = 0o020;
export const S_IXGRP = 0o010;
export const S_IRWXO = 0o007;
export const S_IROTH = 0o004;
export const S_IWOTH = 0o002;
export const S_IXOTH = 0o001;

export const S_ISLNK = (mode: number): boolean => (mode & S_IFMT) === S_IFLNK;
export const S_ISREG = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
export const S_ISDIR = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
export const S_ISCHR = (mode: number): boolean => (mode & S_IFMT) === S_IFCHR;
export const S_ISBLK = (mode: number): boolean => (mode & S_IFMT) === S_IFBLK;
export const S_ISFIFO = (mode: number): boolean => (mode & S_IFMT) === S_IFIFO;
export const S_ISSOCK = (mode: number): boolean => (mode & S_IFMT) === S_IFSOCK;

// statx stx_mask bits (what the caller asks for, and what the kernel filled in).
export const STATX_TYPE = 0x00000001;
export const STATX_MODE = 0x00000002;
export const STATX_NLINK = 0x00000004;
export const STATX_UID = 0x00000008;
export const STATX_GID = 0x00000010;
export const STATX_ATIME = 0x00000020;
export const STATX_MTIME = 0x00000040;
export const STATX_CTIME = 0x00000080;
export const STATX_INO = 0x00000100;
export const STATX_SIZE = 0x00000200;
export const STATX_BLOCKS = 0x00000400;
export const STATX_BASIC_STATS = 0x000007ff;
export const STATX_BTIME = 0x00000800;
export const STATX_MNT_ID = 0x00001000;
export const STATX_DIOALIGN = 0x00002000;

// statx stx_attributes bits.
export const STATX_ATTR_COMPRESSED = 0x00000004;
export const STATX_ATTR_IMMUTABLE = 0x00000010;
export const STATX_ATTR_APPEND = 0x00000020;
export const STATX_ATTR_NODUMP = 0x00000040;
export const STATX_ATTR_ENCRYPTED = 0x00000800;
export const STATX_ATTR_AUTOMOUNT = 0x00001000;
export const STATX_ATTR_MOUNT_ROOT = 0x00002000;
export const STATX_ATTR_VERITY = 0x00100000;
export const STATX_ATTR_DAX = 0x00200000;

// Directory entry types (linux_dirent64.d_type): the file type bits of st_mode shifted right by 12.
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;
export const DT_WHT = 14;

/** d_type for a mode: (mode & S_IFMT) >> 12, as the kernel's fs_umode_to_dtype computes it. */
export function IFTODT(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

/**
 * A device number as stat64 and statfs carry it on i386 (the kernel's new_encode_dev, equal to glibc's
 * makedev for majors below 4096 and minors below 2^20): minor bits 0-7, major bits 8-19, minor bits 20-31.
 */
export function new_encode_dev(major: number, minor: number): number {
  return ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

/** The inverse of new_encode_dev. */
export function new_decode_dev(dev: number): { major: number; minor: number } {
  return { major: (dev & 0xfff00) >>> 8, minor: ((dev & 0xff) | ((dev >>> 12) & 0xfff00)) >>> 0 };
}

/** The 16-bit device number of the old struct stat / __old_kernel_stat: major high byte, minor low byte. */
export function old_encode_dev(major: number, minor: number): number {
  return ((major & 0xff) << 8) | (minor & 0xff);
}
