/**
 * The interpreter's entry: prefixes, the LOCK check, and the one-byte opcode map (SDM vol. 2, table A-2).
 * `step` runs one instruction and returns -1 to go on, or a RunExit for the run loop (cpu.ts), or FAULTED
 * (fault.ts) when a REP MOVS/STOS found a page fault without throwing: EIP back on the instruction, and
 * `c.runRetired` one lower, as every caller of `step` counts the instruction it ran. Two-byte
 * (0F xx) opcodes live in interpreter-0f.ts, string instructions in string-ops.ts, control-state ones in
 * system-ops.ts. Layer: arch plugin (cpu-i386).
 *
 * Fault discipline: a handler finishes every access that can fault before it changes a register or a flag.
 * Read-modify-write memory forms probe the destination for writing first (`beginRmw`), so a write fault
 * (COW!) leaves the flags untouched. ESP is rolled back by the run loop, so pushes need no such care.
 */
import { RunExit, SyscallGate } from '@kmos/abi-driver';
import { ALU_CMP, alu, incDec, neg, shiftRotate } from './alu.js';
import { aaa, aad, aam, aas, daa, das } from './bcd.js';
import {
  EAX,
  EBP,
  ECX,
  EDX,
  ESP,
  FLAG_CF,
  FLAG_DF,
  FLAG_OF,
  INT_SYSCALL,
  MAX_INSTRUCTION_BYTES,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  VEC_BP,
  VEC_BR,
  VEC_GP,
  VEC_NM,
  VEC_OF,
  VEC_UD,
} from './constants.js';
import { type CpuCore, INSN_EIP, INSN_ESP, LazyOp } from './cpu-core.js';
import {
  dataAddress,
  decodeEa,
  fetch8,
  fetch16,
  fetch32,
  fetchImm,
  fetchS8,
  getReg,
  peekStack,
  pop,
  push,
  readMem,
  readRm,
  setReg,
  vMask,
  writeMem,
  writeRm,
} from './decode.js';
import { raiseFault } from './fault.js';
import { getCF, getEflags, materializeFlags, setLazy, testCondition } from './flags.js';
import { lockIsLegal, step0F } from './interpreter-0f.js';
import { div, idiv, imul1, imulTrunc, mul } from './muldiv.js';
import { checkSegmentAccess } from './segments.js';
import { STR_CMPS, STR_LODS, STR_MOVS, STR_SCAS, STR_STOS, stringOp } from './string-ops.js';
import {
  farCall,
  farJump,
  farReturn,
  intThroughKernelGate,
  iret,
  lahf,
  loadFarPointer,
  movToSreg,
  popf,
  pushf,
  sahf,
} from './system-ops.js';

export const CONTINUE = -1;

export function undefinedOpcode(c: CpuCore): never {
  return raiseFault(c.fault, VEC_UD, -1);
}

export function generalProtection(c: CpuCore, errorCode: number): never {
  return raiseFault(c.fault, VEC_GP, errorCode);
}

/** Reports a trap (#BP, #OF): EIP already points past the instruction, as the kernel's signal frame wants. */
function trap(c: CpuCore, vector: number): number {
  c.fault.vector = vector;
  c.fault.errorCode = -1;
  c.fault.cr2 = 0;
  return RunExit.Fault;
}

/** Decodes ModR/M and, for memory forms, the effective address; returns the ModR/M byte. */
export function modrmOperand(c: CpuCore): number {
  const modrm = fetch8(c);
  if (modrm < 0xc0) decodeEa(c, modrm);
  return modrm;
}

/** Before a read-modify-write of a memory operand: fault now if it cannot be written. */
export function beginRmw(c: CpuCore, modrm: number, m: number): void {
  if (modrm < 0xc0) c.mmu.probeWrite(c.ea, m === -1 ? 4 : m === 0xffff ? 2 : 1);
}

