/**
 * Lazy EFLAGS: ALU handlers store the operands, result, width and operation instead of six flag bits, and a
 * flag is computed only when something reads it (Jcc, ADC, PUSHF, ...). Layer: arch plugin (cpu-i386).
 *
 * How it works: `lazyMask` names the status flags whose value lives in the lazy fields; the others live in
 * `flags`. ZF/SF/PF come from the result alone; CF/OF/AF from the operands and the operation (SDM vol. 1,
 * appendix A). A handler that sets some flags itself (shifts, MUL, BCD) writes them into `flags` and leaves
 * only the result-derived ones lazy.
 */
import { FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF, FLAGS_STATUS } from './constants.js';
import { type CpuCore, LAZY_A, LAZY_B, LAZY_CIN, LAZY_RES, LazyOp } from './cpu-core.js';

/** PARITY[b] is FLAG_PF when byte b has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let bits = 0;
  for (let i = 0; i < 8; i++) bits += (b >> i) & 1;
  PARITY[b] = bits % 2 === 0 ? FLAG_PF : 0;
}

export const WIDTH_MASK_8 = 0xff;
export const WIDTH_MASK_16 = 0xffff;
export const WIDTH_MASK_32 = -1;

/** Records an ALU result; all six status flags become lazy. */
export function setLazy(c: CpuCore, op: number, a: number, b: number, res: number, widthMask: number): void {
  const lazy = c.lazy;
  lazy[LAZY_A] = a;
  lazy[LAZY_B] = b;
  lazy[LAZY_RES] = res;
  c.lazyOp = op;
  c.lazyWidthMask = widthMask;
  c.lazyMask = FLAGS_STATUS;
}

/** Records a result whose ZF/SF/PF are lazy and whose CF/OF/AF the caller sets in `flags` (given here). */
export function setResultFlags(c: CpuCore, res: number, widthMask: number, cfOfAf: number): void {
  c.flags = (c.flags & ~FLAGS_STATUS) | cfOfAf;
  c.lazyOp = LazyOp.LOGIC;
  c.lazy[LAZY_RES] = res;
  c.lazyWidthMask = widthMask;
  c.lazyMask = FLAG_ZF | FLAG_SF | FLAG_PF;
}

/** The sign bit of a width mask: 0x80, 0x8000 or 1 << 31. */
function signBit(widthMask: number): number {
  return widthMask === -1 ? 1 << 31 : (widthMask + 1) >>> 1;
}

export function getCF(c: CpuCore): number {
  if ((c.lazyMask & FLAG_CF) === 0) return c.flags & FLAG_CF;
  const m = c.lazyWidthMask;
  const a = (c.lazy[LAZY_A] & m) >>> 0;
  const b = (c.lazy[LAZY_B] & m) >>> 0;
  const r = (c.lazy[LAZY_RES] & m) >>> 0;
  switch (c.lazyOp) {
    case LazyOp.ADD:
      return r < a ? 1 : 0;
    case LazyOp.ADC:
      return (c.lazy[LAZY_CIN] !== 0 ? r <= a : r < a) ? 1 : 0;
    case LazyOp.SUB:
      return a < b ? 1 : 0;
    case LazyOp.SBB:
      return (c.lazy[LAZY_CIN] !== 0 ? a <= b : a < b) ? 1 : 0;
    case LazyOp.SHL:
      return (a >>> (32 - b)) & 1;
    case LazyOp.SHR:
      return (a >>> (b - 1)) & 1;
    case LazyOp.SAR:
      return ((a | 0) >> (b - 1)) & 1;
    case LazyOp.IMUL:
    case LazyOp.MUL:
      return shiftOrMulOverflow(c) ? 1 : 0;
    default:
      return 0;
  }
}

