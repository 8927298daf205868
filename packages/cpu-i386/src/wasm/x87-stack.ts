/**
 * The x87 registers a WebAssembly region keeps in locals while it runs x87 code: all eight are loaded when the
 * first x87 instruction runs, worked on in locals, kept across the region's labels (loops), and those changed
 * are written back when the region leaves or something else needs the state in memory. Layer: arch plugin (cpu-i386); wasm-region.ts
 * drives it for each escape instruction it runs itself (x87-wasm.ts `x87Plan`), at its labels and branches,
 * before instructions it runs through `step`, and in its epilogue.
 *
 * How it works
 * - The first x87 instruction loads TOP into T0, the status and control words and the eight registers, and
 *   decides whether the fast cases may run (OK): no exception pending, precision 64 or 53 bits, rounding to nearest,
 *   the precision exception masked (so no fast case ever sets ES); ACTIVE says this was done, so every entry
 *   is in its locals while ACTIVE is set. Registers are entries relative to T0: entry c is physical register
 *   (T0 + c) & 7, and ST(i) is entry (delta + i) & 7, where `delta` (the pushes and pops since T0 was taken)
 *   is known where the code is written.
 * - Why all eight at once: loading each entry when first used needed a mask of the entries loaded, tested
 *   at run time at every use after a label (a loop's head), and each such use merged two ways of getting the
 *   value; TurboFan then kept the registers in stack slots and moved them between slots. cpu-x87 took 10%
 *   more main-thread CPU so (four alternating runs).
 * - Which entries differ from memory (DIRTY) is a mask in a local, so it holds across labels: a branch to a
 *   label with delta 0 carries everything. Where the code is written, what the code above already set
 *   (`Known`) spares setting it again until the next label.
 * - Write-back (`flush`: dirty entries, TOP, the status and control words, FIP and FOP) happens in the
 *   region's epilogue (every exit sets XDELTA to the delta there), before an instruction runs through `step`
 *   (which then finds the state in memory), and on a branch whose delta is not 0; the latter two leave ACTIVE
 *   clear, so the next x87 instruction starts over from memory. FIST and FLDCW need less than OK (any
 *   rounding control; FLDCW any control word), FNSTSW and FNSTCW nothing.
 * - An instruction whose fast case does not apply runs through `step` after a write-back; T0 is then taken
 *   from TOP again less the fast path's delta (the general path may not have popped as the fast one would),
 *   and the entries are loaded again.
 */
import {
  FCW_PM,
  FCW_RC,
  FCW_RC_SHIFT,
  FSW_B,
  FSW_C0,
  FSW_C1,
  FSW_C2,
  FSW_C3,
  FSW_ES,
  FSW_EXCEPTIONS,
} from '../fpu/x87-constants.js';
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
import { CMP_EQ, CMP_LT } from './x87-wasm.js';

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
const ACTIVE = 8;
const DIRTY = 9;
/** The delta where the region left (for the epilogue's write-back), and the last FIP and FOP (FOP -1: none). */
const XDELTA = 10;
const XFIP = 11;
const XFOP = 12;
/** Each entry's se: sign in bit 15, biased exponent in bits 0-14 (x87-wasm.ts), and EMPTY. */
const ENTRY_I32 = 13;
export const X87_I32_LOCALS = ENTRY_I32 + 8;
/** The bit of an entry's se that says the register is empty. */
const EMPTY = 0x10000;
/** i64 locals: each entry's significand, then a temporary. */
const TMP_SIG = 8;
export const X87_I64_LOCALS = 9;

/**
 * The control word bits the fast cases need: precision 64 or 53 bits (PC 11 or 10: its high bit set), rounding
 * to nearest, PE masked. The arithmetic takes the precision (`precision53`).
 */
const PC_HIGH = 0x200;
const PC_LOW = 0x100;
const CW_FAST_MASK = PC_HIGH | FCW_RC | FCW_PM;
const CW_FAST = PC_HIGH | FCW_PM;

/** What is known where the code is written (see the header); all of it is forgotten at a label. */
interface Known {
  /** ACTIVE is set (every entry is in its locals). */
  readonly active: boolean;
  readonly delta: number;
  /** Entries DIRTY has. */
  readonly dirty: number;
}

const NOTHING: Known = { active: false, delta: 0, dirty: 0 };

export class X87Stack {
  private known: Known = NOTHING;

