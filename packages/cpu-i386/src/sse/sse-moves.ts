/**
 * SIMD data movement: MOVD/MOVQ, the MOVxPS/PD/DQA/DQU family, MOVSS/MOVSD, the half-register moves
 * (MOVLPS/MOVHPS/MOVHLPS/MOVLHPS and the PD forms), the non-temporal stores, MASKMOVQ/MASKMOVDQU,
 * MOVMSKPS/PD, PMOVMSKB, PEXTRW/PINSRW, PSHUFW/PSHUFD/PSHUFHW/PSHUFLW, SHUFPS/SHUFPD and UNPCKL/H PS/PD
 * (SDM vol. 2). Layer: arch plugin (cpu-i386), SIMD unit; sse-dispatch.ts sends every opcode it does not
 * compute to `moveOp`, which raises #UD for what is left.
 *
 * Moves raise no SIMD floating-point exceptions. The MMX forms go through the x87 register file
 * (SseState.loadMm/storeMm) and put the x87 into MMX state.
 */
import { EDI, VEC_UD } from '../constants.js';
import type { CpuCore } from '../cpu-core.js';
import { dataAddress, fetch8, readRm, writeRm } from '../decode.js';
import { raiseFault } from '../fault.js';
import { modrmOperand } from '../interpreter.js';
import { unpack } from './sse-int.js';
import {
  checkPendingX87,
  mmSource,
  readMemory,
  requireAligned,
  writeMemory,
  xmmSource,
} from './sse-operands.js';
import { SLOT_MM, SLOT_RES, SLOT_SRC, type SseState } from './sse-state.js';

function ud(c: CpuCore): never {
  return raiseFault(c.fault, VEC_UD, -1);
}

/** Copies qword `fromQ` of slot `from` to qword `toQ` of slot `to`. */
function copyQword(s: SseState, to: number, toQ: number, from: number, fromQ: number): void {
  s.i32[to * 4 + 2 * toQ] = s.i32[from * 4 + 2 * fromQ];
  s.i32[to * 4 + 2 * toQ + 1] = s.i32[from * 4 + 2 * fromQ + 1];
}

function zeroQword(s: SseState, slot: number, q: number): void {
  s.i32[slot * 4 + 2 * q] = 0;
  s.i32[slot * 4 + 2 * q + 1] = 0;
}

/** Writes an MMX register from a slot and puts the x87 into MMX state. */
function toMm(s: SseState, n: number, slot: number): void {
  s.storeMm(n, slot);
  s.enterMmx();
}

export function moveOp(c: CpuCore, s: SseState, op: number, pfx: number): void {
  switch (op) {
    case 0x10:
    case 0x11:
    case 0x28:
    case 0x29:
    case 0x2b:
    case 0x6f:
    case 0x7f:
    case 0xe7:
      wholeMove(c, s, op, pfx);
      return;
    case 0x12:
    case 0x13:
    case 0x16:
    case 0x17:
      halfMove(c, s, op, pfx);
      return;
    case 0x6e:
    case 0x7e:
    case 0xd6:
      dwordQwordMove(c, s, op, pfx);
      return;
    default:
      shuffleOp(c, s, op, pfx);
  }
}

