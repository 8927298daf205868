// procfs: the framework (generated files, per-pid directories from a provider, symlinks, consistent
// snapshots for readers in pieces) through the VFS, and the basic entries in the format of the host's own
// /proc files (each line of ours must parse the way every line of the host's does).
import * as fs from 'node:fs';
import { AT_SYMLINK_NOFOLLOW, new_decode_dev, O_RDONLY } from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { ROOT_CREDENTIALS } from './credentials.js';
import { type Dentry, RECHECK_CHILDREN } from './dentry.js';
import {
  formatMountInfo,
  formatMounts,
  Procfs,
  procDir,
  procFile,
  procLink,
  registerBasicEntries,
} from './procfs.js';
import { listDir, readAll } from './testing/dirents.js';
import { outcome } from './testing/vfs-fixture.js';
import { Tmpfs } from './tmpfs.js';
import { Vfs } from './vfs.js';

async function boot() {
  const clock = () => ({ sec: 0, nsec: 0 });
  const vfs = new Vfs({ clock });
  vfs.mountRoot(new Tmpfs({ clock, rootMode: 0o755 }), {
    fsType: 'tmpfs',
    source: 'rootfs',
    readOnly: false,
  });
  const ctx = vfs.rootContext(ROOT_CREDENTIALS);
  await vfs.mkdir(ctx, null, '/proc', 0o555);
  await vfs.mkdir(ctx, null, '/tmp dir', 0o1777);
  const proc = new Procfs({ clock });
  await vfs.mount(ctx, null, '/proc', proc, {
    fsType: 'proc',
    source: 'proc',
    readOnly: false,
    options: 'nosuid,nodev,noexec,relatime',
  });
  await vfs.mount(ctx, null, '/tmp dir', new Tmpfs({ clock }), {
    fsType: 'tmpfs',
    source: 'tmpfs',
    readOnly: false,
    options: 'mode=1777',
  });
  registerBasicEntries(proc, {
    filesystems: () => [
      { fsType: 'tmpfs', needsDevice: false },
      { fsType: 'proc', needsDevice: false },
      { fsType: 'ext2', needsDevice: true },
    ],
    version: 'Linux version 6.1.0-kmos (kmos@kmos) #1 SMP',
    uptime: () => ({ upSeconds: 12.345, idleSeconds: 10 }),
    loadavg: () => ({ load: [0.5, 0.25, 0.125], runnable: 1, total: 3, lastPid: 42 }),
  });
  return { vfs, ctx, proc };
}

