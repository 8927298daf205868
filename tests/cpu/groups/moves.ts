/**
 * Generators for moves and conversions that touch flags or partial registers: movzx/movsx (byte and word
 * sources, register incl. high bytes and memory), cbw/cwde/cwd/cdq, lahf/sahf, and pushf/popf in both
 * operand sizes with arbitrary EFLAGS images (popf at CPL 3 must ignore IF, IOPL, VIP, VIF and VM),
 * the flag instructions clc stc cmc cld std, and xlat.
 */
import { asmLines, cName, cProgram, cString, type Group, withFlags } from './c-program.js';

const RANDOM_VALUES = 24;
/** TF would single-step the rest of the test, so no image sets it. */
const POPF_SAFE = '~TF';

interface Extension {
  readonly mnemonic: string;
  readonly fromBits: 8 | 16;
  readonly toBits: 16 | 32;
}
const EXTENSIONS: readonly Extension[] = [
  { mnemonic: 'movzbw', fromBits: 8, toBits: 16 },
  { mnemonic: 'movzbl', fromBits: 8, toBits: 32 },
  { mnemonic: 'movzwl', fromBits: 16, toBits: 32 },
  { mnemonic: 'movsbw', fromBits: 8, toBits: 16 },
  { mnemonic: 'movsbl', fromBits: 8, toBits: 32 },
  { mnemonic: 'movswl', fromBits: 16, toBits: 32 },
];

function extensionFunction(ext: Extension, where: 'r' | 'rh' | 'm'): string {
  const label = `${ext.mnemonic} r,${where}`;
  const srcMod = ext.fromBits === 8 ? (where === 'rh' ? 'h' : 'b') : 'w';
  const src = where === 'm' ? '%[m]' : `%${srcMod}[b]`;
  const dest = ext.toBits === 16 ? '%w[r]' : '%k[r]';
  const ctype = ext.fromBits === 8 ? 'u8' : 'u16';
  const rb = where === 'rh' ? '0x5a5a005au | (a << 8)' : `with_junk(a, ${ext.fromBits})`;
  return `static void ${cName(label)}(u32 a, u32 fin) {
  u32 r = 0xdeadbeefu, rb = ${rb}, fout;
  ${ctype} m = (${ctype})a; (void)m;
  __asm__ volatile(${withFlags(`${ext.mnemonic} ${src}, ${dest}`)} : [r] "+r"(r), [fout] "=&r"(fout) : [b] "Q"(rb), [m] "m"(m), [fin] "r"(fin) : "cc");
  report(${cString(label)}, ${ext.fromBits}, a, 0, fin, r, fout & STATUS_FLAGS);
}`;
}

/** cbw cwde cwd cdq: eax holds the value, edx junk (cwd/cdq write it). */
function conversionFunction(op: string, bits: number): string {
  return `static void ${cName(op)}(u32 a, u32 fin) {
  u32 eax = with_junk(a, ${bits}), edx = 0x5a5a5a5au, fout;
  __asm__ volatile(${withFlags(op)} : "+a"(eax), "+d"(edx), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report_ad(${cString(op)}, ${bits}, a, 0, fin, eax, edx, fout & STATUS_FLAGS);
}`;
}

/** sahf loads SF ZF AF PF CF from AH; lahf stores them (bit 1 set, bits 3 and 5 clear) into AH. */
const LAHF_SAHF = `static void t_sahf(u32 a, u32 fin) {
  u32 eax = 0xa5a500a5u | (a << 8), fout;
  __asm__ volatile(${withFlags('sahf')} : "+a"(eax), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report("sahf", 8, a, 0, fin, eax, fout & STATUS_FLAGS);
}
static void t_lahf(u32 a, u32 fin) {
  u32 eax = with_junk(a, 8), fout;
  __asm__ volatile(${withFlags('lahf')} : "+a"(eax), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report("lahf", 8, a, 0, fin, eax, fout & STATUS_FLAGS);
}`;

