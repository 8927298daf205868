/**
 * Property test of the compiled-trace entry points (trace-entry.ts, X87's trace* methods) against `execute`:
 * for every escape instruction (memory forms included), on random register files (normals, zeros, denormals,
 * infinities, NaNs, unsupported formats, empty registers, full stacks, values at the edges of the m32fp, m64fp
 * and integer ranges), memory operands (floats, doubles, integers and extended values of every class, random
 * bytes), control words (all precisions and rounding modes, some exceptions unmasked) and status words
 * (sometimes with an exception pending), the entry either declines with nothing changed or leaves exactly the
 * state `execute` leaves: registers, tags, TOP, status word, FIP, FOP, FDP, memory and EFLAGS (FCOMI).
 * Then whole programs: x87 loops run interpreted and compiled into traces (jit thresholds 0 and 1) must leave
 * the same registers, memory (the FPU's results stored there) and exits, including a #MF raised mid-trace and
 * an FPU store into the trace's own code.
 */

import { type Reg, RunExit } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, TEST_DATA, testProgram } from '../testing/guest.js';
import type { FpuBus } from './bus.js';
import { x87EflagsEntry, x87TraceEntry } from './trace-entry.js';
import { X87 } from './x87.js';

const FIP = 0x8049000;
const EA = 0x100;
/** FCOMI's status flags (ZF, PF, CF) as the trace and the bus see them. */
const ZF = 0x40;
const PF = 0x04;
const CF = 0x01;

/** Sixteen bytes of memory at EA (everything else reads as zero and ignores writes); EFLAGS and AX. */
class TestBus implements FpuBus {
  readonly mem = new Uint8Array(16);
  eflags = -1;
  ax = -1;
  readU8(addr: number): number {
    return addr >= EA && addr < EA + 16 ? this.mem[addr - EA] : 0;
  }
  readU16(addr: number): number {
    return this.readU8(addr) | (this.readU8(addr + 1) << 8);
  }
  readU32(addr: number): number {
    return (this.readU16(addr) | (this.readU16(addr + 2) << 16)) >>> 0;
  }
  writeU8(addr: number, v: number): void {
    if (addr >= EA && addr < EA + 16) this.mem[addr - EA] = v;
  }
  writeU16(addr: number, v: number): void {
    this.writeU8(addr, v & 0xff);
    this.writeU8(addr + 1, (v >>> 8) & 0xff);
  }
  writeU32(addr: number, v: number): void {
    this.writeU16(addr, v & 0xffff);
    this.writeU16(addr + 2, (v >>> 16) & 0xffff);
  }
  probeWrite(): void {}
  getEflags(): number {
    return 0;
  }
  setZfPfCf(zf: boolean, pf: boolean, cf: boolean): void {
    this.eflags = (zf ? ZF : 0) | (pf ? PF : 0) | (cf ? CF : 0);
  }
  setAx(v: number): void {
    this.ax = v;
  }
  raise(vector: number): never {
    throw new Error(`vector ${vector}`);
  }
  fpuInstructionPointer(): number {
    return FIP;
  }
}

const word = fc.integer({ min: 0, max: 0xffffffff });
/**
 * Exponents at the edges the memory forms care about: the normal ranges of m64fp and m32fp (stores that
 * overflow, or round up into the next binade), and the integer ranges of m16/m32/m64 (FIST limits).
 */