export function step(c: CpuCore): number {
  const start = c.insnStart;
  start[INSN_EIP] = c.eip;
  start[INSN_ESP] = c.regs[ESP];
  c.o16 = false;
  c.a16 = false;
  c.segOverride = -1;
  c.repPrefix = 0;
  c.lock = false;
  let op = fetch8(c);
  for (;;) {
    switch (op) {
      case 0x66:
        c.o16 = true;
        break;
      case 0x67:
        c.a16 = true;
        break;
      case 0xf0:
        c.lock = true;
        break;
      case 0xf2:
      case 0xf3:
        c.repPrefix = op;
        break;
      case 0x26:
        c.segOverride = SEG_ES;
        break;
      case 0x2e:
        c.segOverride = SEG_CS;
        break;
      case 0x36:
        c.segOverride = SEG_SS;
        break;
      case 0x3e:
        c.segOverride = SEG_DS;
        break;
      case 0x64:
        c.segOverride = SEG_FS;
        break;
      case 0x65:
        c.segOverride = SEG_GS;
        break;
      default:
        if (c.lock && !lockIsLegal(c, op)) undefinedOpcode(c);
        return execute(c, op);
    }
    if (((c.eip - start[INSN_EIP]) | 0) >= MAX_INSTRUCTION_BYTES) generalProtection(c, 0);
    op = fetch8(c);
  }
}

function execute(c: CpuCore, op: number): number {
  if (op < 0x40 && (op & 7) < 6) {
    aluForm(c, op);
    return CONTINUE;
  }
  if (op >= 0x70 && op < 0x80) {
    const disp = fetchS8(c);
    if (testCondition(c, op & 0xf)) jumpRelative(c, disp);
    return CONTINUE;
  }
  if (op >= 0xd8 && op <= 0xdf) {
    escapeToFpu(c, op);
    return CONTINUE;
  }
  return executeOther(c, op);
}

/** 00..3D: the eight ALU operations in their six forms (op & 7: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iv). */
function aluForm(c: CpuCore, op: number): void {
  const aop = op >> 3;
  const form = op & 7;
  const m = (form & 1) === 0 ? 0xff : vMask(c);
  if (form >= 4) {
    const b = fetchImm(c, m);
    const r = alu(c, aop, getReg(c, EAX, m), b, m);
    if (aop !== ALU_CMP) setReg(c, EAX, r, m);
    return;
  }
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  if (form < 2) {
    if (aop !== ALU_CMP) beginRmw(c, modrm, m);
    const r = alu(c, aop, readRm(c, modrm, m), getReg(c, reg, m), m);
    if (aop !== ALU_CMP) writeRm(c, modrm, r, m);
  } else {
    const r = alu(c, aop, getReg(c, reg, m), readRm(c, modrm, m), m);
    if (aop !== ALU_CMP) setReg(c, reg, r, m);
  }
}

export function jumpRelative(c: CpuCore, disp: number): void {
  c.eip = c.o16 ? (c.eip + disp) & 0xffff : (c.eip + disp) | 0;
}

function escapeToFpu(c: CpuCore, op: number): void {
  const modrm = modrmOperand(c);
  const fpu = c.fpu;
  if (fpu === null) raiseFault(c.fault, VEC_NM, -1);
  c.fpuTouched = true;
  fpu.execute(op, modrm, modrm < 0xc0 ? c.ea : 0, c.o16);
}

