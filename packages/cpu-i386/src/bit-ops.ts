/**
 * Bit and exchange instructions of the 0F map: BT/BTS/BTR/BTC (register and immediate offsets; a register
 * offset addresses a bit string around a memory operand, SDM vol. 2, BT), BSF/BSR, CMPXCHG, CMPXCHG8B,
 * XADD and BSWAP. Layer: arch plugin (cpu-i386); called by interpreter-0f.ts.
 */

import { ALU_ADD, ALU_CMP, alu } from './alu.js';
import { EAX, EBX, ECX, EDX, FLAG_CF, FLAG_ZF } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { getReg, readMem, readRm, setReg, writeMem, writeRm } from './decode.js';
import { materializeFlags } from './flags.js';

/**
 * BT family: `kind` 0 BT, 1 BTS, 2 BTR, 3 BTC. `bitOffset` is the register (signed, any size) or the
 * immediate; `fromRegister` says which, since only a register offset may leave the addressed operand.
 */
export function bitTest(
  c: CpuCore,
  modrm: number,
  m: number,
  bitOffset: number,
  fromRegister: boolean,
  kind: number,
): void {
  const bits = m === -1 ? 32 : 16;
  let lin = c.ea;
  if (modrm < 0xc0 && fromRegister) {
    // The operand is the word/dword holding the bit: displacement floor(offset / bits) * bytes from ea.
    const signed = m === -1 ? bitOffset | 0 : (bitOffset << 16) >> 16;
    lin = (lin + Math.floor(signed / bits) * (bits / 8)) | 0;
  }
  const bit = bitOffset & (bits - 1);
  if (kind !== 0 && modrm < 0xc0) c.mmu.probeWrite(lin, bits / 8);
  const v = modrm >= 0xc0 ? getReg(c, modrm & 7, m) : readMem(c, lin, m);
  const cf = (v >>> bit) & 1;
  if (kind !== 0) {
    const mask = 1 << bit;
    const r = (kind === 1 ? v | mask : kind === 2 ? v & ~mask : v ^ mask) & m;
    if (modrm >= 0xc0) setReg(c, modrm & 7, r, m);
    else writeMem(c, lin, r, m);
  }
  materializeFlags(c);
  c.flags = (c.flags & ~FLAG_CF) | cf;
}

/** BSF (forward) / BSR of r/m into r. */
export function bitScan(c: CpuCore, modrm: number, m: number, reverse: boolean): void {
  const index = scanBits(c, readRm(c, modrm, m) & m, reverse);
  if (index >= 0) setReg(c, (modrm >> 3) & 7, index, m);
}

/**
 * ZF and the index BSF (forward) or BSR finds in `v`; -1 when `v` is 0, which sets ZF and leaves the
 * destination unchanged (as P6 hardware does).
 */
export function scanBits(c: CpuCore, v: number, reverse: boolean): number {
  materializeFlags(c);
  if (v === 0) {
    c.flags |= FLAG_ZF;
    return -1;
  }
  c.flags &= ~FLAG_ZF;
  return reverse ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v);
}

/** CMPXCHG r/m, r: the destination is always written (the old value back on a mismatch), like a locked cycle. */
export function cmpxchg(c: CpuCore, modrm: number, m: number): void {
  if (modrm < 0xc0) c.mmu.probeWrite(c.ea, m === -1 ? 4 : m === 0xffff ? 2 : 1);
  const dest = readRm(c, modrm, m);
  const acc = getReg(c, EAX, m);
  const equal = (acc & m) === (dest & m);
  writeRm(c, modrm, equal ? getReg(c, (modrm >> 3) & 7, m) : dest, m);
  if (!equal) setReg(c, EAX, dest, m);
  alu(c, ALU_CMP, acc, dest, m);
}

export function cmpxchg8b(c: CpuCore): void {
  const r = c.regs;
  c.mmu.probeWrite(c.ea, 8);
  const lo = c.mmu.read32(c.ea);
  const hi = c.mmu.read32((c.ea + 4) | 0);
  materializeFlags(c);
  if (lo === r[EAX] && hi === r[EDX]) {
    c.mmu.write32(c.ea, r[EBX]);
    c.mmu.write32((c.ea + 4) | 0, r[ECX]);
    c.flags |= FLAG_ZF;
  } else {
    c.mmu.write32(c.ea, lo);
    c.mmu.write32((c.ea + 4) | 0, hi);
    r[EAX] = lo;
    r[EDX] = hi;
    c.flags &= ~FLAG_ZF;
  }
}

export function xadd(c: CpuCore, modrm: number, m: number): void {
  if (modrm < 0xc0) c.mmu.probeWrite(c.ea, m === -1 ? 4 : m === 0xffff ? 2 : 1);
  const reg = (modrm >> 3) & 7;
  const dest = readRm(c, modrm, m);
  const src = getReg(c, reg, m);
  const sum = alu(c, ALU_ADD, dest, src, m);
  setReg(c, reg, dest, m);
  writeRm(c, modrm, sum, m);
}

export function bswap(c: CpuCore, r: number): void {
  const v = c.regs[r];
  c.regs[r] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}
