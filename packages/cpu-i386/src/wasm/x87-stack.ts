/**
 * The x87 registers a WebAssembly region keeps in locals while it runs x87 code: the code between two labels
 * (a segment) loads each register it uses once, works on locals, and writes back what it changed when control
 * leaves the segment. Layer: arch plugin (cpu-i386); wasm-region.ts drives it for each escape instruction it
 * runs itself (x87-wasm.ts `x87Plan`) and at every way out of a segment.
 *
 * How it works
 * - At a segment's first x87 instruction the region loads TOP into T0, the status and control words, and
 *   decides once whether the fast cases may run (OK): no exception pending, precision 64 bits, rounding to
 *   nearest, the precision exception masked (so no fast case ever sets ES). Registers are then entries
 *   relative to T0: entry c is physical register (T0 + c) & 7, and ST(i) is entry (delta + i) & 7, where
 *   `delta` is the pushes and pops so far, known where the code is written. Which entries are in locals
 *   (`cached`) and which differ from memory (`dirty`) is known there too; emptiness is a local, checked at run
 *   time like the values.
 * - Every way out of the segment stores the dirty entries, TOP and the status word first (`flushCode`): a
 *   branch to a label, an exit, a label reached by falling through (`end`), an instruction run through `step`.
 * - An instruction whose fast case does not apply (a check fails, a function declines) runs through `step`
 *   after a flush; the region then takes T0 from TOP again and reloads every entry the fast path would have
 *   left in locals, so both ways meet with the same entries cached.
 */
import { FCW_PC, FCW_PM, FCW_RC, FSW_C1, FSW_ES } from '../fpu/x87-constants.js';
import { X87_WORD_CW, X87_WORD_FIP, X87_WORD_FOP, X87_WORD_SW, X87_WORD_TOP } from '../fpu/x87-state.js';
import {
  X87_AT,
  X87_EMPTY_AT,
  X87_EXP_AT,
  X87_HI_AT,
  X87_LO_AT,
  X87_SIGN_AT,
  X87_WORD_TOUCHED,
} from './arch-state.js';
import { type CodeWriter, Op } from './wasm-encoder.js';

/** i32 locals the stack uses (after the region's own), by offset from the first. */
const T0 = 0;
const SW = 1;
const CW = 2;
const OK = 3;
/** Results of a function call and values being moved: sign and exponent (se), status, low and high dwords. */
export const X87_TMP_SE = 4;
export const X87_TMP_STATUS = 5;
export const X87_TMP_LO = 6;
export const X87_TMP_HI = 7;
/** Each entry's se: sign in bit 15, biased exponent in bits 0-14 (x87-wasm.ts), and EMPTY. */
const ENTRY_I32 = 8;
export const X87_I32_LOCALS = ENTRY_I32 + 8;
/** The bit of an entry's se that says the register is empty. */
const EMPTY = 0x10000;
/** i64 locals: each entry's significand, then a temporary. */
const TMP_SIG = 8;
export const X87_I64_LOCALS = 9;

/** The control word bits the fast cases need: precision 64 bits, rounding to nearest, PE masked. */
const CW_FAST_MASK = FCW_PC | FCW_RC | FCW_PM;
const CW_FAST = FCW_PC | FCW_PM;

/** What is known where the code is written (see the header). */
export interface X87StackState {
  readonly active: boolean;
  readonly delta: number;
  readonly cached: number;
  readonly dirty: number;
  readonly swDirty: boolean;
  /** FIP and FOP of the last x87 instruction the segment ran itself (-1: none yet): written back with the rest. */
  readonly fip: number;
  readonly fop: number;
}

const IDLE: X87StackState = { active: false, delta: 0, cached: 0, dirty: 0, swDirty: false, fip: 0, fop: -1 };

export class X87Stack {
  private state: X87StackState = IDLE;
  /** While set, flushes write nothing: memory holds the state (around an instruction run through `step`). */
  private suspended = false;

  /** `i32At`, `i64At`: the region's local indices of the stack's first i32 and first i64 local. */
  constructor(
    private readonly w: CodeWriter,
    private readonly archOffset: number,
    private readonly i32At: number,
    private readonly i64At: number,
  ) {}

  /** The local index of i32 local `offset` (T0, SW, ..., X87_TMP_*). */
  local(offset: number): number {
    return this.i32At + offset;
  }

  /** Entry c's se local (sign, exponent, EMPTY). */
  se(c: number): number {
    return this.i32At + ENTRY_I32 + c;
  }

  sig(c: number): number {
    return this.i64At + c;
  }

