/**
 * Wires the x87 (src/fpu/x87.ts, written separately) to the integer core through CpuFpuBus. Until x87.ts
 * lands this is null: the CPU then has no coprocessor (CPUID clears FPU/FXSR, escape opcodes raise #NM).
 * Layer: arch plugin (cpu-i386).
 */
import type { CpuCore } from './cpu-core.js';
import type { FpuUnit } from './fpu-unit.js';

export const createX87: ((core: CpuCore) => FpuUnit) | null = null;
