// Out of memory (issue 6): on a 16 MiB kmOS machine a child that touches 256 MiB is killed with SIGKILL, the
// kernel logs the kill on stderr and keeps running, and the parent reports it. The oracle is Linux's OOM
// policy (SIGKILL to the process with the most memory), not a native run: the host has the memory.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './run-both.js';

describe('running out of memory', () => {
  it('kills the biggest process and keeps the rest running', () => {
    const out = mkdtempSync(join(tmpdir(), 'kmos-oom-'));
    execFileSync('make', ['-s', `OUT=${out}`, `${out}/kernel-tests/oom-child`], {
      cwd: join(repoRoot, 'userland'),
      stdio: 'pipe',
    });
    const config = join(out, 'small.json');
    writeFileSync(config, JSON.stringify({ machine: { memoryMiB: 16 } }));
    const r = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'apps/cli/dist/main.js'),
        'run',
        '--config',
        config,
        join(out, 'kernel-tests/oom-child'),
      ],
      {
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    expect(r.stdout).toBe('child killed by signal 9\n');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/Out of memory: killed process \d+ \(oom-child\)/);
  });
});
