/**
 * Generators for multiplication and division: mul and one-operand imul (8/16/32, register and memory),
 * two-operand imul (0F AF) and three-operand imul with imm8 (6B) and full immediates (69), div and idiv
 * (8/16/32, register and memory) with dividends built from quotient * divisor + remainder so that no
 * input raises #DE (division faults are the kernel's business, tested elsewhere).
 */
import { definedBitsExpr } from '../undefined-flags.js';
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

const RANDOM_PAIRS = 24;
const RANDOM_DIV_OPERANDS = 5;
const THREE_OPERAND_IMMEDIATES = [0, 1, -1, 3, 0x7f, -0x80, 0x80, 0x1234, -0x7fff];

function flagsMask(op: string): string {
  return definedBitsExpr(op, 'eflags', 'STATUS_FLAGS');
}

/** mul / imul with one operand: al|ax|eax times the operand into ax|dx:ax|edx:eax. */
function oneOperandFunction(op: string, size: Size, where: 'r' | 'm'): string {
  const label = `${op}.${size.suffix} ${where}`;
  const src = where === 'm' ? '%[m]' : `%${size.mod}[b]`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 eax = with_junk(a, ${size.bits}), edx = 0x5a5a5a5au, rb = with_junk(b, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})b; (void)m;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${src}`)} : "+a"(eax), "+d"(edx), [fout] "=&r"(fout) : [b] "${size.reg === 'q' ? 'b' : 'r'}"(rb), [m] "m"(m), [fin] "r"(fin) : "cc");
  report_ad(${cString(label)}, ${size.bits}, a, b, fin, eax, edx, fout & ${flagsMask(op)});
}`;
}

/** imul r, r/m (0F AF). */
function twoOperandFunction(size: Size, where: 'r' | 'm'): string {
  const label = `imul.${size.suffix} r,${where}`;
  const src = where === 'm' ? '%[m]' : `%${size.mod}[b]`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 r = with_junk(a, ${size.bits}), rb = with_junk(b, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})b; (void)m;
  __asm__ volatile(${withFlags(`imul${size.suffix} ${src}, %${size.mod}[r]`)} : [r] "+r"(r), [fout] "=&r"(fout) : [b] "r"(rb), [m] "m"(m), [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, b, fin, r, fout & ${flagsMask('imul')});
}`;
}

/** imul r, r/m, imm: 6B with a sign-extended imm8, 69 otherwise (the assembler picks the shorter one). */
function threeOperandFunction(size: Size, where: 'r' | 'm', value: number): string {
  const label = `imul.${size.suffix} r,${where},${imm(value)}`;
  const src = where === 'm' ? '%[m]' : `%${size.mod}[b]`;
  return `static void ${cName(label)}(u32 a, u32 fin) {
  u32 r = 0xdeadbeefu, rb = with_junk(a, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})a; (void)m;
  __asm__ volatile(${withFlags(`imul${size.suffix} ${imm(value)}, ${src}, %${size.mod}[r]`)} : [r] "+r"(r), [fout] "=&r"(fout) : [b] "r"(rb), [m] "m"(m), [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, ${value >>> 0}u, fin, r, fout & ${flagsMask('imul')});
}`;
}

/** div / idiv of (hi:lo) by d; 8-bit divides ax (lo) and ignores hi. */
function divisionFunction(op: string, size: Size, where: 'r' | 'm'): string {
  const label = `${op}.${size.suffix} ${where}`;
  const src = where === 'm' ? '%[m]' : `%${size.mod}[b]`;
  const edx = size.bits === 8 ? '0x5a5a5a5au' : `with_junk(hi, ${size.bits})`;
  return `static void ${cName(label)}(u32 lo, u32 hi, u32 d, u32 fin) {
  u32 eax = with_junk(lo, ${size.bits === 8 ? 16 : size.bits}), edx = ${edx}, rb = with_junk(d, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})d; (void)m;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${src}`)} : "+a"(eax), "+d"(edx), [fout] "=&r"(fout) : [b] "${size.reg === 'q' ? 'b' : 'r'}"(rb), [m] "m"(m), [fin] "r"(fin) : "cc");
  out_s(${cString(label)});
  out_kv("hi", hi, ${size.bits});
  report_ad("", ${size.bits === 8 ? 16 : size.bits}, lo, d, fin, eax, edx, fout & ${flagsMask(op)});
}`;
}

/**
 * Calls fn(lo, hi, divisor, fin) for quotients and divisors from the operand tables, with a random
 * remainder smaller than the divisor and of the dividend's sign, so the quotient always fits.
 */
const EACH_DIVISION = `typedef void (*div_fn)(u32 lo, u32 hi, u32 d, u32 fin);
static void each_division(int bits, int is_signed, div_fn fn) {
  u32 n = edge_count(bits) + ${RANDOM_DIV_OPERANDS};
  for (u32 i = 0; i < n; i++)
    for (u32 j = 0; j < n; j++) {
      u32 q = operand(bits, i), d = operand(bits, j);
      if (d == 0) continue;
      u64 dividend;
      if (!is_signed) {
        dividend = (u64)q * d + rng_next() % d;
      } else {
        s64 product = (s64)sign_extend(q, bits) * sign_extend(d, bits);
        s32 sd = sign_extend(d, bits);
        s64 rem = rng_next() % (u32)(sd < 0 ? -sd : sd);
        if (product < 0 || (product == 0 && (rng_next() & 1))) rem = -rem;
        dividend = (u64)(product + rem);
      }
      u32 lo = bits == 32 ? (u32)dividend : (u32)dividend & width_mask(bits == 8 ? 16 : bits);
      u32 hi = bits == 16 ? (u32)(dividend >> 16) & 0xffff : bits == 32 ? (u32)(dividend >> 32) : 0;
      for (u32 f = 0; f < COUNT_OF(flag_inputs); f++) fn(lo, hi, d, flag_inputs[f]);
    }
}`;

function multiplyGroup(): Group {
  const fns: string[] = [];
  const calls: string[] = [];
  const pair = (fn: string, bits: number) => calls.push(`each_pair(${bits}, ${RANDOM_PAIRS}, ${fn});`);
  for (const size of SIZES) {
    for (const op of ['mul', 'imul']) {
      for (const where of ['r', 'm'] as const) {
        fns.push(oneOperandFunction(op, size, where));
        pair(cName(`${op}.${size.suffix} ${where}`), size.bits);
      }
    }
  }
  for (const size of SIZES_16_32) {
    for (const where of ['r', 'm'] as const) {
      fns.push(twoOperandFunction(size, where));
      pair(cName(`imul.${size.suffix} r,${where}`), size.bits);
      for (const value of THREE_OPERAND_IMMEDIATES) {
        fns.push(threeOperandFunction(size, where, value));
        calls.push(`each_value(${size.bits}, 8, ${cName(`imul.${size.suffix} r,${where},${imm(value)}`)});`);
      }
    }
  }
  return { name: 'mul-imul', source: cProgram(fns, calls) };
}

function divideGroup(): Group {
  const fns: string[] = [EACH_DIVISION];
  const calls: string[] = [];
  for (const size of SIZES) {
    for (const op of ['div', 'idiv']) {
      for (const where of ['r', 'm'] as const) {
        fns.push(divisionFunction(op, size, where));
        calls.push(
          `each_division(${size.bits}, ${op === 'idiv' ? 1 : 0}, ${cName(`${op}.${size.suffix} ${where}`)});`,
        );
      }
    }
  }
  return { name: 'div-idiv', source: cProgram(fns, calls) };
}

export const mulDivGroups: readonly Group[] = [multiplyGroup(), divideGroup()];
