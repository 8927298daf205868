/**
 * Instructions that touch the CPU's control state rather than data: CPUID, EFLAGS transfers (PUSHF/POPF,
 * SAHF/LAHF), segment-register loads (MOV/POP sreg, LDS..LSS), far JMP/CALL/RET and IRET at CPL 3, and the
 * software interrupts. Layer: arch plugin (cpu-i386); called by the interpreter files.
 */
import {
  EAX,
  EBX,
  ECX,
  EDX,
  ERRCODE_IDT,
  ESP,
  FLAG_AF,
  FLAG_CF,
  FLAG_PF,
  FLAG_RESERVED_1,
  FLAG_RF,
  FLAG_SF,
  FLAG_VM,
  FLAG_ZF,
  FLAGS_USER_WRITABLE,
  SEG_CS,
  SEL_RPL_MASK,
  VEC_GP,
  VEC_UD,
} from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { peekStack, pop, probeStackWrite, push } from './decode.js';
import { raiseFault } from './fault.js';
import { getEflags, setStatusFlags } from './flags.js';
import { loadCodeSegment, loadDataSegment } from './segments.js';

// ---- CPUID ------------------------------------------------------------------------------------------

/** Feature bits of CPUID.1:EDX (SDM vol. 2, table 3-11). */
export const CPUID_FPU = 1 << 0;
export const CPUID_TSC = 1 << 4;
export const CPUID_CX8 = 1 << 8;
export const CPUID_CMOV = 1 << 15;
export const CPUID_MMX = 1 << 23;
export const CPUID_FXSR = 1 << 24;
export const CPUID_SSE = 1 << 25;
export const CPUID_SSE2 = 1 << 26;
/** Family 6, model 1, stepping 9: the Pentium Pro signature. */
const CPUID_SIGNATURE = 0x619;
const CPUID_MAX_BASIC = 1;
const CPUID_MAX_EXTENDED = 0x80000004;
export const VENDOR = 'kmOSkmOSkmOS';
export const BRAND = 'kmOS i686 (TypeScript, trace compiler)';

function asciiDword(text: string, at: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v |= (at + i < text.length ? text.charCodeAt(at + i) : 0) << (8 * i);
  return v;
}

/** The registers CPUID leaves, in EAX, EBX, ECX, EDX order; `cpuidLeaf` writes them. */
export type CpuidRegs = Int32Array;

/**
 * The answer for one leaf (the subleaf is unused: no leaf kmOS reports has subleaves). `hasFpu` decides the
 * x87 bits and with them MMX, SSE and SSE2, which live in the FPU's register files (sse/). Unknown leaves
 * answer zeros.
 */
export function cpuidLeaf(leaf: number, hasFpu: boolean, out: CpuidRegs): void {
  let a = 0;
  let b = 0;
  let cx = 0;
  let d = 0;
  if (leaf === 0) {
    a = CPUID_MAX_BASIC;
    b = asciiDword(VENDOR, 0);
    d = asciiDword(VENDOR, 4);
    cx = asciiDword(VENDOR, 8);
  } else if (leaf === 1) {
    a = CPUID_SIGNATURE;
    const fpu = hasFpu ? CPUID_FPU | CPUID_FXSR | CPUID_MMX | CPUID_SSE | CPUID_SSE2 : 0;
    d = fpu | CPUID_TSC | CPUID_CX8 | CPUID_CMOV;
  } else if (leaf === 0x80000000) {
    a = CPUID_MAX_EXTENDED;
  } else if (leaf >= 0x80000002 && leaf <= CPUID_MAX_EXTENDED) {
    const at = (leaf - 0x80000002) * 16;
    a = asciiDword(BRAND, at);
    b = asciiDword(BRAND, at + 4);
    cx = asciiDword(BRAND, at + 8);
    d = asciiDword(BRAND, at + 12);
  }
  out[0] = a;
  out[1] = b;
  out[2] = cx;
  out[3] = d;
}

const cpuidScratch: CpuidRegs = new Int32Array(4);

/** The CPUID instruction: the leaf in EAX, answers in EAX, EBX, ECX, EDX. */
export function cpuid(c: CpuCore): void {
  const r = c.regs;
  cpuidLeaf(r[EAX] >>> 0, c.fpu !== null, cpuidScratch);
  r[EAX] = cpuidScratch[0];
  r[EBX] = cpuidScratch[1];
  r[ECX] = cpuidScratch[2];
  r[EDX] = cpuidScratch[3];
}

// ---- EFLAGS -----------------------------------------------------------------------------------------

