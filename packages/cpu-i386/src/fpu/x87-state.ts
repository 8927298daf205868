/**
 * The x87 register file and the words around it: eight 80-bit physical registers in typed arrays, TOP, the
 * control and status words, the abridged tag (empty or not) and the last-instruction pointers. Layer: arch
 * plugin (cpu-i386), x87 unit; x87.ts executes instructions on it, x87-image.ts saves and restores it.
 *
 * Like modern hardware, only "empty or not" is stored per register; the full two-bit tag FNSTENV/FNSAVE report
 * is computed from the register contents when saved (SDM vol. 1, 8.1.7). `sw` never holds TOP; `statusWord()`
 * merges it in.
 *
 * Where it lives: registers in typed arrays an `X87Storage` gives, by default fresh ones; the CPU places them in
 * its arch area (wasm/arch-state.ts), where WebAssembly regions run x87 instructions on the same registers.
 * TOP, the control and status words and the pointers are fields, copied to and from the storage's words around
 * WebAssembly code (exportWords, importWords): accessors over the words made the JS paths ~30% slower.
 */
import { type Ext80, setIndefinite } from './ext80.js';
import {
  EXT_EXP_MAX,
  FCW_DEFAULT,
  FSW_B,
  FSW_ES,
  FSW_EXCEPTIONS,
  FSW_TOP,
  FSW_TOP_SHIFT,
  TAG_EMPTY,
  TAG_SPECIAL,
  TAG_VALID,
  TAG_ZERO,
} from './x87-constants.js';

/** The arrays an X87State keeps its registers and words in (eight entries each; `words` as X87_WORD_*). */
export interface X87Storage {
  readonly words: Int32Array;
  readonly sign: Uint8Array;
  readonly exp: Uint16Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly empty: Uint8Array;
}

/** The slots of X87Storage.words. */
export const X87_WORD_TOP = 0;
export const X87_WORD_CW = 1;
export const X87_WORD_SW = 2;
export const X87_WORD_FIP = 3;
export const X87_WORD_FCS = 4;
export const X87_WORD_FOP = 5;
export const X87_WORD_FDP = 6;
export const X87_WORD_FDS = 7;
export const X87_STATE_WORDS = 8;

export function freshX87Storage(): X87Storage {
  return {
    words: new Int32Array(X87_STATE_WORDS),
    sign: new Uint8Array(8),
    exp: new Uint16Array(8),
    hi: new Uint32Array(8),
    lo: new Uint32Array(8),
    empty: new Uint8Array(8),
  };
}

export class X87State {
  readonly sign: Uint8Array;
  readonly exp: Uint16Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  /** 1 when the physical register is empty. */
  readonly empty: Uint8Array;
  private readonly words: Int32Array;

  constructor(storage: X87Storage = freshX87Storage()) {
    this.sign = storage.sign;
    this.exp = storage.exp;
    this.hi = storage.hi;
    this.lo = storage.lo;
    this.empty = storage.empty;
    this.words = storage.words;
    this.reset();
  }

  top = 0;
  cw = FCW_DEFAULT;
  /** Status word without TOP (bits 11-13 are always 0 here). */
  sw = 0;
  fip = 0;
  fcs = 0;
  /** Last non-control opcode: low 11 bits, ((first byte & 7) << 8) | ModR/M. */
  fop = 0;
  fdp = 0;
  fds = 0;

  /**
   * Writes TOP, the control and status words and the pointers into the storage's words, where WebAssembly
   * regions read and write them (the fields are the state while JS code runs: JS reads fields faster).
   */
  exportWords(): void {
    const w = this.words;
    w[X87_WORD_TOP] = this.top;
    w[X87_WORD_CW] = this.cw;
    w[X87_WORD_SW] = this.sw;
    w[X87_WORD_FIP] = this.fip;
    w[X87_WORD_FCS] = this.fcs;
    w[X87_WORD_FOP] = this.fop;
    w[X87_WORD_FDP] = this.fdp;
    w[X87_WORD_FDS] = this.fds;
  }

