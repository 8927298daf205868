/**
 * Generators for the two-operand ALU instructions (add adc sub sbb cmp and or xor test) in 8/16/32-bit
 * register/register, register/immediate (imm8 sign-extended, full immediate, accumulator short form),
 * register/memory and memory/register forms, and the one-operand inc dec neg not on registers and memory.
 * Every form prints the whole 32-bit register, so a write past an 8/16-bit operand shows.
 */
import { definedBitsExpr } from '../undefined-flags.js';
import { cName, cProgram, cString, type Group, imm, SIZES, type Size, withFlags } from './c-program.js';

const ARITH_OPS = ['add', 'adc', 'sub', 'sbb', 'cmp'];
const LOGIC_OPS = ['and', 'or', 'xor', 'test'];
const UNARY_OPS = ['inc', 'dec', 'neg', 'not'];
/** Random operand pairs after the edge x edge grid, per form. */
const RANDOM_PAIRS = 24;
const RANDOM_VALUES = 12;

/** Immediates per size: imm8 (opcode 83) when it fits a sign-extended byte, else the full form (81). */
const IMMEDIATES: Record<number, number[]> = {
  8: [0x00, 0x01, 0x7f, 0x80, 0xff, 0x5a],
  16: [0x0000, 0x0001, 0x007f, -0x80, -1, 0x0080, 0x7fff, 0x8000, 0x1234],
  32: [0, 1, 0x7f, -0x80, -1, 0x80, 0x7fffffff, -0x80000000, 0x12345678],
};

function flagsMask(op: string): string {
  return definedBitsExpr(op, 'eflags', 'STATUS_FLAGS');
}

/** One function of a binary form over (a, b, fin): `asm` computes into r (a register) or m (memory). */
function binaryFunction(
  label: string,
  size: Size,
  op: string,
  body: string,
  operands: string,
  result: string,
): string {
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  const int bits = ${size.bits}; (void)bits;
  u32 r = with_junk(a, ${size.bits}), rb = with_junk(b, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})(${result === 'm' ? 'a' : 'b'}); (void)rb;
  __asm__ volatile(${body} : ${operands} : "cc");
  report(${cString(label)}, ${size.bits}, a, b, fin, ${result}, fout & ${flagsMask(op)});
}`;
}

function binaryForms(op: string, size: Size): { fns: string[]; calls: string[] } {
  const s = size.suffix;
  const q = size.reg;
  const mod = size.mod;
  const fns: string[] = [];
  const calls: string[] = [];
  const add = (label: string, body: string, operands: string, result: string): void => {
    fns.push(binaryFunction(label, size, op, body, operands, result));
    calls.push(`each_pair(${size.bits}, ${RANDOM_PAIRS}, ${cName(label)});`);
  };
  const regOut = `[r] "+${q}"(r), [fout] "=&r"(fout)`;
  add(
    `${op}.${s} r,r`,
    withFlags(`${op}${s} %${mod}[b], %${mod}[r]`),
    `${regOut} : [b] "${q}"(rb), [fin] "r"(fin)`,
    'r',
  );
  add(
    `${op}.${s} r,m`,
    withFlags(`${op}${s} %[m], %${mod}[r]`),
    `${regOut} : [m] "m"(m), [fin] "r"(fin)`,
    'r',
  );
  add(
    `${op}.${s} m,r`,
    withFlags(`${op}${s} %${mod}[b], %[m]`),
    `[m] "+m"(m), [fout] "=&r"(fout) : [b] "${q}"(rb), [fin] "r"(fin)`,
    'm',
  );
  if (size.bits === 8) {
    // ah/ch/dh/bh: the ModR/M register numbers 4-7 mean the high bytes for 8-bit operands.
    fns.push(highByteFunction(op));
    calls.push(`each_pair(8, ${RANDOM_PAIRS}, ${cName(`${op}.b rh,rh`)});`);
  }
  return { fns, calls };
}

function highByteFunction(op: string): string {
  const label = `${op}.b rh,rh`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 r = 0xa5a500a5u | (a << 8), rb = 0x5a5a005au | (b << 8), fout;
  __asm__ volatile(${withFlags(`${op}b %h[b], %h[r]`)} : [r] "+Q"(r), [fout] "=&r"(fout) : [b] "Q"(rb), [fin] "r"(fin) : "cc");
  report(${cString(label)}, 8, a, b, fin, r, fout & ${flagsMask(op)});
}`;
}

/** One function per immediate: reg (ecx), accumulator short form (eax) and memory destinations. */
function immediateForms(op: string, size: Size): { fns: string[]; calls: string[] } {
  const fns: string[] = [];
  const calls: string[] = [];
  const values = IMMEDIATES[size.bits];
  const forms: Array<[string, string, number[]]> = [
    ['r', 'c', values],
    ['acc', 'a', [values[1], values[values.length - 1]]],
    ['m', 'm', [values[2], values[values.length - 1]]],
  ];
  for (const [where, constraint, immediates] of forms) {
    for (const value of immediates) {
      const label = `${op}.${size.suffix} ${where},${imm(value)}`;
      const dest = where === 'm' ? '%[m]' : `%${size.mod}[r]`;
      const out =
        where === 'm' ? `[m] "+m"(m), [fout] "=&r"(fout)` : `[r] "+${constraint}"(r), [fout] "=&r"(fout)`;
      fns.push(`static void ${cName(label)}(u32 a, u32 fin) {
  u32 r = with_junk(a, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})a; (void)m;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${imm(value)}, ${dest}`)} : ${out} : [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, ${value >>> 0}u, fin, ${where === 'm' ? 'm' : 'r'}, fout & ${flagsMask(op)});
}`);
      calls.push(`each_value(${size.bits}, ${RANDOM_VALUES}, ${cName(label)});`);
    }
  }
  return { fns, calls };
}

function unaryForms(op: string, size: Size): { fns: string[]; calls: string[] } {
  const fns: string[] = [];
  const calls: string[] = [];
  for (const where of ['r', 'm']) {
    const label = `${op}.${size.suffix} ${where}`;
    const dest = where === 'm' ? '%[m]' : `%${size.mod}[r]`;
    const out =
      where === 'm' ? `[m] "+m"(m), [fout] "=&r"(fout)` : `[r] "+${size.reg}"(r), [fout] "=&r"(fout)`;
    fns.push(`static void ${cName(label)}(u32 a, u32 fin) {
  u32 r = with_junk(a, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})a; (void)m;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${dest}`)} : ${out} : [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, 0, fin, ${where === 'm' ? 'm' : 'r'}, fout & ${flagsMask(op)});
}`);
    calls.push(`each_value(${size.bits}, ${RANDOM_VALUES * 4}, ${cName(label)});`);
  }
  return { fns, calls };
}

function binaryGroup(name: string, ops: readonly string[]): Group {
  const fns: string[] = [];
  const calls: string[] = [];
  for (const op of ops) {
    for (const size of SIZES) {
      for (const part of [binaryForms(op, size), immediateForms(op, size)]) {
        fns.push(...part.fns);
        calls.push(...part.calls);
      }
    }
  }
  return { name, source: cProgram(fns, calls) };
}

function unaryGroup(): Group {
  const parts = UNARY_OPS.flatMap((op) => SIZES.map((size) => unaryForms(op, size)));
  return {
    name: 'alu-unary',
    source: cProgram(
      parts.flatMap((p) => p.fns),
      parts.flatMap((p) => p.calls),
    ),
  };
}

export const aluGroups: readonly Group[] = [
  binaryGroup('alu-add-sub', ARITH_OPS),
  binaryGroup('alu-logic', LOGIC_OPS),
  unaryGroup(),
];
