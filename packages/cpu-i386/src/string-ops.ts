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
import { FAULTED } from './fault.js';
import { getZF } from './flags.js';
import { CONTINUE } from './interpreter.js';
import type { Mmu } from './mmu.js';
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

/**
 * Runs string operation `kind` at width `m`, honouring the REP prefix of the current instruction. Returns
 * CONTINUE, or FAULTED when a bulk REP MOVS/STOS met a page fault it found without unwinding (see bulkRep).
 */
export function stringOp(c: CpuCore, kind: number, m: number): number {
  if (c.repPrefix === 0) {
    iterate(c, kind, m);
    return CONTINUE;
  }
  if ((kind === STR_MOVS || kind === STR_STOS) && !c.a16) return bulkRep(c, kind, m);
  const regs = c.regs;
  const aMask = c.a16 ? 0xffff : -1;
  const conditional = kind === STR_CMPS || kind === STR_SCAS;
  const stopOnZero = c.repPrefix === REPNE;
  for (let n = 0; n < REP_CHUNK; n++) {
    if ((regs[ECX] & aMask) === 0) return CONTINUE;
    iterate(c, kind, m);
    if (aMask === -1) regs[ECX] = (regs[ECX] - 1) | 0;
    else c.set16(ECX, regs[ECX] - 1);
    if (conditional && (getZF(c) !== 0) === stopOnZero) return CONTINUE;
  }
  if ((regs[ECX] & aMask) !== 0) c.eip = c.insnStart[INSN_EIP];
  return CONTINUE;
}

/** Bytes one bulk REP MOVS/STOS moves before it yields (counts as one more instruction each time). */
const BULK_CHUNK_BYTES = 65536;
const PAGE_BYTES = 4096;
const PAGE_MASK = 0xfff;

/**
 * REP MOVS / REP STOS with 32-bit addressing, either direction: runs of elements within one source and one
 * destination page are moved with copyWithin/fill straight in RAM, then ECX/ESI/EDI step past the run.
 * - A TLB miss walks the tables (`Mmu.ready`): the source first, as the element reads before it writes. A
 *   walk that finds a fault leaves with FAULTED and the progress made so far — no host unwind, which costs
 *   a microsecond or more, once per demand-zero page a large memcpy or memset meets.
 * - A run never overlaps itself: when source and destination overlap in the direction the copy goes
 *   (forward with the destination above the source, backward with it below), the run is cut to their
 *   distance, so each run reads only bytes that element-by-element copying would have read by then.
 * - Anything unusual goes one element through `iterate`, which translates, faults (unwinding) and keeps
 *   ECX/ESI/EDI exact: a segment needing checks, an element crossing a page end, a distance shorter than
 *   an element, a page outside RAM, a frame holding compiled code (never in the write TLB, so every write
 *   to it tells the code cache).
 */
function bulkRep(c: CpuCore, kind: number, m: number): number {
  const regs = c.regs;
  const mmu = c.mmu;
  const size = m === -1 ? 4 : m === 0xffff ? 2 : 1;
  const down = (c.flags & FLAG_DF) !== 0;
  const srcSeg = c.segOverride >= 0 ? c.segOverride : SEG_DS;
  const checked = (c.segCheckMask & ((1 << SEG_ES) | (1 << srcSeg))) !== 0;
  let moved = 0;
  while (regs[ECX] !== 0 && moved < BULK_CHUNK_BYTES) {
    let count = checked ? 0 : Math.min(regs[ECX] >>> 0, BULK_CHUNK_BYTES);
    let srcPhys = 0;
    if (kind === STR_MOVS && count !== 0) {
      const srcLin = (regs[ESI] + c.segBase[srcSeg]) | 0;
      const srcPage = pageFor(mmu, srcLin, false);
      if (srcPage === PAGE_FAULTED) return faulted(c);
      count = runLength(srcLin, srcPage, size, down, count);
      srcPhys = srcPage | (srcLin & PAGE_MASK);
    }
    let dstPhys = 0;
    if (count !== 0) {
      const dstLin = (regs[EDI] + c.segBase[SEG_ES]) | 0;
      const dstPage = pageFor(mmu, dstLin, true);
      if (dstPage === PAGE_FAULTED) return faulted(c);
      count = runLength(dstLin, dstPage, size, down, count);
      dstPhys = dstPage | (dstLin & PAGE_MASK);
    }
    if (kind === STR_MOVS && count !== 0) count = apartFromSource(srcPhys, dstPhys, size, down, count);
    if (count === 0) {
      iterate(c, kind, m);
      regs[ECX] = (regs[ECX] - 1) | 0;
      moved += size;
      continue;
    }
    const bytes = count * size;
    // The run's lowest element: the first one going up, the last one going down.
    const back = down ? bytes - size : 0;
    if (kind === STR_MOVS) {
      mmu.u8.copyWithin(dstPhys - back, srcPhys - back, srcPhys - back + bytes);
      regs[ESI] = (regs[ESI] + (down ? -bytes : bytes)) | 0;
    } else {
      fillRun(c, dstPhys - back, count, size);
    }
    regs[EDI] = (regs[EDI] + (down ? -bytes : bytes)) | 0;
    regs[ECX] = (regs[ECX] - count) | 0;
    moved += bytes;
  }
  if (regs[ECX] !== 0) c.eip = c.insnStart[INSN_EIP];
  return CONTINUE;
}

/** What pageFor answers when the walk found a page fault (recorded in the fault record). */
const PAGE_FAULTED = -2;

/**
 * The physical page of `lin` for a read or a write through the TLB, walking the tables on a miss: -1 when
 * the page cannot be used in bulk (outside RAM; a code frame, for writes), PAGE_FAULTED on a page fault.
 */
function pageFor(mmu: Mmu, lin: number, write: boolean): number {
  const tlb = write ? mmu.tlbWrite : mmu.tlbRead;
  const page = tlb[lin >>> 12];
  if (page >= 0) return page;
  if (!mmu.ready(lin, write)) return PAGE_FAULTED;
  return tlb[lin >>> 12];
}

/**
 * How many of `count` elements of `size` bytes, the first at `lin` (on physical page `page`, -1: none), lie
 * wholly within that page going up or down from it; 0 when the first one crosses the page end.
 */
function runLength(lin: number, page: number, size: number, down: boolean, count: number): number {
  const off = lin & PAGE_MASK;
  if (page < 0 || off + size > PAGE_BYTES) return 0;
  const fits = down ? Math.floor(off / size) + 1 : Math.floor((PAGE_BYTES - off) / size);
  return Math.min(count, fits);
}

/**
 * Cuts a run of `count` elements so that it does not overlap the bytes it has yet to read: a destination
 * ahead of the source in the copy's direction by `distance` bytes takes at most distance / size elements
 * (0 when that is under one element: `iterate` copies those one at a time).
 */
function apartFromSource(
  srcPhys: number,
  dstPhys: number,
  size: number,
  down: boolean,
  count: number,
): number {
  const distance = down ? srcPhys - dstPhys : dstPhys - srcPhys;
  if (distance <= 0 || distance >= count * size) return count;
  return Math.floor(distance / size);
}

/** A bulk REP leaves on a page fault it found by walking: EIP back on the instruction, see `step`. */
function faulted(c: CpuCore): number {
  c.eip = c.insnStart[INSN_EIP];
  // Callers of `step` do not count an instruction that answered FAULTED as retired.
  return FAULTED;
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
