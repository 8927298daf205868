// System V shared memory: shmget/shmat flags, shmctl commands and limits. Layer: abi (data only). Written
// from the UAPI <linux/shm.h> (SHM_DEST and SHM_LOCKED, the mode bits shmctl reports, from glibc's
// <sys/shm.h>); shm.test.ts checks each value. shmid64_ds's layout is in structs.ts.

export const SHM_R = 0o400;
export const SHM_W = 0o200;
export const SHM_HUGETLB = 0o4000;
export const SHM_NORESERVE = 0o10000;
export const SHM_RDONLY = 0o10000;
export const SHM_RND = 0o20000;
export const SHM_REMAP = 0o40000;
export const SHM_EXEC = 0o100000;
export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_STAT = 13;
export const SHM_INFO = 14;
export const SHM_STAT_ANY = 15;
export const SHMMIN = 1;
export const SHMMNI = 4096;
/** The segment is removed once its last attach goes (IPC_RMID while attached). */
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;
/** The attach address granularity on i386 (asm/shmparam.h): a page. */
export const SHMLBA = 4096;
