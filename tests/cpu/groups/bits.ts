/**
 * Generators for bit instructions: bt bts btr btc with a register or immediate bit offset on registers
 * (offset taken modulo the operand size) and on memory, where a register offset addresses a bit string
 * far before or after the operand (large and negative offsets); bsf/bsr including a zero source; bswap.
 */
import { definedBitsExpr, destUndefinedExpr } from '../undefined-flags.js';
import { cName, cProgram, cString, type Group, imm, SIZES_16_32, type Size, withFlags } from './c-program.js';

const BIT_OPS = ['bt', 'bts', 'btr', 'btc'];
const BIT_IMMEDIATES = [0, 1, 7, 15, 16, 31, 32, 33, 63, 200];
/** Bit offsets into the bit string: around the operand, across words, far away and negative. */
const BIT_STRING_OFFSETS = [
  0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, -1, -2, -8, -16, -17, -32, -33, -1000, 1000, 12345, -12345,
  32767, -32768,
];
const RANDOM_VALUES = 12;

function flagsMask(op: string): string {
  return definedBitsExpr(op, 'eflags', 'STATUS_FLAGS');
}

/** The bit string: a 12 KiB pattern; tests address it from its middle so offsets of +/-32 Ki bits stay inside. */
const BIT_STRING = `static u8 bit_string[12288];
#define BIT_STRING_MIDDLE (bit_string + 6144)
/* Fills the 16 bytes around bit \`offset\` with a pattern that depends on it (the rest stays zero: the
 * window printed afterwards is what the test checks). */
static void fill_bit_string(s32 offset) {
  u32 seed = (u32)offset ^ 0x9e3779b9u;
  u8 *p = BIT_STRING_MIDDLE + (offset >> 3) - 8;
  for (u32 i = 0; i < 16; i++) p[i] = (u8)(seed * (i + 1) >> 5);
}
/* The 8 bytes around the byte holding bit \`offset\` of the string. */
static void out_bit_string_window(s32 offset) {
  out_bytes("mem", BIT_STRING_MIDDLE + (offset >> 3) - 3, 8);
}`;

function bitRegFunction(op: string, size: Size, offset: 'reg' | number): string {
  const label = `${op}.${size.suffix} r,${offset === 'reg' ? 'r' : imm(offset)}`;
  const src = offset === 'reg' ? `%${size.mod}[b]` : imm(offset);
  const params = offset === 'reg' ? 'u32 a, u32 b, u32 fin' : 'u32 a, u32 fin';
  return `static void ${cName(label)}(${params}) {
  u32 r = with_junk(a, ${size.bits}), rb = ${offset === 'reg' ? `with_junk(b, ${size.bits})` : 0}, fout; (void)rb;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${src}, %${size.mod}[r]`)} : [r] "+r"(r), [fout] "=&r"(fout) : [b] "r"(rb), [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, ${offset === 'reg' ? 'b' : offset}, fin, r, fout & ${flagsMask(op)});
}`;
}

/** op m, r: the offset register selects any bit of the string, relative to the operand's address. */
function bitStringFunction(op: string, size: Size): string {
  const label = `${op}.${size.suffix} m,r`;
  return `static void ${cName(label)}(s32 offset, u32 fin) {
  u32 fout, rb = with_junk((u32)offset, ${size.bits});
  fill_bit_string(${size.bits === 16 ? '(s16)offset' : 'offset'});
  __asm__ volatile(${withFlags(`${op}${size.suffix} %${size.mod}[b], (%[base])`)} : [fout] "=&r"(fout) : [b] "r"(rb), [base] "r"(BIT_STRING_MIDDLE), [fin] "r"(fin) : "cc", "memory");
  out_s(${cString(label)});
  out_kv("b", (u32)offset, ${size.bits});
  out_kv("f", fin, 12);
  out_s(" ->");
  out_bit_string_window(${size.bits === 16 ? '(s16)offset' : 'offset'});
  out_kv("f", fout & ${flagsMask(op)}, 12);
  out_nl();
}`;
}

function bitMemImmFunction(op: string, size: Size, offset: number): string {
  const label = `${op}.${size.suffix} m,${imm(offset)}`;
  return `static void ${cName(label)}(u32 a, u32 fin) {
  u32 fout;
  ${size.ctype} m = (${size.ctype})a;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${imm(offset)}, %[m]`)} : [m] "+m"(m), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${size.bits}, a, ${offset}, fin, m, fout & ${flagsMask(op)});
}`;
}

