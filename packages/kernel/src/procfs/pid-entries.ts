/**
 * The /proc/<pid> directories: what the process layer knows of each process, in Linux's formats — stat,
 * status, statm, cmdline, environ, auxv, comm, mounts, mountinfo, limits, maps (from mm), the exe/cwd/root links,
 * fd/ links to open files and fdinfo/ files about them.
 * Each entry reads the process when it is generated or followed, so nothing goes stale; an entry's node is
 * made when it is looked up, so a fresh process pays for the one entry a walk needs. Layer: kernel procfs
 * content.
 */

import { O_CLOEXEC, RLIM64_INFINITY, SCHED_FIFO, SCHED_RR } from '@kmos/abi-linux';
import type { Dentry } from '../fs/dentry.js';
import type { OpenFile } from '../fs/open-file.js';
import {
  formatMountInfo,
  formatMounts,
  type ProcChildren,
  type ProcNode,
  type ProcPidProvider,
  procDir,
  procFile,
  procLink,
} from '../fs/procfs.js';
import type { Kernel } from '../kernel.js';
import { procMaps, procSmaps, procStatm, procStatusVmLines, vmStatus } from '../mm/proc-text.js';
import { ALL_CAPABILITIES, capabilitiesOf } from '../proc/capabilities.js';
import { type Process, ProcessState } from '../proc/process.js';
import { LIMIT_NAMES, type ResourceLimits } from '../proc/resource-limits.js';
import { type Thread, ThreadState } from '../proc/thread.js';
import { childrenUsage, processUsage, threadUsage } from '../proc/usage.js';
import { NS_PER_INSN } from '../sched/virtual-clock.js';
import { currentTask } from './task-context.js';

const USER_HZ = 100;

/** The one-letter state of /proc/<pid>/stat and status: R running, S sleeping, T stopped, Z zombie. */
function stateLetter(p: Process): string {
  if (p.state !== ProcessState.Running) return 'Z';
  if (p.stopSignal !== 0) return 'T';
  const states = p.threads.filter((t) => t.alive).map((t) => t.state);
  if (states.includes(ThreadState.Runnable)) return 'R';
  if (states.includes(ThreadState.Stopped)) return 'T';
  return 'S';
}

/** The state letter of thread `t` of `p`, as its /proc/<pid>/task/<tid> files show it. */
function threadStateLetter(p: Process, t: Thread): string {
  if (p.state !== ProcessState.Running || !t.alive) return 'Z';
  if (p.stopSignal !== 0 || t.state === ThreadState.Stopped) return 'T';
  return t.state === ThreadState.Runnable ? 'R' : 'S';
}

const STATE_NAMES: Record<string, string> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  T: 'T (stopped)',
  Z: 'Z (zombie)',
};

/** stat's priority field as Linux's task_prio gives it: 20 + nice, or -1 - the real-time priority. */
function priorityOf(t: Thread | null): number {
  if (!t) return 20;
  return t.policy === SCHED_FIFO || t.policy === SCHED_RR ? -1 - t.rtPriority : 20 + t.nice;
}

function ticks(insns: number): number {
  return Math.floor((insns * NS_PER_INSN * USER_HZ) / 1e9);
}

/**
 * /proc/<pid>/stat, or with `t` a thread's (task/<tid>/stat): its tid, state, faults and times; the children's
 * counts, sizes and thread count stay the process's, as in Linux.
 */
function statLine(k: Kernel, p: Process, t: Thread | null): string {
  const usage = t ? threadUsage(t) : processUsage(p);
  // Scheduling attributes are a thread's: the process's line shows its main thread's.
  const sched = t ?? p.mainThread;
  const running = p.state === ProcessState.Running;
  const vsize = running ? p.mm.sizeBytes() : 0;
  const rss = running ? p.mm.rssPages : 0;
  const fields = [
    t ? t.tid : p.pid,
    `(${p.comm})`,
    t ? threadStateLetter(p, t) : stateLetter(p),
    p.parent?.pid ?? 0,
    p.pgid,
    p.sid,
    0,
    p.ctty ? p.ctty.foregroundPgid : -1,
    0x400000,
    usage.minFlt,
    childrenUsage(p).minFlt,
    usage.majFlt,
    childrenUsage(p).majFlt,
    ticks(usage.insns),
    0,
    ticks(childrenUsage(p).insns),
    0,
    priorityOf(sched),
    sched?.nice ?? 0,
    p.threads.filter((thread) => thread.alive).length,
    0,
    0,
    vsize,
    rss,
    0xffffffff,
    running ? p.mm.startCode : 0,
    running ? p.mm.endCode : 0,
    running ? p.mm.startStack : 0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    p.exitSignal,
    0,
    sched?.rtPriority ?? 0,
    sched?.policy ?? 0,
    0,
    0,
  ];
  void k;
  return `${fields.join(' ')}\n`;
}

