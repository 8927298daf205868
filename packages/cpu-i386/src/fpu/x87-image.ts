/**
 * The memory images of the x87 state: the FNSTENV/FLDENV environment (14 or 28 bytes), the FNSAVE/FRSTOR
 * image (94 or 108 bytes: environment plus ST(0)..ST(7)) in the 16- and 32-bit protected-mode layouts, and
 * the x87 part of the 512-byte FXSAVE/FXRSTOR image. Layer: arch plugin (cpu-i386), x87 unit; x87.ts moves
 * these bytes between guest memory and a buffer, the kernel uses them directly for signal frames
 * (SDM vol. 1, 8.1.10 and figures 8-9..8-12; vol. 2, FXSAVE table 3-53).
 */
import type { X87State } from './x87-state.js';

/** Sizes in bytes of the images, by operand size. */
export const ENV_SIZE_32 = 28;
export const ENV_SIZE_16 = 14;
export const SAVE_SIZE_32 = 108;
export const SAVE_SIZE_16 = 94;
export const FXSAVE_SIZE = 512;
/** FXSAVE image offsets of MXCSR, MXCSR_MASK and ST(0). */
export const FXSAVE_MXCSR = 24;
export const FXSAVE_MXCSR_MASK = 28;
export const FXSAVE_ST0 = 32;
/** MXCSR after reset (all SSE exceptions masked) and the writable bits we report. */
export const MXCSR_DEFAULT = 0x1f80;
export const MXCSR_MASK_DEFAULT = 0xffff;

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, v);
  put16(b, o + 2, v >>> 16);
}

function get16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function get32(b: Uint8Array, o: number): number {
  return (get16(b, o) | (get16(b, o + 2) << 16)) >>> 0;
}

/** Writes the 10-byte image of physical register p at o. */
export function putRegister(s: X87State, p: number, b: Uint8Array, o: number): void {
  put32(b, o, s.lo[p]);
  put32(b, o + 4, s.hi[p]);
  put16(b, o + 8, (s.sign[p] << 15) | s.exp[p]);
}

/** Loads physical register p from a 10-byte image at o (the tag is set separately). */
export function getRegister(s: X87State, p: number, b: Uint8Array, o: number): void {
  s.lo[p] = get32(b, o);
  s.hi[p] = get32(b, o + 4);
  const se = get16(b, o + 8);
  s.sign[p] = se >>> 15;
  s.exp[p] = se & 0x7fff;
}

/** FNSTENV layout. Reserved high halves of the 32-bit form are written as 0xffff, as hardware does. */
export function putEnv(s: X87State, b: Uint8Array, o: number, operandSize16: boolean): void {
  if (operandSize16) {
    put16(b, o, s.cw);
    put16(b, o + 2, s.statusWord());
    put16(b, o + 4, s.tagWord());
    put16(b, o + 6, s.fip);
    put16(b, o + 8, s.fcs);
    put16(b, o + 10, s.fdp);
    put16(b, o + 12, s.fds);
    return;
  }
  put32(b, o, 0xffff0000 | s.cw);
  put32(b, o + 4, 0xffff0000 | s.statusWord());
  put32(b, o + 8, 0xffff0000 | s.tagWord());
  put32(b, o + 12, s.fip);
  put32(b, o + 16, (s.fcs & 0xffff) | ((s.fop & 0x7ff) << 16));
  put32(b, o + 20, s.fdp);
  put32(b, o + 24, 0xffff0000 | s.fds);
}

export function getEnv(s: X87State, b: Uint8Array, o: number, operandSize16: boolean): void {
  const w = operandSize16 ? 2 : 4;
  s.cw = get16(b, o) | 0x0040;
  s.setTagWord(get16(b, o + 2 * w));
  if (operandSize16) {
    s.fip = get16(b, o + 6);
    s.fcs = get16(b, o + 8);
    s.fdp = get16(b, o + 10);
    s.fds = get16(b, o + 12);
  } else {
    s.fip = get32(b, o + 12);
    const csOp = get32(b, o + 16);
    s.fcs = csOp & 0xffff;
    s.fop = (csOp >>> 16) & 0x7ff;
    s.fdp = get32(b, o + 20);
    s.fds = get16(b, o + 24);
  }
  s.setStatusWord(get16(b, o + w));
}

export function putSave(s: X87State, b: Uint8Array, o: number, operandSize16: boolean): void {
  putEnv(s, b, o, operandSize16);
  const regs = o + (operandSize16 ? ENV_SIZE_16 : ENV_SIZE_32);
  for (let i = 0; i < 8; i++) putRegister(s, s.phys(i), b, regs + 10 * i);
}

export function getSave(s: X87State, b: Uint8Array, o: number, operandSize16: boolean): void {
  getEnv(s, b, o, operandSize16);
  const regs = o + (operandSize16 ? ENV_SIZE_16 : ENV_SIZE_32);
  for (let i = 0; i < 8; i++) getRegister(s, s.phys(i), b, regs + 10 * i);
}

/** The x87 part of FXSAVE (bytes 0..159 and MXCSR); the XMM area belongs to the SSE unit and is left alone. */
export function putFxsave(s: X87State, b: Uint8Array, o: number): void {
  put16(b, o, s.cw);
  put16(b, o + 2, s.statusWord());
  b[o + 4] = s.abridgedTag();
  b[o + 5] = 0;
  put16(b, o + 6, s.fop & 0x7ff);
  put32(b, o + 8, s.fip);
  put32(b, o + 12, s.fcs & 0xffff);
  put32(b, o + 16, s.fdp);
  put32(b, o + 20, s.fds & 0xffff);
  put32(b, o + FXSAVE_MXCSR, MXCSR_DEFAULT);
  put32(b, o + FXSAVE_MXCSR_MASK, MXCSR_MASK_DEFAULT);
  for (let i = 0; i < 8; i++) {
    const r = o + FXSAVE_ST0 + 16 * i;
    putRegister(s, s.phys(i), b, r);
    b.fill(0, r + 10, r + 16);
  }
}

export function getFxsave(s: X87State, b: Uint8Array, o: number): void {
  s.cw = get16(b, o) | 0x0040;
  s.setAbridgedTag(b[o + 4]);
  s.fop = get16(b, o + 6) & 0x7ff;
  s.fip = get32(b, o + 8);
  s.fcs = get16(b, o + 12);
  s.fdp = get32(b, o + 16);
  s.fds = get16(b, o + 20);
  s.setStatusWord(get16(b, o + 2));
  for (let i = 0; i < 8; i++) getRegister(s, s.phys(i), b, o + FXSAVE_ST0 + 16 * i);
}
