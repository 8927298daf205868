// `kmos run --strace` against strace(1) itself: userland/kernel-tests/strace-calls.c makes syscalls whose
// arguments and results read the same on any Linux (flags, commands, signals, modes, errors). Traced
// natively and under kmOS, its lines from its first call of its own (umask) to its last must be the same,
// but for the addresses mmap2 returns. strace's signal lines (--- SIGCONT ... ---) are left out: kmOS
// traces syscalls only.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmos, repoRoot } from './run-kmos.js';

const straceWorks = spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status === 0;

/** The program's own calls: from umask to the unlinkat of its folder, addresses returned by mmap2 masked. */
function ownCalls(lines: readonly string[]): string[] {
  const first = lines.findIndex((l) => l.startsWith('umask('));
  const last = lines.findIndex((l) => l.includes('AT_REMOVEDIR'));
  return lines
    .slice(first, last + 1)
    .filter((l) => !l.startsWith('---'))
    .map((l) => (l.startsWith('mmap2(') ? l.replace(/ = 0x[0-9a-f]+$/, ' = ADDRESS') : l));
}

describe.skipIf(!straceWorks)('kmos run --strace, line for line with strace(1)', () => {
  it('names flags, commands, signals and modes, and shows errors with their messages', () => {
    const out = mkdtempSync(join(tmpdir(), 'kmos-strace-'));
    const program = join(out, 'kernel-tests/strace-calls');
    execFileSync('make', ['-s', `OUT=${out}`, program], { cwd: join(repoRoot, 'userland'), stdio: 'pipe' });
    const log = join(out, 'native.txt');
    execFileSync('strace', ['-qq', '-o', log, program]);
    // strace pads each call to column 40 before " = " in a file.
    const native = readFileSync(log, 'utf8')
      .split('\n')
      .map((l) => l.replace(/ +=/, ' ='));
    const r = kmos(['run', '--strace', program]);
    expect(r.status).toBe(0);
    const traced = r.stderr.split('\n').map((l) => l.replace(/^\[pid \d+\] /, ''));
    const expected = ownCalls(native);
    expect(expected.length).toBeGreaterThan(25);
    expect(ownCalls(traced)).toEqual(expected);
  });
});
