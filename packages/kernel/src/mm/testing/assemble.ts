/**
 * Test-only: turns a few lines of Intel-syntax i386 assembly into flat machine code with the host's GNU
 * binutils (as --32, objcopy), so guest tests can run real instructions on the emulated CPU. Output is cached
 * under the OS temp folder by a hash of the source, so reruns need no assembler.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function assembleFlat(source: string, origin: number): Uint8Array {
  const text = `.intel_syntax noprefix\n.code32\n.text\n.org 0\n${source}\n`;
  const hash = createHash('sha256').update(`${origin}\n${text}`).digest('hex').slice(0, 20);
  const dir = join(tmpdir(), 'kmos-mm-guest');
  const out = join(dir, `${hash}.bin`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const src = join(dir, `${hash}.s`);
    const obj = join(dir, `${hash}.o`);
    const linked = join(dir, `${hash}.elf`);
    writeFileSync(src, text);
    execFileSync('as', ['--32', '-o', obj, src]);
    execFileSync('ld', [
      '-m',
      'elf_i386',
      '-Ttext',
      `0x${origin.toString(16)}`,
      '-e',
      '0',
      '-o',
      linked,
      obj,
    ]);
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', linked, `${out}.tmp`]);
    renameSync(`${out}.tmp`, out);
  }
  return new Uint8Array(readFileSync(out));
}