/** PUSHF: VM and RF read as 0 in the image (SDM vol. 2, PUSHF). */
export function pushf(c: CpuCore, m: number): void {
  push(c, getEflags(c) & ~(FLAG_VM | FLAG_RF), m);
}

/** Writes the bits a CPL-3, IOPL-0 program may change (POPF, IRET, the kernel's `eflags` setter). */
export function setUserEflags(c: CpuCore, value: number, m: number): void {
  const writable = FLAGS_USER_WRITABLE & m;
  c.flags = (getEflags(c) & ~writable) | (value & writable) | FLAG_RESERVED_1;
  c.lazyMask = 0;
}

export function popf(c: CpuCore, m: number): void {
  setUserEflags(c, pop(c, m), m);
}

/** The flags SAHF loads from AH and LAHF stores there. */
export const SAHF_MASK = FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF | FLAG_CF;

export function sahf(c: CpuCore): void {
  const ah = (c.regs[EAX] >> 8) & 0xff;
  setStatusFlags(c, (getEflags(c) & ~SAHF_MASK) | (ah & SAHF_MASK));
}

export function lahf(c: CpuCore): void {
  c.set8(4, (getEflags(c) & SAHF_MASK) | FLAG_RESERVED_1);
}

// ---- Segment registers ------------------------------------------------------------------------------

/** MOV sreg / POP sreg: CS can never be the target (#UD), nor a number past GS. */
export function movToSreg(c: CpuCore, sreg: number, selector: number): void {
  if (sreg === SEG_CS || sreg > 5) raiseFault(c.fault, VEC_UD, -1);
  loadDataSegment(c, sreg, selector);
}

/** LDS/LES/LFS/LGS/LSS: offset then selector at the memory operand; all read before anything changes. */
export function loadFarPointer(c: CpuCore, sreg: number, reg: number, m: number): void {
  const offset = m === -1 ? c.mmu.read32(c.ea) : c.mmu.read16(c.ea);
  const selector = c.mmu.read16((c.ea + (m === -1 ? 4 : 2)) | 0);
  loadDataSegment(c, sreg, selector);
  if (m === -1) c.regs[reg] = offset;
  else c.set16(reg, offset);
}

// ---- Far transfers ----------------------------------------------------------------------------------

export function farJump(c: CpuCore, selector: number, offset: number): void {
  loadCodeSegment(c, selector);
  c.eip = offset | 0;
}

/** Far CALL to the same privilege: the stack slots are checked before CS changes. */
export function farCall(c: CpuCore, selector: number, offset: number, m: number): void {
  probeStackWrite(c, m === -1 ? 8 : 4);
  const returnCs = c.seg[SEG_CS];
  const returnEip = c.eip;
  loadCodeSegment(c, selector);
  push(c, returnCs, m);
  push(c, returnEip, m);
  c.eip = offset | 0;
}

function requireSamePrivilege(c: CpuCore, selector: number): void {
  if ((selector & SEL_RPL_MASK) !== 3) raiseFault(c.fault, VEC_GP, selector & ~SEL_RPL_MASK & 0xffff);
}

/** RETF [imm16]: only returns to CPL 3 exist for a CPL-3 caller. */
export function farReturn(c: CpuCore, m: number, popBytes: number): void {
  const size = m === -1 ? 4 : 2;
  const offset = peekStack(c, 0, m);
  const selector = peekStack(c, size, m) & 0xffff;
  requireSamePrivilege(c, selector);
  loadCodeSegment(c, selector);
  c.regs[ESP] = (c.regs[ESP] + 2 * size + popBytes) | 0;
  c.eip = m === -1 ? offset : offset & 0xffff;
}

/** IRET at CPL 3 to CPL 3 (no task switch, no VM86): EIP, CS, EFLAGS with POPF's mask. */
export function iret(c: CpuCore, m: number): void {
  const size = m === -1 ? 4 : 2;
  const offset = peekStack(c, 0, m);
  const selector = peekStack(c, size, m) & 0xffff;
  const flags = peekStack(c, 2 * size, m);
  requireSamePrivilege(c, selector);
  loadCodeSegment(c, selector);
  c.regs[ESP] = (c.regs[ESP] + 3 * size) | 0;
  c.eip = m === -1 ? offset : offset & 0xffff;
  setUserEflags(c, flags, m);
}

// ---- Software interrupts ----------------------------------------------------------------------------

/** `int n` through a DPL-0 gate from CPL 3: #GP with the IDT error code (SDM vol. 3, 6.13). */
export function intThroughKernelGate(c: CpuCore, vector: number): never {
  return raiseFault(c.fault, VEC_GP, (vector << 3) | ERRCODE_IDT);
}
