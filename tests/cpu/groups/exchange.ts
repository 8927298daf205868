/**
 * Generators for the exchanging instructions: xchg (register/register, the 90+r accumulator form,
 * register/memory), cmpxchg (8/16/32, register and memory destination, equal and unequal), cmpxchg8b,
 * and xadd (8/16/32, register and memory destination).
 */
import { asmLines, cName, cProgram, cString, type Group, SIZES, type Size, withFlags } from './c-program.js';

const RANDOM_PAIRS = 16;

/** xchg, cmpxchg and xadd report both operands: r is the first, b the second. */
const REPORT_TWO = `static void report_two(const char *name, int bits, u32 a, u32 b, u32 fin, u32 r1, u32 r2, u32 fout) {
  out_s(name);
  out_kv("a", a, bits);
  out_kv("b", b, bits);
  out_kv("f", fin, 12);
  out_s(" ->");
  out_kv("r1", r1, 32);
  out_kv("r2", r2, 32);
  out_kv("f", fout, 12);
  out_nl();
}`;

function xchgFunction(size: Size, form: 'r,r' | 'acc,r' | 'm,r'): string {
  const label = `xchg.${size.suffix} ${form}`;
  const first = form === 'acc,r' ? '"+a"(r)' : form === 'm,r' ? '[m] "+m"(m)' : `[r] "+${size.reg}"(r)`;
  const dest = form === 'm,r' ? '%[m]' : `%${size.mod}[r]`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 r = with_junk(a, ${size.bits}), rb = with_junk(b, ${size.bits}) ^ 0x0f0f0000u, fout;
  ${size.ctype} m = (${size.ctype})a;
  __asm__ volatile(${withFlags(`xchg${size.suffix} %${size.mod}[b], ${form === 'acc,r' ? `%${size.mod}0` : dest}`)} : ${first}, [b] "+${size.reg === 'q' ? 'q' : 'r'}"(rb), [fout] "=&r"(fout)${form === 'm,r' ? '' : ', [m] "+m"(m)'} : [fin] "r"(fin) : "cc");
  report_two(${cString(label)}, ${size.bits}, a, b, fin, ${form === 'm,r' ? 'm' : 'r'}, rb, fout & STATUS_FLAGS);
}`;
}

/** cmpxchg dest, src with accumulator a and destination b; src is ~a so a swap is visible. */
function cmpxchgFunction(size: Size, where: 'r' | 'm'): string {
  const label = `cmpxchg.${size.suffix} ${where},r`;
  const dest = where === 'm' ? '%[m]' : `%${size.mod}[d]`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 eax = with_junk(a, ${size.bits}), d = with_junk(b, ${size.bits}) ^ 0x0f0f0000u, src = ~a, fout;
  ${size.ctype} m = (${size.ctype})b;
  __asm__ volatile(${withFlags(`cmpxchg${size.suffix} %${size.mod}[src], ${dest}`)} : "+a"(eax), [d] "+${size.reg}"(d), [m] "+m"(m), [fout] "=&r"(fout) : [src] "${size.reg}"(src), [fin] "r"(fin) : "cc");
  report_two(${cString(label)}, ${size.bits}, a, b, fin, eax, ${where === 'm' ? 'm' : 'd'}, fout & STATUS_FLAGS);
}`;
}

function xaddFunction(size: Size, where: 'r' | 'm'): string {
  const label = `xadd.${size.suffix} ${where},r`;
  const dest = where === 'm' ? '%[m]' : `%${size.mod}[d]`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 d = with_junk(a, ${size.bits}), src = with_junk(b, ${size.bits}) ^ 0x0f0f0000u, fout;
  ${size.ctype} m = (${size.ctype})a;
  __asm__ volatile(${withFlags(`xadd${size.suffix} %${size.mod}[src], ${dest}`)} : [d] "+${size.reg}"(d), [src] "+${size.reg}"(src), [m] "+m"(m), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report_two(${cString(label)}, ${size.bits}, a, b, fin, ${where === 'm' ? 'm' : 'd'}, src, fout & STATUS_FLAGS);
}`;
}

/** cmpxchg8b: edx:eax = (a, ~a) compared with m64 = (b, ~b); ecx:ebx = a 64-bit value derived from both. */
const CMPXCHG8B = `static void t_cmpxchg8b(u32 a, u32 b, u32 fin) {
  u64 m = ((u64)~b << 32) | b;
  u32 eax = a, edx = ~a, ebx = a ^ 0x01234567u, ecx = b ^ 0x89abcdefu, fout;
  __asm__ volatile(${asmLines('pushl %[fin]', 'popfl', 'cmpxchg8b %[m]', 'pushfl', 'popl %[fout]')} : "+a"(eax), "+d"(edx), [m] "+m"(m), [fout] "=&r"(fout) : "b"(ebx), "c"(ecx), [fin] "r"(fin) : "cc");
  out_s("cmpxchg8b m64");
  out_kv("a", a, 32);
  out_kv("b", b, 32);
  out_kv("f", fin, 12);
  out_s(" ->");
  out_kv("eax", eax, 32);
  out_kv("edx", edx, 32);
  out_kv("m", (u32)(m >> 32), 32);
  out_hex((u32)m, 32);
  out_kv("f", fout & STATUS_FLAGS, 12);
  out_nl();
}`;

function exchangeGroup(): Group {
  const fns = [REPORT_TWO, CMPXCHG8B];
  const calls = [`each_pair(32, ${RANDOM_PAIRS}, t_cmpxchg8b);`];
  const add = (label: string, fn: string, bits: number): void => {
    fns.push(fn);
    calls.push(`each_pair(${bits}, ${RANDOM_PAIRS}, ${cName(label)});`);
  };
  for (const size of SIZES) {
    for (const form of ['r,r', 'acc,r', 'm,r'] as const)
      add(`xchg.${size.suffix} ${form}`, xchgFunction(size, form), size.bits);
    for (const where of ['r', 'm'] as const) {
      add(`cmpxchg.${size.suffix} ${where},r`, cmpxchgFunction(size, where), size.bits);
      add(`xadd.${size.suffix} ${where},r`, xaddFunction(size, where), size.bits);
    }
  }
  return { name: 'xchg-cmpxchg-xadd', source: cProgram(fns, calls) };
}

export const exchangeGroups: readonly Group[] = [exchangeGroup()];