/** Loads and stores of whole registers (and MOVSS/MOVSD, which move one lane). */
function wholeMove(c: CpuCore, s: SseState, op: number, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const mem = modrm < 0xc0;
  const rm = modrm & 7;
  const store = op === 0x11 || op === 0x29 || op === 0x2b || op === 0x7f || op === 0xe7;
  if ((op === 0x6f || op === 0x7f || op === 0xe7) && pfx === 0) {
    mmxMove(c, s, op, modrm);
    return;
  }
  if (pfx === 0xf3 || pfx === 0xf2) {
    if (op === 0x10 || op === 0x11) {
      scalarMove(c, s, op === 0x11, pfx === 0xf2 ? 8 : 4, modrm);
      return;
    }
    if (pfx === 0xf2 || (op !== 0x6f && op !== 0x7f)) ud(c); // F3 0F 6F/7F: MOVDQU
  } else if ((op === 0x6f || op === 0x7f || op === 0xe7) && pfx !== 0x66) ud(c);
  const aligned = op !== 0x10 && op !== 0x11 && pfx !== 0xf3;
  if ((op === 0x2b || op === 0xe7) && !mem) ud(c);
  if (!store) {
    s.copySlot(reg, xmmSource(c, s, modrm, 16, aligned));
    return;
  }
  if (!mem) {
    s.copySlot(rm, reg);
    return;
  }
  if (aligned) requireAligned(c);
  writeMemory(c, s, reg, 16);
}

function scalarMove(c: CpuCore, s: SseState, store: boolean, bytes: number, modrm: number): void {
  const reg = (modrm >> 3) & 7;
  const dwords = bytes / 4;
  if (modrm >= 0xc0) {
    const from = store ? reg : modrm & 7;
    const to = store ? modrm & 7 : reg;
    for (let k = 0; k < dwords; k++) s.i32[to * 4 + k] = s.i32[from * 4 + k];
  } else if (store) writeMemory(c, s, reg, bytes);
  else {
    readMemory(c, s, SLOT_SRC, bytes);
    for (let k = 0; k < 4; k++) s.i32[reg * 4 + k] = k < dwords ? s.i32[SLOT_SRC * 4 + k] : 0;
  }
}

/** MOVQ mm, mm/m64 (6F), MOVQ mm/m64, mm (7F), MOVNTQ m64, mm (E7). */
function mmxMove(c: CpuCore, s: SseState, op: number, modrm: number): void {
  const reg = (modrm >> 3) & 7;
  checkPendingX87(c, s);
  if (op === 0x6f) {
    toMm(s, reg, mmSource(c, s, modrm));
    return;
  }
  if (op === 0xe7 && modrm >= 0xc0) ud(c);
  s.loadMm(SLOT_MM, reg);
  if (modrm >= 0xc0) s.storeMm(modrm & 7, SLOT_MM);
  else writeMemory(c, s, SLOT_MM, 8);
  s.enterMmx();
}

/** MOVLPS/MOVLPD/MOVHLPS (12), MOVHPS/MOVHPD/MOVLHPS (16) and their stores (13, 17). */
function halfMove(c: CpuCore, s: SseState, op: number, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const high = op >= 0x16;
  if (pfx !== 0 && (pfx !== 0x66 || modrm >= 0xc0)) ud(c);
  if (op === 0x13 || op === 0x17) {
    if (modrm >= 0xc0) ud(c);
    writeMemory(c, s, reg, 8, high ? 8 : 0);
    return;
  }
  if (modrm >= 0xc0) {
    copyQword(s, reg, high ? 1 : 0, modrm & 7, high ? 0 : 1); // MOVLHPS / MOVHLPS
    return;
  }
  readMemory(c, s, SLOT_SRC, 8);
  copyQword(s, reg, high ? 1 : 0, SLOT_SRC, 0);
}