/**
 * FDSize: the slots Linux's descriptor table has, not the limit: 64 at first (a word's bits on x86-64), doubled
 * as a descriptor past the end is opened.
 */
function fdTableSize(p: Process): number {
  let highest = -1;
  for (const fd of p.files.descriptors()) highest = fd;
  let size = 64;
  while (size <= highest) size *= 2;
  return size;
}

/** /proc/<pid>/status, or with `t` a thread's (task/<tid>/status: its Pid and State). */
function statusText(p: Process, t: Thread | null): string {
  const c = p.creds;
  const lines = [
    `Name:\t${p.comm}`,
    `Umask:\t${p.fs.umask.toString(8).padStart(4, '0')}`,
    `State:\t${STATE_NAMES[t ? threadStateLetter(p, t) : stateLetter(p)]}`,
    `Tgid:\t${p.pid}`,
    `Ngid:\t0`,
    `Pid:\t${t ? t.tid : p.pid}`,
    `PPid:\t${p.parent?.pid ?? 0}`,
    `TracerPid:\t0`,
    `Uid:\t${c.uid}\t${c.euid}\t${c.suid}\t${c.fsuid ?? c.euid}`,
    `Gid:\t${c.gid}\t${c.egid}\t${c.sgid}\t${c.fsgid ?? c.egid}`,
    `FDSize:\t${fdTableSize(p)}`,
    `Groups:\t${c.groups.join(' ')}`,
  ];
  const vm = p.state === ProcessState.Running ? procStatusVmLines(p.mm) : '';
  const caps = capabilitiesOf(p);
  const hex = (set: bigint) => set.toString(16).padStart(16, '0');
  const capLines = [
    `CapInh:\t${hex(caps.inheritable)}`,
    `CapPrm:\t${hex(caps.permitted)}`,
    `CapEff:\t${hex(caps.effective)}`,
    `CapBnd:\t${hex(ALL_CAPABILITIES)}`,
    `CapAmb:\t${hex(0n)}`,
  ];
  return `${lines.join('\n')}\n${vm}Threads:\t${p.threads.filter((t) => t.alive).length}\n${capLines.join('\n')}\n`;
}