/** OF of the 32-bit inline SHL/SHR (SAR: 0), and CF = OF of the inline IMUL and MUL. */
function shiftOrMulOverflow(c: CpuCore): boolean {
  const a = c.lazy[LAZY_A];
  const b = c.lazy[LAZY_B];
  const r = c.lazy[LAZY_RES];
  switch (c.lazyOp) {
    case LazyOp.SHL:
      return ((r >>> 31) ^ ((a >>> (32 - b)) & 1)) !== 0;
    case LazyOp.SHR:
      return a < 0;
    case LazyOp.IMUL:
      // The double product is exact whenever it fits in 32 bits, and far from any int32 when it does not.
      return a * b !== r;
    case LazyOp.MUL:
      return a !== 0;
    default:
      return false;
  }
}

export function getZF(c: CpuCore): number {
  if ((c.lazyMask & FLAG_ZF) === 0) return c.flags & FLAG_ZF;
  return (c.lazy[LAZY_RES] & c.lazyWidthMask) === 0 ? FLAG_ZF : 0;
}

export function getSF(c: CpuCore): number {
  if ((c.lazyMask & FLAG_SF) === 0) return c.flags & FLAG_SF;
  return (c.lazy[LAZY_RES] & signBit(c.lazyWidthMask)) !== 0 ? FLAG_SF : 0;
}

export function getPF(c: CpuCore): number {
  if ((c.lazyMask & FLAG_PF) === 0) return c.flags & FLAG_PF;
  return PARITY[c.lazy[LAZY_RES] & 0xff];
}

export function getAF(c: CpuCore): number {
  if ((c.lazyMask & FLAG_AF) === 0) return c.flags & FLAG_AF;
  if (c.lazyOp >= LazyOp.LOGIC) return 0;
  return (c.lazy[LAZY_A] ^ c.lazy[LAZY_B] ^ c.lazy[LAZY_RES]) & FLAG_AF;
}

export function getOF(c: CpuCore): number {
  if ((c.lazyMask & FLAG_OF) === 0) return c.flags & FLAG_OF;
  const a = c.lazy[LAZY_A];
  const b = c.lazy[LAZY_B];
  const r = c.lazy[LAZY_RES];
  const sign = signBit(c.lazyWidthMask);
  switch (c.lazyOp) {
    case LazyOp.ADD:
    case LazyOp.ADC:
      return ((a ^ r) & (b ^ r) & sign) !== 0 ? FLAG_OF : 0;
    case LazyOp.SUB:
    case LazyOp.SBB:
      return ((a ^ b) & (a ^ r) & sign) !== 0 ? FLAG_OF : 0;
    case LazyOp.LOGIC:
      return 0;
    default:
      return shiftOrMulOverflow(c) ? FLAG_OF : 0;
  }
}

/** The full EFLAGS value, all lazy flags computed. */
export function getEflags(c: CpuCore): number {
  if (c.lazyMask === 0) return c.flags;
  return (c.flags & ~FLAGS_STATUS) | getCF(c) | getPF(c) | getAF(c) | getZF(c) | getSF(c) | getOF(c);
}

/** Computes every lazy flag into `flags` (before a handler changes some flags and keeps others). */
export function materializeFlags(c: CpuCore): void {
  if (c.lazyMask !== 0) {
    c.flags = getEflags(c);
    c.lazyMask = 0;
  }
}

/** Sets the status flags to `status` (other bits of `flags` kept). */
export function setStatusFlags(c: CpuCore, status: number): void {
  c.flags = (c.flags & ~FLAGS_STATUS) | (status & FLAGS_STATUS);
  c.lazyMask = 0;
}

/** Evaluates condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc), SDM vol. 1, appendix B. */
export function testCondition(c: CpuCore, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = getOF(c) !== 0;
      break;
    case 1:
      r = getCF(c) !== 0;
      break;
    case 2:
      r = getZF(c) !== 0;
      break;
    case 3:
      r = getCF(c) !== 0 || getZF(c) !== 0;
      break;
    case 4:
      r = getSF(c) !== 0;
      break;
    case 5:
      r = getPF(c) !== 0;
      break;
    case 6:
      r = (getSF(c) !== 0) !== (getOF(c) !== 0);
      break;
    default:
      r = getZF(c) !== 0 || (getSF(c) !== 0) !== (getOF(c) !== 0);
      break;
  }
  return (cc & 1) === 0 ? r : !r;
}
