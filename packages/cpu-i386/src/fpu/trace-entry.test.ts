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
import type { RegionCompiler } from '../cpu.js';
import { assemble, TEST_DATA, testProgram } from '../testing/guest.js';
import {
  busOf,
  CF,
  callEntry,
  controlWord,
  execute,
  form,
  machine,
  memory,
  PF,
  register,
  snapshot,
  statusWord,
  ZF,
} from './testdata/x87-cases.js';
import { x87EflagsEntry, x87TraceEntry } from './trace-entry.js';
import type { X87 } from './x87.js';

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
  return seriesLoop(cw, scale, EVERY_FORM, '');
}

/** Adds CF after SAHF of FNSTSW's AX, and AX itself, to EDX (EAX pushed before, popped here). */
const SUM_STATUS = `
    fnstsw ax
    sahf
    adc edx, 0
    movzx ecx, ax
    add edx, ecx
    pop eax`;

const EVERY_FORM = `
    fst qword ptr [ebx+56]
    fild qword ptr [ebx+56]
    fcomp dword ptr [ebx+52]
    push eax
    ${SUM_STATUS}
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
`;

/**
 * The series loop with only the forms WebAssembly regions run themselves (wasm/x87-wasm.ts `x87Plan`):
 * register arithmetic (an exact quotient among them), memory arithmetic on m32fp, m64fp, m16int and m32int,
 * loads and stores of m32fp, m64fp and m80fp, FILD m16/m32, FXCH, FLD/FST/FSTP ST(i), constants and sign
 * changes, compares into the status word (FNSTSW AX, EDX sums it) and into EFLAGS, FIST/FISTP of every size,
 * and C's (int) conversion: FNSTCW, FLDCW with rounding toward zero, FISTP, FLDCW back; FILD m64, constants. Operands that are zero, results the fast cases refuse and the other control words take the
 * general path through `step` inside the region. FXSAVE, run through `step` in each pass, must see the
 * registers the region keeps in locals; FNSTENV after the loop keeps the pointers and tags it left.
 */
function plannedSeriesProgram(cw: number, scale: number): string {
  return seriesLoop(cw, scale, PLANNED_FORMS, 'fnstenv [ebx+100]');
}

const PLANNED_FORMS = `
    fst qword ptr [ebx+56]
    fld qword ptr [ebx+56]
    fmul dword ptr [ebx+52]
    fsubr qword ptr [ebx+56]
    fst dword ptr [ebx+52]
    fiadd word ptr [ebx+60]
    fisub dword ptr [ebx+208]
    fdiv qword ptr [ebx+56]
    fld st(0)
    fdivp st(1), st
    fstp st(0)
    fld1
    fchs
    fabs
    fldz
    fadd st, st(1)
    fsubp st(1), st
    fstp st(0)
    fild word ptr [ebx+60]
    fstp st(0)
    fld st(1)
    fstp tbyte ptr [ebx+80]
    fld tbyte ptr [ebx+80]
    fxch st(2)
    fst st(3)
    fxch st(3)
    fxch st(2)
    fstp st(0)
    push eax
    fcom dword ptr [ebx+52]
    ${SUM_STATUS}
    fld st(0)
    fucomip st, st(1)
    adc edx, 0
    fld st(0)
    fcomip st, st(2)
    adc edx, 0
    fucomi st, st(1)
    adc edx, 0
    fld1
    fcomp st(1)
    fld1
    fld st(0)
    fcompp
    fld st(1)
    fucomp st(2)
    ficom word ptr [ebx+60]
    fld1
    ficomp dword ptr [ebx+208]
    fld1
    fcomp qword ptr [ebx+56]
    fnstsw ax
    movzx ecx, ax
    add edx, ecx
    mov eax, [ebx+208]
    fist dword ptr [ebx+140]
    fld st(0)
    fistp word ptr [ebx+144]
    fld st(1)
    fistp qword ptr [ebx+148]
    fnstcw [ebx+160]
    movzx ecx, word ptr [ebx+160]
    or ecx, 0xc00
    mov [ebx+162], cx
    fldcw [ebx+162]
    fld st(0)
    fistp dword ptr [ebx+164]
    fist dword ptr [ebx+168]
    fldcw [ebx+160]
    fild qword ptr [ebx+148]
    fldpi
    fldl2e
    faddp st(1), st
    fldl2t
    fldlg2
    fldln2
    faddp st(1), st
    faddp st(1), st
    faddp st(1), st
    faddp st(1), st
    fstp qword ptr [ebx+176]
    fxsave [ebx+1024]
`;

