/**
 * Property test of the compiled-trace entry points (trace-entry.ts, X87's trace* methods) against `execute`:
 * for every form trace-entry.ts maps, on random register files (normals, zeros, denormals, infinities, NaNs,
 * unsupported formats, empty registers, full stacks), control words (all precisions and rounding modes, some
 * exceptions unmasked) and status words (sometimes with an exception pending), the entry either declines with
 * nothing changed or leaves exactly the state `execute` leaves: registers, tags, TOP, status word, FIP, FOP, FDP.
 * Then whole programs: x87 loops run interpreted and compiled into traces (jit thresholds 0 and 1) must leave
 * the same registers, memory (the FPU's results stored there) and exits, including a #MF raised mid-trace.
 */

import { type Reg, RunExit } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, TEST_DATA, testProgram } from '../testing/guest.js';
import type { FpuBus } from './bus.js';
import { x87TraceEntry } from './trace-entry.js';
import { X87 } from './x87.js';

const FIP = 0x8049000;
const EA = 0x100;

class TestBus implements FpuBus {
  int32 = 0;
  readU8(): number {
    return 0;
  }
  readU16(): number {
    return 0;
  }
  readU32(addr: number): number {
    return addr === EA ? this.int32 >>> 0 : 0;
  }
  writeU8(): void {}
  writeU16(): void {}
  writeU32(): void {}
  probeWrite(): void {}
  getEflags(): number {
    return 0;
  }
  setZfPfCf(): void {}
  setAx(): void {}
  raise(vector: number): never {
    throw new Error(`vector ${vector}`);
  }
  fpuInstructionPointer(): number {
    return FIP;
  }
}

const word = fc.integer({ min: 0, max: 0xffffffff });
/** [empty, sign, exp, hi, lo]: mostly normals, with every special class now and then. */
const register = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(
      fc.constant(0),
      fc.integer({ min: 0, max: 1 }),
      fc.oneof(fc.integer({ min: 1, max: 0x7ffe }), fc.integer({ min: 16300, max: 16460 })),
      word.map((w) => (w | 0x80000000) >>> 0),
      word,
    ),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom(0, 0, 1),
      fc.integer({ min: 0, max: 1 }),
      fc.constantFrom(0, 0x7fff, 1, 0x7ffe, 16383),
      fc.constantFrom(0, 0x80000000, 0xc0000000, 0x40000000, 0xffffffff, 1),
      fc.constantFrom(0, 1, 0xffffffff),
    ),
  },
);

const controlWord = fc
  .tuple(fc.constantFrom(0, 2, 3), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x3f }))
  .map(([pc, rc, masks]) => (pc << 8) | (rc << 10) | masks | 0x1040);
/** A status word without TOP: C0-C3 set at random, sometimes exception flags (some of them pending). */
const statusWord = fc.oneof(
  fc.integer({ min: 0, max: 0xf }).map((c) => ((c & 7) << 8) | ((c & 8) << 11)),
  fc.integer({ min: 0, max: 0x7f }),
);

/** The forms trace-entry.ts has an entry for, as [opcode, modrm]. */
const form = fc.oneof(
  fc.tuple(fc.constantFrom(0xd8, 0xdc, 0xde), fc.integer({ min: 0xc0, max: 0xff })),
  fc.tuple(fc.constant(0xd9), fc.integer({ min: 0xc0, max: 0xcf })),
  fc.tuple(fc.constant(0xdd), fc.integer({ min: 0xd0, max: 0xdf })),
  fc.tuple(fc.constant(0xdb), fc.constantFrom(0x00, 0x05, 0x45, 0x87)),
);
const int32 = fc.oneof(
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  fc.constantFrom(0, 1, -1, -0x80000000),
);

function machine(regs: number[][], top: number, cw: number, sw: number, int32: number): X87 {
  const bus = new TestBus();
  bus.int32 = int32;
  const x = new X87(bus);
  const s = x.state;
  for (let p = 0; p < 8; p++) {
    const [empty, sign, exp, hi, lo] = regs[p];
    s.sign[p] = sign;
    s.exp[p] = exp;
    s.hi[p] = hi;
    s.lo[p] = lo;
    s.empty[p] = empty;
  }
  s.top = top;
  s.cw = cw;
  s.sw = sw;
  s.updateSummary();
  return x;
}

function snapshot(x: X87): unknown {
  const s = x.state;
  return {
    regs: [Array.from(s.sign), Array.from(s.exp), Array.from(s.hi), Array.from(s.lo), Array.from(s.empty)],
    top: s.top,
    sw: s.sw,
    fip: s.fip,
    fop: s.fop,
    fdp: s.fdp,
  };
}

