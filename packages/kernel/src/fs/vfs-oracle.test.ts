// The VFS against the host kernel for what node:fs cannot ask: each random sequence runs in phases (as
// root, then as an unprivileged user with supplementary groups, then as root) on a host directory by a
// python3 child chrooted there (testing/host_oracle.py: the host kernel decides), and through the VFS over
// hostfs and over tmpfs with the same credentials. Covers permissions and the sticky bit, renameat2 flags,
// chdir/getcwd with `..` at the root, a tmpfs mounted over /m (crossed both ways, EXDEV, EBUSY), absolute
// symlinks, ELOOP, ENAMETOOLONG, FIFOs, access(2), chown and the file-description operations (offsets,
// O_APPEND, pread/pwrite, lseek, ftruncate).
import * as fs from 'node:fs';
import * as abi from '@kmos/abi-linux';
import {
  R_OK,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  S_IFDIR,
  S_IFMT,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  W_OK,
  X_OK,
} from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Credentials } from './credentials.js';
import type { Dentry } from './dentry.js';
import type { PathContext } from './path-walk.js';
import { listDir } from './testing/dirents.js';
import { HostOracle, type OracleCred, type OraclePhase } from './testing/host-oracle.js';
import { type Fixture, hostfsFixture, outcome, tempDir, tmpfsFixture } from './testing/vfs-fixture.js';
import { Tmpfs } from './tmpfs.js';
import { isWouldBlock } from './would-block.js';

type Action =
  | { k: 'write'; data: string }
  | { k: 'read'; n: number }
  | { k: 'pread'; n: number; off: number }
  | { k: 'pwrite'; data: string; off: number }
  | { k: 'lseek'; off: number; whence: number }
  | { k: 'ftruncate'; n: number }
  | { k: 'fstat' };

type Op =
  | { k: 'mkdir'; p: string; mode: number }
  | { k: 'io'; p: string; flags: string[]; mode: number; actions: Action[] }
  | { k: 'unlink'; p: string }
  | { k: 'rmdir'; p: string }
  | { k: 'rename'; a: string; b: string; flags: number }
  | { k: 'link'; a: string; b: string; flags: number }
  | { k: 'symlink'; target: string; p: string }
  | { k: 'readlink'; p: string }
  | { k: 'stat'; p: string; follow: boolean }
  | { k: 'chmod'; p: string; mode: number }
  | { k: 'chown'; p: string; uid: number; gid: number }
  | { k: 'truncate'; p: string; n: number }
  | { k: 'access'; p: string; mode: number; flags: number }
  | { k: 'chdir'; p: string }
  | { k: 'getcwd' }
  | { k: 'mkfifo'; p: string; mode: number }
  | { k: 'readdir'; p: string }
  | { k: 'utime'; p: string; now: boolean }
  | { k: 'exec'; p: string };

const LONG_NAME = 'n'.repeat(256);
/** A tmpfs is mounted over /m on both sides: walks cross it both ways, renames and links across fail. */
const MOUNT = 'm';
const componentArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 3, arbitrary: fc.constant(MOUNT) },
  { weight: 3, arbitrary: fc.constantFrom('.', '..') },
  { weight: 1, arbitrary: fc.constant(LONG_NAME) },
);
const pathArb = fc
  .tuple(fc.boolean(), fc.array(componentArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 6 }))
  .map(([absolute, parts, trail]) => (absolute ? '/' : '') + parts.join('/') + (trail === 0 ? '/' : ''));
const targetArb = fc.oneof(pathArb, fc.constantFrom('/a', '/../../b', 'a/b', 'loop', '/'));
const modeArb = fc.constantFrom(
  0o755,
  0o700,
  0o644,
  0o600,
  0o1777,
  0o2775,
  0o4755,
  0o711,
  0o666,
  0o000,
  0o070,
);
const uidArb = fc.constantFrom(0, 1000, 1001, -1);
const gidArb = fc.constantFrom(0, 1000, 2000, 3000, -1);
const dataArb = fc.string({ maxLength: 12 });
const offArb = fc.integer({ min: -5, max: 20 });

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ k: fc.constant('write' as const), data: dataArb }),
  fc.record({ k: fc.constant('read' as const), n: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ k: fc.constant('pread' as const), n: fc.integer({ min: 0, max: 20 }), off: offArb }),
  fc.record({ k: fc.constant('pwrite' as const), data: dataArb, off: offArb }),
  fc.record({
    k: fc.constant('lseek' as const),
    off: offArb,
    whence: fc.constantFrom(SEEK_SET, SEEK_CUR, SEEK_END, 7),
  }),
  fc.record({ k: fc.constant('ftruncate' as const), n: fc.integer({ min: -1, max: 20 }) }),
  fc.record({ k: fc.constant('fstat' as const) }),
);

