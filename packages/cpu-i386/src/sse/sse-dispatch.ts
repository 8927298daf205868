/**
 * The MMX, SSE and SSE2 part of the 0F opcode map (SDM vol. 2, tables ): the mandatory prefix
 * (none, 66, F3, F2) picks the form, as in "0F 58 = ADDPS, 66 0F 58 = ADDPD, F3 0F 58 = ADDSS, F2 0F 58 =
 * ADDSD". Layer: arch plugin (cpu-i386), SIMD unit; interpreter-0f.ts hands every opcode it does not own to
 * `stepSimd`. Arithmetic is in sse-float.ts, conversions in sse-convert.ts, integer operations in
 * sse-int.ts, data movement in sse-moves.ts, operand plumbing in sse-operands.ts.
 *
 * Floating-point instructions build their result in SLOT_RES, deliver MXCSR exceptions (an unmasked one is
 * #XM with the destination untouched), then commit. MMX forms (no prefix on the integer opcodes) run the
 * same integer code on 8-byte operands taken from, and returned to, the x87 register file.
 */
import { VEC_GP, VEC_UD } from '../constants.js';
import type { CpuCore } from '../cpu-core.js';
import { fetch8, readRm } from '../decode.js';
import { raiseFault } from '../fault.js';
import { CONTINUE, modrmOperand } from '../interpreter.js';
import { f32ToF64, f32ToInt, f64ToF32, f64ToInt, intToF32 } from './sse-convert.js';
import {
  approx32,
  arith32,
  arith64,
  compare32,
  compare64,
  OP_SQRT,
  ordered32,
  ordered64,
} from './sse-float.js';
import { integerOp, logicOp, shift, shiftBytes } from './sse-int.js';
import { moveOp } from './sse-moves.js';
import {
  checkPendingX87,
  deliverExceptions,
  mandatoryPrefix,
  mmSource,
  setCompareFlags,
  xmmSource,
} from './sse-operands.js';
import { MXCSR_WRITABLE, SLOT_MM, SLOT_RES, type SseState } from './sse-state.js';

function ud(c: CpuCore): never {
  return raiseFault(c.fault, VEC_UD, -1);
}

/** The integer opcodes that have an MMX form (no prefix) and an SSE2 form (66). */
function isIntegerOpcode(op: number): boolean {
  return (
    (op >= 0x60 && op <= 0x6d) ||
    (op >= 0x74 && op <= 0x76) ||
    (op >= 0xd1 && op <= 0xd5) ||
    (op >= 0xd8 && op <= 0xe5) ||
    (op >= 0xe8 && op <= 0xef) ||
    (op >= 0xf1 && op <= 0xf6) ||
    (op >= 0xf8 && op <= 0xfe)
  );
}

export function stepSimd(c: CpuCore, op: number): number {
  c.fpuTouched = true;
  const s = c.sse;
  if (s.x87 === null) ud(c);
  const pfx = mandatoryPrefix(c);
  switch (op) {
    case 0x51:
    case 0x58:
    case 0x59:
    case 0x5c:
    case 0x5d:
    case 0x5e:
    case 0x5f:
      floatArith(c, s, op === 0x51 ? OP_SQRT : op & 7, pfx);
      break;
    case 0x52:
    case 0x53:
      approximate(c, s, op === 0x52, pfx);
      break;
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57: {
      if (pfx !== 0 && pfx !== 0x66) ud(c);
      const modrm = modrmOperand(c);
      logicOp(s, op, (modrm >> 3) & 7, xmmSource(c, s, modrm, 16, true));
      break;
    }
    case 0xc2:
      compare(c, s, pfx);
      break;
    case 0x2e:
    case 0x2f:
      comis(c, s, op === 0x2f, pfx);
      break;
    case 0x2a:
    case 0x2c:
    case 0x2d:
    case 0x5a:
    case 0x5b:
    case 0xe6:
      convert(c, s, op, pfx);
      break;
    case 0x71:
    case 0x72:
    case 0x73:
      shiftImmediate(c, s, op, pfx);
      break;
    case 0x77:
      if (pfx !== 0) ud(c);
      checkPendingX87(c, s);
      s.emms();
      break;
    default:
      if (isIntegerOpcode(op)) integer(c, s, op, pfx);
      else moveOp(c, s, op, pfx);
  }
  return CONTINUE;
}

function integer(c: CpuCore, s: SseState, op: number, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  if (pfx === 0x66) {
    if (!integerOp(s, op, reg, xmmSource(c, s, modrm, 16, true), 16)) ud(c);
    return;
  }
  if (pfx !== 0) ud(c);
  checkPendingX87(c, s);
  // PUNPCKLBW, PUNPCKLWD and PUNPCKLDQ read only the low half of a memory source: m32 (SDM vol. 2).
  const src = mmSource(c, s, modrm, op >= 0x60 && op <= 0x62 ? 4 : 8);
  s.loadMm(SLOT_MM, reg);
  if (!integerOp(s, op, SLOT_MM, src, 8)) ud(c);
  s.storeMm(reg, SLOT_MM);
  s.enterMmx();
}

