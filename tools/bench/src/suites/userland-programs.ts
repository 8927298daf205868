/**
 * The benchmark programs in userland/bench, built once per source version into the temp folder, and the
 * kmos executable the suites run them under. Layer: the bench tool.
 */
import {
  execFileSync,
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
  spawnSync,
} from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** From tools/bench/dist/main.js, three levels up is the repository. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const kmosMain = join(repoRoot, 'apps/cli/dist/main.js');

/**
 * Runs kmos as its users do: the executable itself, whose `#!` line gives Node the options kmOS runs with
 * (apps/cli/tsup.config.ts). More Node options go in NODE_OPTIONS (`options.env`).
 *
 * The environment is fixed (PATH finds this Node; `options.env` adds to it): the guest gets kmos's, and where
 * its strings end moves the guest's stack. cpu-x87 ran at ~50 or ~90 MIPS by that alone (the same code, all
 * of it in regions), so a bench run from `pnpm bench`, whose environment is pnpm's, and one from a shell did
 * not compare.
 */
export function spawnKmos(
  args: readonly string[],
  options: SpawnSyncOptionsWithStringEncoding,
): SpawnSyncReturns<string> {
  const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, ...options.env };
  return spawnSync(kmosMain, args, { ...options, env });
}

/** Builds userland/bench (make bench) unless this version is built already; returns the folder of programs. */
export function buildBenchPrograms(): string {
  const userland = join(repoRoot, 'userland');
  const hash = createHash('sha256');
  for (const f of readdirSync(join(userland, 'bench')).sort())
    hash.update(readFileSync(join(userland, 'bench', f)));
  hash.update(readFileSync(join(userland, 'Makefile')));
  const out = join(tmpdir(), `kmos-bench-${hash.digest('hex').slice(0, 12)}`);
  if (!existsSync(join(out, 'bench', 'cpu-x87')))
    execFileSync('make', ['-s', `OUT=${out}`, 'bench'], { cwd: userland, stdio: 'pipe' });
  return join(out, 'bench');
}
