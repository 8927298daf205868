/**
 * Which X87 entry point a compiled trace calls for an escape instruction. Layer: arch plugin (cpu-i386), x87
 * unit; block-compiler.ts asks this when it compiles D8..DF, and emits the expression returned.
 *
 * How it works: opcode and ModR/M are constants of the compiled code, so the decoding `execute` does on every
 * run (ES check aside) is done here once. For the common forms the answer is a call of one of X87's `trace*`
 * methods with the operands decoded: register arithmetic and compares, FLD/FST/FSTP ST(i), FXCH, FLD1, FLDZ,
 * FCHS, FABS, and the memory forms FLD/FST(P) m32fp/m64fp/m80fp, FILD/FIST(P) m16/m32/m64, arithmetic and
 * compares with m32fp/m64fp/m16int/m32int. It returns false when the fast case does not apply (memory-fast.ts
 * and fast-path.ts say which), and the trace then calls `execute` as before. Every other form gets null: the
 * trace calls `execute` directly. FCOMI and friends, which write EFLAGS, have their own entry
 * (`x87EflagsEntry`). The expression may use the trace's `c` (the CpuCore), `ea` (the effective address of a
 * memory form) and `ip` (the instruction's EIP, which becomes FIP).
 */

/** ModR/M reg field values of the arithmetic group that are comparisons (FCOM, FCOMP). */
const REG_COM = 2;
const REG_COMP = 3;

/** A JS expression that runs the instruction and is true when it did, or null when there is no entry. */
export function x87TraceEntry(opcode: number, modrm: number): string | null {
  const fop = ((opcode & 7) << 8) | modrm;
  return modrm < 0xc0 ? memoryEntry(opcode, (modrm >>> 3) & 7, fop) : registerEntry(opcode, modrm, fop);
}

/**
 * FCOMI, FUCOMI, FCOMIP, FUCOMIP ST(i): a JS expression whose value is the EFLAGS status bits the
 * instruction sets (ZF, PF, CF; the others clear), or -1 when the trace must call `execute`; null for
 * other instructions.
 */
export function x87EflagsEntry(opcode: number, modrm: number): string | null {
  const reg = (modrm >>> 3) & 7;
  if (modrm < 0xc0 || (opcode !== 0xdb && opcode !== 0xdf) || (reg !== 5 && reg !== 6)) return null;
  const fop = ((opcode & 7) << 8) | modrm;
  return `c.fpu.traceCompareEflags(${modrm & 7},${opcode === 0xdf},${fop},ip)`;
}

function memoryEntry(opcode: number, reg: number, fop: number): string | null {
  const tail = `ea,${fop},ip)`;
  switch (opcode) {
    case 0xd8:
    case 0xda:
    case 0xdc:
    case 0xde:
      if (reg === REG_COM || reg === REG_COMP)
        return `c.fpu.traceCompareMemory(${opcode},${reg === REG_COMP},${tail}`;
      return `c.fpu.traceArithmeticMemory(${reg},${opcode},${tail}`;
    case 0xd9:
      if (reg === 0) return `c.fpu.traceLoadSingle(${tail}`;
      if (reg === 2 || reg === 3) return `c.fpu.traceStoreSingle(${reg === 3},${tail}`;
      return null;
    case 0xdb:
      if (reg === 0) return `c.fpu.traceLoadInt32(${tail}`;
      if (reg === 2 || reg === 3) return `c.fpu.traceStoreInteger(32,${reg === 3},${tail}`;
      if (reg === 5) return `c.fpu.traceLoadExtended(${tail}`;
      if (reg === 7) return `c.fpu.traceStoreExtended(${tail}`;
      return null;
    case 0xdd:
      if (reg === 0) return `c.fpu.traceLoadDouble(${tail}`;
      if (reg === 2 || reg === 3) return `c.fpu.traceStoreDouble(${reg === 3},${tail}`;
      return null;
    default:
      if (reg === 0) return `c.fpu.traceLoadInt16(${tail}`;
      if (reg === 2 || reg === 3) return `c.fpu.traceStoreInteger(16,${reg === 3},${tail}`;
      if (reg === 5) return `c.fpu.traceLoadInt64(${tail}`;
      if (reg === 7) return `c.fpu.traceStoreInteger(64,true,${tail}`;
      return null;
  }
}

function registerEntry(opcode: number, modrm: number, fop: number): string | null {
  const reg = (modrm >>> 3) & 7;
  const i = modrm & 7;
  switch (opcode) {
    case 0xd8:
      if (reg === REG_COM || reg === REG_COMP) return compareRegister(i, reg === REG_COMP ? 1 : 0, fop);
      return `c.fpu.traceArithmetic(${reg},0,${i},false,${fop},ip)`;
    case 0xdc:
    case 0xde:
      // FCOM/FCOMP aliases (DC D0..DF, DE D0..D7) and FCOMPP (DE D9); DE D8 and DA..DF are #UD.
      if (reg === REG_COM || reg === REG_COMP) {
        if (opcode === 0xdc) return compareRegister(i, reg === REG_COMP ? 1 : 0, fop);
        if (reg === REG_COM) return compareRegister(i, 1, fop);
        return i === 1 ? compareRegister(1, 2, fop) : null;
      }
      // ST(i) = ST(i) op ST(0): the reg field names the reversed operation (4<->5, 6<->7) in this form.
      return `c.fpu.traceArithmetic(${reg < 4 ? reg : reg ^ 1},${i},0,${opcode === 0xde},${fop},ip)`;
    case 0xd9:
      if (reg === 0) return `c.fpu.traceLoadRegister(${i},${fop},ip)`;
      if (reg === 1) return `c.fpu.traceExchange(${i},${fop},ip)`;
      if (reg === 4 && i < 2) return `c.fpu.traceSign(${i},${fop},ip)`;
      if (reg === 5 && (i === 0 || i === 6)) return `c.fpu.traceLoadConstant(${i},${fop},ip)`;
      return null;
    case 0xda:
      return modrm === 0xe9 ? compareRegister(1, 2, fop) : null;
    case 0xdd:
      if (reg === 2 || reg === 3) return `c.fpu.traceStoreRegister(${i},${reg === 3},${fop},ip)`;
      if (reg === 4 || reg === 5) return compareRegister(i, reg - 4, fop);
      return null;
    default:
      return null;
  }
}

function compareRegister(i: number, pops: number, fop: number): string {
  return `c.fpu.traceCompareRegister(${i},${pops},${fop},ip)`;
}