function executeOther(c: CpuCore, op: number): number {
  const regs = c.regs;
  switch (op) {
    case 0x06:
    case 0x0e:
    case 0x16:
    case 0x1e:
      push(c, c.seg[op >> 3], vMask(c));
      return CONTINUE;
    case 0x07:
    case 0x17:
    case 0x1f:
      popSreg(c, op >> 3);
      return CONTINUE;
    case 0x0f:
      return step0F(c);
    case 0x27:
      daa(c);
      return CONTINUE;
    case 0x2f:
      das(c);
      return CONTINUE;
    case 0x37:
      aaa(c);
      return CONTINUE;
    case 0x3f:
      aas(c);
      return CONTINUE;
    case 0x40:
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44:
    case 0x45:
    case 0x46:
    case 0x47:
    case 0x48:
    case 0x49:
    case 0x4a:
    case 0x4b:
    case 0x4c:
    case 0x4d:
    case 0x4e:
    case 0x4f: {
      const m = vMask(c);
      const r = op & 7;
      setReg(c, r, incDec(c, getReg(c, r, m), op >= 0x48, m), m);
      return CONTINUE;
    }
    case 0x50:
    case 0x51:
    case 0x52:
    case 0x53:
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57:
      push(c, regs[op & 7], vMask(c));
      return CONTINUE;
    case 0x58:
    case 0x59:
    case 0x5a:
    case 0x5b:
    case 0x5c:
    case 0x5d:
    case 0x5e:
    case 0x5f: {
      const m = vMask(c);
      const v = pop(c, m);
      setReg(c, op & 7, v, m);
      return CONTINUE;
    }
    case 0x60:
      pusha(c);
      return CONTINUE;
    case 0x61:
      popa(c);
      return CONTINUE;
    case 0x62:
      bound(c);
      return CONTINUE;
    case 0x63:
      arpl(c);
      return CONTINUE;
    case 0x68:
      push(c, fetchImm(c, vMask(c)), vMask(c));
      return CONTINUE;
    case 0x6a:
      push(c, fetchS8(c), vMask(c));
      return CONTINUE;
    case 0x69:
    case 0x6b: {
      const m = vMask(c);
      const modrm = modrmOperand(c);
      const a = readRm(c, modrm, m);
      const b = op === 0x69 ? fetchImm(c, m) : fetchS8(c);
      setReg(c, (modrm >> 3) & 7, imulTrunc(c, a, b, m), m);
      return CONTINUE;
    }
    case 0x6c:
    case 0x6d:
    case 0x6e:
    case 0x6f:
    case 0xe4:
    case 0xe5:
    case 0xe6:
    case 0xe7:
    case 0xec:
    case 0xed:
    case 0xee:
    case 0xef:
    case 0xf4:
    case 0xfa:
    case 0xfb:
      // I/O with IOPL 0, HLT, CLI, STI: privileged at CPL 3.
      return generalProtection(c, 0);
    case 0x80:
    case 0x81:
    case 0x82:
    case 0x83:
      group1(c, op);
      return CONTINUE;
    case 0x84:
    case 0x85: {
      const m = op === 0x84 ? 0xff : vMask(c);
      const modrm = modrmOperand(c);
      const a = readRm(c, modrm, m);
      setLazy(c, LazyOp.LOGIC, 0, 0, a & getReg(c, (modrm >> 3) & 7, m), m);
      return CONTINUE;
    }
    case 0x86:
    case 0x87: {
      const m = op === 0x86 ? 0xff : vMask(c);
      const modrm = modrmOperand(c);
      const reg = (modrm >> 3) & 7;
      const a = readRm(c, modrm, m);
      const b = getReg(c, reg, m);
      writeRm(c, modrm, b, m);
      setReg(c, reg, a, m);
      return CONTINUE;
    }
    case 0x88:
    case 0x89: {
      const m = op === 0x88 ? 0xff : vMask(c);
      const modrm = modrmOperand(c);
      writeRm(c, modrm, getReg(c, (modrm >> 3) & 7, m), m);
      return CONTINUE;
    }
    case 0x8a:
    case 0x8b: {
      const m = op === 0x8a ? 0xff : vMask(c);
      const modrm = modrmOperand(c);
      setReg(c, (modrm >> 3) & 7, readRm(c, modrm, m), m);
      return CONTINUE;
    }
    case 0x8c: {
      const modrm = modrmOperand(c);
      const sreg = (modrm >> 3) & 7;
      if (sreg > 5) undefinedOpcode(c);
      // To a register the selector is zero-extended (P6 and later); to memory it is always 16 bits.
      if (modrm >= 0xc0) setReg(c, modrm & 7, c.seg[sreg], vMask(c));
      else c.mmu.write16(c.ea, c.seg[sreg]);
      return CONTINUE;
    }
    case 0x8d: {
      const modrm = fetch8(c);
      if (modrm >= 0xc0) undefinedOpcode(c);
      const saved = c.segCheckMask;
      c.segCheckMask = 0; // LEA computes an offset only: no segment is used, so none can fault.
      decodeEa(c, modrm);
      c.segCheckMask = saved;
      setReg(c, (modrm >> 3) & 7, c.eaOffset, vMask(c));
      return CONTINUE;
    }
    case 0x8e: {
      const modrm = modrmOperand(c);
      movToSreg(c, (modrm >> 3) & 7, readRm(c, modrm, 0xffff));
      return CONTINUE;
    }
    case 0x8f:
      popToRm(c);
      return CONTINUE;
    case 0x90:
      return CONTINUE; // NOP, and PAUSE (F3 90)
    case 0x91:
    case 0x92:
    case 0x93:
    case 0x94:
    case 0x95:
    case 0x96:
    case 0x97: {
      const m = vMask(c);
      const r = op & 7;
      const t = getReg(c, r, m);
      setReg(c, r, getReg(c, EAX, m), m);
      setReg(c, EAX, t, m);
      return CONTINUE;
    }
    case 0x98:
      if (c.o16) c.set16(EAX, (regs[EAX] << 24) >> 24);
      else regs[EAX] = (regs[EAX] << 16) >> 16;
      return CONTINUE;
    case 0x99:
      if (c.o16) c.set16(EDX, (regs[EAX] << 16) >> 31);
      else regs[EDX] = regs[EAX] >> 31;
      return CONTINUE;
    case 0x9a: {
      const m = vMask(c);
      const offset = fetchImm(c, m);
      const selector = fetch16(c);
      farCall(c, selector, offset, m);
      return CONTINUE;
    }
    case 0x9b:
      return CONTINUE; // FWAIT: the x87 reports its exceptions on the next FP instruction.
    case 0x9c:
      pushf(c, vMask(c));
      return CONTINUE;
    case 0x9d:
      popf(c, vMask(c));
      return CONTINUE;
    case 0x9e:
      sahf(c);
      return CONTINUE;
    case 0x9f:
      lahf(c);
      return CONTINUE;
    case 0xa0:
    case 0xa1: {
      const m = op === 0xa0 ? 0xff : vMask(c);
      const lin = moffsAddress(c, m);
      setReg(c, EAX, readMem(c, lin, m), m);
      return CONTINUE;
    }
    case 0xa2:
    case 0xa3: {
      const m = op === 0xa2 ? 0xff : vMask(c);
      const lin = moffsAddress(c, m);
      writeMem(c, lin, getReg(c, EAX, m), m);
      return CONTINUE;
    }
    case 0xa4:
    case 0xa5:
      return stringOp(c, STR_MOVS, op === 0xa4 ? 0xff : vMask(c));
    case 0xa6:
    case 0xa7:
      return stringOp(c, STR_CMPS, op === 0xa6 ? 0xff : vMask(c));
    case 0xa8:
    case 0xa9: {
      const m = op === 0xa8 ? 0xff : vMask(c);
      const b = fetchImm(c, m);
      setLazy(c, LazyOp.LOGIC, 0, 0, getReg(c, EAX, m) & b, m);
      return CONTINUE;
    }
    case 0xaa:
    case 0xab:
      return stringOp(c, STR_STOS, op === 0xaa ? 0xff : vMask(c));
    case 0xac:
    case 0xad:
      return stringOp(c, STR_LODS, op === 0xac ? 0xff : vMask(c));
    case 0xae:
    case 0xaf:
      return stringOp(c, STR_SCAS, op === 0xae ? 0xff : vMask(c));
    case 0xb0:
    case 0xb1:
    case 0xb2:
    case 0xb3:
    case 0xb4:
    case 0xb5:
    case 0xb6:
    case 0xb7:
      c.set8(op & 7, fetch8(c));
      return CONTINUE;
    case 0xb8:
    case 0xb9:
    case 0xba:
    case 0xbb:
    case 0xbc:
    case 0xbd:
    case 0xbe:
    case 0xbf: {
      const m = vMask(c);
      setReg(c, op & 7, fetchImm(c, m), m);
      return CONTINUE;
    }
    case 0xc0:
    case 0xc1:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      group2(c, op);
      return CONTINUE;
    case 0xc2:
    case 0xc3: {
      const popBytes = op === 0xc2 ? fetch16(c) : 0;
      const m = vMask(c);
      const target = pop(c, m);
      regs[ESP] = (regs[ESP] + popBytes) | 0;
      c.eip = target;
      return CONTINUE;
    }
    case 0xc4:
    case 0xc5: {
      const modrm = modrmOperand(c);
      if (modrm >= 0xc0) undefinedOpcode(c);
      loadFarPointer(c, op === 0xc4 ? SEG_ES : SEG_DS, (modrm >> 3) & 7, vMask(c));
      return CONTINUE;
    }
    case 0xc6:
    case 0xc7: {
      const m = op === 0xc6 ? 0xff : vMask(c);
      const modrm = modrmOperand(c);
      if (((modrm >> 3) & 7) !== 0) undefinedOpcode(c);
      writeRm(c, modrm, fetchImm(c, m), m);
      return CONTINUE;
    }
    case 0xc8:
      enter(c);
      return CONTINUE;
    case 0xc9: {
      const m = vMask(c);
      // The stack is 32-bit (SS.B = 1), so LEAVE copies EBP, not BP, into ESP whatever the operand size.
      const v = peekStackAt(c, regs[EBP], m);
      regs[ESP] = (regs[EBP] + (m === -1 ? 4 : 2)) | 0;
      setReg(c, EBP, v, m);
      return CONTINUE;
    }
    case 0xca:
      farReturn(c, vMask(c), fetch16(c));
      return CONTINUE;
    case 0xcb:
      farReturn(c, vMask(c), 0);
      return CONTINUE;
    case 0xcc:
      return trap(c, VEC_BP);
    case 0xcd: {
      const vector = fetch8(c);
      if (vector === INT_SYSCALL) {
        c.syscallGate = SyscallGate.Int80;
        return RunExit.Syscall;
      }
      if (vector === VEC_BP || vector === VEC_OF) return trap(c, vector);
      return intThroughKernelGate(c, vector);
    }
    case 0xce:
      return (getEflags(c) & FLAG_OF) !== 0 ? trap(c, VEC_OF) : CONTINUE;
    case 0xcf:
      iret(c, vMask(c));
      return CONTINUE;
    case 0xd4:
      aam(c, fetch8(c));
      return CONTINUE;
    case 0xd5:
      aad(c, fetch8(c));
      return CONTINUE;
    case 0xd6:
      c.set8(EAX, getCF(c) !== 0 ? 0xff : 0); // SALC: undocumented, present on every P6.
      return CONTINUE;
    case 0xd7: {
      const off = c.a16 ? (regs[3] + (regs[EAX] & 0xff)) & 0xffff : (regs[3] + (regs[EAX] & 0xff)) | 0;
      c.set8(EAX, c.mmu.read8(dataAddress(c, off)));
      return CONTINUE;
    }
    case 0xe0:
    case 0xe1:
    case 0xe2:
    case 0xe3:
      loopOrJcxz(c, op);
      return CONTINUE;
    case 0xe8: {
      const m = vMask(c);
      const disp = fetchImm(c, m);
      push(c, c.eip, m);
      jumpRelative(c, disp);
      return CONTINUE;
    }
    case 0xe9:
      jumpRelative(c, c.o16 ? (fetch16(c) << 16) >> 16 : fetch32(c));
      return CONTINUE;
    case 0xea: {
      const offset = fetchImm(c, vMask(c));
      farJump(c, fetch16(c), offset);
      return CONTINUE;
    }
    case 0xeb:
      jumpRelative(c, fetchS8(c));
      return CONTINUE;
    case 0xf1:
      return trap(c, 1); // INT1/ICEBP: #DB as a trap, whatever the gate's DPL.
    case 0xf5:
      materializeFlags(c);
      c.flags ^= FLAG_CF;
      return CONTINUE;
    case 0xf6:
    case 0xf7:
      group3(c, op === 0xf6 ? 0xff : vMask(c));
      return CONTINUE;
    case 0xf8:
    case 0xf9:
      materializeFlags(c);
      c.flags = (c.flags & ~FLAG_CF) | (op & 1);
      return CONTINUE;
    case 0xfc:
      c.flags &= ~FLAG_DF;
      return CONTINUE;
    case 0xfd:
      c.flags |= FLAG_DF;
      return CONTINUE;
    case 0xfe:
      return group4(c);
    case 0xff:
      return group5(c);
    default:
      return undefinedOpcode(c);
  }
}

