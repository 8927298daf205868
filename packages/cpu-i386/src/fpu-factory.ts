/**
 * Wires the x87 (src/fpu/x87.ts, written separately) to the integer core through CpuFpuBus: every CPU gets
 * its own X87 whose memory operands go through this CPU's MMU. Layer: arch plugin (cpu-i386).
 */
import type { CpuCore } from './cpu-core.js';
import { CpuFpuBus } from './fpu-bus.js';
import type { FpuUnit } from './fpu-unit.js';
import { X87WithSse } from './sse/sse-image.js';

/** The x87 extended with the SSE state (sse/sse-image.ts), so FXSAVE images carry XMM and MXCSR. */
export const createX87: ((core: CpuCore) => FpuUnit) | null = (core) =>
  new X87WithSse(new CpuFpuBus(core), core.sse, core.x87Storage);
