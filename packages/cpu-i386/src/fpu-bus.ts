/**
 * The integer core's side of the x87 contract: the `FpuBus` the X87 (src/fpu/x87.ts) calls for memory
 * operands, EFLAGS (FCOMI, FSTSW AX) and exceptions. Memory goes through the MMU, so an FP load from an
 * unmapped page is an ordinary #PF with the instruction restartable. Layer: arch plugin (cpu-i386).
 */
import { EAX, FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF } from './constants.js';
import { type CpuCore, INSN_EIP } from './cpu-core.js';
import { raiseFault } from './fault.js';
import { getEflags, materializeFlags } from './flags.js';
import type { FpuBus } from './fpu/bus.js';

export class CpuFpuBus implements FpuBus {
  constructor(private readonly c: CpuCore) {}

  readU8(addr: number): number {
    return this.c.mmu.read8(addr | 0);
  }

  readU16(addr: number): number {
    return this.c.mmu.read16(addr | 0);
  }

  readU32(addr: number): number {
    return this.c.mmu.read32(addr | 0) >>> 0;
  }

  writeU8(addr: number, v: number): void {
    this.c.mmu.write8(addr | 0, v);
  }

  writeU16(addr: number, v: number): void {
    this.c.mmu.write16(addr | 0, v);
  }

  writeU32(addr: number, v: number): void {
    this.c.mmu.write32(addr | 0, v | 0);
  }

  probeWrite(addr: number, sizeBytes: number): void {
    this.c.mmu.probeWrite(addr | 0, sizeBytes);
  }

  getEflags(): number {
    return getEflags(this.c) >>> 0;
  }

  /** FCOMI/FUCOMI and friends: ZF/PF/CF from the compare; OF, SF and AF cleared (SDM vol. 2, FCOMI). */
  setZfPfCf(zf: boolean, pf: boolean, cf: boolean): void {
    const c = this.c;
    materializeFlags(c);
    c.flags =
      (c.flags & ~(FLAG_ZF | FLAG_PF | FLAG_CF | FLAG_OF | FLAG_SF | FLAG_AF)) |
      (zf ? FLAG_ZF : 0) |
      (pf ? FLAG_PF : 0) |
      (cf ? FLAG_CF : 0);
  }

  setAx(value: number): void {
    this.c.set16(EAX, value);
  }

  /** #MF, #NM, #UD from the FPU: no error code; the instruction is restarted (a fault). */
  raise(vector: number): never {
    return raiseFault(this.c.fault, vector, -1);
  }

  fpuInstructionPointer(): number {
    return this.c.insnStart[INSN_EIP] >>> 0;
  }
}
