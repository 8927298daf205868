// System V IPC: the ipc(2) multiplexer's call numbers (how i386 glibc reaches semget, shmat, msgsnd, ...)
// and the flags and commands the IPC calls share. Layer: abi (data only, imports nothing). Written from the
// Linux UAPI <linux/ipc.h>; ipc.test.ts checks each value.

// ipc(call, first, second, third, ptr, fifth): the low 16 bits of `call` select the operation, the high
// 16 bits carry a version (IPCCALL(version, op)).
export const SEMOP = 1;
export const SEMGET = 2;
export const SEMCTL = 3;
export const SEMTIMEDOP = 4;
export const MSGSND = 11;
export const MSGRCV = 12;
export const MSGGET = 13;
export const MSGCTL = 14;
export const SHMAT = 21;
export const SHMDT = 22;
export const SHMGET = 23;
export const SHMCTL = 24;
export const IPCCALL = (version: number, op: number): number => (version << 16) | op;

/** The key asking for a new, private IPC object. */
export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;
export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;
/** Or-ed into a *ctl command: the caller uses the 64-bit (32-bit uid) structures; glibc always sets it. */
export const IPC_64 = 0x0100;
