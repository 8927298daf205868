// A dynamic Debian i386 program and its libraries, fetched with apt-get download and unpacked with dpkg -x into
// a temporary root: under `kmos run --root` the program must find ld-linux.so.2 and libc in that tree and print
// what the same binary prints natively (the host runs it with its own i386 loader). Skipped, saying why, on a
// host that cannot download i386 packages.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const kmosMain = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
const PACKAGES = ['hello:i386', 'libc6:i386'];

function download(): string | null {
  const debs = mkdtempSync(join(tmpdir(), 'kmos-debs-'));
  try {
    execFileSync('apt-get', ['download', ...PACKAGES], { cwd: debs, stdio: 'pipe', timeout: 120_000 });
  } catch {
    return null;
  }
  const root = mkdtempSync(join(tmpdir(), 'kmos-debroot-'));
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg', ['-x', join(debs, deb), root], { stdio: 'pipe' });
  }
  return root;
}

const root = download();

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
    const r = spawnSync(
      process.execPath,
      [
        kmosMain,
        'run',
        '--root',
        root!,
        '--clear-env',
        '--env=LANG=C',
        '/usr/bin/hello',
        '-g',
        'Greetings from an unpacked tree',
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    expect(native.stdout).toBe('Greetings from an unpacked tree\n');
    expect({ stdout: r.stdout, status: r.status }).toEqual(native);
    expect(r.stderr).toBe('');
  });
});