/** popf an image, pushf it back: the whole EFLAGS image is compared, not only the status flags. */
const PUSHF_POPF = `static void t_popfl(u32 a, u32 fin) {
  u32 image = a & ${POPF_SAFE}, saved, fout;
  (void)fin;
  __asm__ volatile(${asmLines('pushfl', 'popl %[saved]', 'pushl %[image]', 'popfl', 'pushfl', 'popl %[fout]', 'pushl %[saved]', 'popfl')} : [saved] "=&r"(saved), [fout] "=&r"(fout) : [image] "r"(image) : "cc");
  report("popfl/pushfl", 32, image, 0, 0, fout, 0);
}
static void t_popfw(u32 a, u32 fin) {
  u32 image = a & 0xffff & ${POPF_SAFE}, saved, fout;
  u16 pushed;
  (void)fin;
  __asm__ volatile(${asmLines('pushfl', 'popl %[saved]', 'pushw %w[image]', 'popfw', 'pushfl', 'popl %[fout]', 'pushfw', 'popw %[pushed]', 'pushl %[saved]', 'popfl')} : [saved] "=&r"(saved), [fout] "=&r"(fout), [pushed] "=&r"(pushed) : [image] "r"(image) : "cc");
  report("popfw/pushfl", 16, image, pushed, 0, fout, 0);
}`;

/** clc stc cmc cld std: the status flags and DF afterwards (DF is cleared again before C runs). */
function flagOpFunction(op: string): string {
  return `static void ${cName(op)}(u32 a, u32 fin) {
  u32 fout; (void)a;
  __asm__ volatile(${asmLines('pushl %[fin]', 'popfl', op, 'pushfl', 'popl %[fout]', 'cld')} : [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report(${cString(op)}, 8, 0, 0, fin, 0, fout & (STATUS_FLAGS | DF));
}`;
}

/** xlat: al = [ebx + al] over a 256-byte table, for the edge and many random al values. */
const XLAT = `static u8 xlat_table[256];
static void t_xlat(u32 a, u32 fin) {
  u32 eax = with_junk(a, 8), fout;
  __asm__ volatile(${withFlags('xlat')} : "+a"(eax), [fout] "=&r"(fout) : "b"(xlat_table), [fin] "r"(fin) : "cc", "memory");
  report("xlat", 8, a, 0, fin, eax, fout & STATUS_FLAGS);
}`;

function movesGroup(): Group {
  const fns = [LAHF_SAHF, PUSHF_POPF, XLAT];
  const calls: string[] = [];
  for (const ext of EXTENSIONS) {
    const forms = ext.fromBits === 8 ? (['r', 'rh', 'm'] as const) : (['r', 'm'] as const);
    for (const where of forms) {
      fns.push(extensionFunction(ext, where));
      calls.push(`each_value(${ext.fromBits}, ${RANDOM_VALUES}, ${cName(`${ext.mnemonic} r,${where}`)});`);
    }
  }
  for (const [op, bits] of [
    ['cbw', 8],
    ['cwde', 16],
    ['cwd', 16],
    ['cdq', 32],
  ] as const) {
    fns.push(conversionFunction(op, bits === 8 ? 8 : bits));
    calls.push(`each_value(${bits}, ${RANDOM_VALUES}, ${cName(op)});`);
  }
  calls.push('for (u32 ah = 0; ah < 256; ah++) { t_sahf(ah, 0); t_sahf(ah, STATUS_FLAGS); }');
  calls.push(
    'for (u32 k = 0; k < 64; k++) t_lahf(k * 37, (k & 1 ? CF : 0) | (k & 2 ? PF : 0) | (k & 4 ? AF : 0) | (k & 8 ? ZF : 0) | (k & 16 ? SF : 0) | (k & 32 ? OF : 0));',
  );
  calls.push('each_value(32, 96, t_popfl);', 'each_value(16, 48, t_popfw);');
  for (const op of ['clc', 'stc', 'cmc', 'cld', 'std']) {
    fns.push(flagOpFunction(op));
    calls.push(`each_value(8, 0, ${cName(op)});`);
  }
  calls.push(
    'for (u32 i = 0; i < 256; i++) xlat_table[i] = (u8)(i * 167 + 13);',
    'each_value(8, 242, t_xlat);',
  );
  return { name: 'moves-conversions-flags', source: cProgram(fns, calls) };
}

export const moveGroups: readonly Group[] = [movesGroup()];
