/**
 * Fuzzing with random guest code: pages of random bytes (and random register values) must always end in a
 * defined exit — Budget, Syscall or Fault with a known vector — never a host exception or a hang. Each
 * instruction runs alone, and a fault must leave every register, EFLAGS and EIP as they were before it
 * (traps excepted), the restartability invariant the kernel relies on.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuestMachine, TEST_CODE, TEST_DATA, testProgram } from './testing/guest.js';

const CODE = TEST_CODE;
const DATA = TEST_DATA;
const KNOWN_VECTORS = new Set([0, 1, 3, 4, 5, 6, 7, 11, 12, 13, 14, 16]);
const TRAPS = new Set([1, 3, 4]);

function snapshot(m: GuestMachine): number[] {
  const out = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.cpu.getReg(r as Reg));
  out.push(m.cpu.eip, m.cpu.eflags);
  for (let s = 0; s < 6; s++) out.push(m.cpu.getSeg(s as never));
  return out;
}

function runRandomPage(bytes: Uint8Array, regValues: number[], steps: number, jit: number): void {
  const m = testProgram(bytes, regValues, jit);
  for (let i = 0; i < steps; i++) {
    const before = snapshot(m);
    const exit = m.cpu.run(1);
    expect([RunExit.Budget, RunExit.Syscall, RunExit.Fault]).toContain(exit);
    if (exit === RunExit.Fault) {
      expect(KNOWN_VECTORS.has(m.cpu.fault.vector)).toBe(true);
      if (!TRAPS.has(m.cpu.fault.vector)) expect(snapshot(m)).toEqual(before);
      return;
    }
  }
}

describe('random code', () => {
  it('always ends in a defined exit with faults restartable', () => {
    const page = fc.uint8Array({ minLength: 8192, maxLength: 8192 });
    const pointerish = fc.oneof(
      fc.integer({ min: DATA, max: DATA + 0xfff }),
      fc.integer({ min: 0, max: 0xffffffff }),
    );
    fc.assert(
      fc.property(
        page,
        fc.array(pointerish, { minLength: 8, maxLength: 8 }),
        fc.constantFrom(0, 1),
        (bytes, regValues, jit) => {
          runRandomPage(bytes, regValues, 200, jit);
        },
      ),
      { numRuns: 300, seed: 0x6b6d4f53 },
    );
  }, 120_000);

  it('finishes a long random run within its budget', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8192, maxLength: 8192 }),
        fc.constantFrom(0, 1),
        (bytes, jit) => {
          const m = new GuestMachine(8 << 20, jit);
          m.map(CODE);
          m.map(CODE + 0x1000);
          m.write(CODE, bytes);
          m.map(0x007ff000);
          m.cpu.setReg(Reg.ESP, 0x007ffff0);
          m.cpu.setReg(Reg.ECX, 0xffffffff); // REP with a huge count must still respect the budget
          m.cpu.eip = CODE;
          const exit = m.cpu.run(100_000);
          expect([RunExit.Budget, RunExit.Syscall, RunExit.Fault]).toContain(exit);
          expect(m.cpu.insns).toBeLessThanOrEqual(100_000);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  }, 120_000);
});

describe('compiled blocks against the interpreter', () => {
  function runMachine(
    bytes: Uint8Array,
    regValues: number[],
    jit: number,
  ): { state: number[]; data: number[] } {
    const m = testProgram(bytes, regValues, jit);
    const exits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const exit = m.cpu.run(500);
      exits.push(exit, m.cpu.insns);
      if (exit === RunExit.Fault) exits.push(m.cpu.fault.vector, m.cpu.fault.errorCode, m.cpu.fault.cr2);
      if (exit !== RunExit.Budget && exit !== RunExit.Syscall) break;
    }
    return { state: [...snapshot(m), ...exits], data: Array.from(m.read(DATA, 4096)) };
  }

  function expectCompiledLikeInterpreted(bytes: Uint8Array, regValues: number[]): void {
    const interpreted = runMachine(bytes, regValues, 0);
    const compiled = runMachine(bytes, regValues, 1);
    expect(compiled.state).toEqual(interpreted.state);
    expect(compiled.data).toEqual(interpreted.data);
  }

  it('end in the same state, exit and memory as the interpreter on random code', () => {
    // Code made of the forms blocks compile (ALU, MOV, LEA, INC/DEC, PUSH/POP, shifts, short jumps) so most
    // of it does run compiled; registers point into the data page.
    const templated = [
      0x01, 0x03, 0x29, 0x2b, 0x31, 0x39, 0x89, 0x8b, 0x8d, 0x40, 0x4b, 0x50, 0x58, 0xc1, 0xd3, 0x85,
    ];
    const insn = fc.tuple(
      fc.constantFrom(...templated),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
    );
    const code = fc.array(insn, { minLength: 64, maxLength: 600 }).map((list) => {
      const bytes = new Uint8Array(8192);
      let at = 0;
      for (const [op, modrm, imm] of list) {
        if (at > 8180) break;
        bytes[at++] = op;
        bytes[at++] = (modrm & 0x3f) | 0xc0 | (op === 0x8d ? 0 : 0); // register forms, plus LEA below
        if (op === 0x8d) bytes[at - 1] = 0x40 | (modrm & 0x3b); // LEA r, [reg+disp8] (never SIB)
        if (op === 0xc1 || op === 0x8d) bytes[at++] = imm;
        if (op >= 0x40 && op <= 0x58) at--; // one-byte forms: drop the modrm
      }
      return bytes;
    });
    const regs = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 8, maxLength: 8 });
    fc.assert(fc.property(code, regs, expectCompiledLikeInterpreted), { numRuns: 150, seed: 42 });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8192, maxLength: 8192 }), regs, expectCompiledLikeInterpreted),
      { numRuns: 150, seed: 43 },
    );
  }, 120_000);

  it('agree on random control flow: loops, branches both ways, calls and returns, faults mid-trace', () => {
    const program = fc.array(fc.tuple(fc.array(BODY_INSN, { minLength: 1, maxLength: 8 }), TERMINATOR), {
      minLength: 2,
      maxLength: 24,
    });
    const regs = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(program, regs, (blocks, regValues) => {
        const bytes = assembleBlocks(blocks);
        // EBX points into the data page and is never written, so [ebx+disp8] operands always hit it.
        regValues[3] = DATA + 0x800;
        expectCompiledLikeInterpreted(bytes, regValues);
      }),
      { numRuns: 300, seed: 44 },
    );
  }, 120_000);
});

/** A body instruction of a random program: an encoder taking random bytes (registers other than EBX/ESP). */
const BODY_INSN = fc
  .tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 0xffff }))
  .map(([kind, x]): number[] => {
    const dst = [0, 1, 2, 5, 6, 7][x % 6];
    const src = (x >> 3) & 7;
    const disp = (x >> 6) & 0xfc;
    const alu = [0x01, 0x29, 0x31, 0x21, 0x09, 0x39, 0x85][(x >> 9) % 7];
    switch (kind) {
      case 0: // ALU r32, r32
        return [alu, 0xc0 | (src << 3) | dst];
      case 1: // ALU r32, [ebx+disp8]
        return [alu + 2 > 0x3b ? 0x8b : alu + 2, 0x43 | (dst << 3), disp];
      case 2: // mov [ebx+disp8], r32
        return [0x89, 0x43 | (src << 3), disp];
      case 3: // add [ebx+disp8], r32 (read-modify-write)
        return [0x01, 0x43 | (src << 3), disp];
      case 4: // push r32; pop r32
        return [0x50 | src, 0x58 | dst];
      case 5: // inc/dec r32
        return [(x & 1 ? 0x40 : 0x48) | dst];
      case 6: // mov r32, [r32]: usually a page fault, in the middle of a trace
        return [0x8b, (dst << 3) | [0, 1, 2, 6, 7][x % 5]];
      case 7: // add r32, imm8
        return [0x83, 0xc0 | dst, x & 0xff];
      case 8: // shl/shr r32, imm8
        return [0xc1, (x & 1 ? 0xe0 : 0xe8) | dst, (x >> 8) & 31];
      case 9: // cmp r32, imm8
        return [0x83, 0xf8 | dst, x & 0xff];
      case 10: // push r32 alone: a later RET returns somewhere else than its call expects
        return [0x50 | src];
      default: // pop r32 alone
        return [0x58 | dst];
    }
  });

