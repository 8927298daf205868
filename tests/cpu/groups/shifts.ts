/**
 * Generators for shifts and rotates: shl shr sar rol ror rcl rcr on 8/16/32-bit registers and memory, by 1
 * (D0/D1), by an immediate (C0/C1, including the C1 encoding of a count of 1 that assemblers never pick)
 * and by CL, with counts 0..33 so that the 5-bit count mask and the 9/17-bit rotate-through-carry
 * widths are crossed; and shld/shrd on 16/32-bit operands by immediate and by CL.
 */
import { definedBitsExpr, destUndefinedExpr } from '../undefined-flags.js';
import {
  cName,
  cProgram,
  cString,
  type Group,
  imm,
  SIZES,
  SIZES_16_32,
  type Size,
  withFlags,
} from './c-program.js';

const SHIFT_OPS = ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'];
/** The /digit of each shift in the C0/C1/D0-D3 group (Intel SDM vol. 2, table A-6, group 2). */
const GROUP2_DIGIT: Record<string, number> = { rol: 0, ror: 1, rcl: 2, rcr: 3, shl: 4, shr: 5, sar: 7 };
const MAX_COUNT = 33;
const RANDOM_VALUES = 3;

function flagsMask(op: string): string {
  return definedBitsExpr(op, 'eflags', 'STATUS_FLAGS');
}

/** reg or memory by CL, counts 0..33. */
function byClFunction(op: string, size: Size, where: 'r' | 'm'): string {
  const label = `${op}.${size.suffix} ${where},cl`;
  const dest = where === 'm' ? '%[m]' : `%${size.mod}[r]`;
  const out = where === 'm' ? `[m] "+m"(m), [fout] "=&r"(fout)` : `[r] "+${size.reg}"(r), [fout] "=&r"(fout)`;
  return `static void ${cName(label)}(u32 a, u32 cnt, u32 fin) {
  const u32 bits = ${size.bits}, count = cnt & 31; (void)bits; (void)count;
  u32 r = with_junk(a, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})a; (void)m;
  __asm__ volatile(${withFlags(`${op}${size.suffix} %%cl, ${dest}`)} : ${out} : [fin] "r"(fin), "c"(cnt) : "cc");
  report(${cString(label)}, ${size.bits}, a, cnt, fin, ${where}, fout & ${flagsMask(op)});
}`;
}