/** Lanes and width of a floating-point form: PS 4 x f32, PD 2 x f64, SS 1 x f32, SD 1 x f64. */
function isDouble(pfx: number): boolean {
  return pfx === 0x66 || pfx === 0xf2;
}

function laneCount(pfx: number): number {
  return pfx === 0 ? 4 : pfx === 0x66 ? 2 : 1;
}

/** The source of a floating-point form: a whole aligned register for packed, one lane for scalar. */
function floatSource(c: CpuCore, s: SseState, modrm: number, pfx: number): number {
  const scalar = pfx === 0xf3 || pfx === 0xf2;
  return xmmSource(c, s, modrm, scalar ? (pfx === 0xf2 ? 8 : 4) : 16, !scalar);
}

function commit(c: CpuCore, s: SseState, reg: number): void {
  deliverExceptions(c, s);
  s.copySlot(reg, SLOT_RES);
}

function floatArith(c: CpuCore, s: SseState, fop: number, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const src = floatSource(c, s, modrm, pfx);
  s.copySlot(SLOT_RES, reg);
  const n = laneCount(pfx);
  if (isDouble(pfx)) for (let i = 0; i < n; i++) arith64(s, fop, SLOT_RES * 2 + i, reg * 2 + i, src * 2 + i);
  else for (let i = 0; i < n; i++) arith32(s, fop, SLOT_RES * 4 + i, reg * 4 + i, src * 4 + i);
  commit(c, s, reg);
}

/** RSQRTPS/RSQRTSS (52) and RCPPS/RCPSS (53): no prefix or F3 only; they raise no exceptions. */
function approximate(c: CpuCore, s: SseState, rsqrt: boolean, pfx: number): void {
  if (pfx !== 0 && pfx !== 0xf3) ud(c);
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const src = floatSource(c, s, modrm, pfx);
  s.copySlot(SLOT_RES, reg);
  for (let i = 0; i < laneCount(pfx); i++) approx32(s, rsqrt, SLOT_RES * 4 + i, src * 4 + i);
  s.copySlot(reg, SLOT_RES);
}

function compare(c: CpuCore, s: SseState, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const src = floatSource(c, s, modrm, pfx);
  const pred = fetch8(c) & 7;
  s.copySlot(SLOT_RES, reg);
  const r = SLOT_RES * 4;
  if (isDouble(pfx)) {
    for (let i = 0; i < laneCount(pfx); i++) {
      const v = compare64(s, pred, reg * 2 + i, src * 2 + i) ? -1 : 0;
      s.i32[r + 2 * i] = v;
      s.i32[r + 2 * i + 1] = v;
    }
  } else {
    for (let i = 0; i < laneCount(pfx); i++)
      s.i32[r + i] = compare32(s, pred, reg * 4 + i, src * 4 + i) ? -1 : 0;
  }
  commit(c, s, reg);
}

function comis(c: CpuCore, s: SseState, signaling: boolean, pfx: number): void {
  if (pfx !== 0 && pfx !== 0x66) ud(c);
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const double = pfx === 0x66;
  const src = xmmSource(c, s, modrm, double ? 8 : 4, false);
  const rel = double ? ordered64(s, reg * 2, src * 2, signaling) : ordered32(s, reg * 4, src * 4, signaling);
  deliverExceptions(c, s);
  setCompareFlags(c, rel);
}

function convert(c: CpuCore, s: SseState, op: number, pfx: number): void {
  if (op === 0x2a) convertFromInteger(c, s, pfx);
  else if (op === 0x2c || op === 0x2d) convertToInteger(c, s, op === 0x2c, pfx);
  else if (op === 0x5a) convertFloat(c, s, pfx);
  else convertPacked(c, s, op, pfx);
}

/** 2A: CVTPI2PS, CVTPI2PD (from MMX or m64), CVTSI2SS, CVTSI2SD (from r/m32). */
function convertFromInteger(c: CpuCore, s: SseState, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const r = SLOT_RES;
  if (pfx === 0xf3 || pfx === 0xf2) {
    const v = readRm(c, modrm, -1);
    s.copySlot(r, reg);
    if (pfx === 0xf3) intToF32(s, r * 4, v);
    else s.f64[r * 2] = v;
    commit(c, s, reg);
    return;
  }
  if (modrm >= 0xc0) checkPendingX87(c, s);
  const src = mmSource(c, s, modrm);
  s.copySlot(r, reg);
  for (let i = 0; i < 2; i++) {
    if (pfx === 0) intToF32(s, r * 4 + i, s.i32[src * 4 + i]);
    else s.f64[r * 2 + i] = s.i32[src * 4 + i];
  }
  commit(c, s, reg);
  if (modrm >= 0xc0) s.enterMmx();
}

