/**
 * Wires the x87 (src/fpu/x87.ts, written separately) to the integer core through CpuFpuBus: every CPU gets
 * its own X87 whose memory operands go through this CPU's MMU. Layer: arch plugin (cpu-i386).
 */
import type { CpuCore } from './cpu-core.js';
import { X87 } from './fpu/x87.js';
import { CpuFpuBus } from './fpu-bus.js';
import type { FpuUnit } from './fpu-unit.js';

export const createX87: ((core: CpuCore) => FpuUnit) | null = (core) => new X87(new CpuFpuBus(core));
