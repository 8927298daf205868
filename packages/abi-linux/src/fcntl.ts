// open(2) and fcntl(2) flags as the i386 kernel defines them, the *at() conventions, lseek whence values and
// flock operations. Layer: abi (data only, imports nothing). Written from the Linux UAPI headers
// (asm-generic/fcntl.h as x86 uses it, linux/fcntl.h, linux/fs.h); fcntl.test.ts checks each value.
// Octal where the headers write octal, so the two read alike.

// Access mode (the low two bits) and open flags. O_LARGEFILE is 0o100000 on i386: a 32-bit process must
// pass it (glibc always does) to open files of 2 GiB and more.
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_NDELAY = O_NONBLOCK;
export const O_DSYNC = 0o10000;
export const FASYNC = 0o20000;
export const O_ASYNC = FASYNC;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const __O_SYNC = 0o4000000;
export const O_SYNC = __O_SYNC | O_DSYNC;
export const O_RSYNC = O_SYNC;
export const O_PATH = 0o10000000;
export const __O_TMPFILE = 0o20000000;
export const O_TMPFILE = __O_TMPFILE | O_DIRECTORY;

// fcntl commands.
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_SETOWN = 8;
export const F_GETOWN = 9;
export const F_SETSIG = 10;
export const F_GETSIG = 11;
/** The struct flock64 forms, used by fcntl64 on 32-bit architectures. */
export const F_GETLK64 = 12;
export const F_SETLK64 = 13;
export const F_SETLKW64 = 14;
export const F_SETOWN_EX = 15;
export const F_GETOWN_EX = 16;
export const F_GETOWNER_UIDS = 17;
export const F_OFD_GETLK = 36;
export const F_OFD_SETLK = 37;
export const F_OFD_SETLKW = 38;
export const F_LINUX_SPECIFIC_BASE = 1024;
export const F_SETLEASE = F_LINUX_SPECIFIC_BASE + 0;
export const F_GETLEASE = F_LINUX_SPECIFIC_BASE + 1;
export const F_NOTIFY = F_LINUX_SPECIFIC_BASE + 2;
export const F_CANCELLK = F_LINUX_SPECIFIC_BASE + 5;
export const F_DUPFD_CLOEXEC = F_LINUX_SPECIFIC_BASE + 6;
export const F_SETPIPE_SZ = F_LINUX_SPECIFIC_BASE + 7;
export const F_GETPIPE_SZ = F_LINUX_SPECIFIC_BASE + 8;
export const F_ADD_SEALS = F_LINUX_SPECIFIC_BASE + 9;
export const F_GET_SEALS = F_LINUX_SPECIFIC_BASE + 10;

/** F_GETFD/F_SETFD: the close-on-exec bit. */
export const FD_CLOEXEC = 1;

// Lock types (struct flock l_type) and flock(2) operations.
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

// posix_fadvise advice (linux/fadvise.h; i386's values).
export const POSIX_FADV_NORMAL = 0;
export const POSIX_FADV_RANDOM = 1;
export const POSIX_FADV_SEQUENTIAL = 2;
export const POSIX_FADV_WILLNEED = 3;
export const POSIX_FADV_DONTNEED = 4;
export const POSIX_FADV_NOREUSE = 5;

// sync_file_range flags (linux/fs.h).
export const SYNC_FILE_RANGE_WAIT_BEFORE = 1;
export const SYNC_FILE_RANGE_WRITE = 2;
export const SYNC_FILE_RANGE_WAIT_AFTER = 4;

// preadv2/pwritev2 flags (linux/fs.h).
export const RWF_HIPRI = 0x1;
export const RWF_DSYNC = 0x2;
export const RWF_SYNC = 0x4;
export const RWF_NOWAIT = 0x8;
export const RWF_APPEND = 0x10;

// fallocate modes (linux/falloc.h).
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;
export const FALLOC_FL_ZERO_RANGE = 0x10;

// close_range flags (linux/close_range.h).
export const CLOSE_RANGE_UNSHARE = 1 << 1;
export const CLOSE_RANGE_CLOEXEC = 1 << 2;

// memfd_create flags (linux/memfd.h).
export const MFD_CLOEXEC = 0x0001;
export const MFD_ALLOW_SEALING = 0x0002;
export const MFD_HUGETLB = 0x0004;

// File seals (F_ADD_SEALS).
export const F_SEAL_SEAL = 0x0001;
export const F_SEAL_SHRINK = 0x0002;
export const F_SEAL_GROW = 0x0004;
export const F_SEAL_WRITE = 0x0008;
export const F_SEAL_FUTURE_WRITE = 0x0010;

// The *at() calls: the directory fd meaning "the current directory", and their flags.
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_EACCESS = 0x200;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const AT_STATX_SYNC_TYPE = 0x6000;
export const AT_STATX_SYNC_AS_STAT = 0x0000;
export const AT_STATX_FORCE_SYNC = 0x2000;
export const AT_STATX_DONT_SYNC = 0x4000;
export const AT_RECURSIVE = 0x8000;

// renameat2 flags.
export const RENAME_NOREPLACE = 1 << 0;
export const RENAME_EXCHANGE = 1 << 1;
export const RENAME_WHITEOUT = 1 << 2;

// lseek whence.
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

// access(2) / faccessat modes (glibc's <unistd.h>; the kernel's are the same numbers, MAY_* internally).
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;
