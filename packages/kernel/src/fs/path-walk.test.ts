// The path walk's limits at their edges, against the host kernel through node:fs on the same trees: symlink
// chains of 38 to 42 links (Linux allows 40 expansions), path lengths around PATH_MAX, component lengths
// around NAME_MAX, and the trailing-slash rules on files, directories and symlinks.
import * as fs from 'node:fs';
import type { MaybePromise } from '@kmos/abi-driver';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Fixture,
  hostfsFixture,
  hostOutcome,
  outcome,
  tempDir,
  tmpfsFixture,
} from './testing/vfs-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const d = tempDir('walk');
  dirs.push(d);
  return d;
};

/** Builds the same tree on the host and through the VFS (hostfs on another dir, and tmpfs). */
async function both(build: (mk: Maker) => Promise<void>) {
  const oracle = fresh();
  const fixtures: Fixture[] = [hostfsFixture(fresh()), tmpfsFixture()];
  await build(hostMaker(oracle));
  for (const fx of fixtures) await build(vfsMaker(fx));
  return { oracle, fixtures };
}

interface Maker {
  dir(p: string): MaybePromise<void>;
  file(p: string): MaybePromise<void>;
  link(target: string, p: string): MaybePromise<void>;
}

const hostMaker = (root: string): Maker => ({
  dir: async (p) => fs.mkdirSync(`${root}/${p}`),
  file: async (p) => fs.writeFileSync(`${root}/${p}`, 'x'),
  link: async (t, p) => fs.symlinkSync(t, `${root}/${p}`),
});

const vfsMaker = ({ vfs, ctx }: Fixture): Maker => ({
  dir: (p) => vfs.mkdir(ctx, null, `/${p}`, 0o755),
  file: async (p) => {
    const f = await vfs.open(ctx, null, `/${p}`, 0o101, 0o644);
    await f.close();
  },
  link: (t, p) => vfs.symlink(ctx, t, null, `/${p}`),
});

async function compareStat(oracle: string, fixtures: Fixture[], rel: string, follow = true) {
  const want = hostOutcome(() => {
    const s = follow ? fs.statSync(`${oracle}/${rel}`) : fs.lstatSync(`${oracle}/${rel}`);
    return s.mode;
  });
  for (const { vfs, ctx } of fixtures) {
    const got = await outcome(async () => (await vfs.stat(ctx, null, `/${rel}`, follow ? 0 : 0x100)).mode);
    expect({ rel: rel.slice(0, 60), got }).toEqual({ rel: rel.slice(0, 60), got: want });
  }
}

describe('path walk limits, against the host', () => {
  it('symlink chains: 40 expansions resolve, 41 are ELOOP', async () => {
    const { oracle, fixtures } = await both(async (mk) => {
      await mk.file('target');
      await mk.link('target', 'l0');
      for (let i = 1; i <= 42; i++) await mk.link(`l${i - 1}`, `l${i}`);
    });
    for (let i = 37; i <= 42; i++) await compareStat(oracle, fixtures, `l${i}`);
    for (let i = 37; i <= 42; i++) await compareStat(oracle, fixtures, `l${i}`, false);
  });

  it('path length around PATH_MAX and names around NAME_MAX', async () => {
    const { oracle, fixtures } = await both(async (mk) => {
      await mk.dir('d');
      await mk.file(`d/${'n'.repeat(255)}`);
    });
    for (const len of [254, 255, 256]) await compareStat(oracle, fixtures, `d/${'n'.repeat(len)}`);
    // Same length on both sides: the host path is the oracle dir plus the tail; the guest's pads with slashes.
    const seen = new Set<string>();
    for (const total of [4090, 4094, 4095, 4096, 4097, 4100]) {
      const tail = `d/${'n'.repeat(255)}`;
      const room = total - oracle.length - 1 - tail.length;
      const rel = `${'./'.repeat(Math.floor(room / 2))}${room % 2 ? '/' : ''}${tail}`;
      const hostPath = `${oracle}/${rel}`;
      const guestPath = `${'/'.repeat(oracle.length + 1)}${rel}`;
      expect([hostPath.length, guestPath.length]).toEqual([total, total]);
      const want = hostOutcome(() => fs.statSync(hostPath).mode);
      seen.add(want.ok ? 'ok' : want.errno);
      for (const { vfs, ctx } of fixtures) {
        const got = await outcome(async () => (await vfs.stat(ctx, null, guestPath)).mode);
        expect({ total, got }).toEqual({ total, got: want });
      }
    }
    expect([...seen].sort()).toEqual(['ENAMETOOLONG', 'ok']);
  });

  it('trailing slashes on files, directories, and symlinks to each', async () => {
    const { oracle, fixtures } = await both(async (mk) => {
      await mk.dir('dir');
      await mk.file('file');
      await mk.link('dir', 'ldir');
      await mk.link('file', 'lfile');
      await mk.link('missing', 'ldangling');
    });
    for (const rel of [
      'dir/',
      'file/',
      'ldir/',
      'lfile/',
      'ldangling/',
      'dir//',
      'dir/.',
      'file/.',
      'ldir/..',
    ]) {
      await compareStat(oracle, fixtures, rel);
      await compareStat(oracle, fixtures, rel, false);
    }
  });
});
