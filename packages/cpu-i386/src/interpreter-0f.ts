/**
 * The two-byte opcode map, 0F xx (SDM vol. 2, table A-3), as a Pentium Pro with CMOV, CX8 and FXSR has it,
 * and the LOCK-prefix legality check. Layer: arch plugin (cpu-i386); called by interpreter.ts after the
 * prefixes and the 0F escape are consumed.
 */
import { RunExit, SyscallGate } from '@kmos/abi-driver';
import { doubleShift } from './alu.js';
import { bitScan, bitTest, bswap, cmpxchg, cmpxchg8b, xadd } from './bit-ops.js';
import { EAX, EDX, FLAG_ZF, SEG_FS, SEG_GS, SEG_SS, VEC_GP, VEC_NM } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import {
  decodeEa,
  fetch8,
  fetch16,
  fetch32,
  getReg,
  push,
  readRm,
  setReg,
  vMask,
  writeRm,
} from './decode.js';
import { raiseFault } from './fault.js';
import { materializeFlags, testCondition } from './flags.js';
import {
  beginRmw,
  CONTINUE,
  generalProtection,
  jumpRelative,
  modrmOperand,
  undefinedOpcode,
} from './interpreter.js';
import { imulTrunc } from './muldiv.js';
import { descriptorLimit } from './segments.js';
import { mxcsrLoadStore, stepSimd } from './sse/sse-dispatch.js';
import { imageMxcsr } from './sse/sse-image.js';
import { MXCSR_WRITABLE } from './sse/sse-state.js';
import { cpuid, loadFarPointer, movToSreg } from './system-ops.js';

/** What SMSW shows at CPL 3: CR0 low word with PE, MP, ET, NE (the kernel runs with paging and an FPU). */
const CR0_LOW_WORD = 0x0033;
const FXSAVE_BYTES = 512;
const FXSAVE_ALIGN = 16;
const fxImage = new Uint8Array(FXSAVE_BYTES);

export function step0F(c: CpuCore): number {
  const op = fetch8(c);
  if (op >= 0x80 && op < 0x90) {
    const disp = c.o16 ? (fetch16(c) << 16) >> 16 : fetch32(c);
    if (testCondition(c, op & 0xf)) jumpRelative(c, disp);
    return CONTINUE;
  }
  if (op >= 0x40 && op < 0x50) {
    const m = vMask(c);
    const modrm = modrmOperand(c);
    const v = readRm(c, modrm, m); // read even when the condition is false: a bad address faults anyway
    if (testCondition(c, op & 0xf)) setReg(c, (modrm >> 3) & 7, v, m);
    return CONTINUE;
  }
  if (op >= 0x90 && op < 0xa0) {
    const modrm = modrmOperand(c);
    writeRm(c, modrm, testCondition(c, op & 0xf) ? 1 : 0, 0xff);
    return CONTINUE;
  }
  if (op >= 0xc8 && op < 0xd0) {
    bswap(c, op & 7);
    return CONTINUE;
  }
  return step0FOther(c, op);
}

