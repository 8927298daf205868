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
  if ((kind === STR_MOVS || kind === STR_STOS) && !c.a16 && (c.flags & FLAG_DF) === 0) {
    bulkRep(c, kind, m);
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

/** Bytes one bulk REP MOVS/STOS moves before it yields (counts as one more instruction each time). */
const BULK_CHUNK_BYTES = 65536;

/**
 * REP MOVS / REP STOS forward with 32-bit addressing: whole runs within one source and one destination page
 * are copied with copyWithin/fill straight in RAM. Anything unusual — a TLB miss, a page boundary inside an
 * element, a segment needing checks, a frame holding compiled code (never in the write TLB), a forward
 * overlap where byte-by-byte copying differs from memmove — goes one element through `iterate`, which
 * translates, faults and keeps ECX/ESI/EDI exact.
 */
function bulkRep(c: CpuCore, kind: number, m: number): void {
  const regs = c.regs;
  const mmu = c.mmu;
  const u8 = mmu.u8;
  const size = m === -1 ? 4 : m === 0xffff ? 2 : 1;
  const srcSeg = c.segOverride >= 0 ? c.segOverride : SEG_DS;
  const checked = (c.segCheckMask & ((1 << SEG_ES) | (1 << srcSeg))) !== 0;
  let moved = 0;
  while (regs[ECX] !== 0 && moved < BULK_CHUNK_BYTES) {
    const dstLin = (regs[EDI] + c.segBase[SEG_ES]) | 0;
    const dstPage = mmu.tlbWrite[dstLin >>> 12];
    let count = Math.min(regs[ECX] >>> 0, Math.floor((4096 - (dstLin & 0xfff)) / size));
    let srcPhys = 0;
    if (kind === STR_MOVS) {
      const srcLin = (regs[ESI] + c.segBase[srcSeg]) | 0;
      const srcPage = mmu.tlbRead[srcLin >>> 12];
      count = Math.min(count, Math.floor((4096 - (srcLin & 0xfff)) / size));
      srcPhys = srcPage | (srcLin & 0xfff);
      if (srcPage < 0) count = 0;
    }
    const dstPhys = dstPage | (dstLin & 0xfff);
    const bytes = count * size;
    const overlaps = kind === STR_MOVS && dstPhys > srcPhys && dstPhys < srcPhys + bytes;
    if (checked || dstPage < 0 || count === 0 || overlaps) {
      iterate(c, kind, m);
      regs[ECX] = (regs[ECX] - 1) | 0;
      moved += size;
      continue;
    }
    if (kind === STR_MOVS) {
      u8.copyWithin(dstPhys, srcPhys, srcPhys + bytes);
      regs[ESI] = (regs[ESI] + bytes) | 0;
    } else {
      fillRun(c, dstPhys, count, size);
    }
    regs[EDI] = (regs[EDI] + bytes) | 0;
    regs[ECX] = (regs[ECX] - count) | 0;
    moved += bytes;
  }
  if (regs[ECX] !== 0) c.eip = c.insnStart[INSN_EIP];
}

function fillRun(c: CpuCore, phys: number, count: number, size: number): void {
  const eax = c.regs[EAX];
  const u8 = c.mmu.u8;
  if (size === 1) {
    u8.fill(eax & 0xff, phys, phys + count);
  } else if (size === 4 && (phys & 3) === 0) {
    c.mmu.i32.fill(eax, phys >>> 2, (phys >>> 2) + count);
  } else {
    for (let i = 0; i < count * size; i++) u8[phys + i] = (eax >>> ((i % size) * 8)) & 0xff;
  }
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
