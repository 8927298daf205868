/**
 * Resource usage as getrusage(2), wait4's rusage and times(2) report it: CPU time (guest instructions, one
 * nanosecond each on the virtual clock), page faults, context switches and the largest resident set. A
 * thread counts its own (Thread.insns, minFlt, nvcsw, nivcsw); a process adds what its exited threads used
 * (Process.exitedThreads) and, for RUSAGE_CHILDREN, what its reaped children used (Process.reapedChildren).
 * kmOS has no system time to account: a syscall's work is TypeScript, not guest instructions, so
 * ru_stime and tms_stime stay 0 and all CPU time is user time. Every resolved page fault is a minor fault
 * (nothing is read from a disk on a fault yet). Layer: kernel proc; time.ts and wait4 encode it.
 */
import { rusageLayout } from '@kmos/abi-linux';
import type { Process } from './process.js';
import type { Thread } from './thread.js';

const PAGE_KB = 4;
const NS_PER_US = 1000;
const US_PER_S = 1e6;
const R = rusageLayout.fields;

export class Usage {
  insns = 0;
  minFlt = 0;
  majFlt = 0;
  nvcsw = 0;
  nivcsw = 0;
  maxRssPages = 0;

  /** Adds `other`'s counts; the resident set is a maximum, not a sum (as Linux's signal->cmaxrss). */
  add(other: Usage): this {
    this.insns += other.insns;
    this.minFlt += other.minFlt;
    this.majFlt += other.majFlt;
    this.nvcsw += other.nvcsw;
    this.nivcsw += other.nivcsw;
    this.maxRssPages = Math.max(this.maxRssPages, other.maxRssPages);
    return this;
  }

  addThread(t: Thread): this {
    this.insns += t.insns;
    this.minFlt += t.minFlt;
    this.nvcsw += t.nvcsw;
    this.nivcsw += t.nivcsw;
    return this;
  }
}

/** RUSAGE_THREAD. */
export function threadUsage(t: Thread): Usage {
  const u = new Usage().addThread(t);
  u.maxRssPages = t.process.maxRssPages;
  return u;
}

/** RUSAGE_SELF: every thread of `p`, live or exited. */
export function processUsage(p: Process): Usage {
  const u = new Usage().add(p.exitedThreads);
  for (const t of p.threads) if (t.alive) u.addThread(t);
  u.maxRssPages = Math.max(p.maxRssPages, p.alive ? p.mm.rssPages : 0);
  return u;
}

/** RUSAGE_CHILDREN: reaped children only, as on Linux (a child still running or a zombie counts nothing). */
export function childrenUsage(p: Process): Usage {
  return new Usage().add(p.reapedChildren);
}

/** What wait4 reports for a child: its own usage and its reaped children's (Linux's RUSAGE_BOTH). */
export function waitUsage(child: Process): Usage {
  return processUsage(child).add(child.reapedChildren);
}

/** The 72-byte struct rusage (32-bit timevals and longs) for `u`. */
export function encodeRusage(u: Usage, nsPerInsn: number): Uint8Array {
  const bytes = new Uint8Array(rusageLayout.sizeBytes);
  const view = new DataView(bytes.buffer);
  const us = Math.floor((u.insns * nsPerInsn) / NS_PER_US);
  view.setInt32(R.ru_utime.offset, Math.floor(us / US_PER_S), true);
  view.setInt32(R.ru_utime.offset + 4, us % US_PER_S, true);
  view.setInt32(R.ru_maxrss.offset, u.maxRssPages * PAGE_KB, true);
  view.setInt32(R.ru_minflt.offset, u.minFlt, true);
  view.setInt32(R.ru_majflt.offset, u.majFlt, true);
  view.setInt32(R.ru_nvcsw.offset, u.nvcsw, true);
  view.setInt32(R.ru_nivcsw.offset, u.nivcsw, true);
  return bytes;
}
