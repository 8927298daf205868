/**
 * Segment registers at CPL 3: loading a selector from the GDT or LDT with the protection checks of
 * `mov sreg` / `pop sreg` / `lds` (SDM vol. 3, 5.5-5.10), and the descriptor cache every memory access adds
 * its base from. Layer: arch plugin (cpu-i386). The GDT and LDT live in the CPU (cpu-core.ts), written by
 * the kernel through setGdtEntry/setLdt, not in guest memory.
 *
 * How it works: `segBase`/`segLimit` cache the descriptor loaded last (a later GDT write does not change a
 * loaded segment until it is reloaded, as on hardware). A segment whose accesses need a check (null
 * selector, limit below 4 GiB, expand-down) has its bit in `segCheckMask`; flat segments cost nothing.
 * Not modelled: read-only data segments (a write through one is not refused) and CS bases other than 0.
 */
import {
  DESC_ACCESSED,
  DESC_DB,
  DESC_DPL_SHIFT,
  DESC_G,
  DESC_P,
  DESC_S,
  DESC_TYPE_SHIFT,
  SEG_CS,
  SEG_SS,
  SEL_RPL_MASK,
  SEL_TI,
  TYPE_CODE,
  TYPE_EC,
  TYPE_RW,
  VEC_GP,
  VEC_NP,
  VEC_SS,
} from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { raiseFault } from './fault.js';

const CPL = 3;

export function descriptorBase(low: number, high: number): number {
  return (low >>> 16) | ((high & 0xff) << 16) | (high & 0xff000000) | 0;
}

export function descriptorLimit(low: number, high: number): number {
  const raw = (low & 0xffff) | (high & 0xf0000);
  return (high & DESC_G) !== 0 ? raw * 4096 + 4095 : raw;
}

function gp(c: CpuCore, errorCode: number): never {
  return raiseFault(c.fault, VEC_GP, errorCode);
}

/** Index into `table` (two dwords per entry) of the descriptor `selector` names, or #GP(selector). */
function descriptorTable(c: CpuCore, selector: number): Uint32Array {
  const table = (selector & SEL_TI) !== 0 ? c.ldt : c.gdt;
  if ((selector >>> 3) * 2 + 1 >= table.length) gp(c, selector & ~SEL_RPL_MASK);
  return table;
}

/** Loads a data segment register (DS, ES, FS, GS, SS) with the checks of `mov sreg`; raises #GP/#NP/#SS. */
export function loadDataSegment(c: CpuCore, sreg: number, selector: number): void {
  selector &= 0xffff;
  const errorCode = selector & ~SEL_RPL_MASK;
  if ((selector & ~SEL_RPL_MASK) === 0) {
    if (sreg === SEG_SS) gp(c, 0);
    setNull(c, sreg, selector);
    return;
  }
  const table = descriptorTable(c, selector);
  const i = (selector >>> 3) * 2;
  const low = table[i];
  const high = table[i + 1];
  const type = (high >>> DESC_TYPE_SHIFT) & 0xf;
  const dpl = (high >>> DESC_DPL_SHIFT) & 3;
  const rpl = selector & SEL_RPL_MASK;
  if ((high & DESC_S) === 0) gp(c, errorCode);
  if (sreg === SEG_SS) {
    if ((type & TYPE_CODE) !== 0 || (type & TYPE_RW) === 0 || rpl !== CPL || dpl !== CPL) gp(c, errorCode);
    if ((high & DESC_P) === 0) raiseFault(c.fault, VEC_SS, errorCode);
  } else {
    const isCode = (type & TYPE_CODE) !== 0;
    if (isCode && (type & TYPE_RW) === 0) gp(c, errorCode);
    const conforming = isCode && (type & TYPE_EC) !== 0;
    if (!conforming && (rpl > dpl || CPL > dpl)) gp(c, errorCode);
    if ((high & DESC_P) === 0) raiseFault(c.fault, VEC_NP, errorCode);
  }
  if ((high & DESC_ACCESSED) === 0) table[i + 1] = high | DESC_ACCESSED;
  cacheDescriptor(c, sreg, selector, low, high);
}

