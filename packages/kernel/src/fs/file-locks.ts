/**
 * Advisory file locks, as Linux's fs/locks.c keeps them per inode: POSIX record locks (fcntl F_SETLK),
 * open-file-description locks (F_OFD_SETLK) and BSD flock(2) locks.
 *
 * How it works: each inode with locks has an `InodeLocks` — byte-range locks and whole-file flocks — and
 * a wait queue that every change wakes. A range lock belongs to an owner: for POSIX locks the process's
 * descriptor table (so threads share them, and closing any descriptor of the file drops them all), for OFD
 * locks the open file description (dropped when its last descriptor closes); both kinds conflict with each
 * other by range and type (a write lock conflicts with any lock of another owner). Setting a range
 * replaces the owner's locks on it: same-type neighbours and overlaps merge into one lock, other types are
 * split around it, and an unlock only splits. flock locks belong to the open file description, cover the
 * whole file and never interact with range locks; converting one drops the old lock first, as Linux does.
 * A POSIX waiter that would wait, through a chain of owners each waiting on the next, for a lock of its
 * own is refused with EDEADLK (at most MAX_DEADLK_ITERATIONS steps, as Linux). Offsets are JS numbers:
 * exact below 2^53, which a lock end of "to end of file" (OFFSET_MAX) is clamped to.
 * Layer: kernel VFS; syscall/handlers/locks.ts decodes the calls, fd-table.ts and open-file.ts release.
 */
import { type F_RDLCK, F_UNLCK, F_WRLCK, new_decode_dev } from '@kmos/abi-linux';
import { hexField } from '../hex-field.js';
import { WaitQueue } from '../sched/wait-queue.js';
import type { OpenFile } from './open-file.js';

/** The largest lock offset: Linux's OFFSET_MAX (2^63-1), clamped to what a JS number holds exactly. */
export const OFFSET_MAX = Number.MAX_SAFE_INTEGER;
/** How far the deadlock check follows a chain of waiting owners (Linux's MAX_DEADLK_ITERATIONS). */
const MAX_DEADLK_ITERATIONS = 10;

export type LockType = typeof F_RDLCK | typeof F_WRLCK | typeof F_UNLCK;

/** A byte-range lock on [start, end] (both inclusive). */
export interface RangeLock {
  readonly type: LockType;
  readonly start: number;
  readonly end: number;
  /** A descriptor table (POSIX lock) or an open file description (OFD lock). */
  readonly owner: object;
  /** The locking process for F_GETLK's l_pid; -1 for OFD locks. */
  readonly pid: number;
  readonly ofd: boolean;
}

interface Flock {
  readonly exclusive: boolean;
  readonly file: OpenFile;
  /** The process that took it, as /proc/locks shows. */
  readonly pid: number;
}

export class InodeLocks {
  ranges: RangeLock[] = [];
  flocks: Flock[] = [];
  /** Woken on every unlock or change: waiters re-check. */
  readonly changed = new WaitQueue();

  constructor(
    /** The inode's device and number (0 and 0 for a file without one), for /proc/locks. */
    readonly dev: number,
    readonly ino: number,
  ) {}
}

/** The locks of every inode that has had one, in the order they first did (/proc/locks lists them). */
const everyInode = new Set<InodeLocks>();

const byMount = new WeakMap<object, Map<number, InodeLocks>>();
/** Files with no inode (pipes): their locks hang on the description itself. */
const byFile = new WeakMap<OpenFile, InodeLocks>();
/** What each POSIX owner sleeping in F_SETLKW waits for (for the deadlock check). */
const waiting = new Map<object, { readonly locks: InodeLocks; readonly request: RangeLock }>();

/** The locks of `file`'s inode; with `create` false, null when it has none. */
export function locksOf(file: OpenFile, create: true): InodeLocks;
export function locksOf(file: OpenFile, create: false): InodeLocks | null;
export function locksOf(file: OpenFile, create: boolean): InodeLocks | null {
  const d = file.dentry;
  if (!d) {
    const found = byFile.get(file) ?? null;
    if (found || !create) return found;
    const fresh = new InodeLocks(0, 0);
    byFile.set(file, fresh);
    return fresh;
  }
  let inodes = byMount.get(d.mount);
  if (!inodes) {
    if (!create) return null;
    inodes = new Map();
    byMount.set(d.mount, inodes);
  }
  const found = inodes.get(d.ino) ?? null;
  if (found || !create) return found;
  const fresh = new InodeLocks(d.mount.dev, d.ino);
  inodes.set(d.ino, fresh);
  everyInode.add(fresh);
  return fresh;
}

function overlaps(a: RangeLock, b: RangeLock): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The first lock of another owner that keeps `request` from being granted, or null (posix_test_lock). */
export function findConflict(locks: InodeLocks, request: RangeLock): RangeLock | null {
  for (const lock of locks.ranges) {
    if (lock.owner === request.owner || !overlaps(lock, request)) continue;
    if (lock.type === F_WRLCK || request.type === F_WRLCK) return lock;
  }
  return null;
}

