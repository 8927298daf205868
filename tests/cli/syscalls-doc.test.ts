// docs/syscalls.md is generated from the kernel's syscall table (STYLE.md, "The syscall layer"): it must be
// exactly what `kmos syscalls --markdown` prints now. A stale copy fails, writing docs/syscalls.md.actual.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmos, repoRoot } from './run-kmos.js';

describe('docs/syscalls.md', () => {
  it('matches the syscall table', () => {
    const generated = kmos(['syscalls', '--markdown']);
    expect(generated.status).toBe(0);
    const path = join(repoRoot, 'docs/syscalls.md');
    const committed = readFileSync(path, 'utf8');
    if (committed !== generated.stdout) writeFileSync(`${path}.actual`, generated.stdout);
    expect(committed, 'regenerate with: pnpm -s kmos syscalls --markdown > docs/syscalls.md').toBe(
      generated.stdout,
    );
  });

  it('lists every i386 syscall number once, with a support level', () => {
    const rows = readFileSync(join(repoRoot, 'docs/syscalls.md'), 'utf8')
      .split('\n')
      .filter((l) => /^\| \d+ \|/.test(l));
    const numbers = rows.map((l) => Number(l.split('|')[1]));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(rows.every((l) => /\| (supported|partial|unimplemented) \|/.test(l))).toBe(true);
    expect(rows.find((l) => l.includes('`getppid`'))).toMatch(/supported/);
  });
});