/** /proc/<pid>/limits: a header, then per resource its name, soft and hard limit and unit in columns. */
function limitsText(limits: ResourceLimits): string {
  const value = (v: bigint) => (v === RLIM64_INFINITY ? 'unlimited' : String(v)).padEnd(20);
  let text = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  LIMIT_NAMES.forEach(([name, unit], resource) => {
    const [soft, hard] = limits[resource] as readonly [bigint, bigint];
    text += `${name.padEnd(25)} ${value(soft)} ${value(hard)} ${unit ? `${unit.padEnd(10)}\n` : '\n'}`;
  });
  return text;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** Strings as exec laid them out: each followed by its NUL (procfs text is latin1, byte for byte). */
function nulTerminated(strings: readonly Uint8Array[]): string {
  let text = '';
  for (const s of strings) text += `${latin1(s)}\0`;
  return text;
}

/** st_size of /proc/<pid>/fd/N as Linux reports it (the links' inodes are made with i_size 64). */
const FD_LINK_SIZE_BYTES = 64;

/**
 * Each entry of /proc/<pid>, made when looked up (a walk through /proc/self/exe needs only exe); `t` is the
 * thread of a task/<tid> directory (null for the process's), which stat and status describe.
 */
const PID_ENTRIES = new Map<string, (k: Kernel, p: Process, t: Thread | null) => ProcNode>([
  ['stat', (k, p, t) => procFile(() => statLine(k, p, t))],
  ['status', (_k, p, t) => procFile(() => statusText(p, t))],
  [
    'statm',
    (_k, p) => procFile(() => (p.state === ProcessState.Running ? procStatm(p.mm) : '0 0 0 0 0 0 0\n')),
  ],
  ['cmdline', (_k, p) => procFile(() => nulTerminated(p.argv))],
  // Readable by the owner only, as in Linux (other users' environments are not theirs to read).
  ['environ', (_k, p) => procFile(() => nulTerminated(p.envp), 0o400)],
  // Owner-only as in Linux (it holds AT_RANDOM's address, which ASLR-minded readers should not learn).
  ['auxv', (_k, p) => procFile(() => latin1(p.auxv), 0o400)],
  ['mounts', (k) => procFile(() => formatMounts(k.vfs.mounts))],
  ['mountinfo', (k, p) => procFile(() => formatMountInfo(k.vfs.mounts, p.fs.root))],
  ['limits', (_k, p) => procFile(() => limitsText(p.rlimits))],
  ['comm', (_k, p) => procFile(() => `${p.comm}\n`)],
  ['maps', (_k, p) => procFile(() => (p.state === ProcessState.Running ? procMaps(p.mm) : ''))],
  ['smaps', (_k, p) => procFile(() => (p.state === ProcessState.Running ? procSmaps(p.mm) : ''))],
  ['oom_score', (k, p) => procFile(() => `${oomScore(k, p)}\n`)],
  // kmOS's OOM killer weighs memory alone: every process's adjustment is 0 (and cannot be changed).
  ['oom_score_adj', () => procFile(() => '0\n')],
  ['oom_adj', () => procFile(() => '0\n')],
  [
    'exe',
    (k, p) => procLink(() => (p.exe ? displayPath(k, p, p.exe) : ''), { behind: () => p.exe, sizeBytes: 0 }),
  ],
  ['cwd', (k, p) => procLink(() => displayPath(k, p, p.fs.cwd), { behind: () => p.fs.cwd, sizeBytes: 0 })],
  ['root', (k, p) => procLink(() => displayPath(k, p, p.fs.root), { behind: () => p.fs.root, sizeBytes: 0 })],
  ['fd', (k, p) => procDir(() => new FdEntries(k, p))],
  ['fdinfo', (_k, p) => procDir(() => new FdInfoEntries(p))],
  ['task', (k, p) => procDir(() => new TaskEntries(k, p))],
]);

/**
 * /proc/<pid>/oom_score as proc_oom_score computes it: the OOM badness (resident, swapped and page-table
 * pages) as a share of RAM and swap, in Linux's exported 0..1333 scale ((1000 + share) * 2 / 3).
 */
function oomScore(k: Kernel, p: Process): number {
  if (p.state !== ProcessState.Running) return 0;
  const vm = vmStatus(p.mm);
  const badnessPages = (vm.vmRssKb + vm.vmSwapKb + vm.vmPteKb) / 4;
  const totalPages = k.machine.pages.stats().totalPages + (k.mm.swap?.stats().totalPages ?? 0);
  return Math.trunc(((1000 + Math.trunc((badnessPages * 1000) / totalPages)) * 2) / 3);
}

/** Linux's d_path: from the process's root, " (deleted)" after a removed file or directory. */
function displayPath(k: Kernel, p: Process, d: Dentry): string {
  return k.vfs.mounts.displayPath(d, p.fs.root);
}

/** /proc/<pid>, or with `thread` /proc/<pid>/task/<tid> (the same entries but `task`). */
class PidEntries implements ProcChildren {
  constructor(
    private readonly k: Kernel,
    private readonly p: Process,
    private readonly thread: Thread | null = null,
  ) {}

  get(name: string): ProcNode | undefined {
    if (this.thread && name === 'task') return undefined;
    return PID_ENTRIES.get(name)?.(this.k, this.p, this.thread);
  }

  keys(): Iterable<string> {
    const names = [...PID_ENTRIES.keys()];
    return this.thread ? names.filter((name) => name !== 'task') : names;
  }
}

/** /proc/<pid>/task: a directory per live thread, by tid. */
class TaskEntries implements ProcChildren {
  constructor(
    private readonly k: Kernel,
    private readonly p: Process,
  ) {}

  get(name: string): ProcNode | undefined {
    const t = this.p.threads.find((thread) => thread.alive && String(thread.tid) === name);
    return t ? threadDir(this.k, this.p, t) : undefined;
  }

  keys(): Iterable<string> {
    return this.p.threads.filter((t) => t.alive).map((t) => String(t.tid));
  }
}

function threadDir(k: Kernel, p: Process, t: Thread): ProcNode {
  return procDir(() => new PidEntries(k, p, t));
}

/** /proc/<pid>/fd: a link per open descriptor, to the open file itself. */
class FdEntries implements ProcChildren {
  constructor(
    private readonly k: Kernel,
    private readonly p: Process,
  ) {}

  get(name: string): ProcNode | undefined {
    const fd = Number(name);
    const files = this.p.files;
    if (!Number.isInteger(fd) || String(fd) !== name || !files.has(fd)) return undefined;
    return procLink(() => describeFd(this.k, this.p, fd), {
      behind: () => (files.has(fd) ? files.get(fd) : null),
      sizeBytes: FD_LINK_SIZE_BYTES,
    });
  }

  keys(): Iterable<string> {
    return [...this.p.files.descriptors()].map(String);
  }
}

/** /proc/<pid>/fdinfo: a file per open descriptor, with its position, flags, mount and inode. */
class FdInfoEntries implements ProcChildren {
  constructor(private readonly p: Process) {}

  get(name: string): ProcNode | undefined {
    const fd = Number(name);
    const files = this.p.files;
    if (!Number.isInteger(fd) || String(fd) !== name || !files.has(fd)) return undefined;
    // Read when generated: a descriptor closed since reads as nothing (Linux's read then fails with ENOENT).
    return procFile(() => (files.has(fd) ? fdInfoText(files.get(fd), files.getCloseOnExec(fd)) : ''));
  }

  keys(): Iterable<string> {
    return [...this.p.files.descriptors()].map(String);
  }
}

/**
 * Linux's fdinfo lines for every file: the position, the status flags as F_GETFL shows them plus O_CLOEXEC for a
 * close-on-exec descriptor (octal), the mount's ID (0 for files without a path, which Linux keeps on internal
 * mounts mountinfo does not list) and the inode number.
 */
export function fdInfoText(file: OpenFile, closeOnExec: boolean): string {
  const flags = file.flags | (closeOnExec ? O_CLOEXEC : 0);
  const mountId = file.dentry?.mount.id ?? 0;
  return `pos:\t${file.offset}\nflags:\t0${(flags >>> 0).toString(8)}\nmnt_id:\t${mountId}\nino:\t${inodeOf(file)}\n`;
}

/** The inode number fstat gives for `file` (its dentry's; a pathless file answers fstat at once). */
function inodeOf(file: OpenFile): number {
  if (file.dentry) return file.dentry.ino;
  const stat = file.fstat();
  return stat instanceof Promise ? 0 : stat.ino;
}

/** What /proc/<pid>/fd/N points at: the file's path, or pipe:[ino] for pipes. */
function describeFd(k: Kernel, p: Process, fd: number): string {
  const file = p.files.get(fd);
  if (!file.dentry) return file.pathlessName();
  return k.vfs.mounts.displayPath(file.dentry, p.fs.root);
}

/**
 * The processes for procfs. /proc/<tid> of a thread that leads no process is found too, but not listed, as in
 * Linux; it shows the thread's own stat and status.
 */
export function pidProvider(k: Kernel): ProcPidProvider {
  const thread = (tid: number) => {
    const t = k.processes.threads.get(tid);
    return t?.alive ? t : null;
  };
  const lookup = (pid: number) => k.processes.processes.get(pid) ?? thread(pid)?.process ?? null;
  return {
    list: () => [...k.processes.processes.keys()].sort((a, b) => a - b),
    entries: (pid) => {
      const p = k.processes.processes.get(pid);
      if (p) return new PidEntries(k, p);
      const t = thread(pid);
      return t ? new PidEntries(k, t.process, t) : null;
    },
    owner: (pid) => {
      const p = lookup(pid);
      return { uid: p?.creds.euid ?? 0, gid: p?.creds.egid ?? 0 };
    },
    current: () => currentTask()?.process.pid ?? k.sched.current?.process.pid ?? null,
    currentThread: () => currentTask()?.tid ?? k.sched.current?.tid ?? null,
  };
}