/** How a block ends: [kind, condition code, target block index (modulo the block count)]. */
const TERMINATOR = fc.tuple(
  fc.integer({ min: 0, max: 4 }),
  fc.integer({ min: 0, max: 15 }),
  fc.integer({ min: 0, max: 255 }),
);

/** Lays the blocks out one after another; jumps and calls use rel32 forms so sizes are known up front. */
function assembleBlocks(blocks: [number[][], [number, number, number]][]): Uint8Array {
  const terminatorBytes = (kind: number) => [0, 6, 5, 5, 1][kind]; // fall, jcc, jmp, call, ret
  const starts: number[] = [];
  let at = 0;
  for (const [body, [kind]] of blocks) {
    starts.push(at);
    at += body.reduce((sum, insn) => sum + insn.length, 0) + terminatorBytes(kind);
  }
  const bytes = new Uint8Array(8192);
  at = 0;
  const rel32 = (target: number, end: number) => {
    const d = target - end;
    return [d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff, (d >>> 24) & 0xff];
  };
  for (const [body, [kind, cc, to]] of blocks) {
    for (const insn of body) for (const b of insn) bytes[at++] = b;
    const target = starts[to % blocks.length];
    const code =
      kind === 1
        ? [0x0f, 0x80 | cc, ...rel32(target, at + 6)]
        : kind === 2
          ? [0xe9, ...rel32(target, at + 5)]
          : kind === 3
            ? [0xe8, ...rel32(target, at + 5)]
            : kind === 4
              ? [0xc3]
              : [];
    for (const b of code) bytes[at++] = b;
  }
  return bytes;
}
