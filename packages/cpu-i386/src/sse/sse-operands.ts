/**
 * Operand plumbing of the SIMD instructions: the mandatory prefix, XMM/MMX/memory sources copied into
 * SseState slots, stores of slots to memory, the alignment rule of the aligned forms, MXCSR exception
 * delivery and EFLAGS from COMISS. Layer: arch plugin (cpu-i386), SIMD unit; used by sse-dispatch.ts and
 * sse-moves.ts, built on decode.ts's effective address (c.ea) and the MMU.
 *
 * Every source is read before anything is written, and a store probes its whole destination first, so a
 * fault leaves the registers as they were and the instruction restarts.
 */
import { FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF, VEC_GP, VEC_MF } from '../constants.js';
import type { CpuCore } from '../cpu-core.js';
import { raiseFault } from '../fault.js';
import { materializeFlags } from '../flags.js';
import { FSW_ES } from '../fpu/x87-constants.js';
import { MXCSR_FLAGS, MXCSR_MASK_SHIFT, SLOT_SRC, type SseState } from './sse-state.js';

/** #XM, the SIMD floating-point exception (CR4.OSXMMEXCPT is set, as Linux sets it). */
export const VEC_XM = 19;
const ALIGN_16 = 15;

/** The mandatory prefix of a 0F xx SIMD opcode: F2/F3 win over 66 (SDM vol. 2, 2.1.2); 0 for none. */
export function mandatoryPrefix(c: CpuCore): number {
  return c.repPrefix !== 0 ? c.repPrefix : c.o16 ? 0x66 : 0;
}

/** The aligned forms (MOVAPS, MOVDQA, packed arithmetic from memory) fault on a misaligned operand. */
export function requireAligned(c: CpuCore): void {
  if ((c.ea & ALIGN_16) !== 0) raiseFault(c.fault, VEC_GP, 0);
}

export function readMemory(c: CpuCore, s: SseState, slot: number, bytes: number): void {
  const w = s.i32;
  if (bytes === 2) {
    s.u16[slot * 8] = c.mmu.read16(c.ea);
    return;
  }
  for (let k = 0; k < bytes / 4; k++) w[slot * 4 + k] = c.mmu.read32((c.ea + 4 * k) | 0);
}

/** Writes the low `bytes` of a slot to the memory operand, after probing all of it. */
export function writeMemory(c: CpuCore, s: SseState, slot: number, bytes: number, byteOffset = 0): void {
  c.mmu.probeWrite(c.ea, bytes);
  const base = slot * 4 + byteOffset / 4;
  for (let k = 0; k < bytes / 4; k++) c.mmu.write32((c.ea + 4 * k) | 0, s.i32[base + k]);
}

/** An XMM register or a memory operand of `bytes` (copied to SLOT_SRC); returns the slot to read. */
export function xmmSource(c: CpuCore, s: SseState, modrm: number, bytes: number, aligned: boolean): number {
  if (modrm >= 0xc0) return modrm & 7;
  if (aligned) requireAligned(c);
  readMemory(c, s, SLOT_SRC, bytes);
  return SLOT_SRC;
}

/**
 * An MMX register or a memory operand of `bytes` (8, or 4: the high dword is then 0), copied to SLOT_SRC.
 */
export function mmSource(c: CpuCore, s: SseState, modrm: number, bytes = 8): number {
  if (modrm >= 0xc0) s.loadMm(SLOT_SRC, modrm & 7);
  else {
    readMemory(c, s, SLOT_SRC, bytes);
    if (bytes === 4) s.i32[SLOT_SRC * 4 + 1] = 0;
  }
  return SLOT_SRC;
}

/** An MMX instruction first delivers a pending unmasked x87 exception (#MF), as the x87's waiting forms do. */
export function checkPendingX87(c: CpuCore, s: SseState): void {
  if (s.x87 !== null && (s.x87.sw & FSW_ES) !== 0) raiseFault(c.fault, VEC_MF, -1);
}

/**
 * Merges the lanes' exception flags into MXCSR; an unmasked one raises #XM before the destination is
 * written (SDM vol. 1, 11.5.3), so callers build results in a scratch slot and commit after this.
 */
export function deliverExceptions(c: CpuCore, s: SseState): void {
  const raised = s.raised;
  if (raised === 0) return;
  s.mxcsr |= raised;
  s.raised = 0;
  if ((raised & ~(s.mxcsr >>> MXCSR_MASK_SHIFT) & MXCSR_FLAGS) !== 0) raiseFault(c.fault, VEC_XM, -1);
}

/** COMISS/UCOMISS: ZF, PF, CF from the relation (-2 unordered, -1 less, 0 equal, 1 greater); OF, SF, AF cleared. */
export function setCompareFlags(c: CpuCore, relation: number): void {
  materializeFlags(c);
  const zpc =
    relation === -2 ? FLAG_ZF | FLAG_PF | FLAG_CF : relation === -1 ? FLAG_CF : relation === 0 ? FLAG_ZF : 0;
  c.flags = (c.flags & ~(FLAG_ZF | FLAG_PF | FLAG_CF | FLAG_OF | FLAG_SF | FLAG_AF)) | zpc;
}
