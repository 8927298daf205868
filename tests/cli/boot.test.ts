// `kmos boot` end to end: the default config composes every layer (one boot line per plugin) and, its root
// being an empty tmpfs, ends in the panic Linux gives when there is no init; a config whose root is the host's
// tree boots busybox's shell as init on the console, runs what is typed, and powers off cleanly (exit 0).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmos, repoRoot } from './run-kmos.js';

describe('kmos boot', () => {
  it('composes the default config and panics for want of an init', () => {
    const r = kmos(['boot', '--config', 'default.json']);
    const kinds = [...r.stdout.matchAll(/boot: (\S+)\s+(@kmos\/\S+)@/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(kinds).toEqual([
      'arch @kmos/cpu-i386',
      'page-allocator @kmos/mm-buddy',
      'object-allocator @kmos/mm-slub',
      'console @kmos/console-stdio',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'Kernel panic - not syncing: No working init found. Tried /sbin/init (No such file or directory).\n',
    );
  });

  it.each(['slub', 'slab', 'slob'])('composes configs/%s.json with that object allocator', (design) => {
    const r = kmos(['boot', '--config', `configs/${design}.json`]);
    expect(r.stdout).toMatch(new RegExp(`object-allocator @kmos/mm-${design}@\\S+ \\(${design}\\)`));
    expect(r.status).toBe(1);
  });

  it.runIf(existsSync('/bin/busybox'))('boots busybox sh as init on the console and powers off', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'apps/cli/dist/main.js'),
        'boot',
        '--quiet',
        '--config',
        'configs/busybox-on-host.json',
      ],
      {
        cwd: repoRoot,
        input: 'echo "init is pid $$"; cat /proc/1/comm; poweroff -f\n',
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.stdout).toBe('init is pid 1\nbusybox\n');
    expect(r.status).toBe(0);
  });
});
