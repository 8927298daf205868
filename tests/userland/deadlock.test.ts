// A deadlock under `kmos run`: a program whose only thread waits on a futex nothing can wake. Linux would hang
// for ever; kmos must say what happened (the kernel's deadlock panic, on stderr) and stop with status 1,
// after the output the program wrote before it blocked.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './run-both.js';

describe('a deadlocked program', () => {
  it('is reported as a deadlock instead of hanging or vanishing', () => {
    const out = mkdtempSync(join(tmpdir(), 'kmos-deadlock-'));
    execFileSync('make', ['-s', `OUT=${out}`, `${out}/kernel-tests/deadlock`], {
      cwd: join(repoRoot, 'userland'),
      stdio: 'pipe',
    });
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'apps/cli/dist/main.js'), 'run', join(out, 'kernel-tests/deadlock')],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.stdout).toBe('waiting\n');
    expect(r.stderr).toMatch(
      /Kernel panic - not syncing: every process is blocked and nothing can wake any of them \(deadlock\)/,
    );
    expect(r.status).toBe(1);
  });
});
