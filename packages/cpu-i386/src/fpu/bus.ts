/**
 * The x87's view of the rest of the CPU: guest memory at linear addresses, EFLAGS, AX and exception delivery.
 * Layer: arch plugin (cpu-i386). The integer core implements this interface and hands it to `X87` (x87.ts);
 * the FPU never imports the core, so the two can be built and tested apart.
 *
 * Restartability contract: memory accessors and `probeWrite` may throw the core's page-fault signal. The FPU
 * never catches those throws, does every read and a `probeWrite` of the whole destination before its first
 * write, and changes no FPU state before an access that may fault, so the core can restart the instruction.
 */
export interface FpuBus {
  readU8(addr: number): number;
  readU16(addr: number): number;
  readU32(addr: number): number;
  writeU8(addr: number, v: number): void;
  writeU16(addr: number, v: number): void;
  writeU32(addr: number, v: number): void;
  /** Throws the core's page-fault signal now if any byte of [addr, addr + sizeBytes) is not writable. */
  probeWrite(addr: number, sizeBytes: number): void;
  /** The architectural EFLAGS, read by FCMOVcc. */
  getEflags(): number;
  /** FCOMI/FUCOMI result flags; the core clears OF, SF and AF. */
  setZfPfCf(zf: boolean, pf: boolean, cf: boolean): void;
  /** FNSTSW AX. */
  setAx(value: number): void;
  /** Delivers an exception: #MF (16), #NM (7) or #UD (6). Never returns. */
  raise(vector: number): never;
  /** The linear address of the current FPU instruction, recorded as FPU IP for FNSTENV/FNSAVE/FXSAVE. */
  fpuInstructionPointer(): number;
}