/** The moffs operand of A0..A3 (an offset in the instruction), checked for its whole width. */
function moffsAddress(c: CpuCore, m: number): number {
  const lin = dataAddress(c, c.a16 ? fetch16(c) : fetch32(c));
  if ((c.segCheckMask & (1 << c.eaSeg)) !== 0) {
    checkSegmentAccess(c, c.eaSeg, c.eaOffset, m === -1 ? 4 : m === 0xffff ? 2 : 1);
  }
  return lin;
}

function peekStackAt(c: CpuCore, esp: number, m: number): number {
  const saved = c.regs[ESP];
  c.regs[ESP] = esp;
  try {
    return peekStack(c, 0, m);
  } finally {
    c.regs[ESP] = saved;
  }
}

function popSreg(c: CpuCore, sreg: number): void {
  const m = vMask(c);
  const selector = peekStack(c, 0, m) & 0xffff;
  movToSreg(c, sreg, selector);
  c.regs[ESP] = (c.regs[ESP] + (m === -1 ? 4 : 2)) | 0;
}

/** 8F /0: POP r/m; the address is computed with ESP already incremented (SDM vol. 2, POP). */
function popToRm(c: CpuCore): void {
  const m = vMask(c);
  const modrm = fetch8(c);
  if (((modrm >> 3) & 7) !== 0) undefinedOpcode(c);
  const v = pop(c, m);
  if (modrm >= 0xc0) {
    setReg(c, modrm & 7, v, m);
    return;
  }
  decodeEa(c, modrm);
  writeMem(c, c.ea, v, m);
}