/** Runs `execute`, returning the vector it raised, or -1. */
function execute(x: X87, opcode: number, modrm: number): string {
  try {
    x.execute(opcode, modrm, EA, false);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Evaluates an entry expression the way a trace does, with `c.fpu`, `ea` and `ip` bound. */
function callEntry(entry: string, x: X87): boolean {
  const fn = new Function('c', 'ea', 'ip', `return ${entry};`);
  return fn({ fpu: x }, EA, FIP) as boolean;
}

describe('x87 trace entries', () => {
  it('do what execute does, or decline with nothing changed', () => {
    fc.assert(
      fc.property(
        fc.array(register, { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 7 }),
        controlWord,
        statusWord,
        form,
        int32,
        (regs, top, cw, sw, [opcode, modrm], value) => {
          const entry = x87TraceEntry(opcode, modrm);
          // FCOM/FCOMP and the reserved forms have no entry; everything else in `form` has one.
          const reg = (modrm >>> 3) & 7;
          const isCompare = opcode !== 0xd9 && opcode !== 0xdd && opcode !== 0xdb && (reg === 2 || reg === 3);
          const isLoad = opcode === 0xdb && modrm < 0xc0;
          expect(entry === null).toBe(isCompare || (isLoad && reg !== 0));
          if (entry === null) return;
          const viaEntry = machine(regs, top, cw, sw, value);
          const before = snapshot(viaEntry);
          let outcome = 'ok';
          if (!callEntry(entry, viaEntry)) {
            expect(snapshot(viaEntry)).toEqual(before);
            outcome = execute(viaEntry, opcode, modrm);
          }
          const viaExecute = machine(regs, top, cw, sw, value);
          expect(outcome).toBe(execute(viaExecute, opcode, modrm));
          expect(snapshot(viaEntry)).toEqual(snapshot(viaExecute));
        },
      ),
      { numRuns: 30000 },
    );
  }, 120_000);
});

/**
 * The x87 loop of userland/bench/cpu-x87.c with FXCH, FLD ST(i) and FSTP ST(i) added, under control word
 * `cw`, multiplying by 2^`scale` (a large scale overflows: masked it becomes infinity and the general path
 * takes over; unmasked OE raises #MF at the next waiting instruction, inside the trace).
 */
function seriesProgram(cw: number, scale: number): string {
  return `
    fninit
    mov dword ptr [ebx+200], ${cw}
    fldcw word ptr [ebx+200]
    fldz
    fld1
    mov dword ptr [ebx+200], 999999
    fild dword ptr [ebx+200]
    mov dword ptr [ebx+204], 1000000
    fidiv dword ptr [ebx+204]
    mov dword ptr [ebx+200], ${scale}
    fild dword ptr [ebx+200]
    fxch st(1)
    fscale
    fstp st(1)
    mov eax, 1
  again:
    fmul st(1), st
    mov [ebx+208], eax
    fild dword ptr [ebx+208]
    fdivr st, st(2)
    faddp st(3), st
    fld st(2)
    fsub st, st(2)
    fxch st(3)
    fstp st(0)
    fxch st(2)
    fdiv st, st(1)
    fxch st(2)
    inc eax
    cmp eax, 300
    jne again
    fstp tbyte ptr [ebx]
    fstp tbyte ptr [ebx+16]
    fstp tbyte ptr [ebx+32]
    fnstsw word ptr [ebx+48]
    mov eax, 1
    int 0x80
  `;
}

interface Outcome {
  regs: number[];
  eip: number;
  exits: number[];
  data: number[];
}

function runProgram(source: string, jit: number, budget: number): Outcome {
  const { code } = assemble(source);
  const m = testProgram(code, [0, 0, 0, TEST_DATA], jit);
  const exits: number[] = [];
  for (let i = 0; i < 40; i++) {
    const exit = m.cpu.run(budget);
    exits.push(exit, m.cpu.insns);
    if (exit === RunExit.Fault) {
      exits.push(m.cpu.fault.vector);
      break;
    }
    if (exit !== RunExit.Budget) break;
  }
  return {
    regs: [0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.cpu.getReg(r as Reg)),
    eip: m.cpu.eip,
    exits,
    data: Array.from(m.read(TEST_DATA, 64)),
  };
}

describe('x87 in compiled traces', () => {
  // Precision 64, 53 and 24 bits; rounding to nearest, down, up and toward zero; OM unmasked in the last two.
  const cases: [number, number][] = [
    [0x37f, 0],
    [0x27f, 1],
    [0x07f, -3],
    [0x77f, 2],
    [0xb7f, 0],
    [0xf7f, 0],
    [0x37f, 200],
    [0x377, 200],
    [0x277, 100],
  ];
  it.each(cases)('agree with the interpreter (cw %s, scale 2^%s)', (cw, scale) => {
    const source = seriesProgram(cw, scale);
    const interpreted = runProgram(source, 0, 1000);
    const compiled = runProgram(source, 1, 1000);
    expect(compiled).toEqual(interpreted);
    // Unmasked overflow ends in #MF (vector 16); everything else reaches the exit syscall.
    if (scale >= 100 && (cw & 8) === 0)
      expect(interpreted.exits.slice(-3, -2).concat(interpreted.exits.slice(-1))).toEqual([
        RunExit.Fault,
        16,
      ]);
    else expect(interpreted.exits.at(-2)).toBe(RunExit.Syscall);
  });
});