/** Loads CS for a far JMP/CALL/RET at CPL 3: a present, 32-bit, base-0 code segment of DPL 3 (or conforming). */
export function loadCodeSegment(c: CpuCore, selector: number): void {
  selector &= 0xffff;
  const errorCode = selector & ~SEL_RPL_MASK;
  if (errorCode === 0) gp(c, 0);
  const table = descriptorTable(c, selector);
  const i = (selector >>> 3) * 2;
  const low = table[i];
  const high = table[i + 1];
  const type = (high >>> DESC_TYPE_SHIFT) & 0xf;
  const dpl = (high >>> DESC_DPL_SHIFT) & 3;
  const rpl = selector & SEL_RPL_MASK;
  // Call gates, task gates and TSS descriptors (S = 0) lead to other privilege levels: not at CPL 3 here.
  if ((high & DESC_S) === 0 || (type & TYPE_CODE) === 0) gp(c, errorCode);
  const conforming = (type & TYPE_EC) !== 0;
  if (conforming ? dpl > CPL : dpl !== CPL || rpl > CPL) gp(c, errorCode);
  if (rpl !== CPL) gp(c, errorCode);
  if ((high & DESC_P) === 0) raiseFault(c.fault, VEC_NP, errorCode);
  // This CPU fetches with CS base 0 and 32-bit defaults; other code segments are refused cleanly.
  if (descriptorBase(low, high) !== 0 || (high & DESC_DB) === 0) gp(c, errorCode);
  if ((high & DESC_ACCESSED) === 0) table[i + 1] = high | DESC_ACCESSED;
  cacheDescriptor(c, SEG_CS, (selector & ~SEL_RPL_MASK) | CPL, low, high);
}

function setNull(c: CpuCore, sreg: number, selector: number): void {
  c.seg[sreg] = selector;
  c.segBase[sreg] = 0;
  c.segLimit[sreg] = 0;
  c.segUsable[sreg] = 0;
  c.segExpandDown[sreg] = 0;
  c.segCheckMask |= 1 << sreg;
}

export function cacheDescriptor(c: CpuCore, sreg: number, selector: number, low: number, high: number): void {
  const limit = descriptorLimit(low, high);
  const type = (high >>> DESC_TYPE_SHIFT) & 0xf;
  const expandDown = (type & TYPE_CODE) === 0 && (type & TYPE_EC) !== 0;
  c.seg[sreg] = selector;
  c.segBase[sreg] = descriptorBase(low, high);
  c.segLimit[sreg] = limit;
  c.segUsable[sreg] = 1;
  c.segExpandDown[sreg] = expandDown ? 1 : 0;
  if (expandDown || limit < 0xffffffff) c.segCheckMask |= 1 << sreg;
  else c.segCheckMask &= ~(1 << sreg);
}

/**
 * The check for an access of `sizeBytes` at `offset` through a segment in `segCheckMask`: unusable (null)
 * segments and offsets outside the limit raise #GP(0), or #SS(0) through SS.
 */
export function checkSegmentAccess(c: CpuCore, sreg: number, offset: number, sizeBytes: number): void {
  const vector = sreg === SEG_SS ? VEC_SS : VEC_GP;
  if (c.segUsable[sreg] === 0) raiseFault(c.fault, vector, 0);
  const first = offset >>> 0;
  const last = first + sizeBytes - 1;
  const limit = c.segLimit[sreg];
  if (c.segExpandDown[sreg] !== 0) {
    if (first <= limit || last > 0xffffffff) raiseFault(c.fault, vector, 0);
  } else if (last > limit) {
    raiseFault(c.fault, vector, 0);
  }
}
