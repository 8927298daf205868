/**
 * The integer ALU: the eight group-1 operations, INC/DEC/NEG, shifts and rotates (group 2, SHLD/SHRD) with
 * their flag rules from the SDM vol. 2 instruction pages. Results come back masked to the operand width
 * (8/16-bit results unsigned, 32-bit results as int32); flags go to the lazy fields (flags.ts). Layer: arch
 * plugin (cpu-i386); called by the interpreter for register and memory operands alike.
 */
import { FLAG_CF, FLAG_OF, FLAGS_STATUS } from './constants.js';
import { type CpuCore, LAZY_CIN, LazyOp } from './cpu-core.js';
import { getCF, getEflags, setLazy, setResultFlags } from './flags.js';

/** Group-1 operation numbers (the `reg` field of 80..83, and bits 3..5 of 00..3D). */
export const ALU_ADD = 0;
export const ALU_OR = 1;
export const ALU_ADC = 2;
export const ALU_SBB = 3;
export const ALU_AND = 4;
export const ALU_SUB = 5;
export const ALU_XOR = 6;
export const ALU_CMP = 7;

/** Runs group-1 operation `op` on a and b of width `m` (0xff/0xffff/-1); returns the masked result. */
export function alu(c: CpuCore, op: number, a: number, b: number, m: number): number {
  let r: number;
  let lazyOp: number;
  switch (op) {
    case ALU_ADD:
      r = (a + b) & m;
      lazyOp = LazyOp.ADD;
      break;
    case ALU_OR:
      r = (a | b) & m;
      lazyOp = LazyOp.LOGIC;
      break;
    case ALU_AND:
      r = a & b & m;
      lazyOp = LazyOp.LOGIC;
      break;
    case ALU_XOR:
      r = (a ^ b) & m;
      lazyOp = LazyOp.LOGIC;
      break;
    case ALU_ADC:
    case ALU_SBB:
      return aluWithCarry(c, op, a, b, m);
    default: // SUB, CMP
      r = (a - b) & m;
      lazyOp = LazyOp.SUB;
      break;
  }
  // One call of setLazy and none of getCF: callers that run hot (the decoded tier's inline paths) can have
  // this function inlined whole.
  setLazy(c, lazyOp, a, b, r, m);
  return r;
}

/** ADC and SBB: ADD and SUB with the carry in. */
function aluWithCarry(c: CpuCore, op: number, a: number, b: number, m: number): number {
  const cin = getCF(c);
  const adc = op === ALU_ADC;
  const r = (adc ? a + b + cin : a - b - cin) & m;
  setLazy(c, adc ? LazyOp.ADC : LazyOp.SBB, a, b, r, m);
  c.lazy[LAZY_CIN] = cin;
  return r;
}

/** INC and DEC: like ADD/SUB 1 but CF is kept. */
export function incDec(c: CpuCore, a: number, dec: boolean, m: number): number {
  const cf = getCF(c);
  const r = (dec ? a - 1 : a + 1) & m;
  setLazy(c, dec ? LazyOp.SUB : LazyOp.ADD, a, 1, r, m);
  c.flags = (c.flags & ~FLAG_CF) | cf;
  c.lazyMask = FLAGS_STATUS & ~FLAG_CF;
  return r;
}

export function neg(c: CpuCore, a: number, m: number): number {
  const r = -a & m;
  setLazy(c, LazyOp.SUB, 0, a, r, m);
  return r;
}

function widthBits(m: number): number {
  return m === 0xff ? 8 : m === 0xffff ? 16 : 32;
}

/**
 * Group 2 (`op` = reg field: ROL ROR RCL RCR SHL SHR SAL SAR) by `count` (already masked to 5 bits, nonzero).
 * OF is computed as the SDM defines it for count 1 for every count, as Intel and AMD hardware do.
 */
