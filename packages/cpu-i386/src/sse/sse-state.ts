/**
 * The SSE register file and MXCSR, and the MMX registers' view of the x87 file. Layer: arch plugin
 * (cpu-i386), SIMD unit; sse-dispatch.ts decodes the instructions, the other files in this folder run them
 * on this state, sse-image.ts saves it into the FXSAVE image.
 *
 * The eight XMM registers live in one ArrayBuffer with a typed-array view per lane type, so an operation on
 * bytes, words, dwords, floats or doubles indexes its lanes directly and allocates nothing. Slots past XMM7
 * are scratch: SLOT_SRC holds a memory (or MMX) source operand, SLOT_RES a result built before any
 * exception is known, SLOT_MM the MMX destination while an MMX instruction runs on it.
 *
 * MMX registers are the x87 mantissas (SDM vol. 1, 9.5): MMn is physical register n, not ST(n). Every MMX
 * instruction but EMMS sets TOP to 0 and tags all registers valid; a write also sets the sign and exponent
 * bits to all ones, so x87 code that forgets EMMS sees NaNs, as on hardware.
 */
import type { X87State } from '../fpu/x87-state.js';

export const SLOT_SRC = 8;
export const SLOT_RES = 9;
export const SLOT_MM = 10;
const SLOTS = 12;
export const XMM_BYTES = 16;

/** MXCSR fields (SDM vol. 1, 10.2.3). */
export const MXCSR_IE = 1 << 0;
export const MXCSR_DE = 1 << 1;
export const MXCSR_ZE = 1 << 2;
export const MXCSR_OE = 1 << 3;
export const MXCSR_UE = 1 << 4;
export const MXCSR_PE = 1 << 5;
export const MXCSR_FLAGS = 0x3f;
export const MXCSR_DAZ = 1 << 6;
export const MXCSR_MASK_SHIFT = 7;
export const MXCSR_RC_SHIFT = 13;
export const MXCSR_FTZ = 1 << 15;
export const MXCSR_RESET = 0x1f80;
/** Writable MXCSR bits (DAZ included): what FXSAVE reports as MXCSR_MASK; others set are #GP(0). */
export const MXCSR_WRITABLE = 0xffff;
/** Rounding-control values (MXCSR.RC and x87 FCW.RC share them). */
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_CHOP = 3;
/** The x87 exponent word an MMX write leaves (sign and exponent all ones). */
const MMX_EXPONENT = 0x7fff;

export class SseState {
  readonly buf = new ArrayBuffer(SLOTS * XMM_BYTES);
  readonly u8 = new Uint8Array(this.buf);
  readonly i8 = new Int8Array(this.buf);
  readonly u16 = new Uint16Array(this.buf);
  readonly i16 = new Int16Array(this.buf);
  readonly u32 = new Uint32Array(this.buf);
  readonly i32 = new Int32Array(this.buf);
  readonly f32 = new Float32Array(this.buf);
  readonly f64 = new Float64Array(this.buf);
  mxcsr = MXCSR_RESET;
  /** Exception flags raised by the lanes of the current instruction (merged into MXCSR by the caller). */
  raised = 0;
  /** The x87 register file the MMX registers alias; null on a CPU without an FPU (then MMX is #UD). */
  x87: X87State | null = null;

  reset(): void {
    this.u8.fill(0);
    this.mxcsr = MXCSR_RESET;
    this.raised = 0;
  }

  roundingMode(): number {
    return (this.mxcsr >>> MXCSR_RC_SHIFT) & 3;
  }

  copySlot(to: number, from: number): void {
    const w = this.i32;
    w[to * 4] = w[from * 4];
    w[to * 4 + 1] = w[from * 4 + 1];
    w[to * 4 + 2] = w[from * 4 + 2];
    w[to * 4 + 3] = w[from * 4 + 3];
  }

  /** MMn into the low 8 bytes of a slot. */
  loadMm(slot: number, n: number): void {
    const x = this.x87 as X87State;
    this.u32[slot * 4] = x.lo[n];
    this.u32[slot * 4 + 1] = x.hi[n];
  }

  /** The low 8 bytes of a slot into MMn. */
  storeMm(n: number, slot: number): void {
    const x = this.x87 as X87State;
    x.lo[n] = this.u32[slot * 4];
    x.hi[n] = this.u32[slot * 4 + 1];
    x.sign[n] = 1;
    x.exp[n] = MMX_EXPONENT;
  }

  /** What every MMX instruction but EMMS does to the x87: TOP = 0, every tag valid. */
  enterMmx(): void {
    const x = this.x87 as X87State;
    x.top = 0;
    x.empty.fill(0);
  }

  /** EMMS: every tag empty. */
  emms(): void {
    (this.x87 as X87State).empty.fill(1);
  }
}
