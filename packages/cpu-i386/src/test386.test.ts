/**
 * The published test386 POST-EE vectors (shared/testdata/test386-ee beside the repository, 44,926 ALU/shift/mul/div/BCD
 * results recorded on real hardware): each group's NASM sequence is translated to GNU as Intel syntax,
 * assembled once, and every vector is run on the CPU. The oracle is the recorded hardware result.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Reg, RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { assemble, GuestMachine } from './testing/guest.js';

interface Group {
  name: string;
  size: string;
  type: string;
  flagMask: number;
  asm: string[];
  vectors: number[][];
}

// shared/ sits beside the checkout (for developers and for CI alike): packages/cpu-i386/src → ../../../../shared.
const VECTORS = fileURLToPath(
  new URL('../../../../shared/testdata/test386-ee/test386-ee-vectors.json', import.meta.url),
);
const groups: Group[] = JSON.parse(readFileSync(VECTORS, 'utf8')).groups;

const CODE_VA = 0x00400000;
const MEM_VA = 0x00600000;

/** NASM -> GNU as (intel_syntax noprefix): [MEM], size keywords, `byte imm` (a sign-extended imm8). */
function toGas(line: string): string {
  return line
    .replace(/\[MEM\]/g, `[${MEM_VA}]`)
    .replace(/\b(byte|word|dword) \[/g, '$1 ptr [')
    .replace(/, byte (0x[0-9a-fA-F]+|\d+)$/, (_m, imm: string) => `, ${(Number(imm) << 24) >> 24}`);
}

function buildSource(): string {
  const parts: string[] = [];
  groups.forEach((g, i) => {
    parts.push('.balign 16', `g${i}:`, ...g.asm.map(toGas), `g${i}_end:`, 'int 0x80');
  });
  return parts.join('\n');
}

describe.each([
  ['interpreter', 0, false, 'js'],
  ['decoded blocks', 0, true, 'js'],
  ['compiled blocks', 2, false, 'js'],
  ['WebAssembly regions', 2, false, 'wasm'],
  // With the decoded tier, as `kmos run` runs: fewer labels, so more code between them.
  ['WebAssembly regions after decoded blocks', 2, true, 'wasm'],
] as const)('test386 POST-EE vectors (%s)', (_mode, jitThreshold, decodeBlocks, compiler) => {
  const { code, labels } = assemble(buildSource());
  const machine = new GuestMachine(16 << 20, jitThreshold, decodeBlocks, compiler);
  for (let off = 0; off < code.length + 4096; off += 4096) machine.map(CODE_VA + off);
  machine.map(MEM_VA);
  machine.write(CODE_VA, code);
  const cpu = machine.cpu;

  it('has every group assembled', () => {
    expect(groups.length).toBe(310);
    expect(labels.size).toBeGreaterThanOrEqual(620);
  });

  it('runs all 44,926 vectors with the recorded results', () => {
    const failures: string[] = [];
    let count = 0;
    groups.forEach((g, i) => {
      const start = CODE_VA + (labels.get(`g${i}`) ?? Number.NaN);
      for (const [eaxIn, edxIn, flagsIn, eaxOut, edxOut, flagsOut, divideError] of g.vectors) {
        count++;
        cpu.setReg(Reg.EAX, eaxIn);
        cpu.setReg(Reg.EDX, edxIn);
        cpu.setReg(Reg.ECX, 0);
        cpu.eflags = flagsIn | 2;
        cpu.eip = start;
        const exit = cpu.run(64);
        const got = { eax: cpu.getReg(Reg.EAX), edx: cpu.getReg(Reg.EDX), flags: cpu.eflags & g.flagMask };
        const ok =
          divideError === 1
            ? exit === RunExit.Fault &&
              cpu.fault.vector === 0 &&
              got.eax === eaxOut >>> 0 &&
              got.edx === edxOut >>> 0
            : exit === RunExit.Syscall &&
              got.eax === eaxOut >>> 0 &&
              got.edx === edxOut >>> 0 &&
              got.flags === (flagsOut & g.flagMask);
        if (!ok && failures.length < 40) {
          const h = (v: number) => (v >>> 0).toString(16);
          failures.push(
            `${g.name} [${g.asm.join('; ')}] in eax=${h(eaxIn)} edx=${h(edxIn)} fl=${h(flagsIn)}: ` +
              `want eax=${h(eaxOut)} edx=${h(edxOut)} fl=${h(flagsOut & g.flagMask)} de=${divideError}; ` +
              `got exit=${exit} eax=${h(got.eax)} edx=${h(got.edx)} fl=${h(got.flags)} vec=${cpu.fault.vector}`,
          );
        }
      }
    });
    expect(failures).toEqual([]);
    expect(count).toBe(44926);
    if (jitThreshold > 0) expect(cpu.stats().compiledBlocks).toBeGreaterThan(250);
  }, 120_000);
});