function bitTestGroup(): Group {
  const fns = [BIT_STRING];
  const calls: string[] = [];
  const offsets = `static const s32 bit_string_offsets[] = {${BIT_STRING_OFFSETS.join(', ')}};`;
  fns.push(offsets);
  for (const op of BIT_OPS) {
    for (const size of SIZES_16_32) {
      fns.push(bitRegFunction(op, size, 'reg'));
      calls.push(`each_pair(${size.bits}, ${RANDOM_VALUES}, ${cName(`${op}.${size.suffix} r,r`)});`);
      for (const offset of BIT_IMMEDIATES) {
        fns.push(bitRegFunction(op, size, offset), bitMemImmFunction(op, size, offset));
        calls.push(`each_value(${size.bits}, 2, ${cName(`${op}.${size.suffix} r,${imm(offset)}`)});`);
        calls.push(`each_value(${size.bits}, 2, ${cName(`${op}.${size.suffix} m,${imm(offset)}`)});`);
      }
      fns.push(bitStringFunction(op, size));
      calls.push(`for (u32 i = 0; i < COUNT_OF(bit_string_offsets); i++)
    for (u32 f = 0; f < COUNT_OF(flag_inputs); f++) ${cName(`${op}.${size.suffix} m,r`)}(bit_string_offsets[i], flag_inputs[f]);`);
    }
  }
  return { name: 'bt-bts-btr-btc', source: cProgram(fns, calls) };
}

function bitScanFunction(op: string, size: Size, where: 'r' | 'm'): string {
  const label = `${op}.${size.suffix} r,${where}`;
  const src = where === 'm' ? '%[m]' : `%${size.mod}[b]`;
  return `static void ${cName(label)}(u32 a, u32 fin) {
  const u32 src = a;
  u32 r = 0xdeadbeefu, rb = with_junk(a, ${size.bits}), fout;
  ${size.ctype} m = (${size.ctype})a; (void)m;
  __asm__ volatile(${withFlags(`${op}${size.suffix} ${src}, %${size.mod}[r]`)} : [r] "+r"(r), [fout] "=&r"(fout) : [b] "r"(rb), [m] "m"(m), [fin] "r"(fin) : "cc");
  report_dest(${cString(label)}, ${size.bits}, a, 0, fin, r, ${destUndefinedExpr(op)}, fout & ${flagsMask(op)});
}`;
}

function bitScanGroup(): Group {
  const fns: string[] = [];
  const calls: string[] = [];
  for (const op of ['bsf', 'bsr']) {
    for (const size of SIZES_16_32) {
      for (const where of ['r', 'm'] as const) {
        fns.push(bitScanFunction(op, size, where));
        calls.push(`each_value(${size.bits}, 48, ${cName(`${op}.${size.suffix} r,${where}`)});`);
      }
    }
  }
  fns.push(`static void t_bswap(u32 a, u32 fin) {
  u32 r = a, fout;
  __asm__ volatile(${withFlags('bswap %[r]')} : [r] "+r"(r), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report("bswap.l r", 32, a, 0, fin, r, fout & STATUS_FLAGS);
}`);
  calls.push('each_value(32, 48, t_bswap);');
  return { name: 'bsf-bsr-bswap', source: cProgram(fns, calls) };
}

export const bitGroups: readonly Group[] = [bitTestGroup(), bitScanGroup()];