const EDGE_EXPONENTS = [
  -1023, -1022, -1021, 1022, 1023, 1024, -127, -126, -125, 126, 127, 128, -2, -1, 0, 1, 14, 15, 16, 30, 31,
  32, 62, 63, 64,
].map((e) => e + 16383);
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
    weight: 4,
    arbitrary: fc.tuple(
      fc.constant(0),
      fc.integer({ min: 0, max: 1 }),
      fc.constantFrom(...EDGE_EXPONENTS),
      fc.oneof(
        fc.constantFrom(0xffffffff, 0x80000000, 0xffffff80, 0x80000080),
        word.map((w) => (w | 0x80000000) >>> 0),
      ),
      fc.oneof(fc.constantFrom(0, 0xffffffff, 0xfffff800, 0x400, 0xc00, 0x80000000, 0x800), word),
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

/** Every escape instruction, memory forms as mod 0 (the effective address is given as EA). */
const form = fc.tuple(
  fc.integer({ min: 0xd8, max: 0xdf }),
  fc.oneof(
    fc.integer({ min: 0, max: 7 }).map((reg) => reg << 3),
    fc.integer({ min: 0xc0, max: 0xff }),
  ),
);

/** Memory at EA: random bytes, or a float, double, integer or extended value of any class. */
const memory = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.double().map((d) => image((v) => v.setFloat64(0, d, true))),
  fc.float().map((f) => image((v) => v.setFloat32(0, f, true))),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((i) => image((v) => v.setInt32(0, i, true))),
  fc.constantFrom(0, 1, -1, -0x8000, 0x7fff).map((i) => image((v) => v.setInt16(0, i, true))),
  fc
    .bigInt({ min: -(BigInt(1) << BigInt(63)), max: (BigInt(1) << BigInt(63)) - BigInt(1) })
    .map((i) => image((v) => v.setBigInt64(0, i, true))),
  register.map(([, sign, exp, hi, lo]) =>
    image((v) => {
      v.setUint32(0, lo, true);
      v.setUint32(4, hi, true);
      v.setUint16(8, (sign << 15) | exp, true);
    }),
  ),
);

function image(fill: (v: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(16);
  fill(new DataView(bytes.buffer));
  return bytes;
}

function machine(regs: number[][], top: number, cw: number, sw: number, mem: Uint8Array): X87 {
  const bus = new TestBus();
  bus.mem.set(mem);
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
  // Pointers of an earlier instruction: register forms must leave FDP alone.
  s.fip = 0x1234;
  s.fop = 0x7ff;
  s.fdp = 0xdead0;
  return x;
}

function busOf(x: X87): TestBus {
  return (x as unknown as { bus: TestBus }).bus;
}

function snapshot(x: X87): unknown {
  const s = x.state;
  const bus = busOf(x);
  return {
    regs: [Array.from(s.sign), Array.from(s.exp), Array.from(s.hi), Array.from(s.lo), Array.from(s.empty)],
    top: s.top,
    sw: s.sw,
    fip: s.fip,
    fop: s.fop,
    fdp: s.fdp,
    mem: Array.from(bus.mem),
    eflags: bus.eflags,
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
function callEntry(entry: string, x: X87): unknown {
  const fn = new Function('c', 'ea', 'ip', `return ${entry};`);
  return fn({ fpu: x }, EA, FIP);
}

/**
 * Runs the entry of (opcode, modrm) as a trace would: true when it ran the instruction, false when it
 * declined, null when the form has none. An FCOMI entry's flags go to the bus as the trace sets them.
 */
function runEntry(x: X87, opcode: number, modrm: number): boolean | null {
  const eflags = x87EflagsEntry(opcode, modrm);
  if (eflags !== null) {
    const flags = callEntry(eflags, x) as number;
    if (flags < 0) return false;
    busOf(x).setZfPfCf((flags & ZF) !== 0, (flags & PF) !== 0, (flags & CF) !== 0);
    return true;
  }
  const entry = x87TraceEntry(opcode, modrm);
  return entry === null ? null : (callEntry(entry, x) as boolean);
}

/** The forms trace-entry.ts is meant to cover, as [opcode, reg] for memory forms and [opcode, modrm] else. */
function hasEntry(opcode: number, modrm: number): boolean {
  const reg = (modrm >>> 3) & 7;
  if (modrm < 0xc0) {
    if (opcode === 0xd8 || opcode === 0xda || opcode === 0xdc || opcode === 0xde) return true;
    if (opcode === 0xd9) return reg === 0 || reg === 2 || reg === 3;
    if (opcode === 0xdd) return reg === 0 || reg === 2 || reg === 3;
    if (opcode === 0xdb || opcode === 0xdf)
      return reg === 0 || reg === 2 || reg === 3 || reg === 5 || reg === 7;
    return false;
  }
  switch (opcode) {
    case 0xd8:
    case 0xdc:
      return true;
    case 0xd9:
      return reg < 2 || modrm === 0xe0 || modrm === 0xe1 || modrm === 0xe8 || modrm === 0xee;
    case 0xda:
      return modrm === 0xe9;
    case 0xdb:
    case 0xdf:
      return reg === 5 || reg === 6;
    case 0xdd:
      return reg >= 2 && reg <= 5;
    default:
      return reg !== 3 || modrm === 0xd9;
  }
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
        memory,
        (regs, top, cw, sw, [opcode, modrm], mem) => {
          const viaEntry = machine(regs, top, cw, sw, mem);
          const before = snapshot(viaEntry);
          const ran = runEntry(viaEntry, opcode, modrm);
          expect(ran !== null).toBe(hasEntry(opcode, modrm));
          if (ran === null) return;
          let outcome = 'ok';
          if (!ran) {
            expect(snapshot(viaEntry)).toEqual(before);
            outcome = execute(viaEntry, opcode, modrm);
          }
          const viaExecute = machine(regs, top, cw, sw, mem);
          expect(outcome).toBe(execute(viaExecute, opcode, modrm));
          expect(snapshot(viaEntry)).toEqual(snapshot(viaExecute));
        },
      ),
      { numRuns: 60000 },
    );
  }, 240_000);
});