/** Grants `request` (or an unlock) to its owner: merge, split, replace (posix_lock_inode's second half). */
export function applyRangeLock(locks: InodeLocks, request: RangeLock): void {
  let { start, end } = request;
  const kept: RangeLock[] = [];
  for (const lock of locks.ranges) {
    if (lock.owner !== request.owner) {
      kept.push(lock);
      continue;
    }
    const touches = lock.start <= end + 1 && start <= lock.end + 1;
    if (lock.type === request.type && touches) {
      start = Math.min(start, lock.start);
      end = Math.max(end, lock.end);
      continue;
    }
    if (!overlaps(lock, { ...request, start, end })) {
      kept.push(lock);
      continue;
    }
    if (lock.start < start) kept.push({ ...lock, end: start - 1 });
    if (lock.end > end) kept.push({ ...lock, start: end + 1 });
  }
  if (request.type !== F_UNLCK) kept.push({ ...request, start, end });
  kept.sort((a, b) => a.start - b.start);
  locks.ranges = kept;
  locks.changed.wakeAll();
}

/**
 * True when `owner` waiting on `blocker` would close a circle: the blocker's owner waits for a lock whose
 * owner waits for ... `owner` (posix_locks_deadlock).
 */
export function wouldDeadlock(owner: object, blocker: RangeLock): boolean {
  let next: RangeLock | null = blocker;
  for (let i = 0; next && i < MAX_DEADLK_ITERATIONS; i++) {
    if (next.owner === owner) return true;
    const w = waiting.get(next.owner);
    next = w ? findConflict(w.locks, w.request) : null;
  }
  return false;
}

/** Marks `request.owner` as waiting for `request` while `sleep` runs (for other owners' deadlock checks). */
export async function waitingFor<T>(
  locks: InodeLocks,
  request: RangeLock,
  sleep: () => Promise<T>,
): Promise<T> {
  waiting.set(request.owner, { locks, request });
  try {
    return await sleep();
  } finally {
    waiting.delete(request.owner);
  }
}

/** Drops every range lock `owner` holds on `file`'s inode: a POSIX owner closed a descriptor of it. */
export function releaseRangeLocks(file: OpenFile, owner: object): void {
  const locks = locksOf(file, false);
  if (!locks?.ranges.some((l) => l.owner === owner)) return;
  locks.ranges = locks.ranges.filter((l) => l.owner !== owner);
  locks.changed.wakeAll();
}

/** The last descriptor of `file` closed: its OFD locks and its flock go. */
export function releaseFileLocks(file: OpenFile): void {
  const locks = locksOf(file, false);
  if (!locks) return;
  releaseRangeLocks(file, file);
  if (!locks.flocks.some((f) => f.file === file)) return;
  locks.flocks = locks.flocks.filter((f) => f.file !== file);
  locks.changed.wakeAll();
}

/** flock(LOCK_UN), and the first step of a conversion: `file` gives up its flock. True when it had one. */
export function dropFlock(locks: InodeLocks, file: OpenFile): boolean {
  const before = locks.flocks.length;
  locks.flocks = locks.flocks.filter((f) => f.file !== file);
  if (locks.flocks.length === before) return false;
  locks.changed.wakeAll();
  return true;
}

/** The kind of flock `file` holds: 'ex', 'sh' or null. */
export function heldFlock(locks: InodeLocks, file: OpenFile): 'ex' | 'sh' | null {
  const mine = locks.flocks.find((f) => f.file === file);
  return mine ? (mine.exclusive ? 'ex' : 'sh') : null;
}

/** True when another description's flock keeps `file` from taking one (either side exclusive). */
export function flockConflicts(locks: InodeLocks, file: OpenFile, exclusive: boolean): boolean {
  return locks.flocks.some((f) => f.file !== file && (f.exclusive || exclusive));
}

export function addFlock(locks: InodeLocks, file: OpenFile, exclusive: boolean, pid: number): void {
  locks.flocks.push({ exclusive, file, pid });
}

/**
 * /proc/locks (lock_get_status's lines): every lock held, numbered from 1 — POSIX, OFD and flock locks,
 * their type, owner pid (-1 for OFD), device and inode, and range (flock: `0 EOF`).
 */
export function procLocks(): string {
  let out = '';
  let id = 0;
  for (const locks of everyInode) {
    const { major, minor } = new_decode_dev(locks.dev);
    const where = `${hexField(major, 2)}:${hexField(minor, 2)}:${locks.ino}`;
    for (const lock of locks.ranges) {
      const kind = lock.ofd ? 'OFDLCK' : 'POSIX ';
      const type = lock.type === F_WRLCK ? 'WRITE ' : 'READ ';
      const range = lock.end >= OFFSET_MAX ? `${lock.start} EOF` : `${lock.start} ${lock.end}`;
      out += `${++id}: ${kind} ADVISORY  ${type}${lock.pid} ${where} ${range}\n`;
    }
    for (const f of locks.flocks)
      out += `${++id}: FLOCK  ADVISORY  ${f.exclusive ? 'WRITE ' : 'READ '}${f.pid} ${where} 0 EOF\n`;
  }
  return out;
}
