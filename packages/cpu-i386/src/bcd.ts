/**
 * The BCD adjustments DAA, DAS, AAA, AAS, AAM and AAD, following the pseudocode of their SDM vol. 2 pages.
 * Flags the SDM leaves undefined get what the arithmetic behind them yields (ZF/SF/PF of AL, OF/AF 0 where
 * no rule applies). Layer: arch plugin (cpu-i386).
 */
import { EAX, FLAG_AF, FLAG_CF, FLAG_OF, FLAG_SF, FLAG_ZF, VEC_DE } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { raiseFault } from './fault.js';
import { getAF, getCF, PARITY, setStatusFlags } from './flags.js';

function szp(al: number): number {
  return (al === 0 ? FLAG_ZF : 0) | (al & 0x80 ? FLAG_SF : 0) | PARITY[al];
}

export function daa(c: CpuCore): void {
  const oldAl = c.regs[EAX] & 0xff;
  const oldCf = getCF(c);
  let al = oldAl;
  let cf = 0;
  let af = 0;
  if ((al & 0xf) > 9 || getAF(c) !== 0) {
    al += 6;
    cf = oldCf | (al > 0xff ? 1 : 0);
    al &= 0xff;
    af = FLAG_AF;
  }
  if (oldAl > 0x99 || oldCf !== 0) {
    al = (al + 0x60) & 0xff;
    cf = 1;
  } else {
    cf = 0;
  }
  c.set8(EAX, al);
  // OF is undefined; hardware sets it as the signed overflow of the adjustment (observed on Intel and AMD).
  const of = (oldAl & 0x80) === 0 && (al & 0x80) !== 0 ? FLAG_OF : 0;
  setStatusFlags(c, szp(al) | cf | af | of);
}

export function das(c: CpuCore): void {
  const oldAl = c.regs[EAX] & 0xff;
  const oldCf = getCF(c);
  let al = oldAl;
  let cf = 0;
  let af = 0;
  if ((al & 0xf) > 9 || getAF(c) !== 0) {
    cf = oldCf | (al < 6 ? 1 : 0);
    al = (al - 6) & 0xff;
    af = FLAG_AF;
  }
  if (oldAl > 0x99 || oldCf !== 0) {
    al = (al - 0x60) & 0xff;
    cf = 1;
  }
  c.set8(EAX, al);
  const of = (oldAl & 0x80) !== 0 && (al & 0x80) === 0 ? FLAG_OF : 0;
  setStatusFlags(c, szp(al) | cf | af | of);
}

export function aaa(c: CpuCore): void {
  let ax = c.regs[EAX] & 0xffff;
  let adj = 0;
  if ((ax & 0xf) > 9 || getAF(c) !== 0) {
    ax = (ax + 0x106) & 0xffff;
    adj = FLAG_AF | FLAG_CF;
  }
  ax &= 0xff0f;
  c.set16(EAX, ax);
  setStatusFlags(c, szp(ax & 0xff) | adj);
}

export function aas(c: CpuCore): void {
  let ax = c.regs[EAX] & 0xffff;
  let adj = 0;
  if ((ax & 0xf) > 9 || getAF(c) !== 0) {
    ax = (ax - 6) & 0xffff;
    ax = (ax - 0x100) & 0xffff;
    adj = FLAG_AF | FLAG_CF;
  }
  ax &= 0xff0f;
  c.set16(EAX, ax);
  setStatusFlags(c, szp(ax & 0xff) | adj);
}

export function aam(c: CpuCore, base: number): void {
  if (base === 0) raiseFault(c.fault, VEC_DE, -1);
  const al = c.regs[EAX] & 0xff;
  const lo = al % base;
  c.set16(EAX, (Math.floor(al / base) << 8) | lo);
  setStatusFlags(c, szp(lo));
}

export function aad(c: CpuCore, base: number): void {
  const ax = c.regs[EAX];
  const al = ((ax & 0xff) + ((ax >> 8) & 0xff) * base) & 0xff;
  c.set16(EAX, al);
  setStatusFlags(c, szp(al));
}