/**
 * The series of userland/bench/cpu-x87.c (x = 0.999999·2^scale, term and sum in ST(0..2)) with `body` added to
 * each of 300 passes, then `after`.
 */
function seriesLoop(cw: number, scale: number, body: string, after: string): string {
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
    mov word ptr [ebx+60], 7
    mov eax, 1
  again:
    fmul st(1), st
    mov [ebx+208], eax
    fild dword ptr [ebx+208]
    fdivr st, st(2)
    faddp st(3), st
    ${body}
    inc eax
    cmp eax, 300
    jne again
    ${after}
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
  /** The x87 state at the end (an FNSAVE image). */
  fpu: number[];
}

/**
 * Runs `source` in slices of `budget` instructions. WebAssembly regions run with the decoded tier on, as in
 * `kmos run`: without it every instruction starts a block, and so a label (where the x87 registers the region
 * keeps are written back), which would hide how a region keeps them across instructions.
 */
function runProgram(source: string, jit: number, budget: number, compiler: RegionCompiler = 'js'): Outcome {
  const { code } = assemble(source);
  const m = testProgram(code, [0, 0, 0, TEST_DATA], jit, compiler === 'wasm', compiler);
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
    data: Array.from(m.read(TEST_DATA, 1536)),
    fpu: fnsaveImage(m.cpu),
  };
}

function fnsaveImage(cpu: { saveFpu(format: 'fnsave', into: Uint8Array): void }): number[] {
  const image = new Uint8Array(108);
  cpu.saveFpu('fnsave', image);
  return Array.from(image);
}

/**
 * The stack's edges in x87 code a region keeps in locals, under control word `cw`: pushes up to a full stack,
 * exchanges and copies across it, eight pops. A ninth push overflows the stack on pass 30 (pass 1 takes the
 * same path with one push fewer, so the region holds it): masked, the default; with IE unmasked, #MF (16) at
 * the next instruction, after the general path left TOP where the region's own code would not have. With IE
 * masked, arithmetic on the empty stack underflows on every pass. On pass 40 a store between x87 instructions
 * faults (#PF, 14: EDI unmapped) while a rounded quotient (PE and C1) is still in locals: the region must
 * write back registers, TOP and status word before it leaves.
 */
