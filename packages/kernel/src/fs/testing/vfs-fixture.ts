/**
 * Test support: a VFS over a fresh host directory (hostfs) or over tmpfs, a root PathContext, and helpers
 * that run one operation and report `ok`/a value or the errno name, the same shape node:fs results take in
 * host-oracle.ts so the two can be compared. Layer: kernel VFS tests only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Timespec } from '@kmos/abi-driver';
import { errnoName } from '@kmos/abi-linux';
import { afterAll } from 'vitest';
import { KernelError } from '../../kernel-error.js';
import { ROOT_CREDENTIALS } from '../credentials.js';
import { Hostfs } from '../hostfs.js';
import type { PathContext } from '../path-walk.js';
import { Tmpfs } from '../tmpfs.js';
import { Vfs } from '../vfs.js';
import { createTestMemory, PageKmalloc } from './page-kmalloc.js';

/** Guest time for tests: a counter, so timestamps are deterministic and strictly increase. */
export function testClock(): () => Timespec {
  let ticks = 1_700_000_000;
  return () => ({ sec: ticks++, nsec: 0 });
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `kmos-${tag}-`));
}

/** A maker of fresh temporary directories, all removed when the test file's tests are done. */
export function tempDirs(tag: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = tempDir(tag);
    made.push(d);
    return d;
  };
}

export interface Fixture {
  readonly vfs: Vfs;
  readonly ctx: PathContext;
  readonly kmalloc: PageKmalloc;
}

export function hostfsFixture(hostRoot: string): Fixture {
  return fixture(new Hostfs({ hostRoot }), { fsType: 'hostfs', source: hostRoot, readOnly: false });
}

/** A VFS over tmpfs; the root's mode defaults to mkdtemp's 0700, as the host directories it is compared to. */
export function tmpfsFixture(rootMode = 0o700): Fixture {
  const clock = testClock();
  return fixture(new Tmpfs({ clock, rootMode }), { fsType: 'tmpfs', source: 'tmpfs', readOnly: false });
}

function fixture(fs: Hostfs | Tmpfs, info: { fsType: string; source: string; readOnly: boolean }): Fixture {
  const kmalloc = new PageKmalloc(createTestMemory(64));
  const vfs = new Vfs({ clock: testClock(), pipeMemory: { objects: kmalloc, memory: kmalloc.memory } });
  vfs.mountRoot(fs, info);
  return { vfs, ctx: vfs.rootContext(ROOT_CREDENTIALS, process.umask()), kmalloc };
}

export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; errno: string };

/** Runs a VFS call: its value, or the errno name of the KernelError it threw (anything else fails the test). */
export async function outcome<T>(call: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof KernelError)
      return { ok: false, errno: errnoName(error.errno) ?? String(error.errno) };
    throw error;
  }
}

/** Runs a node:fs call the same way: its value or the host's error code. */
export function hostOutcome<T>(call: () => T): Outcome<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return { ok: false, errno: code };
    throw error;
  }
}