/** MOVD to and from r/m32, MOVQ xmm, xmm/m64 (F3 7E), MOVQ xmm/m64, xmm (66 D6), MOVQ2DQ, MOVDQ2Q. */
function dwordQwordMove(c: CpuCore, s: SseState, op: number, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const rm = modrm & 7;
  if (op === 0xd6) {
    if (pfx === 0x66) {
      if (modrm < 0xc0) writeMemory(c, s, reg, 8);
      else {
        copyQword(s, rm, 0, reg, 0);
        zeroQword(s, rm, 1);
      }
    } else if (pfx === 0xf3 && modrm >= 0xc0) {
      checkPendingX87(c, s);
      s.loadMm(reg, rm); // MOVQ2DQ xmm, mm
      zeroQword(s, reg, 1);
      s.enterMmx();
    } else if (pfx === 0xf2 && modrm >= 0xc0) {
      checkPendingX87(c, s);
      toMm(s, reg, rm); // MOVDQ2Q mm, xmm
    } else ud(c);
    return;
  }
  if (pfx === 0xf3 && op === 0x7e) {
    const src = xmmSource(c, s, modrm, 8, false);
    copyQword(s, reg, 0, src, 0);
    zeroQword(s, reg, 1);
    return;
  }
  if (pfx !== 0 && pfx !== 0x66) ud(c);
  const mmx = pfx === 0;
  if (mmx) checkPendingX87(c, s);
  if (op === 0x6e) {
    const v = readRm(c, modrm, -1);
    const to = mmx ? SLOT_MM : reg;
    s.i32[to * 4] = v;
    s.i32[to * 4 + 1] = 0;
    if (mmx) toMm(s, reg, SLOT_MM);
    else zeroQword(s, reg, 1);
    return;
  }
  if (mmx) s.loadMm(SLOT_MM, reg);
  writeRm(c, modrm, s.i32[(mmx ? SLOT_MM : reg) * 4], -1);
  if (mmx) s.enterMmx();
}

/** The remaining movement: shuffles, masks, word insert/extract, non-temporal and masked stores. */
function shuffleOp(c: CpuCore, s: SseState, op: number, pfx: number): void {
  switch (op) {
    case 0x14:
    case 0x15: {
      if (pfx !== 0 && pfx !== 0x66) ud(c);
      const modrm = modrmOperand(c);
      unpack(s, (modrm >> 3) & 7, xmmSource(c, s, modrm, 16, true), 16, pfx === 0 ? 4 : 8, op === 0x15);
      return;
    }
    case 0xc6:
      shufps(c, s, pfx);
      return;
    case 0x70:
      pshuf(c, s, pfx);
      return;
    case 0x50:
    case 0xd7:
      moveMask(c, s, op, pfx);
      return;
    case 0xc4:
    case 0xc5:
      insertExtractWord(c, s, op, pfx);
      return;
    case 0xc3: {
      const modrm = modrmOperand(c);
      if (pfx !== 0 || modrm >= 0xc0) ud(c);
      writeRm(c, modrm, c.regs[(modrm >> 3) & 7], -1); // MOVNTI m32, r32
      return;
    }
    case 0xf7:
      maskMove(c, s, pfx);
      return;
    default:
      ud(c);
  }
}

function shufps(c: CpuCore, s: SseState, pfx: number): void {
  if (pfx !== 0 && pfx !== 0x66) ud(c);
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const src = xmmSource(c, s, modrm, 16, true);
  const imm = fetch8(c);
  const r = SLOT_RES * 4;
  if (pfx === 0) {
    s.i32[r] = s.i32[reg * 4 + (imm & 3)];
    s.i32[r + 1] = s.i32[reg * 4 + ((imm >> 2) & 3)];
    s.i32[r + 2] = s.i32[src * 4 + ((imm >> 4) & 3)];
    s.i32[r + 3] = s.i32[src * 4 + ((imm >> 6) & 3)];
  } else {
    copyQword(s, SLOT_RES, 0, reg, imm & 1);
    copyQword(s, SLOT_RES, 1, src, (imm >> 1) & 1);
  }
  s.copySlot(reg, SLOT_RES);
}

/** PSHUFW (MMX), PSHUFD, PSHUFHW, PSHUFLW. */
function pshuf(c: CpuCore, s: SseState, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  if (pfx === 0) checkPendingX87(c, s);
  const src = pfx === 0 ? mmSource(c, s, modrm) : xmmSource(c, s, modrm, 16, true);
  const imm = fetch8(c);
  const r = SLOT_RES;
  s.copySlot(r, src);
  if (pfx === 0x66) {
    for (let i = 0; i < 4; i++) s.i32[r * 4 + i] = s.i32[src * 4 + ((imm >> (2 * i)) & 3)];
  } else {
    const base = pfx === 0xf3 ? 4 : 0; // PSHUFHW shuffles the high four words
    for (let i = 0; i < 4; i++) s.u16[r * 8 + base + i] = s.u16[src * 8 + base + ((imm >> (2 * i)) & 3)];
  }
  if (pfx === 0) toMm(s, reg, r);
  else s.copySlot(reg, r);
}

