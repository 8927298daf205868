/**
 * /proc/sysvipc/shm, sem and msg, which ipcs reads: one line per object in Linux's sysvipc_*_proc_show
 * formats, as a 32-bit kernel prints them (sizes in ten columns). Layer: kernel ipc (procfs text).
 */
import type { IpcObject } from './ipc-ids.js';
import type { SysvMsg } from './sysv-msg.js';
import type { SysvSem } from './sysv-sem.js';
import type { SysvShm } from './sysv-shm.js';

const PAGE_BYTES = 4096;
const num = (n: number, width: number) => String(n).padStart(width);
const perms = (o: IpcObject) => (o.mode & 0o777).toString(8).padStart(4);
/** key, id and permissions: every table's first three columns. */
const head = (o: IpcObject) => `${num(o.key | 0, 10)} ${num(o.id, 10)}  ${perms(o)}`;
const owners = (o: IpcObject) => `${num(o.uid, 5)} ${num(o.gid, 5)} ${num(o.cuid, 5)} ${num(o.cgid, 5)}`;

export function procSysvShm(shm: SysvShm): string {
  let out =
    '       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime        rss       swap\n';
  for (const s of shm.all()) {
    const rss = s.cache.pageCount * PAGE_BYTES;
    out += `${head(s)} ${num(s.sizeBytes, 10)} ${num(s.cpid, 5)} ${num(s.lpid, 5)}  ${num(s.attaches, 5)} ${owners(s)} ${num(s.atime, 10)} ${num(s.dtime, 10)} ${num(s.ctime, 10)} ${num(rss, 10)} ${num(0, 10)}\n`;
  }
  return out;
}

export function procSysvSem(sem: SysvSem): string {
  let out = '       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n';
  for (const s of sem.all())
    out += `${head(s)} ${num(s.size, 10)} ${owners(s)} ${num(s.otime, 10)} ${num(s.ctime, 10)}\n`;
  return out;
}

export function procSysvMsg(msg: SysvMsg): string {
  let out =
    '       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n';
  for (const q of msg.all()) {
    out += `${head(q)}  ${num(q.bytes, 10)} ${num(q.messages.length, 10)} ${num(q.lspid, 5)} ${num(q.lrpid, 5)} ${owners(q)} ${num(q.stime, 10)} ${num(q.rtime, 10)} ${num(q.ctime, 10)}\n`;
  }
  return out;
}
