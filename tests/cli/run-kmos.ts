// Runs the built `kmos` executable as a user would, capturing its output and exit status.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const kmosMain = join(repoRoot, 'apps/cli/dist/main.js');

export interface KmosResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function kmos(args: readonly string[], cwd = repoRoot): KmosResult {
  const result = spawnSync(process.execPath, [kmosMain, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, INIT_CWD: cwd },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh folder holding the given files (name → text). */
export function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmos-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
