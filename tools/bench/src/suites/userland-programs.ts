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
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** From tools/bench/dist/main.js, three levels up is the repository. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const kmosMain = join(repoRoot, 'apps/cli/dist/main.js');

/**
 * Runs kmos as its users do: the executable itself, whose `#!` line gives Node the options kmOS runs with
 * (apps/cli/tsup.config.ts). More Node options go in NODE_OPTIONS (`options.env`).
 */
export function spawnKmos(
  args: readonly string[],
  options: SpawnSyncOptionsWithStringEncoding,
): SpawnSyncReturns<string> {
  return spawnSync(kmosMain, args, options);
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
