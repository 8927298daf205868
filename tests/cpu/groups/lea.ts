/**
 * Generator for lea with every addressing mode: 32-bit ModR/M and SIB forms (each base incl. esp and ebp,
 * each index, scales 1/2/4/8, no/8-bit/32-bit displacement, no base, absolute), 16-bit addressing through
 * the 0x67 prefix (the eight r/m combinations with no/8/16-bit displacement, wrapping at 64 KiB), and the
 * 16-bit operand size (0x66). Registers are random; esp-based results are printed relative to esp.
 */
import { cName, cProgram, cString, type Group } from './c-program.js';

const REGS32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const INDEXES = REGS32.filter((reg) => reg !== 'esp');
const DISPLACEMENTS = ['', '0x7f', '-0x80', '0x12345678', '-0x7ffffff0'];
const MODES16 = ['(%bx,%si)', '(%bx,%di)', '(%bp,%si)', '(%bp,%di)', '(%si)', '(%di)', '(%bp)', '(%bx)'];
const DISPLACEMENTS16 = ['', '0x7f', '-0x80', '0x1234', '-0x7ff0'];
const STATES_PER_FORM = 3;

/** lea `address` into edi; an esp-relative result has esp subtracted, since stacks differ between runs. */
function leaFunction(address: string, dest = '%edi', bytes?: string): string {
  const label = `lea ${address},${dest}`;
  // edi - (esp - 4) - 4 = edi - esp, computed inside pushfl/popfl so the flags stay the instruction's.
  const relative = address.includes('%esp')
    ? '\\n\\tpushfl\\n\\tsubl %%esp, %%edi\\n\\tsubl $4, %%edi\\n\\tpopfl'
    : '';
  const body = bytes ?? `lea${dest === '%di' ? 'w' : 'l'} ${address}, ${dest}`.replace(/%/g, '%%');
  return `static void ${cName(label)}(void) {
  for (u32 i = 0; i < ${STATES_PER_FORM}; i++) {
    struct state in, out;
    random_state(&in, i & 1 ? STATUS_FLAGS : 0);
    out = in;
    STATE_RUN(&out, "${body}${relative}");
    report_state(${cString(label)}, &in, &out, STATUS_FLAGS);
  }
}`;
}

function addressForms(): string[] {
  const forms: string[] = [];
  for (const base of REGS32) {
    for (const disp of DISPLACEMENTS) forms.push(`${disp}(%${base})`);
    INDEXES.forEach((index, i) => {
      for (const scale of [1, 2, 4, 8])
        forms.push(`${DISPLACEMENTS[(i + scale) % DISPLACEMENTS.length]}(%${base},%${index},${scale})`);
    });
  }
  for (const index of INDEXES)
    for (const scale of [1, 2, 4, 8]) forms.push(`0x12345678(,%${index},${scale})`);
  forms.push('0x12345678');
  for (const mode of MODES16) {
    for (const disp of DISPLACEMENTS16) if (!(mode === '(%bp)' && disp === '')) forms.push(`${disp}${mode}`);
  }
  forms.push('0x1234');
  return forms;
}

function leaGroup(): Group {
  const forms = addressForms();
  const fns = forms.map((address) => leaFunction(address));
  const calls = forms.map((address) => `${cName(`lea ${address},%edi`)}();`);
  // The 16-bit operand size keeps the upper half of the destination.
  for (const address of ['0x7f(%ebx,%esi,4)', '-0x80(%bp,%di)', '0x12345678(%eax)']) {
    fns.push(leaFunction(address, '%di'));
    calls.push(`${cName(`lea ${address},%di`)}();`);
  }
  // A SIB byte with neither base nor index (index 100b, base 101b): assemblers only emit it as bytes.
  fns.push(leaFunction('0x7f(,none,1)', '%edi', '.byte 0x8d, 0x3c, 0x25, 0x7f, 0, 0, 0'));
  calls.push(`${cName('lea 0x7f(,none,1),%edi')}();`);
  return { name: 'lea-addressing', source: cProgram(fns, calls) };
}

export const leaGroups: readonly Group[] = [leaGroup()];
