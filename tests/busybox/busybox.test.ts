// Debian's busybox-static for i386 (installed by .ci/run) runs shell scripts of applet invocations natively and
// under `kmos run`; stdout, stderr and exit status must be identical. Each script runs in a fresh directory
// with PATH holding only busybox's applets, so both runs use the same i386 programs (never the host's own).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const BUSYBOX = '/bin/busybox';
const scriptsDir = fileURLToPath(new URL('./scripts/', import.meta.url));
const kmosMain = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
const scripts = readdirSync(scriptsDir)
  .filter((f) => f.endsWith('.sh'))
  .sort();
let binDir = '';

function isI386Busybox(): boolean {
  if (!existsSync(BUSYBOX)) return false;
  return execFileSync('file', ['-L', BUSYBOX], { encoding: 'utf8' }).includes('Intel 80386');
}

beforeAll(() => {
  binDir = mkdtempSync(join(tmpdir(), 'kmos-busybox-bin-'));
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) symlinkSync(BUSYBOX, join(binDir, applet));
});

function run(script: string, onKmos: boolean) {
  const cwd = mkdtempSync(join(tmpdir(), 'kmos-busybox-'));
  const env = { PATH: binDir, HOME: '/root', LANG: 'C', TZ: 'UTC' };
  const args = [BUSYBOX, 'sh', join(scriptsDir, script)];
  const r = onKmos
    ? spawnSync(
        process.execPath,
        [kmosMain, 'run', '--clear-env', ...Object.entries(env).map(([k, v]) => `--env=${k}=${v}`), ...args],
        {
          cwd,
          env: { ...process.env, INIT_CWD: cwd },
          encoding: 'latin1',
          timeout: 600_000,
        },
      )
    : spawnSync(args[0]!, args.slice(1), { cwd, env, encoding: 'latin1', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe.skipIf(!isI386Busybox())('busybox-static (i386) scripts', () => {
  it.each(scripts)('%s gives the same output natively and on kmOS', (script) => {
    const native = run(script, false);
    expect(native.status, native.stderr).toBe(0);
    expect(run(script, true)).toEqual(native);
  });
});