async function cat(vfs: Vfs, ctx: ReturnType<Vfs['rootContext']>, path: string): Promise<string> {
  const file = await vfs.open(ctx, null, path, O_RDONLY);
  try {
    return Buffer.from(await readAll(file)).toString('latin1');
  } finally {
    await file.close();
  }
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

describe('procfs basic entries, in the host /proc formats', () => {
  it("/proc/mounts: the mount table, each line shaped like the host's (space escaped as \\040)", async () => {
    const { vfs, ctx, proc } = await boot();
    // /proc/mounts is a link to the reader's /proc/self/mounts, as in Linux.
    proc.setPidProvider({
      list: () => [1],
      owner: () => ({ uid: 0, gid: 0 }),
      current: () => 1,
      currentThread: () => 1,
      entries: (pid) => (pid === 1 ? new Map([['mounts', procFile(() => formatMounts(vfs.mounts))]]) : null),
    });
    expect(await vfs.readlink(ctx, null, '/proc/mounts')).toBe('self/mounts');
    const mine = lines(await cat(vfs, ctx, '/proc/mounts'));
    const shape = /^(\S+) (\S+) (\S+) (\S+) 0 0$/;
    for (const line of lines(fs.readFileSync('/proc/mounts', 'latin1'))) expect(line).toMatch(shape);
    for (const line of mine) expect(line).toMatch(shape);
    expect(mine).toEqual([
      'rootfs / tmpfs rw 0 0',
      'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
      'tmpfs /tmp\\040dir tmpfs rw,mode=1777 0 0',
    ]);
  });

  it("/proc/<pid>/mountinfo: each line shaped like the host's, relative to the reader's root", async () => {
    const { vfs } = await boot();
    const [root, proc, tmp] = vfs.mounts.mounts.map((m) => ({ id: m.id, dev: new_decode_dev(m.dev) }));
    const dev = (m: typeof root) => `${m?.dev.major}:${m?.dev.minor}`;
    // ID, parent ID, major:minor, root, mount point, options, optional fields, "-", type, source, options.
    const shape = /^\d+ \d+ \d+:\d+ \S+ \S+ (rw|ro)\S* (\S+:\S+ )*- \S+ \S+ (rw|ro)\S*$/;
    for (const line of lines(fs.readFileSync('/proc/self/mountinfo', 'latin1'))) expect(line).toMatch(shape);
    const mine = lines(formatMountInfo(vfs.mounts, vfs.mounts.mounts[0]?.root as Dentry));
    for (const line of mine) expect(line).toMatch(shape);
    expect(mine).toEqual([
      `${root?.id} ${root?.id} ${dev(root)} / / rw - tmpfs rootfs rw`,
      `${proc?.id} ${root?.id} ${dev(proc)} / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw`,
      `${tmp?.id} ${root?.id} ${dev(tmp)} / /tmp\\040dir rw - tmpfs tmpfs rw,mode=1777`,
    ]);
    // Chrooted into the tmpfs: only mounts below the root, named from it.
    expect(lines(formatMountInfo(vfs.mounts, vfs.mounts.mounts[2]?.root as Dentry))).toEqual([
      `${tmp?.id} ${root?.id} ${dev(tmp)} / / rw - tmpfs tmpfs rw,mode=1777`,
    ]);
  });

  it("/proc/filesystems, uptime and loadavg parse as the host's do", async () => {
    const { vfs, ctx } = await boot();
    const fsLine = /^(nodev)?\t\S+$/;
    for (const line of lines(fs.readFileSync('/proc/filesystems', 'latin1'))) expect(line).toMatch(fsLine);
    expect(lines(await cat(vfs, ctx, '/proc/filesystems'))).toEqual([
      'nodev\ttmpfs',
      'nodev\tproc',
      '\text2',
    ]);
    const uptime = /^\d+\.\d\d \d+\.\d\d$/;
    expect(fs.readFileSync('/proc/uptime', 'latin1').trim()).toMatch(uptime);
    expect((await cat(vfs, ctx, '/proc/uptime')).trim()).toBe('12.35 10.00');
    const loadavg = /^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+\/\d+ \d+$/;
    expect(fs.readFileSync('/proc/loadavg', 'latin1').trim()).toMatch(loadavg);
    expect((await cat(vfs, ctx, '/proc/loadavg')).trim()).toBe('0.50 0.25 0.13 1/3 42');
    expect(await cat(vfs, ctx, '/proc/version')).toBe('Linux version 6.1.0-kmos (kmos@kmos) #1 SMP\n');
  });
});

describe('procfs framework', () => {
  it('per-pid directories come and go with the provider; self and fd links resolve through the VFS', async () => {
    const { vfs, ctx, proc } = await boot();
    const pids = new Map<number, string[]>([
      [1, ['0', '1']],
      [7, ['2']],
    ]);
    let current = 7;
    proc.setPidProvider({
      list: () => [...pids.keys()],
      owner: (pid) => ({ uid: pid === 1 ? 0 : 1000, gid: 0 }),
      current: () => current,
      currentThread: () => current,
      entries: (pid) => {
        const fds = pids.get(pid);
        if (!fds) return null;
        return new Map([
          ['status', procFile(() => `Pid:\t${pid}\n`)],
          ['cwd', procLink(() => '/tmp dir')],
          ['fd', procDir(() => new Map(fds.map((fd) => [fd, procLink(() => '/proc/version')])))],
        ]);
      },
    });
    const top = await listDir(vfs, ctx, '/proc');
    expect(top).toEqual(expect.arrayContaining(['.', '..', '1', '7', 'self', 'mounts', 'version']));
    expect(await cat(vfs, ctx, '/proc/self/status')).toBe('Pid:\t7\n');
    current = 1;
    expect(await cat(vfs, ctx, '/proc/self/status')).toBe('Pid:\t1\n');
    expect((await listDir(vfs, ctx, '/proc/7/fd')).sort()).toEqual(['.', '..', '2']);
    expect(await cat(vfs, ctx, '/proc/7/fd/2')).toContain('Linux version');
    expect((await vfs.stat(ctx, null, '/proc/7/status')).uid).toBe(1000);
    expect(vfs.getcwd({ ...ctx, cwd: await vfs.chdir(ctx, null, '/proc/1/cwd') })).toBe('/tmp dir');
    pids.delete(7);
    expect(await outcome(() => vfs.stat(ctx, null, '/proc/7/status'))).toEqual({
      ok: false,
      errno: 'ENOENT',
    });
    expect(await listDir(vfs, ctx, '/proc')).not.toContain('7');
  });

  it('forgets the inode numbers and directory entries of pids that are gone, so a long run of short processes does not grow them', async () => {
    const { vfs, ctx, proc } = await boot();
    const alive = new Set<number>([1]);
    let current = 1;
    proc.setPidProvider({
      list: () => [...alive],
      owner: () => ({ uid: 0, gid: 0 }),
      current: () => current,
      currentThread: () => current,
      entries: (pid) => (alive.has(pid) ? new Map([['exe', procLink(() => `/bin/prog-${pid}`)]]) : null),
    });
    const ino1 = (await vfs.stat(ctx, null, '/proc/1/exe', AT_SYMLINK_NOFOLLOW)).ino;
    const procRoot = await vfs.chdir(ctx, null, '/proc');
    const pid1 = procRoot.children.get('1');
    // 20,000 processes, each reading its /proc/self/exe (as glibc's start-up does) and then going away.
    for (let pid = 2; pid < 20_002; pid++) {
      alive.add(pid);
      current = pid;
      expect(await vfs.readlink(ctx, null, '/proc/self/exe')).toBe(`/bin/prog-${pid}`);
      alive.delete(pid);
    }
    expect(proc.numberedPaths).toBeLessThan(3 * 4096);
    // Nor does the VFS keep a cached directory entry for each (it kept all 20,000), but a live pid's stays.
    expect(procRoot.children.size).toBeLessThanOrEqual(2 * RECHECK_CHILDREN + 1);
    expect(procRoot.children.get('1')).toBe(pid1);
    // A live pid keeps its numbers; a pid used again gets new ones.
    expect((await vfs.stat(ctx, null, '/proc/1/exe', AT_SYMLINK_NOFOLLOW)).ino).toBe(ino1);
    alive.add(2);
    expect((await vfs.stat(ctx, null, '/proc/2/exe', AT_SYMLINK_NOFOLLOW)).ino).toBeGreaterThan(20_000);
  });

  it('a reader in pieces sees one snapshot; a read from offset 0 sees the new text', async () => {
    const { vfs, ctx, proc } = await boot();
    let generation = 0;
    proc.registerFile(
      'sys/kernel/counter',
      () => `${String(generation++).padStart(4, '0')}-${'x'.repeat(20)}\n`,
    );
    const file = await vfs.open(ctx, null, '/proc/sys/kernel/counter', O_RDONLY);
    const pieces: string[] = [];
    const buf = new Uint8Array(5);
    for (let n = (await file.read(buf)) as number; n > 0; n = (await file.read(buf)) as number) {
      pieces.push(Buffer.from(buf.subarray(0, n)).toString());
    }
    expect(pieces.join('')).toBe(`0000-${'x'.repeat(20)}\n`);
    expect(await cat(vfs, ctx, '/proc/sys/kernel/counter')).toBe(`0001-${'x'.repeat(20)}\n`);
    await file.close();
    expect(await outcome(() => vfs.unlink(ctx, null, '/proc/version'))).toEqual({
      ok: false,
      errno: 'EPERM',
    });
  });
});
