/**
 * The length decoder against GNU objdump's disassembly of real i386 code (Debian's static busybox, and the
 * host C library's 32-bit build when present): every instruction boundary objdump reports must get the
 * length objdump gives it; and the decoded tier's forms (decoded-handlers.ts) must read exactly that many
 * bytes too, and pack into the words the runner reads (decoded-code.ts) with nothing lost.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodedInsn, decodeInstruction, lengthDisagreements } from './decoded-block.js';
import { packInsn, unpackInsn, WORDS_PER_INSN } from './decoded-code.js';
import { Kind } from './decoded-handlers.js';
import { instructionLength } from './instruction-length.js';

const BINARIES = ['/bin/busybox', '/usr/lib32/libc.so.6'].filter((path) => existsSync(path));

interface Disassembled {
  bytes: Uint8Array;
  /** Offset in `bytes` and length of each instruction objdump decoded. */
  instructions: [number, number][];
}

/** Instructions of the executable sections, with their bytes laid out contiguously per run of addresses. */
function disassemble(path: string): Disassembled {
  const text = execFileSync('objdump', ['-d', '-w', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const bytes: number[] = [];
  const instructions: [number, number][] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*[0-9a-f]+:\t((?:[0-9a-f]{2} )+)\s*\t(.*)$/.exec(line);
    if (m === null) continue;
    const insn = m[1]
      .trim()
      .split(' ')
      .map((b) => Number.parseInt(b, 16));
    // objdump prints what it could not decode as (bad) and data in code as .byte: no length to check.
    if (/\(bad\)|^\.byte|^\.word/.test(m[2])) {
      bytes.push(...insn);
      continue;
    }
    instructions.push([bytes.length, insn.length]);
    bytes.push(...insn);
  }
  return { bytes: Uint8Array.from(bytes), instructions };
}

describe.skipIf(BINARIES.length === 0)('instructionLength', () => {
  it.each(BINARIES)(
    'agrees with objdump on every instruction of %s',
    (path) => {
      const { bytes, instructions } = disassemble(path);
      expect(instructions.length).toBeGreaterThan(10_000);
      const wrong: string[] = [];
      for (const [at, length] of instructions) {
        const got = instructionLength(bytes, at, bytes.length);
        if (got !== length && wrong.length < 10) {
          const hex = Array.from(bytes.subarray(at, at + length), (b) => b.toString(16).padStart(2, '0'));
          wrong.push(`${hex.join(' ')}: objdump ${length}, decoder ${got}`);
        }
      }
      expect(wrong).toEqual([]);
    },
    120_000,
  );
});

describe.skipIf(BINARIES.length === 0)('the decoded tier', () => {
  it.each(BINARIES)(
    'reads the length objdump gives for every instruction of %s',
    (path) => {
      const { bytes, instructions } = disassemble(path);
      const before = lengthDisagreements;
      let handled = 0;
      const words = new Int32Array(WORDS_PER_INSN);
      const lost: string[] = [];
      for (const [at, length] of instructions) {
        const d = new DecodedInsn();
        d.eip = at;
        d.next = at + length;
        decodeInstruction(bytes, at, bytes.length, d);
        if (d.kind !== Kind.STEP) handled++;
        packInsn(d, words, 0);
        const back = unpackInsn(words, 0, new DecodedInsn());
        if (JSON.stringify(back) !== JSON.stringify(d) && lost.length < 5)
          lost.push(`${JSON.stringify(d)} came back as ${JSON.stringify(back)}`);
      }
      expect(lengthDisagreements - before).toBe(0);
      expect(lost).toEqual([]);
      // Most instructions of real code have a form of their own (not a detour through the interpreter).
      expect(handled / instructions.length).toBeGreaterThan(0.8);
    },
    120_000,
  );
});