const flagsArb = fc
  .tuple(
    fc.constantFrom('O_RDONLY', 'O_WRONLY', 'O_RDWR'),
    fc.subarray(['O_CREAT', 'O_EXCL', 'O_TRUNC', 'O_APPEND', 'O_NOFOLLOW', 'O_DIRECTORY']),
  )
  .map(([acc, rest]) => [acc, ...rest]);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('mkdir' as const), p: pathArb, mode: modeArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('io' as const),
      p: pathArb,
      flags: flagsArb,
      mode: modeArb,
      actions: fc.array(actionArb, { maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unlink' as const), p: pathArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rmdir' as const), p: pathArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('rename' as const),
      a: pathArb,
      b: pathArb,
      flags: fc.constantFrom(0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('link' as const),
      a: pathArb,
      b: pathArb,
      flags: fc.constantFrom(0, abi.AT_SYMLINK_FOLLOW),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('symlink' as const), target: targetArb, p: pathArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('readlink' as const), p: pathArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('stat' as const), p: pathArb, follow: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('chmod' as const), p: pathArb, mode: modeArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('chown' as const), p: pathArb, uid: uidArb, gid: gidArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('truncate' as const),
      p: pathArb,
      n: fc.integer({ min: -1, max: 30 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('access' as const),
      p: pathArb,
      mode: fc.constantFrom(0, R_OK, W_OK, X_OK, R_OK | W_OK),
      flags: fc.constantFrom(0, abi.AT_EACCESS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('chdir' as const), p: pathArb }) },
  { weight: 1, arbitrary: fc.constant({ k: 'getcwd' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('mkfifo' as const), p: pathArb, mode: modeArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('readdir' as const), p: pathArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('utime' as const), p: pathArb, now: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('exec' as const), p: pathArb }) },
);

const USER: OracleCred = { uid: 1000, gid: 1000, groups: [1000, 2000] };
const phasesArb = fc
  .tuple(
    fc.array(opArb, { maxLength: 25 }),
    fc.array(opArb, { maxLength: 25 }),
    fc.array(opArb, { maxLength: 8 }),
  )
  .map(([setup, user, after]): OraclePhase<Op>[] => [
    { cred: null, ops: setup },
    { cred: USER, ops: user },
    { cred: null, ops: after },
  ]);

function credentials(c: OracleCred | null): Credentials {
  if (!c) return { uid: 0, gid: 0, euid: 0, egid: 0, groups: [] };
  return { uid: c.uid, gid: c.gid, euid: c.uid, egid: c.gid, groups: c.groups };
}

interface StatView {
  type: number;
  perm: number;
  size: number | null;
  nlink: number;
  uid: number;
  gid: number;
}

function view(s: { mode: number; sizeBytes: number; nlink: number; uid: number; gid: number }): StatView {
  const type = s.mode & S_IFMT;
  return {
    type,
    perm: s.mode & 0o7777,
    size: type === S_IFDIR ? null : s.sizeBytes,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
  };
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const flagBits = (names: string[]) =>
  names.reduce((bits, name) => bits | (abi as unknown as Record<string, number>)[name], 0);
const hex = (buf: Uint8Array, n: number | unknown) =>
  Buffer.from(buf.subarray(0, n as number)).toString('hex');

async function runActions(fx: Fixture, ctx: PathContext, op: Extract<Op, { k: 'io' }>): Promise<unknown[]> {
  const file = await fx.vfs.open(ctx, null, op.p, flagBits(op.flags), op.mode);
  const out: unknown[] = [];
  try {
    for (const a of op.actions) {
      const r = await outcome(async () => {
        switch (a.k) {
          case 'write':
            return await file.write(latin1(a.data));
          case 'read': {
            const buf = new Uint8Array(a.n);
            return hex(buf, await file.read(buf));
          }
          case 'pread': {
            const buf = new Uint8Array(a.n);
            return hex(buf, await file.pread(buf, a.off));
          }
          case 'pwrite':
            return await file.pwrite(latin1(a.data), a.off);
          case 'lseek':
            if (a.whence === SEEK_END && (await file.fstat()).mode & S_IFDIR) return 'fs-specific';
            return await file.lseek(a.off, a.whence);
          case 'ftruncate':
            await fx.vfs.ftruncate(file, a.n);
            return 'ok';
          case 'fstat':
            return view(await file.fstat());
        }
      });
      if (r.ok && isWouldBlock(r.value)) throw new Error('regular file would block');
      out.push(r.ok ? r.value : r.errno);
    }
  } finally {
    await file.close();
  }
  return out;
}

async function runOp(fx: Fixture, state: { ctx: PathContext }, op: Op): Promise<unknown> {
  const { vfs } = fx;
  const ctx = state.ctx;
  const r = await outcome(async (): Promise<unknown> => {
    switch (op.k) {
      case 'mkdir':
        await vfs.mkdir(ctx, null, op.p, op.mode);
        return 'ok';
      case 'io': {
        const target = await outcome(() => vfs.stat(ctx, null, op.p));
        if (target.ok && (target.value.mode & S_IFMT) === abi.S_IFIFO) return 'fifo';
        return runActions(fx, ctx, op);
      }
      case 'unlink':
        await vfs.unlink(ctx, null, op.p);
        return 'ok';
      case 'rmdir':
        await vfs.rmdir(ctx, null, op.p);
        return 'ok';
      case 'rename':
        await vfs.rename(ctx, null, op.a, null, op.b, op.flags);
        return 'ok';
      case 'link':
        await vfs.link(ctx, null, op.a, null, op.b, op.flags);
        return 'ok';
      case 'symlink':
        await vfs.symlink(ctx, op.target, null, op.p);
        return 'ok';
      case 'readlink':
        return await vfs.readlink(ctx, null, op.p);
      case 'stat':
        return view(await vfs.stat(ctx, null, op.p, op.follow ? 0 : abi.AT_SYMLINK_NOFOLLOW));
      case 'chmod':
        await vfs.chmod(ctx, null, op.p, op.mode);
        return 'ok';
      case 'chown':
        await vfs.chown(ctx, null, op.p, op.uid, op.gid);
        return 'ok';
      case 'truncate':
        await vfs.truncate(ctx, null, op.p, op.n);
        return 'ok';
      case 'access':
        await vfs.access(ctx, null, op.p, op.mode, op.flags);
        return 'ok';
      case 'chdir': {
        const cwd: Dentry = await vfs.chdir(ctx, null, op.p);
        state.ctx = { ...ctx, cwd };
        return 'ok';
      }
      case 'getcwd':
        return vfs.getcwd(ctx);
      case 'mkfifo':
        await vfs.mknod(ctx, null, op.p, abi.S_IFIFO | op.mode);
        return 'ok';
      case 'readdir':
        return (await listDir(vfs, ctx, op.p)).filter((n) => n !== '.' && n !== '..').sort();
      case 'exec':
        await (await vfs.openExec(ctx, null, op.p)).file.close();
        return 'ok';
      case 'utime':
        await vfs.utimens(
          ctx,
          null,
          op.p,
          op.now ? 'now' : { sec: 5, nsec: 0 },
          op.now ? 'now' : { sec: 7, nsec: 0 },
        );
        return 'ok';
    }
  });
  return r.ok ? r.value : r.errno;
}

async function runPhases(fx: Fixture, phases: readonly OraclePhase<Op>[]): Promise<unknown[][]> {
  const root = fx.vfs.rootContext(credentials(null), 0);
  await fx.vfs.mkdir(root, null, `/${MOUNT}`, 0o755);
  const clock = () => ({ sec: 1, nsec: 0 });
  await fx.vfs.mount(root, null, `/${MOUNT}`, new Tmpfs({ clock, rootMode: 0o755 }), {
    fsType: 'tmpfs',
    source: 'tmpfs',
    readOnly: false,
  });
  const results: unknown[][] = [];
  for (const phase of phases) {
    const state = { ctx: { ...fx.vfs.rootContext(credentials(phase.cred), 0o022) } };
    const out: unknown[] = [];
    for (const op of phase.ops) out.push(await runOp(fx, state, op));
    results.push(out);
  }
  return results;
}

const oracle = new HostOracle();
const dirs: string[] = [];
afterAll(() => {
  oracle.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function freshRoot(tag: string): string {
  const d = tempDir(tag);
  fs.chmodSync(d, 0o755);
  dirs.push(d);
  return d;
}

describe('VFS against the host kernel, with credentials (python3 oracle in a chroot)', () => {
  it('phases as root, as a user with groups, as root: same results and errnos on host, hostfs, tmpfs', async () => {
    await fc.assert(
      fc.asyncProperty(phasesArb, async (phases) => {
        const oracleRoot = freshRoot('oracle');
        const hostfsRoot = freshRoot('hostfs');
        try {
          const want = await oracle.run(oracleRoot, phases, [MOUNT]);
          const tmp = tmpfsFixture(0o755);
          expect(await runPhases(hostfsFixture(hostfsRoot), phases)).toEqual(want);
          expect(await runPhases(tmp, phases)).toEqual(want);
        } finally {
          fs.rmSync(oracleRoot, { recursive: true, force: true });
          fs.rmSync(hostfsRoot, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  }, 300_000);
});
