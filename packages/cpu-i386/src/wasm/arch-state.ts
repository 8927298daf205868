/**
 * The CPU's own area in the WebAssembly memory that holds RAM (ArchPlugin.stateBytes, PhysicalMemory.wasm):
 * the TLB, the registers and the lazy-flag operands live there, so code compiled to WebAssembly reads and
 * writes them where the JS tiers do. Layer: arch plugin (cpu-i386); mmu.ts and cpu-core.ts place their
 * arrays here when the kernel gives the area, wasm-region.ts bakes the offsets into its code.
 */
import type { PhysicalMemory } from '@kmos/abi-driver';
import { PAGE_COUNT } from '../constants.js';

/** Byte offsets inside the area. */
export const TLB_READ_AT = 0;
export const TLB_WRITE_AT = TLB_READ_AT + PAGE_COUNT * 4;
export const REGS_AT = TLB_WRITE_AT + PAGE_COUNT * 4;
export const LAZY_AT = REGS_AT + 8 * 4;
/** The segment bases (CpuCore.segBase): a segment override adds one. */
export const SEG_BASE_AT = LAZY_AT + 4 * 4;
/** What a compiled region and its caller hand each other besides registers (EXCHANGE_* slots, dwords). */
export const EXCHANGE_AT = SEG_BASE_AT + 6 * 4;
export const EXCHANGE_FLAGS = 0;
export const EXCHANGE_EIP = 1;
export const EXCHANGE_RETIRED = 2;
/** Instructions of finished segments, stored before an instruction runs through `step` (which may unwind). */
export const EXCHANGE_PASSES = 3;
/** CpuCore.segCheckMask: a segment override through a segment that needs checks leaves the region. */
export const EXCHANGE_SEG_CHECK = 4;
const EXCHANGE_SLOTS = 5;

/** What the CPU asks the kernel to keep for it (ArchPlugin.stateBytes). */
export const ARCH_STATE_BYTES = EXCHANGE_AT + EXCHANGE_SLOTS * 4;

/** The area's start in `memory.buffer`, or -1 when RAM is not in a WebAssembly memory with room for it. */
export function archStateOffset(memory: PhysicalMemory): number {
  const wasm = memory.wasm;
  return wasm !== undefined && wasm.archBytes >= ARCH_STATE_BYTES ? wasm.archOffset : -1;
}

/** `length` dwords at `at` in the area, or a fresh array when there is no area. */
export function archInt32Array(memory: PhysicalMemory, at: number, length: number): Int32Array {
  const base = archStateOffset(memory);
  return base < 0 ? new Int32Array(length) : new Int32Array(memory.buffer, base + at, length);
}
