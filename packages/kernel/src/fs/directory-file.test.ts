// getdents64 on random directories with random buffer sizes. Oracles: the host's own listing of the same
// directory (node:fs readdir, for hostfs) or the set of names made (tmpfs); the record layout parsed by
// testing/dirents.ts as a C program walks it (by d_reclen), checked against sizeof/offsetof-derived rules;
// and seekdir semantics (lseek to a d_off resumes right after that entry), as glibc's readdir relies on.
import * as fs from 'node:fs';
import { EINVAL, O_CREAT, O_DIRECTORY, O_RDONLY, O_WRONLY, S_IFMT, SEEK_SET } from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { dirent64Size } from './directory-file.js';
import { dtypeOf } from './file-type.js';
import { parseDirents, readDirAll } from './testing/dirents.js';
import { type Fixture, hostfsFixture, tempDir, tmpfsFixture } from './testing/vfs-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const nameArb = fc
  .string({
    unit: fc
      .integer({ min: 1, max: 255 })
      .filter((c) => c !== 0x2f)
      .map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 40,
  })
  .filter((n) => n !== '.' && n !== '..');

async function populate(fx: Fixture, names: string[], dirsToo: boolean[]): Promise<void> {
  for (const [i, name] of names.entries()) {
    if (dirsToo[i % dirsToo.length]) await fx.vfs.mkdir(fx.ctx, null, `/${name}`, 0o755);
    else await (await fx.vfs.open(fx.ctx, null, `/${name}`, O_WRONLY | O_CREAT, 0o644)).close();
  }
}

describe('getdents64', () => {
  it('lists every entry once, in records laid out as linux_dirent64, whatever the buffer size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(nameArb, { maxLength: 60 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 64, max: 2048 }),
        async (names, dirsToo, bufBytes) => {
          const root = tempDir('dents');
          dirs.push(root);
          for (const fx of [hostfsFixture(root), tmpfsFixture()]) {
            await populate(fx, names, dirsToo);
            const file = await fx.vfs.open(fx.ctx, null, '/', O_RDONLY | O_DIRECTORY);
            const all = await readDirAll(file, bufBytes);
            await file.close();
            expect(all.map((d) => d.name).sort()).toEqual(['.', '..', ...names].sort());
            for (const d of all) {
              expect(d.reclen).toBe(dirent64Size(d.name.length));
              expect(d.reclen % 8).toBe(0);
              const st = await fx.vfs.lstat(fx.ctx, `/${d.name}`);
              expect(Number(d.ino)).toBe(st.ino);
              expect(d.type).toBe(dtypeOf(st.mode & S_IFMT));
            }
          }
          const hostNames = fs.readdirSync(root, { encoding: 'buffer' }).map((b) => b.toString('latin1'));
          expect(hostNames.sort()).toEqual([...names].sort());
          fs.rmSync(root, { recursive: true, force: true });
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('lseek to a d_off resumes after that entry; a buffer too small for one record is EINVAL', async () => {
    const fx = tmpfsFixture();
    await populate(fx, ['alpha', 'beta', 'gamma', 'delta'], [false, true]);
    const file = await fx.vfs.open(fx.ctx, null, '/', O_RDONLY | O_DIRECTORY);
    const all = await readDirAll(file);
    for (const [k, entry] of all.entries()) {
      expect(await file.lseek(Number(entry.off), SEEK_SET)).toBe(Number(entry.off));
      expect((await readDirAll(file)).map((d) => d.name)).toEqual(all.slice(k + 1).map((d) => d.name));
    }
    await file.lseek(0, SEEK_SET);
    const tiny = new Uint8Array(dirent64Size(1) - 1);
    // Thrown at once or rejected later alike (MaybePromise): the async wrapper turns both into a rejection.
    await expect((async () => file.getdents64(tiny))()).rejects.toMatchObject({ errno: EINVAL });
    const one = new Uint8Array(dirent64Size(1));
    expect(parseDirents(one, await file.getdents64(one)).map((d) => d.name)).toEqual(['.']);
    await file.close();
  });
});
