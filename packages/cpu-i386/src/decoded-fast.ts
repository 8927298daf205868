/**
 * Which decoded instructions the runner (decoded-block.ts's runDecoded) runs inline, on a fast path of its
 * own: the commonest 32-bit forms by dynamic count in busybox, glibc start-up and the CPU benchmarks.
 * Layer: arch plugin (cpu-i386).
 *
 * Why: running a record through its handler costs a call, the record's width and form branches, a roll-back
 * point (EIP and ESP at the instruction's start) and two TLB lookups (prepareAccess's, then the access's).
 * The inline paths know their form and take the common case only — a segment without checks, the operand's
 * page in the TLB, an access inside that page — and otherwise fall back to the record *before changing
 * anything*, so they never fault, never throw, and never store to code (pages with cached code are never in
 * the write TLB, mmu.ts).
 */
import { ALU_CMP } from './alu.js';
import type { DecodedInsn } from './decoded-block.js';
import { Kind } from './decoded-handlers.js';

/**
 * A const enum, not an object: esbuild inlines its values, so `switch (d.fast)` compiles to a jump table
 * (with `case Fast.X` over an object's properties, V8 compared them one by one).
 */
export const enum Fast {
  /** No inline path: the record runs it. */
  NONE = 0,
  // Registers only.
  /** MOV r32, r32 */
  MOV_R32_R32 = 1,
  /** MOV r32, imm32 */
  MOV_R32_IMM = 2,
  /** ALU r/m32 (a register), r32: the result to `rm` */
  ALU_R32_R32 = 3,
  /** ALU r32, imm (81, 83 with a register operand) */
  ALU_R32_IMM = 4,
  /** TEST r32, r32 */
  TEST_R32_R32 = 5,
  LEA = 6,
  INC_DEC_R32 = 7,
  /** Group 2 on a 32-bit register by an immediate count (C1, D1) */
  SHIFT_R32_IMM = 8,
  JCC = 9,
  JMP = 10,
  // The stack dword at ESP (`fastStore`: below it, for a push).
  PUSH_R32 = 11,
  /** PUSH imm (68, 6A) */
  PUSH_IMM = 12,
  CALL = 13,
  POP_R32 = 14,
  RET = 15,
  // The memory operand (`fastStore`: written).
  /** MOV r32, [mem] */
  MOV_R32_M32 = 16,
  /** MOV [mem], r32 */
  MOV_M32_R32 = 17,
  /** MOV [mem], imm32 (C7 /0) */
  MOV_M32_IMM = 18,
  /** ALU [mem], imm (81, 83): CMP reads, the others read and write */
  ALU_M32_IMM = 19,
  /** ALU [mem], r32 (01, 09, ... 39): CMP reads, the others read and write */
  ALU_M32_R32 = 20,
  /** ALU r32, [mem] (03, 0B, ... 3B): the result to `reg` */
  ALU_R32_M32 = 21,
  /** MOVZX/MOVSX r32, [mem] of 8 or 16 bits */
  MOVX_R32_M = 22,
  /** MOV r8, [mem] */
  MOV_R8_M8 = 23,
  /** ALU [mem8], imm8 (80): CMP reads, the others read and write */
  ALU_M8_IMM = 24,
  FIRST_STACK = PUSH_R32,
  FIRST_MEMORY = MOV_R32_M32,
}

/** The inline path for decoded instruction `d`, or Fast.NONE. */
export function fastKindOf(d: DecodedInsn): Fast {
  const memory = d.modrm < 0xc0;
  const dword = d.m === -1;
  switch (d.kind) {
    case Kind.movReg32Mem:
      return Fast.MOV_R32_M32;
    case Kind.movRegRm: // A1 (MOV EAX, moffs32) among others
      if (!memory) return Fast.NONE;
      return dword ? Fast.MOV_R32_M32 : d.m === 0xff ? Fast.MOV_R8_M8 : Fast.NONE;
    case Kind.movRmReg:
      return dword && memory ? Fast.MOV_M32_R32 : Fast.NONE;
    case Kind.movReg32Reg32:
      return Fast.MOV_R32_R32;
    case Kind.movRegImm:
      return dword ? Fast.MOV_R32_IMM : Fast.NONE;
    case Kind.aluReg32:
      return Fast.ALU_R32_R32;
    case Kind.aluRmImm:
      if (!dword) return memory && d.m === 0xff ? Fast.ALU_M8_IMM : Fast.NONE;
      return memory ? Fast.ALU_M32_IMM : Fast.ALU_R32_IMM;
    case Kind.aluRmReg: // register operands of 32 bits are aluReg32
      return dword && memory ? Fast.ALU_M32_R32 : Fast.NONE;
    case Kind.movRmImm:
      return dword && memory ? Fast.MOV_M32_IMM : Fast.NONE;
    case Kind.pushImm:
      return Fast.PUSH_IMM;
    case Kind.shiftImm:
      return dword && !memory ? Fast.SHIFT_R32_IMM : Fast.NONE;
    case Kind.aluRegRm:
      return dword && memory ? Fast.ALU_R32_M32 : Fast.NONE;
    case Kind.testRmReg:
      return dword && !memory ? Fast.TEST_R32_R32 : Fast.NONE;
    case Kind.lea:
      return Fast.LEA;
    case Kind.movExtend:
      return memory ? Fast.MOVX_R32_M : Fast.NONE;
    case Kind.incDecReg:
      return Fast.INC_DEC_R32;
    case Kind.jcc:
      return Fast.JCC;
    case Kind.jmp:
      return Fast.JMP;
    case Kind.pushReg:
      return Fast.PUSH_R32;
    case Kind.popReg:
      return Fast.POP_R32;
    case Kind.call:
      return Fast.CALL;
    case Kind.ret:
      return Fast.RET;
    default:
      return Fast.NONE;
  }
}

/** Whether the inline path of `d` (of kind `fast`) writes the stack slot or memory operand it uses. */
export function fastStores(d: DecodedInsn, fast: Fast): boolean {
  switch (fast) {
    case Fast.PUSH_R32:
    case Fast.PUSH_IMM:
    case Fast.CALL:
    case Fast.MOV_M32_R32:
    case Fast.MOV_M32_IMM:
      return true;
    case Fast.ALU_M32_IMM:
    case Fast.ALU_M32_R32:
    case Fast.ALU_M8_IMM:
      return d.sub !== ALU_CMP;
    default:
      return false;
  }
}
