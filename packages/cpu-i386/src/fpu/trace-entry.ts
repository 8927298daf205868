/**
 * Which X87 entry point a compiled trace calls for an escape instruction. Layer: arch plugin (cpu-i386), x87
 * unit; block-compiler.ts asks this when it compiles D8..DF, and emits the expression returned.
 *
 * How it works: opcode and ModR/M are constants of the compiled code, so the decoding `execute` does on every
 * run (ES check aside) is done here once. For the common forms (register arithmetic, FILD m32, FLD/FST/FSTP
 * ST(i), FXCH) the answer is a call of one of X87's `trace*` methods with the operands decoded; it returns
 * false when the fast case does not apply, and the trace then calls `execute` as before. Every other form
 * gets null: the trace calls `execute` directly. The expression may use the trace's `c` (the CpuCore), `ea`
 * (the effective address of a memory form) and `ip` (the instruction's EIP, which becomes FIP).
 */

/** ModR/M reg field values of the arithmetic group that are comparisons (FCOM, FCOMP): not on the fast path. */
const REG_COM = 2;
const REG_COMP = 3;

/** A JS expression that runs the instruction and is true when it did, or null when there is no entry. */
export function x87TraceEntry(opcode: number, modrm: number): string | null {
  const fop = ((opcode & 7) << 8) | modrm;
  const reg = (modrm >>> 3) & 7;
  const i = modrm & 7;
  if (modrm < 0xc0) {
    // FILD m32int (DB /0).
    return opcode === 0xdb && reg === 0 ? `c.fpu.traceLoadInt32(ea,${fop},ip)` : null;
  }
  switch (opcode) {
    case 0xd8:
      if (reg === REG_COM || reg === REG_COMP) return null;
      return `c.fpu.traceArithmetic(${reg},0,${i},false,${fop},ip)`;
    case 0xdc:
    case 0xde:
      // ST(i) = ST(i) op ST(0): the reg field names the reversed operation (4<->5, 6<->7) in this form.
      if (reg === REG_COM || reg === REG_COMP) return null;
      return `c.fpu.traceArithmetic(${reg < 4 ? reg : reg ^ 1},${i},0,${opcode === 0xde},${fop},ip)`;
    case 0xd9:
      if (reg === 0) return `c.fpu.traceLoadRegister(${i},${fop},ip)`;
      if (reg === 1) return `c.fpu.traceExchange(${i},${fop},ip)`;
      return null;
    case 0xdd:
      if (reg === 2 || reg === 3) return `c.fpu.traceStoreRegister(${i},${reg === 3},${fop},ip)`;
      return null;
    default:
      return null;
  }
}
