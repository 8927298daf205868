// The name cache (dentry-cache.ts) must never show a walk something the filesystem no longer has. The oracle
// is the host's own view of the same tree (node:fs lstat/stat): after every change — made through the VFS,
// or made on the host behind its back and followed by a host event-loop turn — every path of a small
// universe must stat the same through kmOS as on the host (same inode, same type, same errno).
import * as fs from 'node:fs';
import { AT_SYMLINK_NOFOLLOW, O_CREAT, O_WRONLY, S_IFMT } from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import {
  type Fixture,
  hostfsFixture,
  hostOutcome,
  outcome,
  tempDirs,
  tmpfsFixture,
} from './testing/vfs-fixture.js';

const fresh = tempDirs('dcache');

const NAMES = ['a', 'b', 'c'];
/**
 * Every path the random changes can make: /x, /x/y, /x/y/z over three names, and /x/y/../y. Symlink
 * targets name a child of the link's directory (no `.`, no `..`), so /x/y resolves at least two levels
 * down and its `..` never climbs above the root, where the host (whose tree goes on) and the guest (whose
 * root is its own parent) would differ.
 */
const UNIVERSE = NAMES.flatMap((x) => [
  `/${x}`,
  ...NAMES.flatMap((y) => [`/${x}/${y}`, `/${x}/${y}/../${y}`, ...NAMES.map((z) => `/${x}/${y}/${z}`)]),
]);
const TARGETS = ['a', 'c/a', 'b/c', 'c'];

/** What a stat shows, reduced to what both sides agree on: type and inode (or only type), or the errno. */
type View = string;

function hostView(root: string, path: string, follow: boolean, withIno: boolean): View {
  const r = hostOutcome(() => (follow ? fs.statSync(root + path) : fs.lstatSync(root + path)));
  if (!r.ok) return r.errno;
  return `${(r.value.mode & S_IFMT).toString(8)}${withIno ? `:${r.value.ino}` : ''}`;
}

async function guestView(f: Fixture, path: string, follow: boolean, withIno: boolean): Promise<View> {
  const r = await outcome(() => f.vfs.stat(f.ctx, null, path, follow ? 0 : AT_SYMLINK_NOFOLLOW));
  if (!r.ok) return r.errno;
  return `${(r.value.mode & S_IFMT).toString(8)}${withIno ? `:${r.value.ino}` : ''}`;
}

async function expectSameViews(f: Fixture, root: string, withIno: boolean, step: string): Promise<void> {
  for (const path of UNIVERSE) {
    for (const follow of [false, true]) {
      const host = hostView(root, path, follow, withIno);
      expect(`${step} ${path} ${follow}: ${await guestView(f, path, follow, withIno)}`).toBe(
        `${step} ${path} ${follow}: ${host}`,
      );
    }
  }
}

