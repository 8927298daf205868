// Test support (not exported from the package): compile a small 32-bit C program with the host's gcc and
// headers at test time, run it, return its output. The host's headers are the oracle every test in this
// package compares its tables against. Nothing prebuilt is committed; binaries go to os.tmpdir().
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Why host C checks cannot run here, or null if `gcc -m32` can compile and run against the headers. */
function probeHost(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'abi-linux-probe-'));
  try {
    writeFileSync(
      join(dir, 'p.c'),
      '#include <stdio.h>\n#include <asm/unistd_32.h>\nint main(void){return 0;}\n',
    );
    const cc = spawnSync('gcc', ['-m32', '-o', join(dir, 'p'), join(dir, 'p.c')], { encoding: 'utf8' });
    if (cc.error) return 'gcc is not installed';
    if (cc.status !== 0)
      return `gcc -m32 cannot build i386 programs (install gcc-multilib): ${cc.stderr.split('\n')[0]}`;
    const run = spawnSync(join(dir, 'p'));
    if (run.status !== 0) return 'this host cannot run i386 binaries';
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The reason host C checks are skipped, or null when they run. Computed once per test file. */
export const hostCUnavailable: string | null = probeHost();

/** The folder holding kernel-structs.h, passed as -I so test programs can include it. */
export const KERNEL_STRUCTS_DIR = fileURLToPath(new URL('../../scripts/', import.meta.url));

/**
 * Compile `source` (a whole C program) with gcc -m32 plus `extraFlags` in a fresh temp dir, and hand the
 * binary's path and the dir to `use`; the dir is removed afterwards.
 */
export function withC<T>(
  source: string,
  extraFlags: readonly string[],
  use: (binary: string, dir: string) => T,
): T {
  const dir = mkdtempSync(join(tmpdir(), 'abi-linux-test-'));
  try {
    writeFileSync(join(dir, 't.c'), source);
    const flags = [
      '-m32',
      '-w',
      `-I${KERNEL_STRUCTS_DIR}`,
      ...extraFlags,
      '-o',
      join(dir, 't'),
      join(dir, 't.c'),
    ];
    const cc = spawnSync('gcc', flags, { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}\n--- source ---\n${source}`);
    return use(join(dir, 't'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compile `source` (a whole C program) with gcc -m32 and return what it prints (run in its temp dir). */
export function runC(source: string, argv: readonly string[] = []): string {
  return withC(source, [], (binary, dir) =>
    execFileSync(binary, [...argv], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: dir }),
  );
}

/**
 * The values of integer macros/expressions as the host's headers define them: `exprs` maps a key to a C
 * expression; the result maps the key to its value as a (signed 64-bit) number.
 */
export function cValues(
  includes: readonly string[],
  exprs: Readonly<Record<string, string>>,
): Record<string, number> {
  const keys = Object.keys(exprs);
  const body = keys.map((k) => `  printf("%s %lld\\n", "${k}", (long long)(${exprs[k]}));`).join('\n');
  const src = `#define _GNU_SOURCE\n${includes.map((h) => `#include <${h}>`).join('\n')}\n#include <stdio.h>\nint main(void) {\n${body}\n  return 0;\n}\n`;
  const out: Record<string, number> = {};
  for (const line of runC(src).trim().split('\n')) {
    const [k, v] = line.split(' ');
    out[k] = Number(v);
  }
  return out;
}

/** Same as cValues with each name as its own expression. */
export function cMacros(includes: readonly string[], names: readonly string[]): Record<string, number> {
  return cValues(includes, Object.fromEntries(names.map((n) => [n, n])));
}

/** The names of every macro matching `pattern` that the preprocessor sees after the includes. */
export function cMacroNames(includes: readonly string[], pattern: RegExp): string[] {
  const input = includes.map((h) => `#include <${h}>\n`).join('');
  const out = execFileSync('gcc', ['-m32', '-dM', '-E', '-x', 'c', '-'], { input, encoding: 'utf8' });
  return [...out.matchAll(/^#define (\w+)/gm)].map((m) => m[1]).filter((n) => pattern.test(n));
}
