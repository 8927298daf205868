/**
 * What the integer core needs from the x87 (the contract of src/fpu/x87.ts, written by the FPU's owner):
 * execute an escape opcode D8..DF and move state images in and out. Layer: arch plugin (cpu-i386). The core
 * holds an `FpuUnit | null`; with none, escape opcodes raise #NM as on a machine without a coprocessor.
 */
export interface FpuUnit {
  execute(opcode: number, modrm: number, ea: number, operandSize16: boolean): void;
  reset(): void;
  /** Copies the words WebAssembly regions use (x87-state.ts) into the arch area before they run. */
  exportWords(): void;
  /** Takes them back after WebAssembly code ran. */
  importWords(): void;
  saveFnsave(into: Uint8Array, offset: number, operandSize16: boolean): void;
  restoreFnsave(from: Uint8Array, offset: number, operandSize16: boolean): void;
  saveFxsave(into: Uint8Array, offset: number): void;
  restoreFxsave(from: Uint8Array, offset: number): void;
  // Entry points of compiled traces, chosen per instruction by fpu/trace-entry.ts; each returns false, having
  // changed nothing, when the trace must call `execute` instead.
  traceArithmetic(op: number, dest: number, other: number, pop: boolean, fop: number, fip: number): boolean;
  traceLoadInt32(ea: number, fop: number, fip: number): boolean;
  traceLoadRegister(i: number, fop: number, fip: number): boolean;
  traceStoreRegister(i: number, pop: boolean, fop: number, fip: number): boolean;
  traceExchange(i: number, fop: number, fip: number): boolean;
}