export function shiftRotate(c: CpuCore, op: number, a: number, count: number, m: number): number {
  const w = widthBits(m);
  const sign = m === -1 ? 1 << 31 : (m + 1) >>> 1;
  const old = getEflags6(c);
  switch (op) {
    case 0: {
      const n = count & (w - 1);
      const r = n === 0 ? a & m : ((a << n) | ((a & m) >>> (w - n))) & m;
      const cf = r & 1;
      setRotateFlags(c, old, cf, ((r & sign) !== 0 ? 1 : 0) ^ cf);
      return r;
    }
    case 1: {
      const n = count & (w - 1);
      const r = n === 0 ? a & m : (((a & m) >>> n) | (a << (w - n))) & m;
      const msb = (r & sign) !== 0 ? 1 : 0;
      const next = (r & (sign >>> 1)) !== 0 ? 1 : 0;
      setRotateFlags(c, old, msb, msb ^ next);
      return r;
    }
    case 2:
      return rcl(c, old, a & m, w === 32 ? count : count % (w + 1), m, sign);
    case 3:
      return rcr(c, old, a & m, w === 32 ? count : count % (w + 1), m, sign);
    case 4:
    case 6: {
      const r = count < 32 ? (a << count) & m : 0;
      const cf = count <= w ? ((a & m) >>> (w - count)) & 1 : 0;
      const of = ((r & sign) !== 0 ? 1 : 0) ^ cf;
      setResultFlags(c, r, m, cf | (of !== 0 ? FLAG_OF : 0));
      return r;
    }
    case 5: {
      const ua = (a & m) >>> 0;
      const r = (ua >>> count) & m;
      const cf = (ua >>> (count - 1)) & 1;
      setResultFlags(c, r, m, cf | ((ua & sign) !== 0 ? FLAG_OF : 0));
      return r;
    }
    default: {
      const sa = w === 32 ? a | 0 : w === 16 ? (a << 16) >> 16 : (a << 24) >> 24;
      const r = (sa >> count) & m;
      const cf = (sa >> (count - 1)) & 1;
      setResultFlags(c, r, m, cf);
      return r;
    }
  }
}

/** Status flags as they are now, for rotates (which keep SF/ZF/PF/AF). */
function getEflags6(c: CpuCore): number {
  return getEflags(c) & FLAGS_STATUS;
}

function setRotateFlags(c: CpuCore, old: number, cf: number, of: number): void {
  c.flags = (c.flags & ~FLAGS_STATUS) | (old & ~(FLAG_CF | FLAG_OF)) | cf | (of !== 0 ? FLAG_OF : 0);
  c.lazyMask = 0;
}

function rcl(c: CpuCore, old: number, v: number, n: number, m: number, sign: number): number {
  let cf = old & FLAG_CF;
  for (let i = 0; i < n; i++) {
    const out = (v & sign) !== 0 ? 1 : 0;
    v = ((v << 1) | cf) & m;
    cf = out;
  }
  if (n !== 0) setRotateFlags(c, old, cf, ((v & sign) !== 0 ? 1 : 0) ^ cf);
  return v & m;
}

function rcr(c: CpuCore, old: number, v: number, n: number, m: number, sign: number): number {
  let cf = old & FLAG_CF;
  for (let i = 0; i < n; i++) {
    const out = v & 1;
    v = (((v & m) >>> 1) | (cf !== 0 ? sign : 0)) & m;
    cf = out;
  }
  if (n !== 0) {
    const msb = (v & sign) !== 0 ? 1 : 0;
    const next = (v & (sign >>> 1)) !== 0 ? 1 : 0;
    setRotateFlags(c, old, cf, msb ^ next);
  }
  return v & m;
}

/** SHLD (left) / SHRD: `count` masked to 5 bits and nonzero. 16-bit counts above 16 shift dest:src:dest. */
export function doubleShift(
  c: CpuCore,
  left: boolean,
  dest: number,
  src: number,
  count: number,
  m: number,
): number {
  let r: number;
  let cf: number;
  if (m === -1) {
    if (left) {
      r = (dest << count) | (src >>> (32 - count));
      cf = (dest >>> (32 - count)) & 1;
    } else {
      r = (dest >>> count) | (src << (32 - count));
      cf = (dest >>> (count - 1)) & 1;
    }
  } else {
    dest &= 0xffff;
    src &= 0xffff;
    if (left) {
      if (count <= 16) {
        r = (dest << count) | (src >>> (16 - count));
        cf = (dest >>> (16 - count)) & 1;
      } else {
        r = (src << (count - 16)) | (dest >>> (32 - count));
        cf = (src >>> (32 - count)) & 1;
      }
    } else if (count <= 16) {
      r = (dest >>> count) | (src << (16 - count));
      cf = (dest >>> (count - 1)) & 1;
    } else {
      r = (src >>> (count - 16)) | (dest << (32 - count));
      cf = (src >>> (count - 17)) & 1;
    }
    r &= 0xffff;
  }
  const sign = m === -1 ? 1 << 31 : 0x8000;
  const of = ((r ^ dest) & sign) !== 0 ? FLAG_OF : 0;
  setResultFlags(c, r, m, cf | of);
  return r;
}