/** 2C/2D: CVT(T)SS2SI and CVT(T)SD2SI into r32; CVT(T)PS2PI and CVT(T)PD2PI into an MMX register. */
function convertToInteger(c: CpuCore, s: SseState, truncate: boolean, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  if (pfx === 0xf3 || pfx === 0xf2) {
    const src = floatSource(c, s, modrm, pfx);
    const v = pfx === 0xf3 ? f32ToInt(s, src * 4, truncate) : f64ToInt(s, src * 2, truncate);
    deliverExceptions(c, s);
    c.regs[reg] = v;
    return;
  }
  checkPendingX87(c, s);
  const src = xmmSource(c, s, modrm, pfx === 0 ? 8 : 16, pfx === 0x66);
  for (let i = 0; i < 2; i++) {
    s.i32[SLOT_MM * 4 + i] =
      pfx === 0 ? f32ToInt(s, src * 4 + i, truncate) : f64ToInt(s, src * 2 + i, truncate);
  }
  deliverExceptions(c, s);
  s.storeMm(reg, SLOT_MM);
  s.enterMmx();
}

/** 5A: CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS. */
function convertFloat(c: CpuCore, s: SseState, pfx: number): void {
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const r = SLOT_RES;
  const bytes = pfx === 0 ? 8 : pfx === 0x66 ? 16 : pfx === 0xf3 ? 4 : 8;
  const src = xmmSource(c, s, modrm, bytes, pfx === 0x66);
  s.copySlot(r, reg);
  if (pfx === 0) for (let i = 0; i < 2; i++) f32ToF64(s, r * 2 + i, src * 4 + i);
  else if (pfx === 0xf3) f32ToF64(s, r * 2, src * 4);
  else if (pfx === 0xf2) f64ToF32(s, r * 4, src * 2);
  else {
    for (let i = 0; i < 2; i++) f64ToF32(s, r * 4 + i, src * 2 + i);
    s.i32[r * 4 + 2] = 0;
    s.i32[r * 4 + 3] = 0;
  }
  commit(c, s, reg);
}

/** 5B: CVTDQ2PS, CVTPS2DQ, CVTTPS2DQ; E6: CVTTPD2DQ, CVTDQ2PD, CVTPD2DQ. */
function convertPacked(c: CpuCore, s: SseState, op: number, pfx: number): void {
  if ((op === 0x5b && pfx === 0xf2) || (op === 0xe6 && pfx === 0)) ud(c);
  const modrm = modrmOperand(c);
  const reg = (modrm >> 3) & 7;
  const r = SLOT_RES * 4;
  const fromDwordsToDoubles = op === 0xe6 && pfx === 0xf3;
  const src = xmmSource(c, s, modrm, fromDwordsToDoubles ? 8 : 16, !fromDwordsToDoubles);
  if (op === 0x5b) {
    for (let i = 0; i < 4; i++) {
      if (pfx === 0) intToF32(s, r + i, s.i32[src * 4 + i]);
      else s.i32[r + i] = f32ToInt(s, src * 4 + i, pfx === 0xf3);
    }
  } else if (fromDwordsToDoubles) {
    const a = s.i32[src * 4];
    const b = s.i32[src * 4 + 1];
    s.f64[SLOT_RES * 2] = a;
    s.f64[SLOT_RES * 2 + 1] = b;
  } else {
    for (let i = 0; i < 2; i++) s.i32[r + i] = f64ToInt(s, src * 2 + i, pfx === 0x66);
    s.i32[r + 2] = 0;
    s.i32[r + 3] = 0;
  }
  commit(c, s, reg);
}

/** 71/72/73: PSRLW/D/Q (/2), PSRAW/D (/4), PSLLW/D/Q (/6) by imm8; 66 0F 73 /3 PSRLDQ and /7 PSLLDQ. */
function shiftImmediate(c: CpuCore, s: SseState, op: number, pfx: number): void {
  const modrm = fetch8(c);
  const kind = (modrm >> 3) & 7;
  const size = op === 0x71 ? 2 : op === 0x72 ? 4 : 8;
  const byteShift = op === 0x73 && (kind === 3 || kind === 7);
  const valid = byteShift ? pfx === 0x66 : kind === 2 || kind === 6 || (kind === 4 && size !== 8);
  if (modrm < 0xc0 || !valid || (pfx !== 0 && pfx !== 0x66)) ud(c);
  const count = fetch8(c);
  const rm = modrm & 7;
  if (byteShift) {
    shiftBytes(s, rm, kind === 7, count);
    return;
  }
  if (pfx === 0x66) {
    shift(s, rm, 16, size, kind, count);
    return;
  }
  checkPendingX87(c, s);
  s.loadMm(SLOT_MM, rm);
  shift(s, SLOT_MM, 8, size, kind, count);
  s.storeMm(rm, SLOT_MM);
  s.enterMmx();
}

/** 0F AE /2 LDMXCSR and /3 STMXCSR (memory forms; the caller decoded the operand). */
export function mxcsrLoadStore(c: CpuCore, store: boolean): void {
  c.fpuTouched = true;
  const s = c.sse;
  if (s.x87 === null) ud(c);
  if (store) {
    c.mmu.write32(c.ea, s.mxcsr);
    return;
  }
  const v = c.mmu.read32(c.ea);
  if ((v & ~MXCSR_WRITABLE) !== 0) raiseFault(c.fault, VEC_GP, 0);
  s.mxcsr = v;
}
