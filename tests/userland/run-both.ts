// Runs one i386 program natively on the host and under `kmos run`, capturing what a user would see.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const kmosMain = join(repoRoot, 'apps/cli/dist/main.js');

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

const ENV = { PATH: '/usr/bin:/bin', LANG: 'C', KMOS_TEST_VAR: 'set-by-the-test' };

export function runNative(program: string, args: readonly string[], input = ''): Outcome {
  const r = spawnSync(program, args, { env: ENV, input, encoding: 'latin1', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** `config`: a machine config file for `kmos run --config` (default: kmos's own). */
export function runOnKmos(program: string, args: readonly string[], input = '', config?: string): Outcome {
  const r = spawnSync(
    process.execPath,
    [
      kmosMain,
      'run',
      ...(config ? ['--config', config] : []),
      '--clear-env',
      ...Object.entries(ENV).map(([k, v]) => `--env=${k}=${v}`),
      program,
      ...args,
    ],
    {
      input,
      encoding: 'latin1',
      timeout: 300_000,
    },
  );
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}