function step0FOther(c: CpuCore, op: number): number {
  switch (op) {
    case 0x00:
      group6(c);
      return CONTINUE;
    case 0x01:
      group7(c);
      return CONTINUE;
    case 0x02:
    case 0x03:
      larLsl(c, op === 0x02);
      return CONTINUE;
    case 0x06:
    case 0x08:
    case 0x09:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x30:
    case 0x32:
    case 0x33:
    case 0x35:
      // CLTS, INVD, WBINVD, MOV CRn/DRn, WRMSR, RDMSR, RDPMC (CR4.PCE=0), SYSEXIT: CPL 0 only.
      return generalProtection(c, 0);
    case 0x0b:
      return undefinedOpcode(c); // UD2
    case 0x18:
    case 0x19:
    case 0x1a:
    case 0x1b:
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x1f: {
      // Hint NOPs (0F 1F /0 is the recommended multi-byte NOP): decode the operand, touch nothing.
      const modrm = fetch8(c);
      if (modrm < 0xc0) {
        const saved = c.segCheckMask;
        c.segCheckMask = 0;
        decodeEa(c, modrm);
        c.segCheckMask = saved;
      }
      return CONTINUE;
    }
    case 0x31: {
      const tsc = c.insnsBase + c.runRetired;
      c.regs[EAX] = tsc | 0;
      c.regs[EDX] = Math.floor(tsc / 4294967296) | 0;
      return CONTINUE;
    }
    case 0x34:
      c.syscallGate = SyscallGate.Sysenter;
      return RunExit.Syscall;
    case 0xa0:
    case 0xa8:
      push(c, c.seg[op === 0xa0 ? SEG_FS : SEG_GS], vMask(c));
      return CONTINUE;
    case 0xa1:
    case 0xa9: {
      const m = vMask(c);
      const selector = c.mmu.read16((c.regs[4] + c.segBase[SEG_SS]) | 0);
      movToSreg(c, op === 0xa1 ? SEG_FS : SEG_GS, selector);
      c.regs[4] = (c.regs[4] + (m === -1 ? 4 : 2)) | 0;
      return CONTINUE;
    }
    case 0xa2:
      cpuid(c);
      return CONTINUE;
    case 0xa3:
    case 0xab:
    case 0xb3:
    case 0xbb: {
      const m = vMask(c);
      const modrm = modrmOperand(c);
      const kind = op === 0xa3 ? 0 : op === 0xab ? 1 : op === 0xb3 ? 2 : 3;
      bitTest(c, modrm, m, getReg(c, (modrm >> 3) & 7, m), true, kind);
      return CONTINUE;
    }
    case 0xba: {
      const m = vMask(c);
      const modrm = modrmOperand(c);
      const kind = (modrm >> 3) & 7;
      if (kind < 4) undefinedOpcode(c);
      bitTest(c, modrm, m, fetch8(c), false, kind - 4);
      return CONTINUE;
    }
    case 0xa4:
    case 0xa5:
    case 0xac:
    case 0xad:
      shiftDouble(c, op);
      return CONTINUE;
    case 0xae:
      group15(c);
      return CONTINUE;
    case 0xaf: {
      const m = vMask(c);
      const modrm = modrmOperand(c);
      const reg = (modrm >> 3) & 7;
      setReg(c, reg, imulTrunc(c, getReg(c, reg, m), readRm(c, modrm, m), m), m);
      return CONTINUE;
    }
    case 0xb0:
    case 0xb1:
      cmpxchg(c, modrmOperand(c), op === 0xb0 ? 0xff : vMask(c));
      return CONTINUE;
    case 0xb2:
    case 0xb4:
    case 0xb5: {
      const modrm = modrmOperand(c);
      if (modrm >= 0xc0) undefinedOpcode(c);
      loadFarPointer(c, op === 0xb2 ? SEG_SS : op === 0xb4 ? SEG_FS : SEG_GS, (modrm >> 3) & 7, vMask(c));
      return CONTINUE;
    }
    case 0xb6:
    case 0xb7:
    case 0xbe:
    case 0xbf: {
      const m = vMask(c);
      const modrm = modrmOperand(c);
      const byte = (op & 1) === 0;
      let v = readRm(c, modrm, byte ? 0xff : 0xffff);
      if (op >= 0xbe) v = byte ? (v << 24) >> 24 : (v << 16) >> 16;
      setReg(c, (modrm >> 3) & 7, v & m, m);
      return CONTINUE;
    }
    case 0xbc:
    case 0xbd:
      bitScan(c, modrmOperand(c), vMask(c), op === 0xbd);
      return CONTINUE;
    case 0xc0:
    case 0xc1:
      xadd(c, modrmOperand(c), op === 0xc0 ? 0xff : vMask(c));
      return CONTINUE;
    case 0xc7: {
      const modrm = modrmOperand(c);
      if (modrm >= 0xc0 || ((modrm >> 3) & 7) !== 1) undefinedOpcode(c);
      cmpxchg8b(c);
      return CONTINUE;
    }
    default:
      return stepSimd(c, op);
  }
}

