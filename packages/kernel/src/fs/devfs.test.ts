// devfs against the host's /dev: the memory devices answer reads, writes and preads as the host's do, and
// carry the host's device numbers and modes; the fd links point where the host's do. Random bytes come from
// the seed (same seed, same bytes). The console follows a CharDevice: WouldBlock until it has input, woken
// by its onReady; without one, opening the console is ENXIO.
import * as fs from 'node:fs';
import type { CharDevice } from '@kmos/abi-driver';
import { POLLIN } from '@kmos/abi-driver';
import { O_NONBLOCK, O_RDONLY, O_RDWR, S_IFCHR } from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random.js';
import { ROOT_CREDENTIALS } from './credentials.js';
import { createDevfs } from './devfs.js';
import type { OpenFile } from './open-file.js';
import { hostOutcome, outcome } from './testing/vfs-fixture.js';
import { Tmpfs } from './tmpfs.js';
import { Vfs } from './vfs.js';
import { isWouldBlock } from './would-block.js';

function boot(seed = 1, console: CharDevice | null = null) {
  const clock = () => ({ sec: 0, nsec: 0 });
  const vfs = new Vfs({ clock });
  vfs.mountRoot(new Tmpfs({ clock, rootMode: 0o755 }), {
    fsType: 'tmpfs',
    source: 'rootfs',
    readOnly: false,
  });
  const ctx = vfs.rootContext(ROOT_CREDENTIALS);
  return { vfs, ctx, ready: mountDev(vfs, ctx, seed, console) };
}

async function mountDev(
  vfs: Vfs,
  ctx: ReturnType<Vfs['rootContext']>,
  seed: number,
  console: CharDevice | null,
) {
  await vfs.mkdir(ctx, null, '/dev', 0o755);
  const random = new SeededRandom(seed);
  const devfs = createDevfs({
    clock: () => ({ sec: 0, nsec: 0 }),
    random: (b) => random.fill(b),
    devices: vfs.devices,
    console,
  });
  await vfs.mount(ctx, null, '/dev', devfs, { fsType: 'devtmpfs', source: 'devtmpfs', readOnly: false });
}

async function guestIo(file: OpenFile, op: 'read' | 'write' | 'pread') {
  const buf = new Uint8Array(16).fill(7);
  const r = await outcome(async () => {
    const n =
      op === 'read'
        ? await file.read(buf)
        : op === 'pread'
          ? await file.pread(buf, 3)
          : await file.write(buf);
    return { n, bytes: [...buf] };
  });
  return r;
}

function hostIo(path: string, op: 'read' | 'write' | 'pread') {
  const fd = fs.openSync(path, 'r+');
  try {
    const buf = new Uint8Array(16).fill(7);
    return hostOutcome(() => {
      const n =
        op === 'read'
          ? fs.readSync(fd, buf, 0, 16, null)
          : op === 'pread'
            ? fs.readSync(fd, buf, 0, 16, 3)
            : fs.writeSync(fd, buf);
      return { n, bytes: [...buf] };
    });
  } finally {
    fs.closeSync(fd);
  }
}

describe('devfs memory devices, against the host /dev', () => {
  for (const name of ['null', 'zero', 'full']) {
    it(`/dev/${name}: read, pread and write results, st_rdev and mode as the host's`, async () => {
      const { vfs, ctx, ready } = boot();
      await ready;
      const file = await vfs.open(ctx, null, `/dev/${name}`, O_RDWR);
      for (const op of ['read', 'pread', 'write'] as const)
        expect(await guestIo(file, op)).toEqual(hostIo(`/dev/${name}`, op));
      const mine = await file.fstat();
      const host = fs.statSync(`/dev/${name}`);
      expect({ type: mine.mode & 0o170000, perm: mine.mode & 0o7777, rdev: mine.rdev }).toEqual({
        type: host.mode & 0o170000,
        perm: host.mode & 0o7777,
        rdev: host.rdev,
      });
      await file.close();
    });
  }

  it("random and urandom have the host numbers and give the seed's bytes", async () => {
    const a = boot(42);
    const b = boot(42);
    const c = boot(43);
    await Promise.all([a.ready, b.ready, c.ready]);
    const bytes = async (x: ReturnType<typeof boot>, path: string) => {
      const f = await x.vfs.open(x.ctx, null, path, O_RDONLY);
      const buf = new Uint8Array(32);
      expect(await f.read(buf)).toBe(32);
      return [...buf];
    };
    expect(await bytes(a, '/dev/urandom')).toEqual(await bytes(b, '/dev/urandom'));
    expect(await bytes(a, '/dev/urandom')).not.toEqual(await bytes(c, '/dev/urandom'));
    for (const name of ['random', 'urandom', 'tty', 'console']) {
      expect((await a.vfs.stat(a.ctx, null, `/dev/${name}`)).rdev).toBe(fs.statSync(`/dev/${name}`).rdev);
    }
  });

  it("the fd, stdin, stdout and stderr links point where the host's do", async () => {
    const { vfs, ctx, ready } = boot();
    await ready;
    for (const name of ['fd', 'stdin', 'stdout', 'stderr']) {
      expect(await vfs.readlink(ctx, null, `/dev/${name}`)).toBe(fs.readlinkSync(`/dev/${name}`));
    }
  });
});

describe('the console', () => {
  function fakeConsole() {
    const input: number[] = [];
    const output: number[] = [];
    let ready: () => void = () => {};
    const device: CharDevice = {
      name: 'console',
      major: 5,
      minor: 1,
      read: (into) => {
        if (input.length === 0) return null;
        const n = Math.min(into.length, input.length);
        into.set(input.splice(0, n));
        return n;
      },
      write: (from) => {
        output.push(...from);
        return from.length;
      },
      poll: () => (input.length ? POLLIN : 0),
      onReady: (cb) => {
        ready = cb;
      },
    };
    const type = (s: string) => {
      input.push(...Buffer.from(s));
      ready();
    };
    return { device, input, output, type };
  }

  it('reads wait for input and wake on it; writes reach the device; O_NONBLOCK gives EAGAIN', async () => {
    const con = fakeConsole();
    const { vfs, ctx, ready } = boot(1, con.device);
    await ready;
    const file = await vfs.open(ctx, null, '/dev/console', O_RDWR);
    expect((await file.fstat()).mode & 0o170000).toBe(S_IFCHR);
    const buf = new Uint8Array(8);
    const first = await file.read(buf);
    expect(isWouldBlock(first)).toBe(true);
    let woken = false;
    if (isWouldBlock(first)) first.queue.add(() => (woken = true));
    con.type('ls\n');
    expect(woken).toBe(true);
    expect(await file.read(buf)).toBe(3);
    expect(await file.write(Buffer.from('hi'))).toBe(2);
    expect(Buffer.from(con.output).toString()).toBe('hi');
    const nb = await vfs.open(ctx, null, '/dev/tty', O_RDONLY | O_NONBLOCK);
    expect(await outcome(() => nb.read(buf))).toEqual({ ok: false, errno: 'EAGAIN' });
  });

  it('without a console CharDevice, opening /dev/console is ENXIO', async () => {
    const { vfs, ctx, ready } = boot();
    await ready;
    expect(await outcome(() => vfs.open(ctx, null, '/dev/console', O_RDWR))).toEqual({
      ok: false,
      errno: 'ENXIO',
    });
  });
});
