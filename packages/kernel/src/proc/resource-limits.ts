/**
 * Resource limits (getrlimit/setrlimit/prlimit64): per process, inherited by fork and kept across exec, as
 * Linux keeps them in the signal struct. A process's table is never changed in place: a fork shares its
 * parent's and a change gives the process a new one, so fork copies nothing. Layer: kernel proc; read and
 * written by the identity syscalls.
 */
import { RLIM64_INFINITY, RLIMIT_AS } from '@kmos/abi-linux';

/** [soft, hard] per resource (RLIMIT_* numbers), in prlimit64's units; RLIM64_INFINITY is 2^64-1. */
export type ResourceLimits = readonly (readonly [bigint, bigint])[];

/** The most descriptors a process may be allowed (Linux's fs.nr_open default): RLIMIT_NOFILE's ceiling. */
export const NR_OPEN = 1024 * 1024;

/** What Linux starts init with. */
export const DEFAULT_RLIMITS: ResourceLimits = Object.freeze([
  [RLIM64_INFINITY, RLIM64_INFINITY], // RLIMIT_CPU
  [RLIM64_INFINITY, RLIM64_INFINITY], // RLIMIT_FSIZE
  [RLIM64_INFINITY, RLIM64_INFINITY], // RLIMIT_DATA
  [8n * 1024n * 1024n, RLIM64_INFINITY], // RLIMIT_STACK
  [0n, RLIM64_INFINITY], // RLIMIT_CORE
  [RLIM64_INFINITY, RLIM64_INFINITY], // RLIMIT_RSS
  [4096n, 4096n], // RLIMIT_NPROC
  [1024n, 4096n], // RLIMIT_NOFILE
  [8n * 1024n * 1024n, 8n * 1024n * 1024n], // RLIMIT_MEMLOCK
  [RLIM64_INFINITY, RLIM64_INFINITY], // RLIMIT_AS
  [RLIM64_INFINITY, RLIM64_INFINITY], // RLIMIT_LOCKS
  [4096n, 4096n], // RLIMIT_SIGPENDING
  [819200n, 819200n], // RLIMIT_MSGQUEUE
  [0n, 0n], // RLIMIT_NICE
  [0n, 0n], // RLIMIT_RTPRIO
  [RLIM64_INFINITY, RLIM64_INFINITY], // RLIMIT_RTTIME
] as const);

/** Each resource's name and unit in /proc/<pid>/limits, by resource number (Linux's lnames in fs/proc/base.c). */
export const LIMIT_NAMES: readonly (readonly [string, string])[] = [
  ['Max cpu time', 'seconds'],
  ['Max file size', 'bytes'],
  ['Max data size', 'bytes'],
  ['Max stack size', 'bytes'],
  ['Max core file size', 'bytes'],
  ['Max resident set', 'bytes'],
  ['Max processes', 'processes'],
  ['Max open files', 'files'],
  ['Max locked memory', 'bytes'],
  ['Max address space', 'bytes'],
  ['Max file locks', 'locks'],
  ['Max pending signals', 'signals'],
  ['Max msgqueue size', 'bytes'],
  ['Max nice priority', ''],
  ['Max realtime priority', ''],
  ['Max realtime timeout', 'us'],
];

/** RLIMIT_AS's soft limit in bytes for the address space, null when unlimited. */
export function addressSpaceLimit(limits: ResourceLimits): number | null {
  const soft = limits[RLIMIT_AS]![0];
  return soft === RLIM64_INFINITY ? null : Number(soft);
}

/** `limits` with `resource` set to [soft, hard] (a new table: the old one may be shared). */
export function withLimit(
  limits: ResourceLimits,
  resource: number,
  soft: bigint,
  hard: bigint,
): ResourceLimits {
  const next = limits.slice();
  next[resource] = [soft, hard];
  return next;
}