function shiftDouble(c: CpuCore, op: number): void {
  const m = vMask(c);
  const modrm = modrmOperand(c);
  const count = ((op & 1) === 0 ? fetch8(c) : c.regs[1]) & 0x1f;
  if (count === 0) {
    readRm(c, modrm, m);
    return;
  }
  beginRmw(c, modrm, m);
  const dest = readRm(c, modrm, m);
  writeRm(c, modrm, doubleShift(c, op < 0xa8, dest, getReg(c, (modrm >> 3) & 7, m), count, m), m);
}

/** 0F 00: SLDT/STR/VERR/VERW work at CPL 3 (no UMIP on a P6); LLDT/LTR are privileged. */
function group6(c: CpuCore): void {
  const modrm = modrmOperand(c);
  switch ((modrm >> 3) & 7) {
    case 0:
      writeRm(c, modrm, 0, modrm >= 0xc0 ? vMask(c) : 0xffff); // no LDT selector in the GDT: 0
      return;
    case 1:
      writeRm(c, modrm, GDT_ENTRY_TSS_SELECTOR, modrm >= 0xc0 ? vMask(c) : 0xffff);
      return;
    case 2:
    case 3:
      generalProtection(c, 0);
      return;
    case 4:
    case 5:
      verify(c, readRm(c, modrm, 0xffff), ((modrm >> 3) & 7) === 5);
      return;
    default:
      undefinedOpcode(c);
  }
}

/** Linux's TSS lives in GDT entry 16 (selector 0x80); STR shows it as the real kernel would. */
const GDT_ENTRY_TSS_SELECTOR = 16 << 3;

function descriptorHigh(c: CpuCore, selector: number): number | null {
  if ((selector & ~3) === 0) return null;
  const table = (selector & 4) !== 0 ? c.ldt : c.gdt;
  const i = (selector >>> 3) * 2;
  if (i + 1 >= table.length) return null;
  return table[i + 1];
}

/** Whether a CPL-3 program may see the descriptor: a code/data segment of DPL >= max(CPL, RPL), or conforming code. */
function visibleDescriptor(c: CpuCore, selector: number): number | null {
  const high = descriptorHigh(c, selector);
  if (high === null || (high & 0x1000) === 0) return null;
  const dpl = (high >>> 13) & 3;
  const conformingCode = (high & 0xc00) === 0xc00 && (high & 0x800) !== 0;
  if (!conformingCode && (dpl < 3 || (selector & 3) > dpl)) return null;
  return high;
}

function verify(c: CpuCore, selector: number, write: boolean): void {
  const high = visibleDescriptor(c, selector);
  const type = high === null ? 0 : (high >>> 8) & 0xf;
  const ok = high !== null && (write ? (type & 0xa) === 0x2 : (type & 0x8) === 0 || (type & 0x2) !== 0);
  materializeFlags(c);
  c.flags = ok ? c.flags | FLAG_ZF : c.flags & ~FLAG_ZF;
}

function larLsl(c: CpuCore, lar: boolean): void {
  const m = vMask(c);
  const modrm = modrmOperand(c);
  const selector = readRm(c, modrm, 0xffff);
  const high = visibleDescriptor(c, selector);
  materializeFlags(c);
  if (high === null) {
    c.flags &= ~FLAG_ZF;
    return;
  }
  const table = (selector & 4) !== 0 ? c.ldt : c.gdt;
  const low = table[(selector >>> 3) * 2];
  const v = lar ? high & 0x00f0ff00 : descriptorLimit(low, high) | 0;
  setReg(c, (modrm >> 3) & 7, v & m, m);
  c.flags |= FLAG_ZF;
}

