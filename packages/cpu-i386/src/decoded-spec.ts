/**
 * The SPEC word of a packed instruction (decoded-code.ts): which path of its own the WebAssembly runner
 * (wasm/decoded-runner.ts) has for it, and the registers it names as byte offsets the runner reads as they
 * are. Layer: arch plugin (cpu-i386).
 *
 * Why: the runner's paths by Fast kind (decoded-fast.ts) work out at run time what the decoder already knew —
 * the ALU operation, the condition, which of base and index a memory operand has — at a branch or a jump
 * table each, for every instruction run. A path per (kind, operation) and register offsets ready to add take
 * most of that away: the integer benchmark's interpreter ran ~75 host instructions a guest instruction.
 *
 * Layout: Spec (bits 0-7); the `reg` field's register (8-15) and the `rm` register or the memory operand's
 * base (16-23), as byte offsets from the first register; the index's offset (24-31), whose low two bits
 * hold the scale. A missing base or index names ZERO_REGISTER_OFFSET, a dword that is always 0.
 */
import type { DecodedInsn } from './decoded-block.js';
import { Fast } from './decoded-fast.js';
import { ZERO_REGISTER_OFFSET } from './wasm/arch-state.js';

/** ALU operations in group-1 order (ADD OR ADC SBB AND SUB XOR CMP); ADC and SBB read CF: no path of their own. */
export const ALU_OPS = 8;
const ALU_ADC = 2;
const ALU_SBB = 3;

/** Paths by first id: one per form, or per form and ALU operation (8), or per condition code (16). */
export const enum Spec {
  /** No path: the runner leaves the run before the instruction, for the run loop's record to run it. */
  NONE = 0,
  MOV_R32_R32 = 1,
  MOV_R32_IMM = 2,
  TEST_R32_R32 = 3,
  LEA = 4,
  MOV_R32_M32 = 5,
  MOV_M32_R32 = 6,
  MOV_M32_IMM = 7,
  ALU_R32_R32 = 8,
  ALU_R32_IMM = ALU_R32_R32 + 8,
  ALU_R32_M32 = ALU_R32_IMM + 8,
  ALU_M32_R32 = ALU_R32_M32 + 8,
  ALU_M32_IMM = ALU_M32_R32 + 8,
  JCC = ALU_M32_IMM + 8,
  /**
   * CMP r32, r32 / CMP r32, imm / TEST r32, r32 and the Jcc right after it in the block, run as one (per
   * condition code): the condition comes from the operands, not from the lazy flags the compare leaves.
   */
  CMP_R32_R32_JCC = JCC + 16,
  CMP_R32_IMM_JCC = CMP_R32_R32_JCC + 16,
  TEST_R32_R32_JCC = CMP_R32_IMM_JCC + 16,
  /** The Fast kind's path (decoded-fast.ts) for the other instructions that have one: BY_FAST + kind. */
  BY_FAST = TEST_R32_R32_JCC + 16,
  /** The record kind's path (decoded-handlers.ts) for the rest: BY_KIND + kind, NONE where the runner has none. */
  BY_KIND = BY_FAST + 32,
  COUNT = BY_KIND + 64,
}
/** The Fast kinds with no Spec of their own: they take Spec.BY_FAST + kind. */
export const BY_FAST_KINDS: readonly Fast[] = [
  Fast.PUSH_R32,
  Fast.PUSH_IMM,
  Fast.CALL,
  Fast.POP_R32,
  Fast.RET,
  Fast.JMP,
  Fast.INC_DEC_R32,
  Fast.SHIFT_R32_IMM,
  Fast.MOVX_R32_M,
  Fast.MOV_R8_M8,
  Fast.ALU_M8_IMM,
];

/** The SPEC word of decoded instruction `d`. */
export function specWord(d: DecodedInsn): number {
  const memory = d.modrm < 0xc0;
  const second = memory ? registerOffset(d.base) : d.rm * 4;
  const index = memory ? registerOffset(d.index) | d.scale : ZERO_REGISTER_OFFSET;
  return specOf(d) | ((d.reg * 4) << 8) | (second << 16) | (index << 24);
}

function registerOffset(r: number): number {
  return r < 0 ? ZERO_REGISTER_OFFSET : r * 4;
}

function specOf(d: DecodedInsn): number {
  // The runner leaves ADC and SBB to the record: they read CF, which its flags do not keep.
  const alu = (first: Spec) => (d.sub === ALU_ADC || d.sub === ALU_SBB ? Spec.NONE : first + d.sub);
  switch (d.fast) {
    case Fast.MOV_R32_R32:
      return Spec.MOV_R32_R32;
    case Fast.MOV_R32_IMM:
      return Spec.MOV_R32_IMM;
    case Fast.TEST_R32_R32:
      return Spec.TEST_R32_R32;
    case Fast.LEA:
      return Spec.LEA;
    case Fast.MOV_R32_M32:
      return Spec.MOV_R32_M32;
    case Fast.MOV_M32_R32:
      return Spec.MOV_M32_R32;
    case Fast.MOV_M32_IMM:
      return Spec.MOV_M32_IMM;
    case Fast.ALU_R32_R32:
      return alu(Spec.ALU_R32_R32);
    case Fast.ALU_R32_IMM:
      return alu(Spec.ALU_R32_IMM);
    case Fast.ALU_R32_M32:
      return alu(Spec.ALU_R32_M32);
    case Fast.ALU_M32_R32:
      return alu(Spec.ALU_M32_R32);
    case Fast.ALU_M32_IMM:
      return alu(Spec.ALU_M32_IMM);
    case Fast.JCC:
      return Spec.JCC + d.sub;
    case Fast.NONE:
      return d.kind < Spec.COUNT - Spec.BY_KIND ? Spec.BY_KIND + d.kind : Spec.NONE;
    default:
      // BY_FAST_KINDS
      return Spec.BY_FAST + d.fast;
  }
}