  /** Takes the words back into the fields after WebAssembly code ran (see exportWords). */
  importWords(): void {
    const w = this.words;
    this.top = w[X87_WORD_TOP] as number;
    this.cw = w[X87_WORD_CW] as number;
    this.sw = w[X87_WORD_SW] as number;
    this.fip = (w[X87_WORD_FIP] as number) >>> 0;
    this.fcs = w[X87_WORD_FCS] as number;
    this.fop = w[X87_WORD_FOP] as number;
    this.fdp = (w[X87_WORD_FDP] as number) >>> 0;
    this.fds = w[X87_WORD_FDS] as number;
  }

  /** FNINIT. Register contents are kept (they are only tagged empty), as on hardware. */
  reset(): void {
    this.cw = FCW_DEFAULT;
    this.sw = 0;
    this.top = 0;
    this.empty.fill(1);
    this.fip = 0;
    this.fcs = 0;
    this.fop = 0;
    this.fdp = 0;
    this.fds = 0;
  }

  statusWord(): number {
    return (this.sw & ~FSW_TOP) | (this.top << FSW_TOP_SHIFT);
  }

  setStatusWord(v: number): void {
    this.top = (v & FSW_TOP) >>> FSW_TOP_SHIFT;
    this.sw = v & ~FSW_TOP & 0xffff;
    this.updateSummary();
  }

  /** ES and B are set exactly when some exception flag is set whose mask bit is clear. */
  updateSummary(): void {
    if (this.sw & ~this.cw & FSW_EXCEPTIONS) this.sw |= FSW_ES | FSW_B;
    else this.sw &= ~(FSW_ES | FSW_B);
  }

  /** Physical register number of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return this.empty[(this.top + i) & 7] === 1;
  }

  read(i: number, into: Ext80): Ext80 {
    return this.readPhys((this.top + i) & 7, into);
  }

  readPhys(p: number, into: Ext80): Ext80 {
    into.sign = this.sign[p];
    into.exp = this.exp[p];
    into.hi = this.hi[p];
    into.lo = this.lo[p];
    return into;
  }

  write(i: number, from: Ext80): void {
    this.writePhys((this.top + i) & 7, from);
  }

  writePhys(p: number, from: Ext80): void {
    this.sign[p] = from.sign;
    this.exp[p] = from.exp;
    this.hi[p] = from.hi;
    this.lo[p] = from.lo;
    this.empty[p] = 0;
  }

  writeIndefinite(i: number, scratch: Ext80): void {
    setIndefinite(scratch);
    this.write(i, scratch);
  }

  pop(): void {
    this.empty[this.top] = 1;
    this.top = (this.top + 1) & 7;
  }

  /** Decrements TOP; the caller writes ST(0). */
  push(): void {
    this.top = (this.top - 1) & 7;
  }

  /** The full two-bit tag of physical register p, derived from its contents. */
  fullTag(p: number): number {
    if (this.empty[p]) return TAG_EMPTY;
    const e = this.exp[p];
    if (e === EXT_EXP_MAX) return TAG_SPECIAL;
    if (e === 0) return (this.hi[p] | this.lo[p]) === 0 ? TAG_ZERO : TAG_SPECIAL;
    return this.hi[p] & 0x80000000 ? TAG_VALID : TAG_SPECIAL;
  }

  tagWord(): number {
    let t = 0;
    for (let p = 0; p < 8; p++) t |= this.fullTag(p) << (2 * p);
    return t;
  }

  /** Loads the abridged tags from a full tag word: only "empty" survives. */
  setTagWord(t: number): void {
    for (let p = 0; p < 8; p++) this.empty[p] = ((t >>> (2 * p)) & 3) === TAG_EMPTY ? 1 : 0;
  }

  /** FXSAVE's abridged tag byte: bit p set when physical register p is not empty. */
  abridgedTag(): number {
    let t = 0;
    for (let p = 0; p < 8; p++) if (!this.empty[p]) t |= 1 << p;
    return t;
  }

  setAbridgedTag(t: number): void {
    for (let p = 0; p < 8; p++) this.empty[p] = (t >>> p) & 1 ? 0 : 1;
  }
}