function pusha(c: CpuCore): void {
  const m = vMask(c);
  const regs = c.regs;
  const esp = regs[ESP];
  for (let r = 0; r < 8; r++) push(c, r === ESP ? esp : regs[r], m);
}

function popa(c: CpuCore): void {
  const m = vMask(c);
  const size = m === -1 ? 4 : 2;
  // Read all eight first: a fault in the last one leaves every register as it was.
  const v0 = peekStack(c, 7 * size, m);
  const v1 = peekStack(c, 6 * size, m);
  const v2 = peekStack(c, 5 * size, m);
  const v3 = peekStack(c, 4 * size, m);
  const v5 = peekStack(c, 2 * size, m);
  const v6 = peekStack(c, size, m);
  const v7 = peekStack(c, 0, m);
  setReg(c, 0, v0, m);
  setReg(c, 1, v1, m);
  setReg(c, 2, v2, m);
  setReg(c, 3, v3, m);
  setReg(c, 5, v5, m);
  setReg(c, 6, v6, m);
  setReg(c, 7, v7, m);
  c.regs[ESP] = (c.regs[ESP] + 8 * size) | 0;
}

function bound(c: CpuCore): void {
  const m = vMask(c);
  const modrm = modrmOperand(c);
  if (modrm >= 0xc0) undefinedOpcode(c);
  const size = m === -1 ? 4 : 2;
  const index = m === -1 ? c.regs[(modrm >> 3) & 7] : (c.regs[(modrm >> 3) & 7] << 16) >> 16;
  const lower = m === -1 ? c.mmu.read32(c.ea) : (c.mmu.read16(c.ea) << 16) >> 16;
  const upper = m === -1 ? c.mmu.read32((c.ea + size) | 0) : (c.mmu.read16((c.ea + size) | 0) << 16) >> 16;
  if (index < lower || index > upper) raiseFault(c.fault, VEC_BR, -1);
}

