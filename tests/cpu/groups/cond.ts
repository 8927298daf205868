/**
 * Generators for the flag-reading instructions: jcc (rel8 and rel32), setcc (register and memory) and
 * cmovcc (16/32-bit, register and memory source) for all 16 conditions under every combination of
 * CF PF AF ZF SF OF.
 */
import { asmLines, cName, cProgram, cString, type Group, SIZES_16_32, type Size } from './c-program.js';

/** The 16 condition codes in encoding order (Intel SDM vol. 2, appendix B.1.4.7, "tttn"). */
export const CONDITIONS = [
  'o',
  'no',
  'b',
  'ae',
  'e',
  'ne',
  'be',
  'a',
  's',
  'ns',
  'p',
  'np',
  'l',
  'ge',
  'le',
  'g',
];

/** Calls fn with each of the 64 combinations of the six status flags. */
const EACH_FLAG_COMBINATION = `static const u32 status_bits[] = {CF, PF, AF, ZF, SF, OF};
typedef void (*flags_fn)(u32 a, u32 b, u32 fin);
static void each_flag_combination(u32 a, u32 b, flags_fn fn) {
  for (u32 k = 0; k < 64; k++) {
    u32 fin = 0;
    for (u32 bit = 0; bit < 6; bit++) if (k & (1u << bit)) fin |= status_bits[bit];
    fn(a, b, fin);
  }
}`;

function setccFunction(cc: string, where: 'r' | 'm'): string {
  const label = `set${cc} ${where}`;
  const dest = where === 'm' ? '%[m]' : '%b[r]';
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 r = 0xa5a5a5a5u; u8 m = 0x5a; (void)b;
  __asm__ volatile(${asmLines('pushl %[fin]', 'popfl', `set${cc} ${dest}`)} : [r] "+q"(r), [m] "+m"(m) : [fin] "r"(fin) : "cc");
  report(${cString(label)}, 32, a, 0, fin, ${where === 'm' ? 'm' : 'r'}, 0);
}`;
}

function cmovFunction(cc: string, size: Size, where: 'r' | 'm'): string {
  const label = `cmov${cc}.${size.suffix} r,${where}`;
  const src = where === 'm' ? '%[m]' : `%${size.mod}[b]`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 r = with_junk(a, ${size.bits}), rb = with_junk(b, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})b; (void)m;
  __asm__ volatile(${asmLines('pushl %[fin]', 'popfl', `cmov${cc}${size.suffix} ${src}, %${size.mod}[r]`, 'pushfl', 'popl %[fout]')} : [r] "+r"(r), [fout] "=&r"(fout) : [b] "r"(rb), [m] "m"(m), [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, b, fin, r, fout & STATUS_FLAGS);
}`;
}

/** jcc rel8 (70+cc) and rel32 (0F 80+cc, forced with gas's {disp32}): r = 0 when taken, 1 when not. */
function jccFunction(cc: string, near: boolean): string {
  const label = `j${cc} ${near ? 'rel32' : 'rel8'}`;
  // Braces are dialect alternatives in gcc inline asm, hence %{ %}.
  const jump = `${near ? '%{disp32%} ' : ''}j${cc} 1f`;
  return `static void ${cName(label)}(u32 a, u32 b, u32 fin) {
  u32 r, fout; (void)a; (void)b;
  __asm__ volatile(${asmLines('pushl %[fin]', 'popfl', 'movl $0, %[r]', jump, 'movl $1, %[r]', '1:', 'pushfl', 'popl %[fout]')} : [r] "=&r"(r), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report(${cString(label)}, 32, 0, 0, fin, r, fout & STATUS_FLAGS);
}`;
}

function conditionGroup(): Group {
  const fns = [EACH_FLAG_COMBINATION];
  const calls: string[] = [];
  for (const cc of CONDITIONS) {
    for (const near of [false, true]) {
      fns.push(jccFunction(cc, near));
      calls.push(`each_flag_combination(0, 0, ${cName(`j${cc} ${near ? 'rel32' : 'rel8'}`)});`);
    }
    for (const where of ['r', 'm'] as const) {
      fns.push(setccFunction(cc, where));
      calls.push(`each_flag_combination(0, 0, ${cName(`set${cc} ${where}`)});`);
      for (const size of SIZES_16_32) {
        fns.push(cmovFunction(cc, size, where));
        calls.push(
          `each_flag_combination(0x12345678u & width_mask(${size.bits}), 0xfedcba98u & width_mask(${size.bits}), ${cName(`cmov${cc}.${size.suffix} r,${where}`)});`,
        );
      }
    }
  }
  return { name: 'jcc-setcc-cmovcc', source: cProgram(fns, calls) };
}

export const conditionGroups: readonly Group[] = [conditionGroup()];
