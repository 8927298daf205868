// hostfs: what the differential tests cannot show. The guest's namespace is closed at the hostfs root
// (absolute symlinks and `..` stay inside, checked against where the host itself would have gone), files
// stay readable after unlink while open (as on Linux), descriptors are LRU-limited, and names keep their
// bytes. The oracle is the host file tree read back with node:fs.
import * as fs from 'node:fs';
import { O_CREAT, O_RDONLY, O_RDWR, O_WRONLY } from '@kmos/abi-linux';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_CREDENTIALS } from './credentials.js';
import { Hostfs } from './hostfs.js';
import { readAll } from './testing/dirents.js';
import { hostfsFixture, outcome, tempDir } from './testing/vfs-fixture.js';
import { Vfs } from './vfs.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const d = tempDir('hostfs-unit');
  dirs.push(d);
  return d;
};
const text = async (file: Awaited<ReturnType<Vfs['open']>>) =>
  Buffer.from(await readAll(file)).toString('latin1');

describe('hostfs keeps the guest inside its root', () => {
  it('absolute symlinks and `..` resolve in the guest namespace, not the host', async () => {
    const root = fresh();
    fs.mkdirSync(`${root}/etc`);
    fs.writeFileSync(`${root}/etc/marker`, 'inside');
    fs.symlinkSync('/etc/marker', `${root}/abs`);
    fs.symlinkSync('../../../../../../etc/marker', `${root}/climb`);
    // The host itself would have left the directory: these links point elsewhere for it.
    expect(fs.existsSync('/etc/marker') ? fs.readFileSync('/etc/marker', 'latin1') : null).not.toBe('inside');
    const { vfs, ctx } = hostfsFixture(root);
    for (const path of ['/abs', '/climb', '/../../etc/marker', '/etc/../../../etc/marker']) {
      const file = await vfs.open(ctx, null, path, O_RDONLY);
      expect(await text(file)).toBe('inside');
      await file.close();
    }
    expect(vfs.getcwd(await (async () => ({ ...ctx, cwd: await vfs.chdir(ctx, null, '/../..') }))())).toBe(
      '/',
    );
  });

  it('names are bytes: a non-UTF-8 name made by the guest is those bytes on the host', async () => {
    const root = fresh();
    const { vfs, ctx } = hostfsFixture(root);
    const name = '\xff\xfe\x80name';
    await (await vfs.open(ctx, null, `/${name}`, O_WRONLY | O_CREAT, 0o644)).close();
    const onHost = fs.readdirSync(root, { encoding: 'buffer' }).map((b) => [...b]);
    expect(onHost).toEqual([[...Buffer.from(name, 'latin1')]]);
  });
});

describe('hostfs files', () => {
  it('an unlinked file stays readable and writable while open, and its descriptor goes on close', async () => {
    const root = fresh();
    const hostfs = new Hostfs({ hostRoot: root });
    const vfs = new Vfs({ clock: () => ({ sec: 0, nsec: 0 }) });
    vfs.mountRoot(hostfs, { fsType: 'hostfs', source: root, readOnly: false });
    const ctx = vfs.rootContext(ROOT_CREDENTIALS);
    const file = await vfs.open(ctx, null, '/f', O_RDWR | O_CREAT, 0o600);
    expect(await file.write(Buffer.from('before'))).toBe(6);
    await vfs.unlink(ctx, null, '/f');
    expect(fs.existsSync(`${root}/f`)).toBe(false);
    expect(await file.pwrite(Buffer.from('after!'), 6)).toBe(6);
    const buf = new Uint8Array(12);
    expect(await file.pread(buf, 0)).toBe(12);
    expect(Buffer.from(buf).toString()).toBe('beforeafter!');
    expect((await file.fstat()).nlink).toBe(0);
    await file.close();
    expect(hostfs.openFds).toBe(0);
  });

  it('more files than cached descriptors all keep their contents', async () => {
    const root = fresh();
    const hostfs = new Hostfs({ hostRoot: root, maxOpenFds: 4 });
    const vfs = new Vfs({ clock: () => ({ sec: 0, nsec: 0 }) });
    vfs.mountRoot(hostfs, { fsType: 'hostfs', source: root, readOnly: false });
    const ctx = vfs.rootContext(ROOT_CREDENTIALS);
    const files = [];
    for (let i = 0; i < 20; i++) files.push(await vfs.open(ctx, null, `/f${i}`, O_RDWR | O_CREAT, 0o644));
    for (let round = 0; round < 3; round++) {
      for (const [i, f] of files.entries())
        expect(await f.write(Buffer.from(`${i}.${round};`))).toBeGreaterThan(0);
    }
    expect(hostfs.openFds).toBeLessThanOrEqual(4);
    for (const [i, f] of files.entries()) {
      await f.close();
      expect(fs.readFileSync(`${root}/f${i}`, 'latin1')).toBe(`${i}.0;${i}.1;${i}.2;`);
    }
  });

  it('host errors arrive as the host errno', async () => {
    const root = fresh();
    fs.writeFileSync(`${root}/file`, 'x');
    const { vfs, ctx } = hostfsFixture(root);
    expect(await outcome(() => vfs.open(ctx, null, '/file/below', O_RDONLY))).toEqual({
      ok: false,
      errno: 'ENOTDIR',
    });
    expect(await outcome(() => vfs.rmdir(ctx, null, '/file'))).toEqual({ ok: false, errno: 'ENOTDIR' });
  });
});
