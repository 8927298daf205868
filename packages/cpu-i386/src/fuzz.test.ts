/**
 * Fuzzing with random guest code: pages of random bytes (and random register values) must always end in a
 * defined exit — Budget, Syscall or Fault with a known vector — never a host exception or a hang. Each
 * instruction runs alone, and a fault must leave every register, EFLAGS and EIP as they were before it
 * (traps excepted), the restartability invariant the kernel relies on.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RegionCompiler } from './cpu.js';
import { instructionLength } from './instruction-length.js';
import { assemble, GuestMachine, TEST_CODE, TEST_DATA, testProgram } from './testing/guest.js';

/**
 * A failing case of 8 KiB of random code shrinks for hours (each try runs up to four machines, WebAssembly
 * compiles included): past this, fast-check stops and reports the smallest case found so far, and a run still
 * going (a pass takes ~15 s here) fails instead of passing on fewer runs.
 */
const SHRINK_LIMIT = { interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true } as const;

const CODE = TEST_CODE;
const DATA = TEST_DATA;
const KNOWN_VECTORS = new Set([0, 1, 3, 4, 5, 6, 7, 11, 12, 13, 14, 16]);
const TRAPS = new Set([1, 3, 4]);
/** PTE flags of a present, user, read-only page. */
const READ_ONLY_USER = 0x5;

function snapshot(m: GuestMachine): number[] {
  const out = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.cpu.getReg(r as Reg));
  out.push(m.cpu.eip, m.cpu.eflags);
  for (let s = 0; s < 6; s++) out.push(m.cpu.getSeg(s as never));
  return out;
}

/**
 * The ways to run code: interpreter, decoded blocks (in JS, and in WebAssembly when RAM is a WebAssembly
 * memory), JS and WebAssembly regions (these also after decoded blocks).
 */
const MODES = fc.constantFrom<[number, boolean, RegionCompiler]>(
  [0, false, 'js'],
  [0, true, 'js'],
  [0, true, 'wasm'],
  [1, false, 'js'],
  [1, false, 'wasm'],
  [1, true, 'wasm'],
);

function runRandomPage(
  bytes: Uint8Array,
  regValues: number[],
  steps: number,
  [jit, decode, compiler]: [number, boolean, RegionCompiler],
): void {
  const m = testProgram(bytes, regValues, jit, decode, compiler);
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
        MODES,
        (bytes, regValues, mode) => {
          runRandomPage(bytes, regValues, 200, mode);
        },
      ),
      { numRuns: 300, seed: 0x6b6d4f53, ...SHRINK_LIMIT },
    );
  }, 120_000);

  it('finishes a long random run within its budget', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8192, maxLength: 8192 }),
        MODES,
        (bytes, [jit, decode, compiler]) => {
          const m = new GuestMachine(8 << 20, jit, decode, compiler);
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
      { numRuns: 100, seed: 7, ...SHRINK_LIMIT },
    );
  }, 120_000);
});