function stackEdgesProgram(cw: number): string {
  const underflow = cw & 1 ? 'fadd st, st(1)\n    fstp st(0)' : '';
  return `
    fninit
    mov dword ptr [ebx+200], ${cw}
    fldcw word ptr [ebx+200]
    mov edi, 0x10000000
    mov eax, 1
  again:
    mov esi, ebx
    cmp eax, 40
    cmove esi, edi
    fld1
    fldz
    fld st(1)
    fadd st, st(1)
    fadd st, st(0)
    fadd st, st(2)
    fdivr st, st(2)
    mov [esi+300], eax
    fld st(0)
    fmul st, st(0)
    fld1
    fld1
    fld1
    cmp eax, 1
    je partial
    fld1
  partial:
    cmp eax, 30
    je extra
    cmp eax, 1
    jne full
  extra:
    fld1
    fadd st, st(1)
  full:
    fxch st(7)
    fst st(3)
    fst qword ptr [ebx+56]
    fstp st(0)
    fstp st(0)
    fstp st(0)
    fstp st(0)
    fstp st(0)
    fstp st(0)
    fstp st(0)
    fstp st(0)
    ${underflow}
    inc eax
    cmp eax, 60
    jne again
    mov eax, 1
    int 0x80
  `;
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

/**
 * The extended values of every FXAM class (SDM vol. 2, FXAM; the unsupported formats too) as [low dword, high
 * dword, sign and exponent].
 */
const EXAMINED = [
  [0, 0, 0x0000], // +0
  [0, 0, 0x8000], // -0
  [1, 0, 0x0000], // denormal
  [0, 0x80000000, 0x8000], // pseudo-denormal: a denormal to FXAM
  [0, 0x80000000, 0x3fff], // 1.0
  [0, 0xc0000000, 0xc000], // -3.0
  [0, 0x80000000, 0x7fff], // +inf
  [0, 0x80000000, 0xffff], // -inf
  [0, 0xc0000000, 0x7fff], // QNaN
  [1, 0x80000000, 0xffff], // SNaN
  [0, 0x40000000, 0x3fff], // unnormal: unsupported
  [0, 0, 0x7fff], // pseudo-infinity: unsupported
  [5, 0x00000001, 0xffff], // pseudo-NaN: unsupported
] as const;

/**
 * FXAM of each value in EXAMINED, then of the empty register it leaves (whose sign C1 still shows), in a loop
 * of 40 passes; EDX sums every status word, rotated so the order counts.
 */
function examineProgram(): string {
  const table = EXAMINED.flatMap(([lo, hi, se], i) => [
    `mov dword ptr [ebx+${400 + i * 16}], ${lo}`,
    `mov dword ptr [ebx+${404 + i * 16}], ${hi}`,
    `mov word ptr [ebx+${408 + i * 16}], ${se}`,
  ]).join('\n    ');
  return `
    fninit
    ${table}
    xor edx, edx
    mov edi, 40
  pass:
    xor esi, esi
  value:
    fld tbyte ptr [ebx+esi+400]
    fxam
    fnstsw ax
    rol edx, 5
    add edx, eax
    fstp st(0)
    fxam
    fnstsw ax
    rol edx, 3
    add edx, eax
    add esi, 16
    cmp esi, ${EXAMINED.length * 16}
    jne value
    dec edi
    jnz pass
    mov [ebx], edx
    mov eax, 1
    int 0x80
  `;
}

describe('x87 in compiled traces', () => {
  it.each([
    ['js', 0x37f],
    ['wasm', 0x37f],
    ['wasm', 0x27f],
    ['js', 0x37e],
    ['wasm', 0x37e],
  ] as const)('agree with the interpreter at the stack edges (%s regions, cw %s)', (compiler, cw) => {
    const source = stackEdgesProgram(cw);
    const interpreted = runProgram(source, 0, 1000);
    expect(runProgram(source, 1, 1000, compiler)).toEqual(interpreted);
    // A fault ends every run: #PF at pass 40 (14), or #MF (16) after the overflow when IE is unmasked.
    expect(interpreted.exits.slice(-3, -2).concat(interpreted.exits.slice(-1))).toEqual([
      RunExit.Fault,
      cw & 1 ? 14 : 16,
    ]);
  });

  it.each([
    ['FISTP', SELF_MODIFYING, 'js'],
    ['FSTP m32fp', SELF_MODIFYING.replace('fistp dword', 'fstp dword'), 'wasm'],
  ] as const)('leave after an FPU store into their own code (%s, %s regions)', (_, source, compiler) => {
    const interpreted = runProgram(source, 0, 1000);
    expect(runProgram(source, 1, 1000, compiler)).toEqual(interpreted);
    expect(interpreted.exits.at(-2)).toBe(RunExit.Syscall);
  });

  it('run the arithmetic under precision control 53 bits in WebAssembly regions, without step', () => {
    // glibc's libm sets 53 bits for its double functions: every FMUL, FDIVR and FADDP here would be a step.
    const source = seriesLoop(0x27f, 0, '', '');
    const compiled = testProgram(assemble(source).code, [0, 0, 0, TEST_DATA], 1, true, 'wasm');
    while (compiled.cpu.run(1000) === RunExit.Budget);
    expect(runProgram(source, 1, 1000, 'wasm')).toEqual(runProgram(source, 0, 1000));
    // The loop runs 299 passes; only the set-up's FSCALE and the first pass's entry go through step.
    expect(compiled.cpu.stats().regionSteps).toBeLessThan(20);
  });

  it('run FXAM of every class, and of an empty register, in WebAssembly regions, without step', () => {
    // glibc's printf asks FXAM the class of each double it formats (busybox's seq).
    const source = examineProgram();
    const compiled = testProgram(assemble(source).code, [0, 0, 0, TEST_DATA], 1, true, 'wasm');
    while (compiled.cpu.run(1000) === RunExit.Budget);
    expect(runProgram(source, 1, 1000, 'wasm')).toEqual(runProgram(source, 0, 1000));
    // 1,040 FXAMs; before their template, each made its region a JS one.
    expect(compiled.cpu.stats().regionSteps).toBeLessThan(20);
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
  const programs = [
    ['every form', seriesProgram],
    ['the forms WebAssembly regions run', plannedSeriesProgram],
  ] as const;
  const compilers: RegionCompiler[] = ['js', 'wasm'];
  it.each(
    programs.flatMap(([name, program]) =>
      compilers.flatMap((compiler) =>
        cases.map(([cw, scale]) => [name, compiler, cw, scale, program] as const),
      ),
    ),
  )('agree with the interpreter (%s, %s regions, cw %s, scale 2^%s)', (_, compiler, cw, scale, program) => {
    const source = program(cw, scale);
    const interpreted = runProgram(source, 0, 1000);
    const compiled = runProgram(source, 1, 1000, compiler);
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
