/**
 * The oracle side of the differential suite: compiles a generated freestanding C program with the host's
 * gcc into a 32-bit static ELF, and runs it natively (an x86-64 Linux host runs i386 ELFs directly).
 * Binaries are cached under os.tmpdir() keyed by a hash of the source, the runtime header and the flags,
 * so an unchanged group compiles once per machine and no binary is ever committed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const RUNTIME_DIR = fileURLToPath(new URL('../c/', import.meta.url));
const CACHE_DIR = join(tmpdir(), 'kmos-tests-cpu');
/**
 * The brief's flags plus -march=i686 (the emulated CPU is an i686: no SSE may sneak into compiled C) and
 * -fno-builtin (no calls to a memcpy we do not have).
 */
export const GCC_FLAGS = [
  '-m32',
  '-march=i686',
  '-ffreestanding',
  '-fno-builtin',
  '-nostdlib',
  '-static',
  '-O1',
  '-fno-pic',
  '-no-pie',
  '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables',
  '-Wall',
  '-Wno-unused-function',
];
const MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

function runtimeSources(): string {
  return readFileSync(join(RUNTIME_DIR, 'runtime.h'), 'latin1');
}

/** Compiles `source` (unless cached) and returns the path of the ELF. */
export async function compileProgram(name: string, source: string): Promise<string> {
  const key = createHash('sha256')
    .update(source)
    .update(runtimeSources())
    .update(GCC_FLAGS.join(' '))
    .digest('hex');
  const dir = join(CACHE_DIR, key.slice(0, 16));
  const binary = join(dir, `${name}.elf`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const sourcePath = join(dir, `${name}.c`);
  writeFileSync(sourcePath, source);
  // Two vitest workers may build the same program: each writes its own temporary file, then renames.
  const temporary = `${binary}.${process.pid}.tmp`;
  try {
    await run('gcc', [...GCC_FLAGS, '-I', RUNTIME_DIR, sourcePath, '-o', temporary]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`gcc failed for ${name} (${sourcePath}):\n${stderr.slice(0, 4000)}`);
  }
  renameSync(temporary, binary);
  return binary;
}

/** Runs the ELF on the host; rejects unless it exits 0. */
export async function runNatively(binary: string): Promise<string> {
  const { stdout } = await run(binary, [], { encoding: 'latin1', maxBuffer: MAX_OUTPUT_BYTES });
  return stdout;
}
