// System V semaphores and message queues: semop flags, semctl and msgctl commands, msgrcv flags and the
// default limits. Layer: abi (data only). Written from the UAPI <linux/sem.h> and <linux/msg.h>;
// sem-msg.test.ts checks each value. Their structs' layouts are in structs.ts.

export const SEM_UNDO = 0x1000;
export const GETPID = 11;
export const GETVAL = 12;
export const GETALL = 13;
export const GETNCNT = 14;
export const GETZCNT = 15;
export const SETVAL = 16;
export const SETALL = 17;
export const SEM_STAT = 18;
export const SEM_INFO = 19;
export const SEM_STAT_ANY = 20;
export const SEMMNI = 32000;
export const SEMMSL = 32000;
export const SEMOPM = 500;
export const SEMVMX = 32767;
export const SEMAEM = SEMVMX;

export const MSG_STAT = 11;
export const MSG_INFO = 12;
export const MSG_STAT_ANY = 13;
export const MSG_NOERROR = 0o10000;
export const MSG_EXCEPT = 0o20000;
export const MSG_COPY = 0o40000;
export const MSGMNI = 32000;
export const MSGMAX = 8192;
export const MSGMNB = 16384;
