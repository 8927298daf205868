// The userland test programs (userland/tests/*.c, glibc, static and dynamic) run natively on the host and
// under `kmos run`; stdout, stderr and the exit status must be identical. The host CPU and kernel are the
// oracle. Programs are built at test time with the host's compiler (nothing prebuilt is committed).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runNative, runOnKmos } from './run-both.js';

const userland = join(repoRoot, 'userland');
const sources = readdirSync(join(userland, 'tests'))
  .filter((f) => f.endsWith('.c'))
  .sort();
// The build folder is named by the sources, the headers they share and the Makefile, so any change rebuilds.
const headers = readdirSync(join(userland, 'tests'))
  .filter((f) => f.endsWith('.h'))
  .sort();
const hash = createHash('sha256');
for (const f of [...[...sources, ...headers].map((s) => join('tests', s)), 'Makefile'])
  hash.update(readFileSync(join(userland, f)));
const out = join(tmpdir(), `kmos-userland-${hash.digest('hex').slice(0, 12)}`);

/** Arguments each program takes; file-io works in a fresh directory of its own on each run. */
function argsFor(name: string): string[] {
  if (name === 'file-io') return [mkdtempSync(join(tmpdir(), 'kmos-file-io-'))];
  if (name === 'hello') return ['7', 'two words', ''];
  return [];
}

beforeAll(() => {
  execFileSync('make', ['-s', '-j2', `OUT=${out}`], { cwd: userland, stdio: 'pipe' });
}, 300_000);

describe.each(['static', 'dynamic'])('%s glibc programs', (linkage) => {
  it.each(sources.map((s) => s.replace(/\.c$/, '')))('%s behaves as on Linux', (name) => {
    const program = join(out, 'tests', `${name}.${linkage}`);
    expect(existsSync(program)).toBe(true);
    const native = runNative(program, argsFor(name));
    expect(native.status, `native run failed: ${native.stderr}`).not.toBeNull();
    const kmos = runOnKmos(program, argsFor(name));
    expect(kmos).toEqual(native);
  });
});

// The same programs with the region compiler taking every block from its second run on, so glibc's and
// ld.so's code runs compiled, not only the hot loops the default threshold reaches.
describe('dynamic glibc programs, compiled at once', () => {
  // Beside the built programs (one folder per source version), not a new temp folder per run.
  const config = join(out, 'compile-at-once.json');
  beforeAll(() => {
    const machine = { cpu: ['@kmos/cpu-i386', { jitThreshold: 1 }], memoryMiB: 64, console: 'serial' };
    const memory = { pages: '@kmos/mm-buddy', objects: '@kmos/mm-slub' };
    writeFileSync(
      config,
      JSON.stringify({ machine, memory, console: '@kmos/console-stdio', cmdline: 'console=ttyS0' }),
    );
  });
  it.each(sources.map((s) => s.replace(/\.c$/, '')))('%s behaves as on Linux', (name) => {
    const program = join(out, 'tests', `${name}.dynamic`);
    const native = runNative(program, argsFor(name));
    expect(runOnKmos(program, argsFor(name), '', config)).toEqual(native);
  });
});
