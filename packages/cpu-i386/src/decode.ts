/**
 * Instruction-stream and operand plumbing shared by every handler: fetching immediates at EIP, decoding
 * ModR/M + SIB into an effective address (32- and 16-bit forms, SDM vol. 2, 2.1.5), reading and writing
 * r/m operands of any width, and the stack. Layer: arch plugin (cpu-i386); below the interpreter files,
 * above the MMU and segments.ts.
 *
 * Widths are passed as masks: 0xff, 0xffff or -1 (32 bits); 8/16-bit values travel unsigned, 32-bit values
 * as int32.
 */
import { EBP, EBX, EDI, ESI, ESP, SEG_DS, SEG_SS } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { checkSegmentAccess } from './segments.js';

export function fetch8(c: CpuCore): number {
  const v = c.mmu.read8(c.eip);
  c.eip = (c.eip + 1) | 0;
  return v;
}

export function fetchS8(c: CpuCore): number {
  return (fetch8(c) << 24) >> 24;
}

export function fetch16(c: CpuCore): number {
  const v = c.mmu.read16(c.eip);
  c.eip = (c.eip + 2) | 0;
  return v;
}

export function fetch32(c: CpuCore): number {
  const v = c.mmu.read32(c.eip);
  c.eip = (c.eip + 4) | 0;
  return v;
}

/** An immediate of the operand width (Iv): 16 bits under 0x66, else 32. */
export function fetchImm(c: CpuCore, m: number): number {
  return m === 0xff ? fetch8(c) : m === 0xffff ? fetch16(c) : fetch32(c);
}

/** Operand-width mask of the current instruction for "v" operands. */
export function vMask(c: CpuCore): number {
  return c.o16 ? 0xffff : -1;
}

/** Decodes the memory operand of `modrm` (mod != 3): sets c.ea (linear), c.eaOffset and c.eaSeg. */
export function decodeEa(c: CpuCore, modrm: number): void {
  if (c.a16) {
    decodeEa16(c, modrm);
    return;
  }
  const regs = c.regs;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let seg = SEG_DS;
  let off: number;
  if (rm === 4) {
    const sib = fetch8(c);
    const base = sib & 7;
    const index = (sib >> 3) & 7;
    if (base === 5 && mod === 0) {
      off = fetch32(c);
    } else {
      off = regs[base];
      if (base === ESP || base === EBP) seg = SEG_SS;
    }
    if (index !== 4) off += regs[index] << (sib >> 6);
  } else if (rm === 5 && mod === 0) {
    off = fetch32(c);
  } else {
    off = regs[rm];
    if (rm === EBP) seg = SEG_SS;
  }
  if (mod === 1) off += fetchS8(c);
  else if (mod === 2) off += fetch32(c);
  finishEa(c, c.segOverride >= 0 ? c.segOverride : seg, off | 0);
}

function decodeEa16(c: CpuCore, modrm: number): void {
  const regs = c.regs;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let seg = SEG_DS;
  let off: number;
  switch (rm) {
    case 0:
      off = regs[EBX] + regs[ESI];
      break;
    case 1:
      off = regs[EBX] + regs[EDI];
      break;
    case 2:
      off = regs[EBP] + regs[ESI];
      seg = SEG_SS;
      break;
    case 3:
      off = regs[EBP] + regs[EDI];
      seg = SEG_SS;
      break;
    case 4:
      off = regs[ESI];
      break;
    case 5:
      off = regs[EDI];
      break;
    case 6:
      if (mod === 0) {
        off = fetch16(c);
      } else {
        off = regs[EBP];
        seg = SEG_SS;
      }
      break;
    default:
      off = regs[EBX];
      break;
  }
  if (mod === 1) off += fetchS8(c);
  else if (mod === 2) off += fetch16(c);
  finishEa(c, c.segOverride >= 0 ? c.segOverride : seg, off & 0xffff);
}

/** Adds the segment base; segments in segCheckMask (null, limited) are checked here, for one byte. */
export function finishEa(c: CpuCore, seg: number, off: number): void {
  c.eaOffset = off;
  c.eaSeg = seg;
  if ((c.segCheckMask & (1 << seg)) !== 0) checkSegmentAccess(c, seg, off, 1);
  c.ea = (off + c.segBase[seg]) | 0;
}

/** The linear address of `off` in the data segment (DS or the override), for moffs, XLAT and string sources. */
export function dataAddress(c: CpuCore, off: number): number {
  finishEa(c, c.segOverride >= 0 ? c.segOverride : SEG_DS, off);
  return c.ea;
}