  tmpSig(): number {
    return this.i64At + TMP_SIG;
  }

  snapshot(): X87StackState {
    return this.state;
  }

  restore(state: X87StackState): void {
    this.state = state;
  }

  /** Opens a segment unless one is open: loads T0 and the words, and decides OK. */
  begin(): void {
    if (this.state.active) return;
    const w = this.w;
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_TOP)).set(this.local(T0));
    w.i32(0).i32(1).mem(Op.i32Store, this.word(X87_WORD_TOUCHED));
    this.loadWords();
    this.state = { ...IDLE, active: true };
  }

  private word(slot: number): number {
    return this.archOffset + X87_AT + slot * 4;
  }

  /** Loads the status and control words and decides OK. */
  private loadWords(): void {
    const w = this.w;
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_SW)).tee(this.local(SW));
    w.i32(FSW_ES).op(Op.i32And).op(Op.i32Eqz);
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_CW)).tee(this.local(CW));
    w.i32(CW_FAST_MASK).op(Op.i32And).i32(CW_FAST).op(Op.i32Eq).op(Op.i32And).set(this.local(OK));
  }

  /** Branches to `decline` unless the fast cases may run. */
  guard(decline: string): void {
    this.w.get(this.local(OK)).op(Op.i32Eqz).brIf(decline);
  }

  /** The entry of ST(i). */
  entry(i: number): number {
    return (this.state.delta + i) & 7;
  }

  /** Pushes the physical register number of entry c. */
  private phys(c: number): void {
    this.w.get(this.local(T0));
    if (c !== 0) this.w.i32(c).op(Op.i32Add).i32(7).op(Op.i32And);
  }

  /** Makes entry c's locals hold the register. */
  private need(c: number): void {
    if ((this.state.cached & (1 << c)) !== 0) return;
    this.loadEntry(c);
    this.state = { ...this.state, cached: this.state.cached | (1 << c) };
  }

  private loadEntry(c: number): void {
    const w = this.w;
    const base = this.archOffset;
    this.phys(c);
    w.mem(Op.i32Load8U, base + X87_SIGN_AT)
      .i32(15)
      .op(Op.i32Shl);
    this.phys(c);
    w.i32(1)
      .op(Op.i32Shl)
      .mem(Op.i32Load16U, base + X87_EXP_AT)
      .op(Op.i32Or);
    this.phys(c);
    w.mem(Op.i32Load8U, base + X87_EMPTY_AT)
      .i32(16)
      .op(Op.i32Shl)
      .op(Op.i32Or)
      .set(this.se(c));
    this.phys(c);
    w.i32(2)
      .op(Op.i32Shl)
      .mem(Op.i32Load, base + X87_HI_AT)
      .op(Op.i64ExtendI32U)
      .i64(32)
      .op(Op.i64Shl);
    this.phys(c);
    w.i32(2)
      .op(Op.i32Shl)
      .mem(Op.i32Load, base + X87_LO_AT)
      .op(Op.i64ExtendI32U)
      .op(Op.i64Or);
    w.set(this.sig(c));
  }

  /** Entry c must hold a value (it is loaded if need be), else `decline`. */
  requireFull(c: number, decline: string): void {
    this.need(c);
    this.w.get(this.se(c)).i32(EMPTY).op(Op.i32And).brIf(decline);
  }

  /** The entry a push writes, which must be empty, else `decline`. */
  requirePushable(decline: string): number {
    const c = this.entry(-1);
    this.need(c);
    this.w.get(this.se(c)).i32(EMPTY).op(Op.i32And).op(Op.i32Eqz).brIf(decline);
    return c;
  }

  /** Pushes entry c's se and significand (a full entry: EMPTY clear). */
  getValue(c: number): void {
    this.w.get(this.se(c)).get(this.sig(c));
  }

  /** Entry c = the temporaries (X87_TMP_SE, the i64 temporary), which hold a value (EMPTY clear). */
  setFromTemps(c: number): void {
    this.w.get(this.local(X87_TMP_SE)).set(this.se(c)).get(this.tmpSig()).set(this.sig(c));
    this.touch(c);
  }

  /** The temporaries = entry c. */
  tempsFrom(c: number): void {
    this.w.get(this.se(c)).set(this.local(X87_TMP_SE)).get(this.sig(c)).set(this.tmpSig());
  }

  /** Entry `to` = entry `from`. */
  copy(to: number, from: number): void {
    this.w.get(this.se(from)).set(this.se(to)).get(this.sig(from)).set(this.sig(to));
    this.touch(to);
  }

  /** Entry c was written (its locals hold the new value). */
  touch(c: number): void {
    this.state = {
      ...this.state,
      cached: this.state.cached | (1 << c),
      dirty: this.state.dirty | (1 << c),
    };
  }

  /** TOP - 1 (the entry written already). */
  push(): void {
    this.state = { ...this.state, delta: this.state.delta - 1 };
  }

  /** ST(0) empty, TOP + 1. */
  pop(): void {
    const c = this.entry(0);
    this.w.get(this.se(c)).i32(EMPTY).op(Op.i32Or).set(this.se(c));
    this.touch(c);
    this.state = { ...this.state, delta: this.state.delta + 1 };
  }

  /** C1 cleared and the local `status` (PE, C1) merged in, or just C1 cleared when `status` is null. */
  setStatus(status: number | null): void {
    const w = this.w;
    w.get(this.local(SW)).i32(~FSW_C1).op(Op.i32And);
    if (status !== null) w.get(status).op(Op.i32Or);
    w.set(this.local(SW));
    this.state = { ...this.state, swDirty: true };
  }

  /** The instruction at `fip` (FOP `fop`) ran: FIP and FOP to write back. */
  ran(fip: number, fop: number): void {
    this.state = { ...this.state, fip, fop };
  }

  /** Writes back what the segment changed (nothing when no segment is open or while suspended). */
  flushCode(): void {
    const { active, delta, dirty, swDirty } = this.state;
    if (!active || this.suspended) return;
    const w = this.w;
    const base = this.archOffset;
    for (let c = 0; c < 8; c++) {
      if ((dirty & (1 << c)) === 0) continue;
      this.phys(c);
      w.get(this.se(c))
        .i32(15)
        .op(Op.i32ShrU)
        .i32(1)
        .op(Op.i32And)
        .mem(Op.i32Store8, base + X87_SIGN_AT);
      this.phys(c);
      w.i32(1)
        .op(Op.i32Shl)
        .get(this.se(c))
        .i32(0x7fff)
        .op(Op.i32And)
        .mem(Op.i32Store16, base + X87_EXP_AT);
      this.phys(c);
      w.get(this.se(c))
        .i32(16)
        .op(Op.i32ShrU)
        .mem(Op.i32Store8, base + X87_EMPTY_AT);
      this.phys(c);
      w.i32(2).op(Op.i32Shl).get(this.sig(c)).i64(32).op(Op.i64ShrU).op(Op.i32WrapI64);
      w.mem(Op.i32Store, base + X87_HI_AT);
      this.phys(c);
      w.i32(2)
        .op(Op.i32Shl)
        .get(this.sig(c))
        .op(Op.i32WrapI64)
        .mem(Op.i32Store, base + X87_LO_AT);
    }
    // TOP always: after an instruction ran through `step`, memory's TOP is not T0 even where delta is 0 mod 8.
    w.i32(0);
    this.phys(delta & 7);
    w.mem(Op.i32Store, this.word(X87_WORD_TOP));
    if (swDirty) w.i32(0).get(this.local(SW)).mem(Op.i32Store, this.word(X87_WORD_SW));
    if (this.state.fop >= 0) {
      w.i32(0).i32(this.state.fip).mem(Op.i32Store, this.word(X87_WORD_FIP));
      w.i32(0).i32(this.state.fop).mem(Op.i32Store, this.word(X87_WORD_FOP));
    }
  }

  /** Closes the segment: writes back, and nothing is known after. */
  end(): void {
    this.flushCode();
    this.state = IDLE;
  }

  /** Forgets the segment without writing back (code after an unconditional branch, never reached). */
  reset(): void {
    this.state = IDLE;
  }

  /** Flushes write nothing until `resume`: memory holds the state while `step` runs an instruction. */
  suspend(): void {
    this.suspended = true;
  }

  /**
   * After an instruction ran through `step`: the state is `after` (as the fast path leaves it), with every
   * cached entry and the words loaded again from memory, where `step` left them.
   */
  resume(after: X87StackState): void {
    this.suspended = false;
    this.state = after;
    // TOP as `step` left it, less the pushes and pops so far: the general path may not have popped as the fast
    // one would (an unmasked exception leaves the stack alone).
    const w = this.w;
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_TOP)).i32(after.delta).op(Op.i32Sub).i32(7).op(Op.i32And);
    w.set(this.local(T0));
    for (let c = 0; c < 8; c++) if ((after.cached & (1 << c)) !== 0) this.loadEntry(c);
    this.loadWords();
  }
}
