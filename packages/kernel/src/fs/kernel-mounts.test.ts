// The kernel's own mounts over a root that has /proc and /dev but no /tmp: /proc/mounts then lists exactly
// what a Linux system with the same mounts lists (checked line by line against the expected table, in the
// host's /proc/mounts line format), /dev works through the mount, /dev/shm is the sticky tmpfs, and the
// missing /tmp is reported, not created.
import { O_RDWR } from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { mountKernelFilesystems } from './kernel-mounts.js';
import { formatMounts, procFile } from './procfs.js';
import { readAll } from './testing/dirents.js';
import { outcome, tmpfsFixture } from './testing/vfs-fixture.js';

describe('mountKernelFilesystems', () => {
  it('mounts proc, dev and dev/shm over existing directories and reports the missing /tmp', async () => {
    const { vfs, ctx } = tmpfsFixture(0o755);
    await vfs.mkdir(ctx, null, '/proc', 0o555);
    await vfs.mkdir(ctx, null, '/dev', 0o755);
    const clock = () => ({ sec: 0, nsec: 0 });
    const mounted = await mountKernelFilesystems(vfs, {
      clock,
      random: (b) => b.fill(4),
      tmp: true,
      proc: {
        filesystems: () => [{ fsType: 'proc', needsDevice: false }],
        version: 'Linux version 6.1.0-kmos',
        uptime: () => ({ upSeconds: 0, idleSeconds: 0 }),
        loadavg: () => ({ load: [0, 0, 0], runnable: 1, total: 1, lastPid: 1 }),
      },
    });
    expect(mounted.skipped).toEqual(['/tmp']);
    // /proc/mounts is a link to the reader's own mounts: one process that has them reads it.
    mounted.proc.setPidProvider({
      list: () => [1],
      owner: () => ({ uid: 0, gid: 0 }),
      current: () => 1,
      currentThread: () => 1,
      entries: () => new Map([['mounts', procFile(() => formatMounts(vfs.mounts))]]),
    });
    const file = await vfs.open(ctx, null, '/proc/mounts', 0);
    const text = Buffer.from(await readAll(file)).toString('latin1');
    expect(text.split('\n').filter(Boolean)).toEqual([
      'tmpfs / tmpfs rw 0 0',
      'proc /proc proc rw,nosuid,nodev,noexec 0 0',
      'devtmpfs /dev devtmpfs rw,nosuid,mode=755 0 0',
      'shm /dev/shm tmpfs rw,nosuid,nodev 0 0',
    ]);
    const zero = await vfs.open(ctx, null, '/dev/zero', O_RDWR);
    const buf = new Uint8Array(4).fill(9);
    expect(await zero.read(buf)).toBe(4);
    expect([...buf]).toEqual([0, 0, 0, 0]);
    expect((await vfs.stat(ctx, null, '/dev/shm')).mode & 0o7777).toBe(0o1777);
    expect(await outcome(() => vfs.stat(ctx, null, '/tmp'))).toEqual({ ok: false, errno: 'ENOENT' });
  });
});

describe('umount', () => {
  it('refuses a non-mount-point (EINVAL) and a busy mount (EBUSY), then uncovers the directory', async () => {
    const { vfs, ctx } = tmpfsFixture(0o755);
    const { Tmpfs } = await import('./tmpfs.js');
    await vfs.mkdir(ctx, null, '/mnt', 0o755);
    await vfs.mount(ctx, null, '/mnt', new Tmpfs({ clock: () => ({ sec: 0, nsec: 0 }) }), {
      fsType: 'tmpfs',
      source: 'tmpfs',
      readOnly: false,
    });
    const file = await vfs.open(ctx, null, '/mnt/f', O_RDWR | 0o100, 0o644);
    expect(await outcome(() => vfs.umount(ctx, null, '/'))).toEqual({ ok: false, errno: 'EINVAL' });
    expect(await outcome(() => vfs.umount(ctx, null, '/mnt'))).toEqual({ ok: false, errno: 'EBUSY' });
    await file.close();
    expect(await outcome(() => vfs.umount(ctx, null, '/mnt'))).toEqual({ ok: true, value: undefined });
    expect(await outcome(() => vfs.stat(ctx, null, '/mnt/f'))).toEqual({ ok: false, errno: 'ENOENT' });
    expect(vfs.mounts.mounts.length).toBe(1);
  });
});