/** A small seeded generator (xorshift32): the same changes on every run. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

type Change =
  | { op: 'mkdir' | 'rmdir' | 'create' | 'unlink' | 'symlink'; path: string; target?: string }
  | {
      op: 'rename';
      path: string;
      to: string;
    };

function randomChange(next: (n: number) => number): Change {
  const pick = () => {
    const depth = 1 + next(3);
    return `/${Array.from({ length: depth }, () => NAMES[next(NAMES.length)]).join('/')}`;
  };
  const ops = ['mkdir', 'mkdir', 'rmdir', 'create', 'unlink', 'symlink', 'rename', 'rename'] as const;
  const op = ops[next(ops.length)];
  if (op === 'rename') return { op, path: pick(), to: pick() };
  // Relative targets only, so the host's own stat resolves them inside the tree as the guest does.
  if (op === 'symlink') return { op, path: pick(), target: TARGETS[next(TARGETS.length)] };
  return { op, path: pick() };
}

async function applyInGuest(f: Fixture, c: Change): Promise<void> {
  const { vfs, ctx } = f;
  await outcome(async () => {
    if (c.op === 'mkdir') await vfs.mkdir(ctx, null, c.path, 0o755);
    else if (c.op === 'rmdir') await vfs.rmdir(ctx, null, c.path);
    else if (c.op === 'unlink') await vfs.unlink(ctx, null, c.path);
    else if (c.op === 'symlink') await vfs.symlink(ctx, c.target as string, null, c.path);
    else if (c.op === 'rename') await vfs.rename(ctx, null, c.path, null, c.to);
    else await (await vfs.open(ctx, null, c.path, O_CREAT | O_WRONLY, 0o644)).close();
  });
}

function applyOnHost(root: string, c: Change): void {
  hostOutcome(() => {
    const p = root + c.path;
    if (c.op === 'mkdir') fs.mkdirSync(p, 0o755);
    else if (c.op === 'rmdir') fs.rmdirSync(p);
    else if (c.op === 'unlink') fs.unlinkSync(p);
    else if (c.op === 'symlink') fs.symlinkSync(c.target as string, p);
    else if (c.op === 'rename') fs.renameSync(p, root + c.to);
    else fs.closeSync(fs.openSync(p, 'a', 0o644));
  });
}

describe('the name cache over hostfs', () => {
  it('shows rename, unlink, mkdir, rmdir and symlink made through the VFS at once', async () => {
    const root = fresh();
    const f = hostfsFixture(root);
    const steps: Change[] = [
      { op: 'mkdir', path: '/a' },
      { op: 'mkdir', path: '/a/b' },
      { op: 'create', path: '/a/b/c' },
      { op: 'rename', path: '/a/b', to: '/b' },
      { op: 'symlink', path: '/a/b', target: 'c' },
      { op: 'unlink', path: '/b/c' },
      { op: 'create', path: '/a/c' },
      { op: 'rename', path: '/a/c', to: '/b/c' },
      { op: 'unlink', path: '/a/b' },
      { op: 'rmdir', path: '/b' },
      { op: 'mkdir', path: '/b' },
    ];
    for (const [i, c] of steps.entries()) {
      await expectSameViews(f, root, true, `before ${i}`);
      await applyInGuest(f, c);
      await expectSameViews(f, root, true, `after ${i} ${c.op}`);
    }
  });

  it('shows a file replaced on the host at once, and any host change after a host turn', async () => {
    const root = fresh();
    const f = hostfsFixture(root);
    fs.mkdirSync(`${root}/a`);
    fs.writeFileSync(`${root}/a/b`, 'old');
    await expectSameViews(f, root, true, 'start');
    // The last component is always asked again: a file replaced behind the VFS's back shows without a turn.
    fs.rmSync(`${root}/a/b`);
    fs.mkdirSync(`${root}/a/b`);
    expect(await guestView(f, '/a/b', false, true)).toBe(hostView(root, '/a/b', false, true));
    // Renames of directories a walk passes through show after the host's event loop turns.
    fs.renameSync(`${root}/a`, `${root}/c`);
    f.vfs.newHostEpoch();
    await expectSameViews(f, root, true, 'after a host rename');
  });

  it('agrees with the host after random changes in the guest and on the host', async () => {
    const root = fresh();
    const f = hostfsFixture(root);
    const next = rng(0x6b6d4f53);
    for (let i = 0; i < 120; i++) {
      const change = randomChange(next);
      if (next(3) === 0) {
        applyOnHost(root, change);
        f.vfs.newHostEpoch();
      } else await applyInGuest(f, change);
      await expectSameViews(f, root, true, `step ${i} ${JSON.stringify(change)}`);
    }
  });
});

describe('the name cache over tmpfs', () => {
  it('agrees with the same changes made on the host', async () => {
    const root = fresh();
    const f = tmpfsFixture();
    const next = rng(0x746d7066);
    for (let i = 0; i < 120; i++) {
      const change = randomChange(next);
      applyOnHost(root, change);
      await applyInGuest(f, change);
      await expectSameViews(f, root, false, `step ${i} ${JSON.stringify(change)}`);
    }
  });
});