/** 0F 01: SGDT/SIDT/SMSW are readable at CPL 3 on a P6; the loads, LMSW and INVLPG are #GP(0). */
function group7(c: CpuCore): void {
  const modrm = modrmOperand(c);
  const kind = (modrm >> 3) & 7;
  if (kind === 4) {
    writeRm(c, modrm, CR0_LOW_WORD, modrm >= 0xc0 ? vMask(c) : 0xffff);
    return;
  }
  if (modrm >= 0xc0 || kind === 5) undefinedOpcode(c);
  if (kind === 0 || kind === 1) {
    c.mmu.probeWrite(c.ea, 6);
    c.mmu.write16(c.ea, kind === 0 ? c.gdt.length * 4 - 1 : 256 * 8 - 1);
    c.mmu.write32((c.ea + 2) | 0, 0);
    return;
  }
  generalProtection(c, 0);
}

/**
 * 0F AE: FXSAVE /0 and FXRSTOR /1 go to the x87 (whose image includes the SSE state); LDMXCSR /2 and
 * STMXCSR /3 to the SSE unit; the fences (register forms /5 /6 /7) and CLFLUSH (/7 memory) order nothing in
 * a single in-order CPU.
 */
function group15(c: CpuCore): void {
  const modrm = modrmOperand(c);
  const kind = (modrm >> 3) & 7;
  if (modrm >= 0xc0) {
    if (kind < 5) undefinedOpcode(c);
    return;
  }
  if (kind === 2 || kind === 3) {
    mxcsrLoadStore(c, kind === 3);
    return;
  }
  if (kind === 7) return;
  if (kind > 1) undefinedOpcode(c);
  const fpu = c.fpu;
  if (fpu === null) raiseFault(c.fault, VEC_NM, -1);
  c.fpuTouched = true;
  if ((c.ea & (FXSAVE_ALIGN - 1)) !== 0) raiseFault(c.fault, VEC_GP, 0);
  if (kind === 0) {
    c.mmu.probeWrite(c.ea, FXSAVE_BYTES);
    fpu.saveFxsave(fxImage, 0);
    for (let i = 0; i < FXSAVE_BYTES; i++) c.mmu.write8((c.ea + i) | 0, fxImage[i]);
  } else {
    c.mmu.probeRead(c.ea, FXSAVE_BYTES);
    for (let i = 0; i < FXSAVE_BYTES; i++) fxImage[i] = c.mmu.read8((c.ea + i) | 0);
    if ((imageMxcsr(fxImage, 0) & ~MXCSR_WRITABLE) !== 0) raiseFault(c.fault, VEC_GP, 0);
    fpu.restoreFxsave(fxImage, 0);
  }
}

/** One-byte opcodes that accept LOCK with a memory destination, by the `reg` field where it matters. */
function lockableOneByte(op: number, reg: number): boolean {
  if (op < 0x40) return (op & 7) < 2 && op >> 3 !== 7;
  if (op >= 0x80 && op <= 0x83) return reg !== 7;
  if (op === 0x86 || op === 0x87) return true;
  if (op === 0xf6 || op === 0xf7) return reg === 2 || reg === 3;
  if (op === 0xfe || op === 0xff) return reg < 2;
  return false;
}

function lockableTwoByte(op: number, reg: number): boolean {
  if (op === 0xab || op === 0xb3 || op === 0xbb || op === 0xb0 || op === 0xb1 || op === 0xc0 || op === 0xc1) {
    return true;
  }
  if (op === 0xba) return reg >= 5;
  if (op === 0xc7) return reg === 1;
  return false;
}

/**
 * Whether LOCK is legal on form `op` (0x100 | the second byte for 0F xx) with ModR/M byte `modrm`: the
 * read-modify-write forms with a memory destination (SDM vol. 2, LOCK).
 */
export function lockableForm(op: number, modrm: number): boolean {
  const reg = (modrm >> 3) & 7;
  return modrm < 0xc0 && (op >= 0x100 ? lockableTwoByte(op & 0xff, reg) : lockableOneByte(op, reg));
}

/** LOCK is legal only on the read-modify-write forms with a memory destination (SDM vol. 2, LOCK). */
export function lockIsLegal(c: CpuCore, op: number): boolean {
  if (op === 0x0f) return lockableForm(0x100 | c.mmu.read8(c.eip), c.mmu.read8((c.eip + 1) | 0));
  return lockableForm(op, c.mmu.read8(c.eip));
}