/** ARPL Ew, Gw: raises the RPL of the destination selector to the source's; ZF says whether it changed. */
function arpl(c: CpuCore): void {
  const modrm = modrmOperand(c);
  beginRmw(c, modrm, 0xffff);
  const dest = readRm(c, modrm, 0xffff);
  const src = c.regs[(modrm >> 3) & 7] & 0xffff;
  materializeFlags(c);
  if ((dest & 3) < (src & 3)) {
    writeRm(c, modrm, (dest & ~3) | (src & 3), 0xffff);
    c.flags |= 0x40;
  } else {
    c.flags &= ~0x40;
  }
}

function group1(c: CpuCore, op: number): void {
  const m = op === 0x81 ? vMask(c) : op === 0x83 ? vMask(c) : 0xff;
  const modrm = modrmOperand(c);
  const aop = (modrm >> 3) & 7;
  const b = op === 0x81 ? fetchImm(c, m) : op === 0x83 ? fetchS8(c) & m : fetch8(c);
  if (aop !== ALU_CMP) beginRmw(c, modrm, m);
  const r = alu(c, aop, readRm(c, modrm, m), b, m);
  if (aop !== ALU_CMP) writeRm(c, modrm, r, m);
}

function group2(c: CpuCore, op: number): void {
  const m = (op & 1) === 0 ? 0xff : vMask(c);
  const modrm = modrmOperand(c);
  let count: number;
  if (op <= 0xc1) count = fetch8(c);
  else if (op <= 0xd1) count = 1;
  else count = c.regs[ECX];
  count &= 0x1f;
  const kind = (modrm >> 3) & 7;
  if (count === 0) {
    readRm(c, modrm, m); // the operand is still read (and may fault); nothing changes
    return;
  }
  beginRmw(c, modrm, m);
  writeRm(c, modrm, shiftRotate(c, kind, readRm(c, modrm, m), count, m), m);
}