describe('decoded blocks and compiled traces against the interpreter', () => {
  function runMachine(
    bytes: Uint8Array,
    regValues: number[],
    jit: number,
    decode: boolean,
    data?: Uint8Array,
    setup?: (m: GuestMachine) => void,
    compiler: RegionCompiler = 'js',
  ): { state: number[]; data: number[] } {
    const m = testProgram(bytes, regValues, jit, decode, compiler);
    if (data !== undefined) m.write(DATA, data);
    setup?.(m);
    const exits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const exit = m.cpu.run(500);
      exits.push(exit, m.cpu.insns);
      if (exit === RunExit.Fault) exits.push(m.cpu.fault.vector, m.cpu.fault.errorCode, m.cpu.fault.cr2);
      if (exit !== RunExit.Budget && exit !== RunExit.Syscall) break;
    }
    return { state: [...snapshot(m), ...exits], data: Array.from(m.read(DATA, 4096)) };
  }

  function expectCompiledLikeInterpreted(
    bytes: Uint8Array,
    regValues: number[],
    data?: Uint8Array,
    setup?: (m: GuestMachine) => void,
  ): void {
    const interpreted = runMachine(bytes, regValues, 0, false, data, setup);
    const compiled = runMachine(bytes, regValues, 1, false, data, setup);
    expect(compiled.state).toEqual(interpreted.state);
    expect(compiled.data).toEqual(interpreted.data);
    const wasm = runMachine(bytes, regValues, 1, false, data, setup, 'wasm');
    expect(wasm.state).toEqual(interpreted.state);
    expect(wasm.data).toEqual(interpreted.data);
    const decoded = runMachine(bytes, regValues, 0, true, data, setup);
    expect(decoded.state).toEqual(interpreted.state);
    expect(decoded.data).toEqual(interpreted.data);
    // With RAM in a WebAssembly memory the decoded tier runs in WebAssembly (wasm/decoded-runner.ts).
    const decodedWasm = runMachine(bytes, regValues, 0, true, data, setup, 'wasm');
    expect(decodedWasm.state).toEqual(interpreted.state);
    expect(decodedWasm.data).toEqual(interpreted.data);
  }

  it('agree when a trace meets an unmapped or read-only page mid-loop (it leaves for the decoded tier)', () => {
    const readOnlyNextPage = (m: GuestMachine) => m.map(DATA + 0x1000, READ_ONLY_USER);
    for (const setup of [undefined, readOnlyNextPage]) {
      for (const access of ['mov [ebx], eax', 'add [ebx], eax', 'mov eax, [ebx]']) {
        const { code } = assemble(`l: ${access}\n add ebx, 2048\n inc ecx\n cmp ecx, 100\n jne l\n int 0x80`);
        const bytes = new Uint8Array(8192);
        bytes.set(code);
        expectCompiledLikeInterpreted(bytes, [1, 0, 0, DATA, 0, 0, 0, 0], undefined, setup);
      }
    }
  });

  it('agree on random operands of every form the decoded tier handles, faults included', () => {
    // The decoded tier's straight-line opcodes with random operands, some behind a segment override: ModR/M
    // forms are mostly registers or [reg+disp8] with every register inside the data page, so most memory
    // operands hit it and long runs execute; the rest are SIB and disp32 forms, which often fault.
    const modrm = fc.tuple(fc.constantFrom(3, 3, 1, 1, 0, 2), fc.nat(7), fc.nat(7)).map(([mod, reg, rm]) => {
      const safeRm = mod !== 3 && (rm === 4 || rm === 5) ? 3 : rm;
      return (mod << 6) | (reg << 3) | (mod === 2 ? rm : safeRm);
    });
    const insn = fc.tuple(
      fc.constantFrom(...DECODED_OPCODES),
      fc.constantFrom(-1, -1, -1, 0x26, 0x64, 0x3e),
      modrm,
      fc.uint8Array({ minLength: 5, maxLength: 5 }),
    );
    const code = fc.array(insn, { minLength: 16, maxLength: 400 }).map((list) => {
      const bytes = new Uint8Array(8192);
      let at = 0;
      for (const [op, prefix, rm, rest] of list) {
        if (at > 8170) break;
        const start = at;
        if (prefix >= 0) bytes[at++] = prefix;
        if (op > 0xff) bytes[at++] = 0x0f;
        bytes[at++] = op & 0xff;
        // Group 5's CALL/JMP forms would leave the straight line: keep INC, DEC and PUSH.
        bytes[at++] = op === 0xff ? (rm & ~0x38) | ([0, 1, 6][rm % 3] << 3) : rm;
        bytes.set(rest, at);
        at = start + instructionLength(bytes, start, bytes.length);
      }
      return bytes;
    });
    const inData = fc.integer({ min: DATA + 0x100, max: DATA + 0xeff });
    const regs = fc.array(inData, { minLength: 8, maxLength: 8 });
    const data = fc.uint8Array({ minLength: 4096, maxLength: 4096 });
    const agree = (bytes: Uint8Array, regValues: number[], page: Uint8Array) =>
      expectCompiledLikeInterpreted(bytes, regValues, page);
    fc.assert(fc.property(code, regs, data, agree), { numRuns: 300, seed: 45, ...SHRINK_LIMIT });
  }, 120_000);

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
    const agree = (bytes: Uint8Array, regValues: number[]) => expectCompiledLikeInterpreted(bytes, regValues);
    fc.assert(fc.property(code, regs, agree), { numRuns: 150, seed: 42, ...SHRINK_LIMIT });
    fc.assert(fc.property(fc.uint8Array({ minLength: 8192, maxLength: 8192 }), regs, agree), {
      numRuns: 150,
      seed: 43,
      ...SHRINK_LIMIT,
    });
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
      { numRuns: 300, seed: 44, ...SHRINK_LIMIT },
    );
  }, 120_000);
});

/** Every opcode decoded-handlers.ts has a form for (0x100 | xx: 0F xx). */
const DECODED_OPCODES = [
  ...Array.from({ length: 0x40 }, (_, i) => i).filter((op) => (op & 7) < 6),
  ...[0x40, 0x47, 0x48, 0x4e, 0x50, 0x55, 0x58, 0x5d, 0x68, 0x69, 0x6a, 0x6b],
  ...[0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8d, 0x90, 0x93, 0x98, 0x99],
  ...[0xa8, 0xa9, 0xb3, 0xbb, 0xc0, 0xc1, 0xc6, 0xc7, 0xc9, 0xd0],
  ...[0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfc, 0xfd, 0xfe, 0xff],
  ...[0x11f, 0x142, 0x14f, 0x193, 0x19e, 0x1a4, 0x1a5, 0x1ac, 0x1ad, 0x1af, 0x1b6, 0x1b7, 0x1bc, 0x1bd],
  ...[0x1be, 0x1bf, 0x1a3, 0x1ab, 0x1b3, 0x1bb, 0x1ba, 0x1c0, 0x1c1, 0x1c8, 0x1cb, 0x1cf],
];

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
