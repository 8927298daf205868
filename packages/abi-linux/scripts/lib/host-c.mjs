// Development-time helpers for the generators in scripts/: ask the host's 32-bit C compiler and its Linux
// UAPI/glibc headers for facts (macro lists, values, strings). Used only when regenerating src/generated/;
// the package itself imports nothing. The tests have their own copy of the compile step (src/testing/).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every `#define NAME value` the preprocessor sees after including `headers`, as [name, body] pairs. */
export function listMacros(headers) {
  const source = headers.map((h) => `#include <${h}>\n`).join('');
  const out = execFileSync('gcc', ['-m32', '-dM', '-E', '-x', 'c', '-'], { input: source, encoding: 'utf8' });
  const macros = [];
  for (const line of out.split('\n')) {
    const m = /^#define (\w+) (.*)$/.exec(line);
    if (m) macros.push([m[1], m[2].trim()]);
  }
  return macros;
}

/** Compile `source` with gcc -m32 (plus `extraFlags`), run it, return its stdout. */
export function compileAndRun(source, extraFlags = []) {
  const dir = mkdtempSync(join(tmpdir(), 'abi-linux-gen-'));
  try {
    writeFileSync(join(dir, 'probe.c'), source);
    const cc = spawnSync(
      'gcc',
      ['-m32', '-w', ...extraFlags, '-o', join(dir, 'probe'), join(dir, 'probe.c')],
      {
        encoding: 'utf8',
      },
    );
    if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}\n--- source ---\n${source}`);
    return execFileSync(join(dir, 'probe'), { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Identify the header set a file was generated from, for its first-line provenance. */
export function hostDescription() {
  const gcc = execFileSync('gcc', ['-dumpfullversion'], { encoding: 'utf8' }).trim();
  const glibc = execFileSync('getconf', ['GNU_LIBC_VERSION'], { encoding: 'utf8' }).trim();
  return `gcc ${gcc} -m32, ${glibc}`;
}
