// A dynamic Debian i386 program and its libraries, fetched with apt-get download and unpacked with dpkg -x into
// a temporary root: under `kmos run --root` the program must find ld-linux.so.2 and libc in that tree and print
// what the same binary prints natively (the host runs it with its own i386 loader). Skipped, saying why, on a
// host that cannot download i386 packages.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInTree, unpackedTree } from './unpacked-tree.js';

const root = unpackedTree(['hello:i386', 'libc6:i386']);

describe.skipIf(root === null)('hello from Debian, dynamically linked, in an unpacked tree', () => {
  let native: { stdout: string; status: number | null };

  beforeAll(() => {
    const r = spawnSync(join(root!, 'usr/bin/hello'), ['-g', 'Greetings from an unpacked tree'], {
      encoding: 'utf8',
      env: { LANG: 'C' },
    });
    native = { stdout: r.stdout, status: r.status };
  });

  it('runs under kmos run --root with its own loader and libc, printing what it prints natively', () => {
    const r = runInTree(root!, ['/usr/bin/hello', '-g', 'Greetings from an unpacked tree']);
    expect(native.stdout).toBe('Greetings from an unpacked tree\n');
    expect({ stdout: r.stdout, status: r.status }).toEqual(native);
    expect(r.stderr).toBe('');
  });
});
