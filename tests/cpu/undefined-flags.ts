/**
 * Results the Intel SDM vol. 2 documents as undefined, by instruction. Generated test programs mask these
 * bits before printing (see groups/c-program.ts), so the host CPU (Intel or AMD, which differ exactly in
 * such bits) and the emulated CPU compare as plain text. Nothing else may be masked: a rule belongs here
 * only with the SDM page that says "undefined".
 *
 * A rule's `when` is a C condition over variables every generated test function declares:
 *   count — the shift/rotate count after the CPU's 5-bit mask (COUNT & 1FH)
 *   bits  — the operand size in bits
 *   src   — the source operand (for BSF/BSR)
 * `null` means always.
 */

/** Which value a rule masks: EFLAGS status bits, x87 status-word bits, or the whole destination. */
export type UndefinedTarget = 'eflags' | 'fsw' | 'dest';

export interface UndefinedRule {
  readonly instructions: readonly string[];
  readonly target: UndefinedTarget;
  /** The undefined bits, as C names from c/runtime.h (CF, OF, ... or FSW_C0 ...); empty for `dest`. */
  readonly bits: readonly string[];
  readonly when: string | null;
  readonly sdm: string;
}

const ALL_ARITH = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF'];

export const UNDEFINED_RULES: readonly UndefinedRule[] = [
  {
    instructions: ['and', 'or', 'xor', 'test'],
    target: 'eflags',
    bits: ['AF'],
    when: null,
    sdm: 'Vol. 2A AND / 2B OR / 2C XOR, TEST, "Flags Affected": "The state of the AF flag is undefined."',
  },
  {
    instructions: ['shl', 'shr'],
    target: 'eflags',
    bits: ['CF'],
    when: 'count >= bits',
    sdm: 'Vol. 2B SAL/SAR/SHL/SHR—Shift: "For SHL and SHR instructions where the count is greater than or equal to the size (in bits) of the destination operand, the CF flag is undefined."',
  },
  {
    instructions: ['shl', 'shr', 'sar'],
    target: 'eflags',
    bits: ['OF'],
    when: 'count > 1',
    sdm: 'Vol. 2B SAL/SAR/SHL/SHR—Shift: "The OF flag is affected only for 1-bit shifts; otherwise, it is undefined." (count 0 affects no flags)',
  },
  {
    instructions: ['shl', 'shr', 'sar'],
    target: 'eflags',
    bits: ['AF'],
    when: 'count != 0',
    sdm: 'Vol. 2B SAL/SAR/SHL/SHR—Shift: "For a non-zero count, the AF flag is undefined."',
  },
  {
    instructions: ['rol', 'ror', 'rcl', 'rcr'],
    target: 'eflags',
    bits: ['OF'],
    when: 'count > 1',
    sdm: 'Vol. 2B RCL/RCR/ROL/ROR—Rotate: "The OF flag is defined only for the 1-bit rotates; it is undefined in all other cases" (a masked count of 0 affects no flags)',
  },
  {
    instructions: ['shld', 'shrd'],
    target: 'eflags',
    bits: ['OF'],
    when: 'count > 1',
    sdm: 'Vol. 2B SHLD/SHRD—Double Precision Shift: "For shifts greater than 1 bit, the OF flag is undefined."',
  },
  {
    instructions: ['shld', 'shrd'],
    target: 'eflags',
    bits: ['AF'],
    when: 'count != 0',
    sdm: 'Vol. 2B SHLD/SHRD—Double Precision Shift: "If a shift occurs, the AF flag is undefined."',
  },
  {
    instructions: ['shld', 'shrd'],
    target: 'eflags',
    bits: ALL_ARITH,
    when: 'count > bits',
    sdm: 'Vol. 2B SHLD/SHRD—Double Precision Shift: "If the count is greater than the operand size, the flags are undefined."',
  },
  {
    instructions: ['shld', 'shrd'],
    target: 'dest',
    bits: [],
    when: 'count > bits',
    sdm: 'Vol. 2B SHLD/SHRD—Double Precision Shift: "If the count is greater than the operand size, the result is undefined."',
  },
  {
    instructions: ['mul', 'imul'],
    target: 'eflags',
    bits: ['SF', 'ZF', 'AF', 'PF'],
    when: null,
    sdm: 'Vol. 2B MUL—Unsigned Multiply / 2A IMUL—Signed Multiply: "The SF, ZF, AF, and PF flags are undefined."',
  },
  {
    instructions: ['div', 'idiv'],
    target: 'eflags',
    bits: ALL_ARITH,
    when: null,
    sdm: 'Vol. 2A DIV—Unsigned Divide / IDIV—Signed Divide: "The CF, OF, SF, ZF, AF, and PF flags are undefined."',
  },
  {
    instructions: ['daa', 'das'],
    target: 'eflags',
    bits: ['OF'],
    when: null,
    sdm: 'Vol. 2A DAA / DAS—Decimal Adjust AL: "The OF flag is undefined."',
  },
  {
    instructions: ['aaa', 'aas'],
    target: 'eflags',
    bits: ['OF', 'SF', 'ZF', 'PF'],
    when: null,
    sdm: 'Vol. 2A AAA / AAS—ASCII Adjust: "The OF, SF, ZF, and PF flags are undefined."',
  },
  {
    instructions: ['aam', 'aad'],
    target: 'eflags',
    bits: ['OF', 'AF', 'CF'],
    when: null,
    sdm: 'Vol. 2A AAM / AAD—ASCII Adjust AX: "The OF, AF, and CF flags are undefined."',
  },
  {
    instructions: ['bt', 'bts', 'btr', 'btc'],
    target: 'eflags',
    bits: ['OF', 'SF', 'AF', 'PF'],
    when: null,
    sdm: 'Vol. 2A BT/BTC/BTR/BTS: "The ZF flag is unaffected. The OF, SF, AF, and PF flags are undefined."',
  },
  {
    instructions: ['bsf', 'bsr'],
    target: 'eflags',
    bits: ['CF', 'OF', 'SF', 'AF', 'PF'],
    when: null,
    sdm: 'Vol. 2A BSF/BSR—Bit Scan: "The CF, OF, SF, AF, and PF flags are undefined."',
  },
  {
    instructions: ['bsf', 'bsr'],
    target: 'dest',
    bits: [],
    when: 'src == 0',
    sdm: 'Vol. 2A BSF/BSR—Bit Scan: "If the content of the source operand is 0, the content of the destination operand is undefined."',
  },
  {
    instructions: [
      'fld',
      'fst',
      'fild',
      'fist',
      'fbld',
      'fbstp',
      'fadd',
      'fsub',
      'fsubr',
      'fmul',
      'fdiv',
      'fdivr',
      'fiadd',
      'fisub',
      'fimul',
      'fidiv',
      'fsqrt',
      'frndint',
      'fscale',
      'fxtract',
      'f2xm1',
      'fyl2x',
      'fyl2xp1',
      'fpatan',
    ],
    target: 'fsw',
    bits: ['FSW_C0', 'FSW_C2', 'FSW_C3'],
    when: null,
    sdm: 'Vol. 2A, each page\'s "FPU Flags Affected": "C0, C2, C3 Undefined." (FADD, FSUB, FMUL, FDIV, FSQRT, FLD, FST, FILD, FIST, FBLD, FBSTP, FRNDINT, FSCALE, FXTRACT, F2XM1, FYL2X, FYL2XP1, FPATAN)',
  },
  {
    instructions: ['fsin', 'fcos', 'fsincos', 'fptan'],
    target: 'fsw',
    bits: ['FSW_C0', 'FSW_C3'],
    when: null,
    sdm: 'Vol. 2A FSIN/FCOS/FSINCOS/FPTAN, "FPU Flags Affected": "C2 Set to 1 if outside range ... C0, C3 Undefined."',
  },
  {
    instructions: ['bswap16'],
    target: 'dest',
    bits: [],
    when: null,
    sdm: 'Vol. 2A BSWAP: "When the BSWAP instruction references a 16-bit register, the result is undefined." (not tested: a fully masked result asserts nothing)',
  },
];

function rulesFor(instruction: string, target: UndefinedTarget): UndefinedRule[] {
  return UNDEFINED_RULES.filter((rule) => rule.target === target && rule.instructions.includes(instruction));
}

/**
 * A C expression for the bits of `all` (a C mask such as STATUS_FLAGS) that `instruction` defines, given
 * the variables listed at the top of this file.
 */
export function definedBitsExpr(instruction: string, target: 'eflags' | 'fsw', all: string): string {
  const parts = rulesFor(instruction, target).map((rule) => {
    const bits = rule.bits.join(' | ');
    return rule.when === null ? `(${bits})` : `((${rule.when}) ? (${bits}) : 0)`;
  });
  return parts.length === 0 ? `(${all})` : `((${all}) & ~(${parts.join(' | ')}))`;
}

/** A C condition that is true when `instruction` leaves its destination undefined. */
export function destUndefinedExpr(instruction: string): string {
  const conditions = rulesFor(instruction, 'dest').map((rule) => `(${rule.when ?? '1'})`);
  return conditions.length === 0 ? '0' : conditions.join(' || ');
}