/**
 * The x87 loop of userland/bench/cpu-x87.c with FXCH, FLD ST(i), FSTP ST(i), the memory forms, compares
 * (FCOM m32, FNSTSW AX + SAHF, FCOMI/FUCOMI: EDX sums their flags and the status words), constants and sign
 * changes added, under control word `cw`, multiplying by 2^`scale` (a large scale overflows: masked it
 * becomes infinity and the general path takes over; unmasked OE raises #MF at the next waiting instruction,
 * inside the trace).
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
    fst qword ptr [ebx+56]
    fild qword ptr [ebx+56]
    fcomp dword ptr [ebx+52]
    push eax
    fnstsw ax
    sahf
    adc edx, 0
    movzx ecx, ax
    add edx, ecx
    pop eax
    fist dword ptr [ebx+60]
    fld dword ptr [ebx+60]
    fmul qword ptr [ebx+56]
    fsubr dword ptr [ebx+52]
    fdiv qword ptr [ebx+56]
    fst dword ptr [ebx+52]
    fucomip st, st(1)
    adc edx, 0
    fld1
    fchs
    fabs
    fldz
    fcomp st(1)
    fcomip st, st(1)
    adc edx, 0
    fld st(0)
    fistp qword ptr [ebx+40]
    fild qword ptr [ebx+40]
    fcomp st(1)
    fild word ptr [ebx+60]
    fistp word ptr [ebx+62]
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

/**
 * FISTP m32int into the immediate of a MOV later in the same trace, on pass 40 only (the other passes store
 * to data, so the trace is compiled by then): the rest of that pass must run the new code.
 */
const SELF_MODIFYING = `
    fninit
    call next
  next:
    pop edi
    lea ebp, [edi + patch - next + 1]
    xor edx, edx
    xor esi, esi
  again:
    mov [ebx], esi
    lea eax, [ebx + 8]
    cmp esi, 40
    cmove eax, ebp
    fild dword ptr [ebx]
    fistp dword ptr [eax]
  patch:
    mov ecx, 0
    add edx, ecx
    inc esi
    cmp esi, 50
    jne again
    mov eax, 1
    int 0x80
`;

describe('x87 in compiled traces', () => {
  it('leave after an FPU store into their own code', () => {
    const interpreted = runProgram(SELF_MODIFYING, 0, 1000);
    expect(runProgram(SELF_MODIFYING, 1, 1000)).toEqual(interpreted);
    expect(interpreted.exits.at(-2)).toBe(RunExit.Syscall);
  });

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