function group3(c: CpuCore, m: number): void {
  const modrm = modrmOperand(c);
  switch ((modrm >> 3) & 7) {
    case 0:
    case 1: {
      const b = fetchImm(c, m);
      setLazy(c, LazyOp.LOGIC, 0, 0, readRm(c, modrm, m) & b, m);
      return;
    }
    case 2:
      beginRmw(c, modrm, m);
      writeRm(c, modrm, ~readRm(c, modrm, m) & m, m);
      return;
    case 3: {
      beginRmw(c, modrm, m);
      const v = readRm(c, modrm, m);
      const r = -v & m;
      writeRm(c, modrm, r, m);
      neg(c, v, m);
      return;
    }
    case 4:
      mul(c, readRm(c, modrm, m), m);
      return;
    case 5:
      imul1(c, readRm(c, modrm, m), m);
      return;
    case 6:
      div(c, readRm(c, modrm, m), m);
      return;
    default:
      idiv(c, readRm(c, modrm, m), m);
  }
}

function group4(c: CpuCore): number {
  const modrm = modrmOperand(c);
  const kind = (modrm >> 3) & 7;
  if (kind > 1) undefinedOpcode(c);
  beginRmw(c, modrm, 0xff);
  const v = readRm(c, modrm, 0xff);
  const r = kind === 0 ? (v + 1) & 0xff : (v - 1) & 0xff;
  writeRm(c, modrm, r, 0xff);
  incDec(c, v, kind === 1, 0xff);
  return CONTINUE;
}

function group5(c: CpuCore): number {
  const m = vMask(c);
  const modrm = modrmOperand(c);
  switch ((modrm >> 3) & 7) {
    case 0:
    case 1: {
      beginRmw(c, modrm, m);
      const v = readRm(c, modrm, m);
      const dec = (modrm & 0x38) !== 0;
      writeRm(c, modrm, (dec ? v - 1 : v + 1) & m, m);
      incDec(c, v, dec, m);
      return CONTINUE;
    }
    case 2: {
      const target = readRm(c, modrm, m);
      push(c, c.eip, m);
      c.eip = target;
      return CONTINUE;
    }
    case 3: {
      if (modrm >= 0xc0) undefinedOpcode(c);
      const offset = readMem(c, c.ea, m);
      const selector = c.mmu.read16((c.ea + (m === -1 ? 4 : 2)) | 0);
      farCall(c, selector, offset, m);
      return CONTINUE;
    }
    case 4:
      c.eip = readRm(c, modrm, m);
      return CONTINUE;
    case 5: {
      if (modrm >= 0xc0) undefinedOpcode(c);
      const offset = readMem(c, c.ea, m);
      farJump(c, c.mmu.read16((c.ea + (m === -1 ? 4 : 2)) | 0), offset);
      return CONTINUE;
    }
    case 6:
      push(c, readRm(c, modrm, m), m);
      return CONTINUE;
    default:
      return undefinedOpcode(c);
  }
}

function loopOrJcxz(c: CpuCore, op: number): void {
  const disp = fetchS8(c);
  const regs = c.regs;
  const aMask = c.a16 ? 0xffff : -1;
  if (op === 0xe3) {
    if ((regs[ECX] & aMask) === 0) jumpRelative(c, disp);
    return;
  }
  const count = (regs[ECX] - 1) & aMask;
  if (aMask === -1) regs[ECX] = count;
  else c.set16(ECX, count);
  let taken = count !== 0;
  if (op === 0xe0) taken = taken && (getEflags(c) & 0x40) === 0;
  else if (op === 0xe1) taken = taken && (getEflags(c) & 0x40) !== 0;
  if (taken) jumpRelative(c, disp);
}

/** ENTER imm16, imm8 (SDM vol. 2, ENTER): nesting levels copy the enclosing frame pointers. */
function enter(c: CpuCore): void {
  const size = fetch16(c);
  const level = fetch8(c) & 0x1f;
  const m = vMask(c);
  const bytes = m === -1 ? 4 : 2;
  const regs = c.regs;
  push(c, regs[EBP], m);
  const frameTemp = regs[ESP];
  let ebp = regs[EBP];
  for (let i = 1; i < level; i++) {
    ebp = (ebp - bytes) | 0;
    push(c, peekStackAt(c, ebp, m), m);
  }
  if (level > 0) push(c, frameTemp, m);
  const newEsp = (regs[ESP] - size) | 0;
  setReg(c, EBP, frameTemp, m);
  regs[ESP] = newEsp;
}
