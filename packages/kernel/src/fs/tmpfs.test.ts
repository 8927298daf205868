// tmpfs specifics: sparse files against the host's own tmpfs (/dev/shm): holes read as zeros and hold no
// pages, st_blocks counts the pages held, truncation frees them, the same as Linux's shmem; the synchronous fast path
// for reads and writes, and freeing an unlinked file only when its last opener closes.
import * as fs from 'node:fs';
import { O_CREAT, O_RDWR } from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpfsFixture } from './testing/vfs-fixture.js';
import { Tmpfs } from './tmpfs.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('tmpfs', () => {
  const hostTmpfs = fs.existsSync('/dev/shm') ? '/dev/shm' : null;
  it.skipIf(!hostTmpfs)(
    'sparse writes and truncation: same bytes, size and st_blocks as the host tmpfs',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({ page: fc.integer({ min: 0, max: 40 }), len: fc.integer({ min: 1, max: 4096 }) }),
            { maxLength: 6 },
          ),
          fc.integer({ min: 0, max: 50 * 4096 }),
          async (writes, truncateTo) => {
            const dir = fs.mkdtempSync(`${hostTmpfs}/kmos-sparse-`);
            dirs.push(dir);
            const fd = fs.openSync(`${dir}/f`, 'w+');
            const { vfs, ctx } = tmpfsFixture();
            const file = await vfs.open(ctx, null, '/f', O_RDWR | O_CREAT, 0o644);
            for (const [i, w] of writes.entries()) {
              const data = Buffer.alloc(w.len, i + 1);
              fs.writeSync(fd, data, 0, w.len, w.page * 4096);
              expect(await file.pwrite(data, w.page * 4096)).toBe(w.len);
            }
            fs.ftruncateSync(fd, truncateTo);
            await vfs.ftruncate(file, truncateTo);
            fs.fsyncSync(fd);
            const host = fs.fstatSync(fd);
            const mine = await file.fstat();
            expect({ size: mine.sizeBytes, blocks: mine.blocks }).toEqual({
              size: host.size,
              blocks: host.blocks,
            });
            const want = Buffer.alloc(host.size);
            fs.readSync(fd, want, 0, host.size, 0);
            const got = Buffer.alloc(host.size);
            expect(await file.pread(got, 0)).toBe(host.size);
            expect(got.equals(want)).toBe(true);
            fs.closeSync(fd);
            await file.close();
            fs.rmSync(dir, { recursive: true, force: true });
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('reads and writes answer synchronously (no promise on the hot path)', async () => {
    const { vfs, ctx } = tmpfsFixture();
    const file = await vfs.open(ctx, null, '/f', O_RDWR | O_CREAT, 0o644);
    expect(file.write(Buffer.from('abc'))).toBe(3);
    expect(file.pread(new Uint8Array(3), 0)).toBe(3);
    await file.close();
  });

  it('an unlinked open file keeps its pages until the last close', async () => {
    const clock = () => ({ sec: 0, nsec: 0 });
    const tmpfs = new Tmpfs({ clock });
    const { Vfs } = await import('./vfs.js');
    const { ROOT_CREDENTIALS } = await import('./credentials.js');
    const vfs = new Vfs({ clock });
    vfs.mountRoot(tmpfs, { fsType: 'tmpfs', source: 'tmpfs', readOnly: false });
    const ctx = vfs.rootContext(ROOT_CREDENTIALS);
    const a = await vfs.open(ctx, null, '/f', O_RDWR | O_CREAT, 0o644);
    const b = a.ref();
    await a.write(new Uint8Array(3 * 4096));
    await vfs.unlink(ctx, null, '/f');
    expect(tmpfs.dataPages).toBe(3);
    await a.close();
    expect(tmpfs.dataPages).toBe(3);
    await b.close();
    expect(tmpfs.dataPages).toBe(0);
  });
});

const SEEK_ORACLE = `
import os, sys, json
path, size, pages, probes = json.loads(sys.stdin.read())
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
for p in pages:
    os.pwrite(fd, b'x', p * 4096)
os.ftruncate(fd, size)
out = []
for off, whence in probes:
    try:
        out.append(os.lseek(fd, off, whence))
    except OSError as e:
        out.append(e.errno)
os.close(fd)
os.unlink(path)
print(json.dumps(out))
`;

describe('tmpfs SEEK_DATA / SEEK_HOLE', () => {
  it.skipIf(!fs.existsSync('/dev/shm'))(
    'find the same data and holes as the host tmpfs',
    async () => {
      const { spawnSync } = await import('node:child_process');
      const { SEEK_DATA, SEEK_HOLE } = await import('@kmos/abi-linux');
      const { KernelError } = await import('../kernel-error.js');
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 6 }),
          fc.integer({ min: 0, max: 14 * 4096 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 15 * 4096 }), fc.constantFrom(SEEK_DATA, SEEK_HOLE)), {
            maxLength: 8,
          }),
          async (pages, size, probes) => {
            const path = `/dev/shm/kmos-seek-${process.pid}`;
            const run = spawnSync('python3', ['-c', SEEK_ORACLE], {
              input: JSON.stringify([path, size, pages, probes]),
              encoding: 'utf8',
            });
            const want = JSON.parse(run.stdout);
            const { vfs, ctx } = tmpfsFixture();
            const file = await vfs.open(ctx, null, '/f', O_RDWR | O_CREAT, 0o644);
            for (const p of pages) await file.pwrite(Buffer.from('x'), p * 4096);
            await vfs.ftruncate(file, size);
            const got = [];
            for (const [off, whence] of probes) {
              try {
                got.push(await file.lseek(off, whence));
              } catch (error) {
                if (!(error instanceof KernelError)) throw error;
                got.push(error.errno);
              }
            }
            expect(got).toEqual(want);
          },
        ),
        { numRuns: 15 },
      );
    },
    120_000,
  );
});
