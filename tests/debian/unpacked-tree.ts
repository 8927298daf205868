// Debian i386 packages fetched with `apt-get download` and unpacked with `dpkg -x` into a temporary root, for
// `kmos run --root`; null when this host cannot download i386 packages (the suites then skip, saying why).
import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const kmosMain = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));

export function unpackedTree(packages: readonly string[]): string | null {
  const debs = mkdtempSync(join(tmpdir(), 'kmos-debs-'));
  try {
    execFileSync('apt-get', ['download', ...packages], { cwd: debs, stdio: 'pipe', timeout: 300_000 });
  } catch {
    return null;
  }
  const root = mkdtempSync(join(tmpdir(), 'kmos-debroot-'));
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg', ['-x', join(debs, deb), root], { stdio: 'pipe' });
  }
  // What a system has and packages do not bring: a /tmp for programs that make temporary files, and the
  // mount points kmOS mounts its /proc and /dev (with /dev/shm, where POSIX semaphores live) over.
  for (const dir of ['tmp', 'proc', 'dev']) mkdirSync(join(root, dir), { recursive: true });
  return root;
}

/** `kmos run --root root` of `argv` (a program in the tree and its arguments), with only LANG=C set. */
export function runInTree(root: string, argv: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    [kmosMain, 'run', '--root', root, '--clear-env', '--env=LANG=C', ...argv],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
}