// ---- Registers and memory of any width --------------------------------------------------------------

export function getReg(c: CpuCore, r: number, m: number): number {
  return m === -1 ? c.regs[r] : m === 0xffff ? c.regs[r] & 0xffff : c.get8(r);
}

export function setReg(c: CpuCore, r: number, v: number, m: number): void {
  if (m === -1) c.regs[r] = v;
  else if (m === 0xffff) c.set16(r, v);
  else c.set8(r, v);
}

export function readMem(c: CpuCore, lin: number, m: number): number {
  return m === -1 ? c.mmu.read32(lin) : m === 0xffff ? c.mmu.read16(lin) : c.mmu.read8(lin);
}

export function writeMem(c: CpuCore, lin: number, v: number, m: number): void {
  if (m === -1) c.mmu.write32(lin, v);
  else if (m === 0xffff) c.mmu.write16(lin, v);
  else c.mmu.write8(lin, v);
}

/** Reads the r/m operand; for memory, decodeEa must have run (the interpreter decodes before dispatch). */
export function readRm(c: CpuCore, modrm: number, m: number): number {
  if (modrm >= 0xc0) return getReg(c, modrm & 7, m);
  if ((c.segCheckMask & (1 << c.eaSeg)) !== 0) checkOperandLimit(c, m);
  return readMem(c, c.ea, m);
}

export function writeRm(c: CpuCore, modrm: number, v: number, m: number): void {
  if (modrm >= 0xc0) {
    setReg(c, modrm & 7, v, m);
    return;
  }
  if ((c.segCheckMask & (1 << c.eaSeg)) !== 0) checkOperandLimit(c, m);
  writeMem(c, c.ea, v, m);
}

/** finishEa checked the first byte; a limited segment must also hold the operand's last byte. */
function checkOperandLimit(c: CpuCore, m: number): void {
  checkSegmentAccess(c, c.eaSeg, c.eaOffset, m === -1 ? 4 : m === 0xffff ? 2 : 1);
}

// ---- The stack (SS is always a 32-bit stack segment here: ESP, not SP) ---------------------------------

function stackAddress(c: CpuCore, esp: number, sizeBytes: number): number {
  if ((c.segCheckMask & (1 << SEG_SS)) !== 0) checkSegmentAccess(c, SEG_SS, esp, sizeBytes);
  return (esp + c.segBase[SEG_SS]) | 0;
}

/** Pushes a value of width `m` (0xffff or -1). Memory is written before ESP moves, so a fault leaves ESP. */
export function push(c: CpuCore, v: number, m: number): void {
  if (m === -1) {
    const esp = (c.regs[ESP] - 4) | 0;
    c.mmu.write32(stackAddress(c, esp, 4), v);
    c.regs[ESP] = esp;
  } else {
    const esp = (c.regs[ESP] - 2) | 0;
    c.mmu.write16(stackAddress(c, esp, 2), v);
    c.regs[ESP] = esp;
  }
}

export function push32(c: CpuCore, v: number): void {
  const esp = (c.regs[ESP] - 4) | 0;
  c.mmu.write32(stackAddress(c, esp, 4), v);
  c.regs[ESP] = esp;
}

export function pop(c: CpuCore, m: number): number {
  const esp = c.regs[ESP];
  if (m === -1) {
    const v = c.mmu.read32(stackAddress(c, esp, 4));
    c.regs[ESP] = (esp + 4) | 0;
    return v;
  }
  const v = c.mmu.read16(stackAddress(c, esp, 2));
  c.regs[ESP] = (esp + 2) | 0;
  return v;
}

/** Reads the stack `offsetBytes` above ESP without popping (for POPA, far RET, IRET: read all, then commit). */
export function peekStack(c: CpuCore, offsetBytes: number, m: number): number {
  const esp = (c.regs[ESP] + offsetBytes) | 0;
  return m === -1 ? c.mmu.read32(stackAddress(c, esp, 4)) : c.mmu.read16(stackAddress(c, esp, 2));
}

/** Faults now unless `sizeBytes` below ESP are writable (far CALL, ENTER: check before changing state). */
export function probeStackWrite(c: CpuCore, sizeBytes: number): void {
  const low = (c.regs[ESP] - sizeBytes) | 0;
  c.mmu.probeWrite(stackAddress(c, low, sizeBytes), sizeBytes);
}
