/**
 * The SSE part of the 512-byte FXSAVE/FXRSTOR image: MXCSR, MXCSR_MASK and XMM0..XMM7 (SDM vol. 2, FXSAVE,
 * table 3-53), and the FPU unit that saves both halves. Layer: arch plugin (cpu-i386), SIMD unit.
 *
 * The x87 (fpu/x87.ts) writes the x87 half of the image; `X87WithSse` extends it so that every consumer of
 * the image — FXSAVE/FXRSTOR, the kernel's context switches and signal frames through Cpu.saveFpu — also
 * carries the XMM registers and MXCSR, and so that a reset (exec, a fresh context) clears them. The MMX
 * registers need nothing here: they are the x87 registers.
 */
import type { FpuBus } from '../fpu/bus.js';
import { X87 } from '../fpu/x87.js';
import { FXSAVE_MXCSR, FXSAVE_MXCSR_MASK } from '../fpu/x87-image.js';
import type { X87Storage } from '../fpu/x87-state.js';
import { MXCSR_WRITABLE, type SseState, XMM_BYTES } from './sse-state.js';

/** Offset of XMM0 in the image; XMM1..7 follow every 16 bytes. */
export const FXSAVE_XMM0 = 160;
const XMM_REGISTERS = 8;

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

function get32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

export function putSseImage(s: SseState, b: Uint8Array, o: number): void {
  put32(b, o + FXSAVE_MXCSR, s.mxcsr);
  put32(b, o + FXSAVE_MXCSR_MASK, MXCSR_WRITABLE);
  b.set(s.u8.subarray(0, XMM_REGISTERS * XMM_BYTES), o + FXSAVE_XMM0);
}

/** Loads MXCSR and the XMM registers; reserved MXCSR bits are dropped (FXRSTOR checks them first). */
export function getSseImage(s: SseState, b: Uint8Array, o: number): void {
  s.mxcsr = get32(b, o + FXSAVE_MXCSR) & MXCSR_WRITABLE;
  s.u8.set(b.subarray(o + FXSAVE_XMM0, o + FXSAVE_XMM0 + XMM_REGISTERS * XMM_BYTES), 0);
}

/** The MXCSR an image would load: FXRSTOR raises #GP(0) when it has reserved bits set. */
export function imageMxcsr(b: Uint8Array, o: number): number {
  return get32(b, o + FXSAVE_MXCSR);
}

export class X87WithSse extends X87 {
  constructor(
    bus: FpuBus,
    private readonly sse: SseState,
    storage?: X87Storage,
  ) {
    super(bus, storage);
    sse.x87 = this.state;
  }

  override reset(): void {
    super.reset();
    this.sse.reset();
  }

  override saveFxsave(into: Uint8Array, offset: number): void {
    super.saveFxsave(into, offset);
    putSseImage(this.sse, into, offset);
  }

  override restoreFxsave(from: Uint8Array, offset: number): void {
    super.restoreFxsave(from, offset);
    getSseImage(this.sse, from, offset);
  }
}
