/**
 * The /proc/<pid> directories: what the process layer knows of each process, in Linux's formats — stat,
 * status, cmdline, comm, environ-free maps (from mm), the exe/cwd/root links and fd/ links to open files.
 * Each entry reads the process when it is generated or followed, so nothing goes stale, and the map of a
 * process's entries is built once and kept with it. Layer: kernel procfs content.
 */

import type { Dentry } from '../fs/dentry.js';
import {
  formatMounts,
  type ProcNode,
  type ProcPidProvider,
  procDir,
  procFile,
  procLink,
} from '../fs/procfs.js';
import type { Kernel } from '../kernel.js';
import { procMaps, procStatusVmLines } from '../mm/proc-text.js';
import { type Process, ProcessState } from '../proc/process.js';
import { ThreadState } from '../proc/thread.js';
import { childrenUsage, processUsage } from '../proc/usage.js';
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

const STATE_NAMES: Record<string, string> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  T: 'T (stopped)',
  Z: 'Z (zombie)',
};

function ticks(insns: number): number {
  return Math.floor((insns * NS_PER_INSN * USER_HZ) / 1e9);
}

function statLine(k: Kernel, p: Process): string {
  const usage = processUsage(p);
  const vsize = p.state === ProcessState.Running ? p.mm.sizeBytes() : 0;
  const rss = p.state === ProcessState.Running ? p.mm.rssPages : 0;
  const fields = [
    p.pid,
    `(${p.comm})`,
    stateLetter(p),
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
    20,
    0,
    p.threads.filter((t) => t.alive).length,
    0,
    0,
    vsize,
    rss,
    0xffffffff,
    0,
    0,
    0,
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
    0,
    0,
    0,
    0,
  ];
  void k;
  return `${fields.join(' ')}\n`;
}

function statusText(p: Process): string {
  const c = p.creds;
  const lines = [
    `Name:\t${p.comm}`,
    `Umask:\t${p.fs.umask.toString(8).padStart(4, '0')}`,
    `State:\t${STATE_NAMES[stateLetter(p)]}`,
    `Tgid:\t${p.pid}`,
    `Ngid:\t0`,
    `Pid:\t${p.pid}`,
    `PPid:\t${p.parent?.pid ?? 0}`,
    `TracerPid:\t0`,
    `Uid:\t${c.uid}\t${c.euid}\t${c.euid}\t${c.fsuid ?? c.euid}`,
    `Gid:\t${c.gid}\t${c.egid}\t${c.egid}\t${c.fsgid ?? c.egid}`,
    `FDSize:\t${Math.min(p.files.maxFds, 64)}`,
    `Groups:\t${c.groups.join(' ')}`,
  ];
  const vm = p.state === ProcessState.Running ? procStatusVmLines(p.mm) : '';
  return `${lines.join('\n')}\n${vm}Threads:\t${p.threads.filter((t) => t.alive).length}\n`;
}

/** st_size of /proc/<pid>/fd/N as Linux reports it (the links' inodes are made with i_size 64). */
const FD_LINK_SIZE_BYTES = 64;

function entriesOf(k: Kernel, p: Process): Map<string, ProcNode> {
  // Linux's d_path: from the process's root, " (deleted)" after a removed file or directory.
  const path = (d: Dentry) => k.vfs.mounts.displayPath(d, p.fs.root);
  const entries = new Map<string, ProcNode>([
    ['stat', procFile(() => statLine(k, p))],
    ['status', procFile(() => statusText(p))],
    ['cmdline', procFile(() => (p.argv.length ? `${p.argv.join('\0')}\0` : ''))],
    // Readable by the owner only, as in Linux (other users' environments are not theirs to read).
    ['environ', procFile(() => p.envp.map((e) => `${e}\0`).join(''), 0o400)],
    ['mounts', procFile(() => formatMounts(k.vfs.mounts))],
    ['comm', procFile(() => `${p.comm}\n`)],
    ['maps', procFile(() => (p.state === ProcessState.Running ? procMaps(p.mm) : ''))],
    ['exe', procLink(() => (p.exe ? path(p.exe) : ''), { behind: () => p.exe, sizeBytes: 0 })],
    ['cwd', procLink(() => path(p.fs.cwd), { behind: () => p.fs.cwd, sizeBytes: 0 })],
    ['root', procLink(() => path(p.fs.root), { behind: () => p.fs.root, sizeBytes: 0 })],
    [
      'fd',
      procDir(
        () =>
          new Map(
            [...p.files.descriptors()].map((fd) => [
              String(fd),
              procLink(() => describeFd(k, p, fd), {
                behind: () => (p.files.has(fd) ? p.files.get(fd) : null),
                sizeBytes: FD_LINK_SIZE_BYTES,
              }),
            ]),
          ),
      ),
    ],
  ]);
  return entries;
}

/** What /proc/<pid>/fd/N points at: the file's path, or pipe:[ino] for pipes. */
function describeFd(k: Kernel, p: Process, fd: number): string {
  const file = p.files.get(fd);
  if (!file.dentry) return file.pathlessName();
  return k.vfs.mounts.displayPath(file.dentry, p.fs.root);
}

export function pidProvider(k: Kernel): ProcPidProvider {
  const lookup = (pid: number) => k.processes.processes.get(pid) ?? null;
  // Every entry reads the process when it is generated, so one map per process serves all its lookups.
  const built = new WeakMap<Process, Map<string, ProcNode>>();
  return {
    list: () => [...k.processes.processes.keys()].sort((a, b) => a - b),
    entries: (pid) => {
      const p = lookup(pid);
      if (!p) return null;
      let entries = built.get(p);
      if (!entries) {
        entries = entriesOf(k, p);
        built.set(p, entries);
      }
      return entries;
    },
    owner: (pid) => {
      const p = lookup(pid);
      return { uid: p?.creds.euid ?? 0, gid: p?.creds.egid ?? 0 };
    },
    current: () => currentTask()?.process.pid ?? k.sched.current?.process.pid ?? null,
  };
}
