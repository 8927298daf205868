// The open file description's flags as fcntl(F_GETFL) shows them, against the host kernel (python3 asks
// F_GETFL after the same open): open-only flags (O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_CLOEXEC) are gone,
// the access mode and status flags stay; F_SETFL changes only O_APPEND and O_NONBLOCK.
import { spawnSync } from 'node:child_process';
import * as abi from '@kmos/abi-linux';
import { O_LARGEFILE } from '@kmos/abi-linux';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcome, tmpfsFixture } from './testing/vfs-fixture.js';

const NAMES = [
  'O_CREAT',
  'O_EXCL',
  'O_NOCTTY',
  'O_TRUNC',
  'O_CLOEXEC',
  'O_APPEND',
  'O_NONBLOCK',
  'O_NOFOLLOW',
] as const;

const GETFL = `
import os, sys, json, fcntl, tempfile
d = tempfile.mkdtemp()
out = []
for acc, names, setfl in json.loads(sys.stdin.read()):
    flags = getattr(os, acc)
    for n in names: flags |= getattr(os, n)
    path = os.path.join(d, 'f')
    fd = os.open(path, flags, 0o644)
    before = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, sum(getattr(os, n) for n in setfl))
    after = fcntl.fcntl(fd, fcntl.F_GETFL)
    os.close(fd)
    os.unlink(path)
    out.append([[n for n in ['O_WRONLY', 'O_RDWR'] + ${JSON.stringify(NAMES)} if before & getattr(os, n)],
                [n for n in ['O_WRONLY', 'O_RDWR'] + ${JSON.stringify(NAMES)} if after & getattr(os, n)]])
os.rmdir(d)
print(json.dumps(out))
`;

const bits = (names: readonly string[]) =>
  names.reduce((b, n) => b | (abi as unknown as Record<string, number>)[n], 0);
const namesOf = (flags: number) =>
  ['O_WRONLY', 'O_RDWR', ...NAMES].filter((n) => flags & (abi as unknown as Record<string, number>)[n]);

describe('open file flags', () => {
  it('F_GETFL after open and after F_SETFL, as the host kernel shows them', async () => {
    const caseArb = fc.tuple(
      fc.constantFrom('O_RDONLY', 'O_WRONLY', 'O_RDWR'),
      fc.subarray(['O_EXCL', 'O_NOCTTY', 'O_TRUNC', 'O_CLOEXEC', 'O_APPEND', 'O_NONBLOCK', 'O_NOFOLLOW']),
      fc.subarray(['O_APPEND', 'O_NONBLOCK', 'O_TRUNC', 'O_CREAT', 'O_RDWR']),
    );
    const cases = fc
      .sample(caseArb, { numRuns: 60, seed: 7 })
      .map(([acc, names, setfl]) => [acc, ['O_CREAT', ...names], setfl] as const);
    const host = spawnSync('python3', ['-c', GETFL], { input: JSON.stringify(cases), encoding: 'utf8' });
    const want = JSON.parse(host.stdout);
    const got = [];
    for (const [acc, names, setfl] of cases) {
      const { vfs, ctx } = tmpfsFixture();
      const opened = await outcome(() => vfs.open(ctx, null, '/f', bits([acc, ...names]), 0o644));
      if (!opened.ok) throw new Error(`open failed: ${opened.errno}`);
      const file = opened.value;
      const before = namesOf(file.flags & ~O_LARGEFILE);
      file.setStatusFlags(bits(setfl));
      got.push([before, namesOf(file.flags & ~O_LARGEFILE)]);
      await file.close();
    }
    expect(got).toEqual(want);
  });
});
