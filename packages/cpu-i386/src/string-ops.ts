/**
 * String instructions MOVS, CMPS, STOS, LODS, SCAS (INS/OUTS are #GP at IOPL 0 and never get here) with
 * REP/REPE/REPNE, every width, both directions, 16- and 32-bit addressing. Layer: arch plugin (cpu-i386).
 *
 * How it works: each iteration finishes completely (memory, then ESI/EDI/ECX) before the next starts, so a
 * fault in iteration k leaves the registers of iteration k and EIP on the instruction: the kernel fixes the
 * page and the instruction resumes, as on hardware. A REP runs at most REP_CHUNK iterations per retired
 * instruction and then restarts itself, so the budget and interrupts stay timely even when ECX is 4 billion.
 */

import { ALU_CMP, alu } from './alu.js';
import { EAX, ECX, EDI, ESI, FLAG_DF, SEG_DS, SEG_ES } from './constants.js';
import { type CpuCore, INSN_EIP } from './cpu-core.js';
import { getReg, readMem, setReg, writeMem } from './decode.js';
import { getZF } from './flags.js';
import { checkSegmentAccess } from './segments.js';

/** Iterations of one REP before it yields (counts as one more instruction each time). */
const REP_CHUNK = 4096;

export const STR_MOVS = 0;
export const STR_CMPS = 1;
export const STR_STOS = 2;
export const STR_LODS = 3;
export const STR_SCAS = 4;

const REPNE = 0xf2;

function srcAddress(c: CpuCore, off: number, sizeBytes: number): number {
  const seg = c.segOverride >= 0 ? c.segOverride : SEG_DS;
  if ((c.segCheckMask & (1 << seg)) !== 0) checkSegmentAccess(c, seg, off, sizeBytes);
  return (off + c.segBase[seg]) | 0;
}

function dstAddress(c: CpuCore, off: number, sizeBytes: number): number {
  if ((c.segCheckMask & (1 << SEG_ES)) !== 0) checkSegmentAccess(c, SEG_ES, off, sizeBytes);
  return (off + c.segBase[SEG_ES]) | 0;
}

/** Runs string operation `kind` at width `m`, honouring the REP prefix of the current instruction. */
export function stringOp(c: CpuCore, kind: number, m: number): void {
  if (c.repPrefix === 0) {
    iterate(c, kind, m);
    return;
  }
  const regs = c.regs;
  const aMask = c.a16 ? 0xffff : -1;
  const conditional = kind === STR_CMPS || kind === STR_SCAS;
  const stopOnZero = c.repPrefix === REPNE;
  for (let n = 0; n < REP_CHUNK; n++) {
    if ((regs[ECX] & aMask) === 0) return;
    iterate(c, kind, m);
    if (aMask === -1) regs[ECX] = (regs[ECX] - 1) | 0;
    else c.set16(ECX, regs[ECX] - 1);
    if (conditional && (getZF(c) !== 0) === stopOnZero) return;
  }
  if ((regs[ECX] & aMask) !== 0) c.eip = c.insnStart[INSN_EIP];
}

function iterate(c: CpuCore, kind: number, m: number): void {
  const regs = c.regs;
  const sizeBytes = m === -1 ? 4 : m === 0xffff ? 2 : 1;
  const step = (c.flags & FLAG_DF) !== 0 ? -sizeBytes : sizeBytes;
  const aMask = c.a16 ? 0xffff : -1;
  const si = regs[ESI] & aMask;
  const di = regs[EDI] & aMask;
  switch (kind) {
    case STR_MOVS: {
      const v = readMem(c, srcAddress(c, si, sizeBytes), m);
      writeMem(c, dstAddress(c, di, sizeBytes), v, m);
      advance(c, ESI, step, aMask);
      advance(c, EDI, step, aMask);
      return;
    }
    case STR_CMPS: {
      const a = readMem(c, srcAddress(c, si, sizeBytes), m);
      const b = readMem(c, dstAddress(c, di, sizeBytes), m);
      alu(c, ALU_CMP, a, b, m);
      advance(c, ESI, step, aMask);
      advance(c, EDI, step, aMask);
      return;
    }
    case STR_STOS:
      writeMem(c, dstAddress(c, di, sizeBytes), getReg(c, EAX, m), m);
      advance(c, EDI, step, aMask);
      return;
    case STR_LODS:
      setReg(c, EAX, readMem(c, srcAddress(c, si, sizeBytes), m), m);
      advance(c, ESI, step, aMask);
      return;
    default: {
      const b = readMem(c, dstAddress(c, di, sizeBytes), m);
      alu(c, ALU_CMP, getReg(c, EAX, m), b, m);
      advance(c, EDI, step, aMask);
    }
  }
}

function advance(c: CpuCore, r: number, step: number, aMask: number): void {
  if (aMask === -1) c.regs[r] = (c.regs[r] + step) | 0;
  else c.set16(r, c.regs[r] + step);
}