/** reg by an immediate count; count 1 is assembled as D0/D1 ("by 1"), every other count as C0/C1. */
function byImmFunction(op: string, size: Size, count: number): string {
  const label = `${op}.${size.suffix} r,${imm(count)}`;
  return `static void ${cName(label)}(u32 a, u32 fin) {
  const u32 bits = ${size.bits}, count = ${count & 31}; (void)bits; (void)count;
  u32 r = with_junk(a, ${size.bits}), fout;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${imm(count)}, %${size.mod}[r]`)} : [r] "+${size.reg}"(r), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, ${count}, fin, r, fout & ${flagsMask(op)});
}`;
}

/** C0/C1 /digit ib with ib = 1 on eax, spelled in bytes since assemblers always choose D0/D1 for it. */
function c1ByOneFunction(op: string, size: Size): string {
  const label = `${op}.${size.suffix} r,$1 (C0/C1 ib)`;
  const prefix = size.bits === 16 ? '0x66, ' : '';
  const opcode = size.bits === 8 ? '0xc0' : '0xc1';
  const modrm = `0x${(0xc0 | (GROUP2_DIGIT[op] << 3)).toString(16)}`;
  return `static void ${cName(label)}(u32 a, u32 fin) {
  const u32 bits = ${size.bits}, count = 1; (void)bits; (void)count;
  u32 r = with_junk(a, ${size.bits}), fout;
  __asm__ volatile(${withFlags(`.byte ${prefix}${opcode}, ${modrm}, 0x01`)} : "+a"(r), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, 1, fin, r, fout & ${flagsMask(op)});
}`;
}

function shiftByClGroup(): Group {
  const fns: string[] = [];
  const calls: string[] = [];
  for (const op of SHIFT_OPS) {
    for (const size of SIZES) {
      for (const where of ['r', 'm'] as const) {
        fns.push(byClFunction(op, size, where));
        // The register form covers the arithmetic; the memory form checks the read-modify-write path, so it
        // takes only the two largest edges and a few random values.
        const values =
          where === 'r' ? `0, ${RANDOM_VALUES}` : `edge_count(${size.bits}) - 2, ${RANDOM_VALUES}`;
        calls.push(
          `each_count(${size.bits}, ${MAX_COUNT}, ${values}, ${cName(`${op}.${size.suffix} ${where},cl`)});`,
        );
      }
    }
  }
  return { name: 'shift-rotate-by-cl', source: cProgram(fns, calls) };
}

function shiftByImmGroup(): Group {
  const fns: string[] = [];
  const calls: string[] = [];
  for (const op of SHIFT_OPS) {
    for (const size of SIZES) {
      for (let count = 0; count <= MAX_COUNT; count++) {
        fns.push(byImmFunction(op, size, count));
        calls.push(
          `each_value(${size.bits}, ${RANDOM_VALUES}, ${cName(`${op}.${size.suffix} r,${imm(count)}`)});`,
        );
      }
      fns.push(c1ByOneFunction(op, size));
      calls.push(
        `each_value(${size.bits}, ${RANDOM_VALUES}, ${cName(`${op}.${size.suffix} r,$1 (C0/C1 ib)`)});`,
      );
    }
  }
  return { name: 'shift-rotate-by-imm', source: cProgram(fns, calls) };
}

/** shld/shrd dest, src by CL (count runs) or by an immediate. */
function doubleShiftFunction(op: string, size: Size, count: number | 'cl', where: 'r' | 'm'): string {
  const label = `${op}.${size.suffix} ${where},r,${count === 'cl' ? 'cl' : imm(count)}`;
  const countOperand = count === 'cl' ? '%%cl' : imm(count);
  const dest = where === 'm' ? '%[m]' : `%${size.mod}[r]`;
  const out = where === 'm' ? `[m] "+m"(m), [fout] "=&r"(fout)` : `[r] "+r"(r), [fout] "=&r"(fout)`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 cnt, u32 fin) {
  const u32 bits = ${size.bits}, count = ${count === 'cl' ? 'cnt & 31' : count & 31}; (void)bits;
  u32 r = with_junk(a, ${size.bits}), rb = with_junk(b, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})a; (void)m;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${countOperand}, %${size.mod}[b], ${dest}`)} : ${out} : [b] "r"(rb), [fin] "r"(fin), "c"(cnt) : "cc");
  report_dest(${cString(label)}, ${size.bits}, a, b, fin, ${where}, ${destUndefinedExpr(op)}, fout & ${flagsMask(op)});
}`;
}

function doubleShiftGroup(): Group {
  const fns: string[] = [];
  const calls: string[] = [];
  for (const op of ['shld', 'shrd']) {
    for (const size of SIZES_16_32) {
      for (const where of ['r', 'm'] as const) {
        fns.push(doubleShiftFunction(op, size, 'cl', where));
        calls.push(
          `each_count_pair(${size.bits}, ${MAX_COUNT}, 16, ${cName(`${op}.${size.suffix} ${where},r,cl`)});`,
        );
      }
      for (let count = 0; count <= MAX_COUNT; count++) {
        fns.push(doubleShiftFunction(op, size, count, 'r'));
        // One count per call: the imm form ignores the loop's count, so run the loop over count 0 only.
        calls.push(
          `each_count_pair(${size.bits}, 0, 12, ${cName(`${op}.${size.suffix} r,r,${imm(count)}`)});`,
        );
      }
    }
  }
  return { name: 'shld-shrd', source: cProgram(fns, calls) };
}

export const shiftGroups: readonly Group[] = [shiftByClGroup(), shiftByImmGroup(), doubleShiftGroup()];