/** MOVMSKPS/PD (0F 50) and PMOVMSKB (0F D7): sign bits into a general register. */
function moveMask(c: CpuCore, s: SseState, op: number, pfx: number): void {
  const modrm = modrmOperand(c);
  if (modrm < 0xc0 || (pfx !== 0 && pfx !== 0x66)) ud(c);
  const reg = (modrm >> 3) & 7;
  let rm = modrm & 7;
  let mask = 0;
  if (op === 0x50) {
    const lanes = pfx === 0 ? 4 : 2;
    for (let i = 0; i < lanes; i++) mask |= (s.u32[rm * 4 + (pfx === 0 ? i : 2 * i + 1)] >>> 31) << i;
  } else {
    if (pfx === 0) {
      checkPendingX87(c, s);
      s.loadMm(SLOT_MM, rm);
      s.enterMmx();
      rm = SLOT_MM;
    }
    const n = pfx === 0 ? 8 : 16;
    for (let i = 0; i < n; i++) mask |= (s.u8[rm * 16 + i] >>> 7) << i;
  }
  c.regs[reg] = mask;
}

/** PINSRW (C4) and PEXTRW (C5), MMX or XMM by the prefix. */
function insertExtractWord(c: CpuCore, s: SseState, op: number, pfx: number): void {
  if (pfx !== 0 && pfx !== 0x66) ud(c);
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const mmx = pfx === 0;
  if (mmx) checkPendingX87(c, s);
  if (op === 0xc5) {
    if (modrm < 0xc0) ud(c);
    const imm = fetch8(c);
    const from = mmx ? SLOT_MM : modrm & 7;
    if (mmx) s.loadMm(SLOT_MM, modrm & 7);
    c.regs[reg] = s.u16[from * 8 + (imm & (mmx ? 3 : 7))];
    if (mmx) s.enterMmx();
    return;
  }
  const v = modrm >= 0xc0 ? c.regs[modrm & 7] & 0xffff : c.mmu.read16(c.ea);
  const imm = fetch8(c);
  if (!mmx) {
    s.u16[reg * 8 + (imm & 7)] = v;
    return;
  }
  s.loadMm(SLOT_MM, reg);
  s.u16[SLOT_MM * 8 + (imm & 3)] = v;
  toMm(s, reg, SLOT_MM);
}

/** MASKMOVQ / MASKMOVDQU: the bytes whose mask byte has its top bit set go to DS:EDI. */
function maskMove(c: CpuCore, s: SseState, pfx: number): void {
  if (pfx !== 0 && pfx !== 0x66) ud(c);
  const modrm = modrmOperand(c);
  if (modrm < 0xc0) ud(c);
  let data = (modrm >> 3) & 7;
  let mask = modrm & 7;
  const n = pfx === 0 ? 8 : 16;
  if (pfx === 0) {
    checkPendingX87(c, s);
    s.loadMm(SLOT_MM, data);
    s.loadMm(SLOT_SRC, mask);
    data = SLOT_MM;
    mask = SLOT_SRC;
  }
  const base = dataAddress(c, c.a16 ? c.regs[EDI] & 0xffff : c.regs[EDI]);
  for (let i = 0; i < n; i++) {
    if (s.u8[mask * 16 + i] & 0x80) c.mmu.write8((base + i) | 0, s.u8[data * 16 + i]);
  }
  if (pfx === 0) s.enterMmx();
}