  /**
   * `i32At`, `i64At`: the region's local indices of the stack's first i32 and first i64 local. `enabled`:
   * whether the region has them (x87 code); without, the hooks write nothing.
   */
  constructor(
    private readonly w: CodeWriter,
    private readonly archOffset: number,
    private readonly i32At: number,
    private readonly i64At: number,
    private readonly enabled: boolean,
  ) {}

  /** The local index of i32 local `offset` (X87_TMP_*, and the stack's own). */
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

  private word(slot: number): number {
    return this.archOffset + X87_AT + slot * 4;
  }

  /** Makes sure ACTIVE is set, taking T0, the words and the registers from memory if it was not. */
  begin(): void {
    if (this.known.active) return;
    const w = this.w;
    w.get(this.local(ACTIVE)).op(Op.i32Eqz).begin(Op.if, 'if');
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_TOP)).set(this.local(T0));
    this.takeWords();
    w.end();
    this.known = { active: true, delta: 0, dirty: 0 };
  }

  /** The words and registers from memory, OK decided: the state as `step` or the kernel left it. */
  private takeWords(): void {
    const w = this.w;
    w.i32(0).i32(1).mem(Op.i32Store, this.word(X87_WORD_TOUCHED));
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_SW)).set(this.local(SW));
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_CW)).set(this.local(CW));
    this.decideOk();
    for (let c = 0; c < 8; c++) this.loadEntry(c);
    w.i32(0).set(this.local(DIRTY)).i32(-1).set(this.local(XFOP));
    w.i32(1).set(this.local(ACTIVE));
  }

  /** Branches to `decline` unless the fast cases may run. */
  guard(decline: string): void {
    this.w.get(this.local(OK)).op(Op.i32Eqz).brIf(decline);
  }

  /** Branches to `decline` while an exception is pending (#MF) or, with `pe`, when PE is unmasked. */
  guardWaiting(decline: string, pe: boolean): void {
    const w = this.w;
    w.get(this.local(SW)).i32(FSW_ES).op(Op.i32And);
    if (pe) w.get(this.local(CW)).i32(FCW_PM).op(Op.i32And).op(Op.i32Eqz).op(Op.i32Or);
    w.brIf(decline);
  }

  /** Pushes the control word's rounding control (RC_*). */
  roundingControl(): void {
    this.w.get(this.local(CW)).i32(FCW_RC_SHIFT).op(Op.i32ShrU).i32(3).op(Op.i32And);
  }

  /** Pushes the control word. */
  controlWord(): void {
    this.w.get(this.local(CW));
  }

  /** Pushes 1 when precision control is 53 bits, 0 when 64 (where OK holds, it is one of them). */
  precision53(): void {
    this.w.get(this.local(CW)).i32(PC_LOW).op(Op.i32And).op(Op.i32Eqz);
  }

  /**
   * FLDCW of the value on the stack: the control word (bit 6 always set, as x87.ts keeps it), ES and B as
   * the new masks make them (X87State.updateSummary), and OK decided again.
   */
  loadControlWord(): void {
    const w = this.w;
    w.i32(0x40).op(Op.i32Or).set(this.local(CW));
    w.get(this.local(SW))
      .i32(~(FSW_ES | FSW_B))
      .op(Op.i32And);
    w.i32(FSW_ES | FSW_B).i32(0);
    w.get(this.local(SW))
      .get(this.local(CW))
      .i32(-1)
      .op(Op.i32Xor)
      .op(Op.i32And)
      .i32(FSW_EXCEPTIONS)
      .op(Op.i32And);
    w.op(Op.select).op(Op.i32Or).set(this.local(SW));
    this.decideOk();
  }

  /** OK: no exception pending and the control word the fast cases need. */
  private decideOk(): void {
    const w = this.w;
    w.get(this.local(SW)).i32(FSW_ES).op(Op.i32And).op(Op.i32Eqz);
    w.get(this.local(CW))
      .i32(CW_FAST_MASK)
      .op(Op.i32And)
      .i32(CW_FAST)
      .op(Op.i32Eq)
      .op(Op.i32And)
      .set(this.local(OK));
  }

  /** The entry of ST(i). */
  entry(i: number): number {
    return (this.known.delta + i) & 7;
  }

  /** Pushes the physical register number of entry c. */
  private phys(c: number): void {
    this.w.get(this.local(T0));
    if (c !== 0) this.w.i32(c).op(Op.i32Add).i32(7).op(Op.i32And);
  }

  /** An entry is used: its locals hold it once `begin` has run, which every x87 instruction starts with. */
  private need(): void {
    if (!this.known.active) throw new Error('x87 stack: a register used before begin');
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

  private storeEntry(c: number): void {
    const w = this.w;
    const base = this.archOffset;
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

  /** Entry c must hold a value (it is loaded if need be), else `decline`. */
  requireFull(c: number, decline: string): void {
    this.need();
    this.w.get(this.se(c)).i32(EMPTY).op(Op.i32And).brIf(decline);
  }

  /** The entry a push writes, which must be empty, else `decline`. */
  requirePushable(decline: string): number {
    const c = this.entry(-1);
    this.need();
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

  /** Entry c was written (its locals hold the new value): DIRTY. */
  touch(c: number): void {
    const bit = 1 << c;
    if ((this.known.dirty & bit) === 0)
      this.w.get(this.local(DIRTY)).i32(bit).op(Op.i32Or).set(this.local(DIRTY));
    this.known = { ...this.known, dirty: this.known.dirty | bit };
  }

  /** TOP - 1 (the entry written already). */
  push(): void {
    this.known = { ...this.known, delta: this.known.delta - 1 };
  }

  /** ST(0) empty, TOP + 1. */
  pop(): void {
    const c = this.entry(0);
    this.w.get(this.se(c)).i32(EMPTY).op(Op.i32Or).set(this.se(c));
    this.touch(c);
    this.known = { ...this.known, delta: this.known.delta + 1 };
  }

  /** C1 cleared and the local `status` (PE, C1) merged in, or just C1 cleared when `status` is null. */
  setStatus(status: number | null): void {
    const w = this.w;
    w.get(this.local(SW)).i32(~FSW_C1).op(Op.i32And);
    if (status !== null) w.get(status).op(Op.i32Or);
    w.set(this.local(SW));
  }

  /**
   * FXAM of entry c (full or empty): C3, C2 and C0 give its class (SDM vol. 2, FXAM; x87.ts `fxam`), C1 its
   * sign, which an empty register keeps too. No exception, no other bit of the status word changes.
   */
  examine(c: number): void {
    this.need();
    const w = this.w;
    const se = this.se(c);
    const sig = this.sig(c);
    const classBits = this.local(X87_TMP_STATUS);
    const exponent = this.local(X87_TMP_SE);
    // Without the integer bit, a value of a normal or the maximal exponent is unsupported: no class bit.
    const orUnsupported = () => {
      w.i32(0).get(sig).i64(63).op(Op.i64ShrU).op(Op.i32WrapI64).op(Op.select);
    };
    w.get(se).i32(EMPTY).op(Op.i32And).begin(Op.if, 'if');
    w.i32(FSW_C3 | FSW_C0).set(classBits);
    w.else();
    w.get(se).i32(0x7fff).op(Op.i32And).tee(exponent).op(Op.i32Eqz).begin(Op.if, 'if');
    // Zero or denormal (a pseudo-denormal, integer bit set, is a denormal too).
    w.i32(FSW_C3)
      .i32(FSW_C3 | FSW_C2)
      .get(sig)
      .op(Op.i64Eqz)
      .op(Op.select)
      .set(classBits);
    w.else();
    w.get(exponent).i32(0x7fff).op(Op.i32Eq).begin(Op.if, 'if');
    // Infinity when the fraction below the integer bit is 0, else a NaN.
    w.i32(FSW_C2 | FSW_C0)
      .i32(FSW_C0)
      .get(sig)
      .i64(1)
      .op(Op.i64Shl)
      .op(Op.i64Eqz)
      .op(Op.select);
    orUnsupported();
    w.set(classBits);
    w.else();
    w.i32(FSW_C2);
    orUnsupported();
    w.set(classBits);
    w.end().end().end();
    w.get(this.local(SW))
      .i32(~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3))
      .op(Op.i32And);
    w.get(classBits).op(Op.i32Or);
    w.get(se)
      .i32(15 - 9)
      .op(Op.i32ShrU)
      .i32(FSW_C1)
      .op(Op.i32And)
      .op(Op.i32Or);
    w.set(this.local(SW));
  }

  /** C0..C3 from the compare outcome in local `outcome` (x87-wasm.ts CMP_*): LT sets C0, EQ sets C3. */
  setConditionCodes(outcome: number): void {
    const w = this.w;
    w.get(this.local(SW))
      .i32(~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3))
      .op(Op.i32And);
    w.i32(FSW_C0).i32(FSW_C3).i32(0).get(outcome).i32(CMP_EQ).op(Op.i32Eq).op(Op.select);
    w.get(outcome).i32(CMP_LT).op(Op.i32Eq).op(Op.select);
    w.op(Op.i32Or).set(this.local(SW));
  }

  /** Pushes the status word with TOP, as FNSTSW stores it. */
  statusWord(): void {
    const w = this.w;
    w.get(this.local(SW));
    this.phys(this.known.delta & 7);
    w.i32(11).op(Op.i32Shl).op(Op.i32Or);
  }

  /** The instruction at `fip` (FOP `fop`) ran here: FIP and FOP to write back. */
  ran(fip: number, fop: number): void {
    this.w.i32(fip).set(this.local(XFIP)).i32(fop).set(this.local(XFOP));
  }

  /**
   * Writes back dirty entries, TOP (T0 plus `delta`, or plus XDELTA when null), the status word, FIP and FOP,
   * when ACTIVE is set.
   */
  private flush(delta: number | null): void {
    const w = this.w;
    if (!this.known.active) w.get(this.local(ACTIVE)).begin(Op.if, 'if');
    for (let c = 0; c < 8; c++) {
      w.get(this.local(DIRTY))
        .i32(1 << c)
        .op(Op.i32And)
        .begin(Op.if, 'if');
      this.storeEntry(c);
      w.end();
    }
    w.i32(0).get(this.local(T0));
    if (delta === null) w.get(this.local(XDELTA));
    else w.i32(delta);
    w.op(Op.i32Add).i32(7).op(Op.i32And).mem(Op.i32Store, this.word(X87_WORD_TOP));
    w.i32(0).get(this.local(SW)).mem(Op.i32Store, this.word(X87_WORD_SW));
    w.i32(0).get(this.local(CW)).mem(Op.i32Store, this.word(X87_WORD_CW));
    w.get(this.local(XFOP)).i32(0).op(Op.i32GeS).begin(Op.if, 'if');
    w.i32(0).get(this.local(XFIP)).mem(Op.i32Store, this.word(X87_WORD_FIP));
    w.i32(0).get(this.local(XFOP)).mem(Op.i32Store, this.word(X87_WORD_FOP));
    w.end();
    if (!this.known.active) w.end();
  }

  /** Writes back and clears ACTIVE: memory holds the state from here on. */
  private release(): void {
    this.flush(this.known.delta);
    this.w.i32(0).set(this.local(ACTIVE));
  }

  /** Before the region branches to its exit: the epilogue writes back with the delta here. */
  leaving(): void {
    if (this.enabled && this.known.delta !== 0) this.w.i32(this.known.delta).set(this.local(XDELTA));
    else if (this.enabled) this.w.i32(0).set(this.local(XDELTA));
  }

  /** The region's epilogue: writes back what is still in locals. */
  epilogue(): void {
    if (!this.enabled) return;
    this.known = NOTHING;
    this.flush(null);
  }

  /**
   * Before a branch to a label (or falling into one): the label's code expects entries relative to the T0
   * it finds, so a delta other than 0 writes back and starts over there.
   */
  toLabel(): void {
    if (this.enabled && this.known.delta !== 0) this.release();
  }

  /** At a label, or code reached only by a branch: what the code above knew does not hold. */
  forget(): void {
    this.known = NOTHING;
  }

  /** Before an instruction other than x87 runs through `step`: it may read the x87 state, or unwind. */
  beforeStep(): void {
    if (!this.enabled) return;
    this.release();
    this.known = NOTHING;
  }

  /** What is known now, for an instruction that may run either way (`decline`, `declined`). */
  snapshot(): Known {
    return this.known;
  }

  /**
   * On the way where an x87 instruction runs through `step` (its fast path having left `after`): writes back
   * the state as it was before it (`before`) and clears ACTIVE, so an exit from `step` writes nothing again.
   */
  decline(before: Known): void {
    this.known = before;
    this.release();
  }

  /**
   * After `step` ran the instruction: T0 from TOP less the fast path's delta, the words and registers loaded
   * again; then both ways meet knowing `after`'s delta and nothing else.
   */
  declined(after: Known): void {
    const w = this.w;
    w.i32(0).mem(Op.i32Load, this.word(X87_WORD_TOP)).i32(after.delta).op(Op.i32Sub).i32(7).op(Op.i32And);
    w.set(this.local(T0));
    this.takeWords();
    this.known = { active: true, delta: after.delta, dirty: 0 };
  }
}
