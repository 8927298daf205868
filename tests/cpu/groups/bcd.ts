/**
 * Generators for the BCD/ASCII adjusts: daa das aaa aas over every AL with varied AH and each combination
 * of the CF and AF they read, and aam/aad with the usual base 10 and other bases (D4 ib / D5 ib, spelled
 * in bytes because assemblers only know the base-10 mnemonic). aam 0 raises #DE and is left out.
 */
import { definedBitsExpr } from '../undefined-flags.js';
import { asmLines, cName, cProgram, cString, type Group } from './c-program.js';

const AAM_BASES = [10, 16, 7, 1, 0xff];
const AAD_BASES = [10, 16, 7, 0, 0xff];

/** Flag inputs for instructions that read CF and AF: each combination, with the other status flags clear or set. */
const BCD_FLAG_INPUTS = `static const u32 bcd_flag_inputs[] = {0, CF, AF, CF | AF, STATUS_FLAGS, STATUS_FLAGS & ~CF,
                                     STATUS_FLAGS & ~AF, STATUS_FLAGS & ~(CF | AF)};
typedef void (*bcd_fn)(u32 ax, u32 fin);
/* Every AL, with an AH that varies with it (AAA/AAS adjust AH), under each flag input. */
static void each_al(bcd_fn fn, int all_flags) {
  for (u32 al = 0; al < 256; al++) {
    u32 ax = (((al * 7 + 0x39) & 0xff) << 8) | al;
    for (u32 f = 0; f < (all_flags ? COUNT_OF(bcd_flag_inputs) : 2); f++) fn(ax, all_flags ? bcd_flag_inputs[f] : flag_inputs[f]);
  }
}`;

function adjustFunction(label: string, op: string, body: string): string {
  return `static void ${cName(label)}(u32 ax, u32 fin) {
  u32 eax = 0xa5a50000u | ax, fout;
  __asm__ volatile(${asmLines('pushl %[fin]', 'popfl', body, 'pushfl', 'popl %[fout]')} : "+a"(eax), [fout] "=&r"(fout) : [fin] "r"(fin) : "cc");
  report(${cString(label)}, 16, ax, 0, fin, eax, fout & ${definedBitsExpr(op, 'eflags', 'STATUS_FLAGS')});
}`;
}

function bcdGroup(): Group {
  const fns = [BCD_FLAG_INPUTS];
  const calls: string[] = [];
  for (const op of ['daa', 'das', 'aaa', 'aas']) {
    fns.push(adjustFunction(op, op, op));
    calls.push(`each_al(${cName(op)}, 1);`);
  }
  for (const base of AAM_BASES) {
    const label = `aam ${base}`;
    fns.push(adjustFunction(label, 'aam', `.byte 0xd4, ${base}`));
    calls.push(`each_al(${cName(label)}, 0);`);
  }
  for (const base of AAD_BASES) {
    const label = `aad ${base}`;
    fns.push(adjustFunction(label, 'aad', `.byte 0xd5, ${base}`));
    calls.push(`each_al(${cName(label)}, 0);`);
  }
  return { name: 'bcd-adjust', source: cProgram(fns, calls) };
}

export const bcdGroups: readonly Group[] = [bcdGroup()];
