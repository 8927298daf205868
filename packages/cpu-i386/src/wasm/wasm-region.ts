/**
 * The WebAssembly region compiler: the hot code of one page, reached from a hot entry, compiled into one
 * WebAssembly function, the same region shape as block-compiler.ts writes in JS (see there), for the
 * instruction forms below. V8 compiles WebAssembly at once to machine code (Liftoff) with no type
 * feedback to gather and nothing to deoptimize, and tiers hot functions up in the background.
 * Layer: arch plugin (cpu-i386); the run loop (cpu.ts) calls `compileWasmRegion` when the CPU's
 * `compiler` option is "wasm" and RAM lives in a WebAssembly memory (wasm/arch-state.ts).
 *
 * How it works
 * - Guest registers are WebAssembly locals for the whole call, loaded from and stored to the arch area.
 *   RAM is at offset 0 of the memory, the TLB at `archOffset`: a memory operand's page is one load.
 * - A TLB miss, a store to a code frame or an access that crosses a page leaves before the instruction,
 *   which the decoded tier then runs (filling the TLB, or faulting). So nothing here ever unwinds, and a
 *   template may write registers as it goes once its accesses are checked. A miss does not call the MMU's
 *   walker from here: V8 keeps no register across a call, so a call on the path of every memory access made
 *   TurboFan keep the guest registers in stack slots, loaded and stored around the loops' accesses (cpu-int's
 *   main-thread CPU time fell by a sixth without it); misses are rare once a loop's pages are in the TLB.
 * - Flags: the caller hands EFLAGS in computed (`materializeFlags`); a flag-setting template leaves its kind,
 *   operands and result in locals (fk, fa, fb, fr) and a condition right after it tests those directly;
 *   any other reader calls the module's `eflags` function, which computes the status flags from them. 8-bit
 *   operations keep their operands and result sign-extended to 32 bits: the 32-bit formulas then give the
 *   8-bit flags (sign extension keeps both signed and unsigned order, and bit 31 copies bit 7).
 * - Control flow is a `br_table` over case blocks inside a loop, one case per label: a goto sets the label
 *   and branches back to the loop; gotos backwards (in writing order) and returns check the budget first.
 *   The code after each label sits in a loop of its own, so a jump back to the label just above it (the
 *   usual inner loop) branches there directly, without the table.
 * - Any instruction without a template runs in place through the interpreter's `step`. The common x87 forms
 *   call WebAssembly functions that run them on the x87 state in the arch area (x87-wasm.ts); a region with
 *   any other x87 instruction goes to the JS compiler instead, which calls the x87 unit's fast paths inline.
 */

import { RunExit } from '@kmos/abi-driver';
import { endsInPage, MAX_REGION_INSNS, SEGMENT_OVERRIDES, steppableLength } from '../block-compiler.js';
import { FLAG_CF, FLAG_DF, FLAG_OF, FLAG_ZF, FLAGS_STATUS, SEG_DS, SEG_ES } from '../constants.js';
import type { CpuCore } from '../cpu-core.js';
import { LEAVE_BLOCK } from '../decoded-block.js';
import { FAULTED } from '../fault.js';
import { Ext80 } from '../fpu/ext80.js';
import { loadConstant } from '../fpu/transcendental.js';
import { RC_NEAREST } from '../fpu/x87-constants.js';
import { X87_WORD_FDP } from '../fpu/x87-state.js';
import { INSTRUCTION_PREFIXES } from '../instruction-length.js';
import { CONTINUE } from '../interpreter.js';
import { lockableForm } from '../interpreter-0f.js';
import { SAHF_MASK } from '../system-ops.js';
import {
  EXCHANGE_AT,
  EXCHANGE_EIP,
  EXCHANGE_FA,
  EXCHANGE_FB,
  EXCHANGE_FK,
  EXCHANGE_FLAGS,
  EXCHANGE_FR,
  EXCHANGE_PASSES,
  EXCHANGE_RETIRED,
  EXCHANGE_SEG_CHECK,
  REGS_AT,
  SEG_BASE_AT,
  TLB_READ_AT,
  TLB_WRITE_AT,
  X87_AT,
} from './arch-state.js';
import {
  EFLAGS_LOCALS,
  EFLAGS_TYPE,
  type EflagsLocals,
  eflagsFunction,
  K_ADC,
  K_ADD,
  K_DEC,
  K_GIVEN,
  K_IMUL,
  K_INC,
  K_LOGIC,
  K_MUL,
  K_SAR,
  K_SBB,
  K_SHL,
  K_SHR,
  K_SUB,
  writeKnownEflags,
} from './lazy-flags.js';
import { hasMmxTemplate, MMX_I64_LOCALS, type MmxSite, mmxHasModrm, writeMmx } from './mmx-wasm.js';
import { SLOT_STEP, STEP_TYPE } from './region-chain.js';
import { RegionScopes, ROOT_SCOPE } from './region-scopes.js';
import { CodeWriter, encodeModule, I32, Op } from './wasm-encoder.js';
import {
  X87_I32_LOCALS,
  X87_I64_LOCALS,
  X87_TMP_HI,
  X87_TMP_LO,
  X87_TMP_SE,
  X87_TMP_STATUS,
  X87Stack,
} from './x87-stack.js';
import {
  CMP_EQ,
  CMP_LT,
  FORMAT_EXTENDED,
  INLINE_BLOCK_TYPE,
  INLINE_F64_LOCALS,
  INLINE_I32_LOCALS,
  INLINE_I64_LOCALS,
  INLINED_X87,
  writeInline,
  X87_FUNCTION_NAMES,
  type X87Function,
  type X87Memory,
  type X87Plan,
  x87Functions,
  x87Plan,
} from './x87-wasm.js';

// Locals: the two parameters, then these. LEFT (the budget) counts down as segments finish and N keeps the
// budget the region was entered with: one counter changes in loops, and the retired count is N - LEFT.
const BI = 0;
const LEFT = 1;
const R0 = 2;
const EA = 10;
const Q = 11;
const V = 12;
const T = 13;
const FA = 14;
const FB = 15;
const FR = 16;
const FK = 17;
const FL = 18;
const N = 19;
const D = 20;
const PC = 21;
const X = 22;
const W = 23;
/** CF, OF and AF while EFLAGS is computed in place (lazy-flags.ts `writeKnownEflags`). */
const CF_BIT = 24;
const OF_BIT = 25;
const AF_BIT = 26;
const LOCALS = 25;
const EFLAGS_IN_PLACE: EflagsLocals = {
  fl: FL,
  fk: FK,
  fa: FA,
  fb: FB,
  fr: FR,
  cf: CF_BIT,
  of: OF_BIT,
  af: AF_BIT,
};
/**
 * In regions with x87 code, the x87 stack's locals (x87-stack.ts) and those inlined x87 functions lend
 * (x87-wasm.ts `writeInline`) follow: i32s, then i64s, then f64s, as the encoder declares them.
 */
const X87_I32_AT = 2 + LOCALS;
const X87_INLINE_I32_AT = X87_I32_AT + X87_I32_LOCALS;
const X87_I64_AT = X87_INLINE_I32_AT + INLINE_I32_LOCALS;
const X87_INLINE_I64_AT = X87_I64_AT + X87_I64_LOCALS;
/** MMX templates' i64 locals (mmx-wasm.ts), in regions with x87 or MMX code (they declare all of these). */
const MMX_I64_AT = X87_INLINE_I64_AT + INLINE_I64_LOCALS;
const X87_INLINE_F64_AT = MMX_I64_AT + MMX_I64_LOCALS;
/** The module's type of an inlined x87 function's block (after STEP_TYPE). */
const INLINE_BLOCK_TYPE_INDEX = 1;
/** The sign bit of an x87 value's se word (x87-wasm.ts). */
const SE_SIGN = 0x8000;
/** The flag locals and the exchange slots a region takes them from and leaves them in, uncomputed. */
const PENDING_FLAGS = [
  [FL, EXCHANGE_FLAGS],
  [FK, EXCHANGE_FK],
  [FA, EXCHANGE_FA],
  [FB, EXCHANGE_FB],
  [FR, EXCHANGE_FR],
] as const;

/**
 * Function indices: `run`, then `eflags`, then the x87 functions when the region has x87 instructions (a region
 * imports no function: see region-chain.ts's HostCalls). The x87 functions are the module's own, called
 * directly: a `call_indirect` through the host table costs a table and signature check and ~2.5 ns more.
 */
const F_EFLAGS = 1;
const F_X87_FIRST = 2;

/** No kind: what `fk` holds is not known where the code is written. */
const UNKNOWN_KIND = -1;

type Producer = 'sub' | 'logic' | 'incdec' | null;

/** The EFLAGS bit that conditions O, B, Z, S and P (even condition codes) test. */
const SINGLE_FLAG_BITS: Record<number, number> = { 0: 11, 2: 0, 4: 6, 8: 7, 10: 2 };

/** What the writer needs from the CPU: RAM, the arch area, and which code ran before. */
export interface RegionSource {
  readonly u8: Uint8Array;
  /** Physical address of the page. */
  readonly page: number;
  /** Linear address of the entry. */
  readonly lin: number;
  readonly executions: (eip: number) => number;
  /** The physical address of the page linear `eip` is on, as the TLB maps it now; negative when it does not. */
  readonly pageOf: (eip: number) => number;
  readonly archOffset: number;
  /** Whether the CPU has an x87 (without one, escapes raise #NM: the interpreter's business). */
  readonly hasFpu: boolean;
}

/** The result of a pass: instructions written, in order, and the targets found. */
interface Pass {
  /** Guest registers the code reads or writes, and those it writes (bit n: register n). */
  readonly regsUsed: number;
  readonly regsWritten: number;
  readonly eips: number[];
  readonly retiredBefore: number[];
  readonly targets: Set<number>;
  readonly callReturns: Set<number>;
  readonly labelEips: number[];
  /**
   * The labels a goto from their own code goes back to (an inner loop): their code sits in a `loop`; the
   * others' in a `block`, which V8 compiles without a loop's stack check and phis.
   */
  readonly loopLabels: ReadonlySet<number>;
  /** The loops over runs of labels (region-scopes.ts). */
  readonly scopes: RegionScopes;
  /** Whether the region runs x87 instructions itself (its function then has the x87 stack's locals). */
  readonly x87: boolean;
  /** The pages the first pass wrote code from (linear page -> physical page), the entry's first. */
  readonly pages: ReadonlyMap<number, number>;
  /** Whether it runs MMX instructions itself (mmx-wasm.ts): it then has the x87 locals too. */
  readonly mmx: boolean;
}

/**
 * Pages a region may hold code from besides its entry's: a call or jump to a hot page goes on there, so a
 * loop calling a function on another page runs in one region (each trip between regions costs a return to
 * the chain, registers and pending flags through memory, and a lookup). Each page is another frame whose
 * invalidation drops the region (wasm-backend.ts).
 */
const MAX_REGION_PAGES = 4;

class WasmRegionWriter {
  private pos: number;
  /** The linear and physical page of the code being written. */
  private linPage: number;
  private physPage: number;
  /** The pages the region holds code from: linear page -> physical page (the entry's first). */
  readonly pages = new Map<number, number>();
  readonly w = new CodeWriter();
  readonly eips: number[] = [];
  readonly retiredBefore: number[] = [];
  readonly targets = new Set<number>();
  readonly callReturns = new Set<number>();
  /** The first pass's gotos: the index of the instruction they leave from, and the target. */
  readonly gotos: [number, number][] = [];
  /** Whether the last label placed opened a `loop` (see Pass.loopLabels). */
  private lastLabelLoops = false;
  readonly labelEips: number[] = [];
  private readonly pending: number[] = [];
  private readonly written = new Map<number, number>();
  private producer: Producer = null;
  private producerNow: Producer = null;
  /**
   * The kind `fk` holds here when the code above fixes it (0: nothing pending), or UNKNOWN_KIND (at a label
   * or a run's start, where any way in may have left any kind).
   */
  private pendingKind = UNKNOWN_KIND;
  private since = 0;
  private k = 0;
  private followed = false;
  private insnEip = 0;
  private modrm = 0;
  /** The segment register an override prefix names for the current instruction (ES..GS), or -1. */
  private seg = -1;
  /** x87 instructions without a plan written (they run through `step`, at a fraction of the JS regions' speed). */
  x87Escapes = 0;
  /** x87 instructions with a plan written: the module then holds the x87 functions (x87-wasm.ts). */
  x87Planned = 0;
  /** MMX instructions written (mmx-wasm.ts): they work on the x87 registers in the arch area. */
  mmxWritten = 0;
  /** The x87 registers kept in locals (x87-stack.ts); every way out of the code writes them back. */
  private readonly x87Stack: X87Stack;

  /** `plan`: the first pass, whose labels and return addresses this second pass uses (null: first pass). */
  constructor(
    private readonly src: RegionSource,
    private readonly labels: ReadonlySet<number>,
    private readonly plan: Pass | null,
  ) {
    this.pos = src.lin & 0xfff;
    this.linPage = src.lin & ~0xfff;
    this.physPage = src.page;
    this.pages.set(this.linPage, src.page);
    for (const [lin, phys] of plan?.pages ?? []) this.pages.set(lin, phys);
    this.x87Stack = new X87Stack(this.w, src.archOffset, X87_I32_AT, X87_I64_AT, plan?.x87 ?? true);
  }

  // ---- Bytes ----

  private byte(): number {
    return this.src.u8[this.physPage + this.pos++] as number;
  }

  private sbyte(): number {
    return (this.byte() << 24) >> 24;
  }

  /** A 16-bit immediate, sign-extended (word operands are kept sign-extended: see `wordInstruction`). */
  private sword(): number {
    return ((this.byte() | (this.byte() << 8)) << 16) >> 16;
  }

  private dword(): number {
    return this.byte() | (this.byte() << 8) | (this.byte() << 16) | (this.byte() << 24);
  }

  private get nextEip(): number {
    return (this.linPage + this.pos) | 0;
  }

  // ---- Structure ----

  /** Writes the region; returns the instruction count (0: the entry has no template). */
  write(): number {
    const w = this.w;
    const plannedLabels = this.plan?.labelEips ?? [];
    if (this.plan !== null) this.prologue();
    // The first pass writes code too (then drops it), so its branches need the same constructs to name.
    w.begin(Op.block, 'exit').begin(Op.loop, 'top');
    if (this.plan !== null) {
      const scopes = this.plan.scopes;
      for (const item of scopes.items(ROOT_SCOPE).reverse()) w.begin(Op.block, `case${item}`);
      w.get(BI).brTable(
        plannedLabels.map((_, i) => `case${scopes.itemOf(ROOT_SCOPE, i)}`),
        'exit',
      );
    }
    this.pending.push(this.src.lin);
    while (this.pending.length > 0 && this.k < MAX_REGION_INSNS) {
      const start = this.pending.pop() as number;
      if (this.written.has(start)) continue;
      this.enterPage(start);
      this.pos = start & 0xfff;
      this.since = 0;
      this.producer = null;
      this.pendingKind = UNKNOWN_KIND;
      this.x87Stack.forget(); // reached only through a branch
      this.writeRun();
    }
    if (this.plan !== null) {
      w.end();
      for (const _ of this.plan.scopes.endingAt(plannedLabels.length - 1)) w.end();
    }
    w.op(Op.unreachable).end().end();
    if (this.plan !== null) {
      if (this.labelEips.length !== plannedLabels.length)
        throw new Error('wasm region: labels differ between passes');
      this.epilogue();
    }
    return this.k;
  }

  /** Loads the registers the code uses: each costs a load on every call (a syscall's round trip makes five). */
  private prologue(): void {
    const w = this.w;
    this.loadRegs((this.plan as Pass).regsUsed);
    for (const [local, slot] of PENDING_FLAGS) w.i32(0).mem(Op.i32Load, this.exchange(slot)).set(local);
    w.i32(CONTINUE).set(X);
    w.get(LEFT).set(N);
  }

  private epilogue(): void {
    const w = this.w;
    this.x87Stack.epilogue();
    w.get(N).get(LEFT).op(Op.i32Sub).get(D).op(Op.i32Add).set(N);
    this.storeRegs((this.plan as Pass).regsWritten);
    for (const [local, slot] of PENDING_FLAGS) w.i32(0).get(local).mem(Op.i32Store, this.exchange(slot));
    w.i32(0).get(PC).mem(Op.i32Store, this.exchange(EXCHANGE_EIP));
    w.i32(0).get(N).mem(Op.i32Store, this.exchange(EXCHANGE_RETIRED));
    w.get(X);
  }

  /** The memory offset of an exchange slot (arch-state.ts). */
  private exchange(slot: number): number {
    return this.src.archOffset + EXCHANGE_AT + slot * 4;
  }

  /** Stores the registers named in `mask` (bit n: register n) to the arch area. */
  private storeRegs(mask = 0xff): void {
    const base = this.src.archOffset + REGS_AT;
    for (let r = 0; r < 8; r++)
      if ((mask & (1 << r)) !== 0)
        this.w
          .i32(0)
          .get(R0 + r)
          .mem(Op.i32Store, base + r * 4);
  }

  private loadRegs(mask = 0xff): void {
    const base = this.src.archOffset + REGS_AT;
    for (let r = 0; r < 8; r++)
      if ((mask & (1 << r)) !== 0)
        this.w
          .i32(0)
          .mem(Op.i32Load, base + r * 4)
          .set(R0 + r);
  }

  /** The guest registers (bit n: register n) among the locals in `localsMask`. */
  static regs(localsMask: number): number {
    return (localsMask >>> R0) & 0xff;
  }

  /** Pushes EFLAGS with the pending flags computed: in place when their kind is known here. */
  private flagsValue(): void {
    if (this.pendingKind !== UNKNOWN_KIND) writeKnownEflags(this.w, this.pendingKind, EFLAGS_IN_PLACE);
    else this.w.get(FL).get(FK).get(FA).get(FB).get(FR).call(F_EFLAGS);
  }

  private writeRun(): void {
    for (;;) {
      const start = this.pos;
      const eip = this.nextEip;
      if (this.written.has(eip)) {
        this.goto(eip, this.since, this.k - 1);
        return;
      }
      if (this.k >= MAX_REGION_INSNS || !endsInPage(this.src.u8, this.physPage, this.pos)) {
        this.exitAt(eip, this.since);
        return;
      }
      if (this.labels.has(eip)) this.placeLabel(eip);
      this.insnEip = eip;
      this.followed = false;
      // What set the pending flags stays known across instructions that leave them alone (a MOV between a
      // CMP and its Jcc): only `produce` and `settleFlags` change it.
      this.producerNow = this.producer;
      const mark = this.w.bytes.length;
      const open = this.w.openCount;
      const pendingKind = this.pendingKind;
      let terminator = this.instruction();
      if (terminator === null) {
        // No template: undo what it wrote, and run the instruction through the interpreter or leave before it.
        this.w.bytes.length = mark;
        this.pendingKind = pendingKind;
        if (this.w.openCount !== open) throw new Error('wasm region: a template gave up inside a block');
        this.pos = start;
        this.producerNow = null;
        terminator = this.interpreted();
        if (terminator === null) {
          this.exitAt(eip, this.since);
          return;
        }
      }
      this.producer = this.followed ? null : this.producerNow;
      this.written.set(eip, this.k);
      this.eips.push(eip);
      this.retiredBefore.push(this.since);
      this.k++;
      this.since++;
      if (terminator) return;
    }
  }

  private placeLabel(eip: number): void {
    const w = this.w;
    this.x87Stack.toLabel();
    if (this.since > 0) this.addN(this.since);
    const label = this.labelEips.length;
    this.labelEips.push(eip);
    if (this.plan !== null) {
      if (this.plan.labelEips[label] !== eip) throw new Error('wasm region: labels differ between passes');
      const scopes = this.plan.scopes;
      if (label > 0) {
        // Falling into a scope's first label goes through its dispatch, which must find the label there.
        if (scopes.starts(label)) w.i32(label).set(BI);
        w.end();
        for (const _ of scopes.endingAt(label - 1)) w.end();
      }
      w.end();
      if (scopes.starts(label)) this.openScope(label);
      this.lastLabelLoops = this.plan.loopLabels.has(eip);
      w.begin(this.lastLabelLoops ? Op.loop : Op.block, `label${label}`);
    }
    this.since = 0;
    this.producer = null;
    this.pendingKind = UNKNOWN_KIND;
    this.x87Stack.forget();
  }

  private addN(count: number): void {
    if (count !== 0) this.w.get(LEFT).i32(count).op(Op.i32Sub).set(LEFT);
  }

  /** Leaves the region at the constant `eip` after `retired` instructions of this segment. */
  private exitAt(eip: number, retired: number): void {
    this.w.i32(eip).set(PC).i32(retired).set(D);
    this.leave();
  }

  /** Branches to the region's exit, the x87 registers written back first. */
  private leave(): void {
    this.x87Stack.leaving();
    this.w.br('exit');
  }

  /** Leaves before the current instruction (a page to fault in, a code frame, a page crossing). */
  private leaveBefore(): void {
    this.exitAt(this.insnEip, this.since);
  }

  /**
   * Whether the region may hold the code at `eip`: on a page it has, or on one the TLB maps while there is
   * room for another page (the first pass adds pages; the second has the first pass's).
   */
  private inPage(eip: number): boolean {
    const lin = eip & ~0xfff;
    if (this.pages.has(lin)) return true;
    if (this.plan !== null || this.pages.size >= MAX_REGION_PAGES) return false;
    const phys = this.src.pageOf(eip);
    if (phys < 0) return false;
    this.pages.set(lin, phys);
    return true;
  }

  /** Goes on writing at `eip`, on its page (one the region has). */
  private enterPage(eip: number): void {
    this.linPage = eip & ~0xfff;
    this.physPage = this.pages.get(this.linPage) as number;
  }

  /**
   * Before control goes to `target` on another page than the code's: that page must still be mapped where it
   * was when the region was written, else the region leaves for `target` (after `retired` instructions). The
   * entry's page needs no check: the chain entered the region through it, and ring 3 cannot remap pages.
   */
  private guardPage(target: number, retired: number): void {
    const lin = target & ~0xfff;
    if (lin === this.linPage || lin === (this.src.lin & ~0xfff) || this.plan === null) return;
    const w = this.w;
    w.i32((target >>> 12) << 2)
      .mem(Op.i32Load, this.src.archOffset + TLB_READ_AT)
      .i32(this.pages.get(lin) as number)
      .op(Op.i32Ne)
      .begin(Op.if, 'if');
    this.exitAt(target, retired);
    w.end();
  }

  private hot(eip: number): boolean {
    if (this.written.has(eip)) return true;
    if (this.src.executions(eip) <= 0) return false;
    return this.inPage(eip);
  }

  private enqueue(eip: number): void {
    if (this.hot(eip) && !this.written.has(eip)) this.pending.push(eip);
  }

  /** The label of `eip` in the second pass, or -1 when the region does not hold it. */
  private labelOf(eip: number): number {
    return this.plan === null ? -1 : this.plan.labelEips.indexOf(eip);
  }

  /**
   * Goes to `target` after `retired` instructions of this segment: to its label (see `gotoLabel`), or out of
   * the region when it has none. Backwards the budget is checked first, so a loop leaves when the budget
   * runs out: every cycle has a backward goto.
   */
  private goto(target: number, retired: number, from = this.k): void {
    if (this.plan === null) this.gotos.push([from, target]);
    if (this.pages.has(target & ~0xfff)) this.targets.add(target);
    const label = this.labelOf(target);
    if (label < 0) {
      this.exitAt(target, retired);
      return;
    }
    this.guardPage(target, retired);
    this.addN(retired);
    this.gotoLabel(target, label);
  }

  /**
   * Opens the loop of the scope that starts at `label` (region-scopes.ts): the case blocks of its items, and
   * its dispatch, which goes on at `label` when BI names it and through a `br_table` otherwise.
   */
  private openScope(label: number): void {
    const w = this.w;
    const scopes = (this.plan as Pass).scopes;
    w.begin(Op.loop, `scope${label}`);
    for (const item of scopes.items(label).slice(1).reverse()) w.begin(Op.block, `case${item}`);
    w.begin(Op.block, 'head');
    w.get(BI).i32(label).op(Op.i32Eq).brIf('head');
    w.get(BI)
      .i32(label + 1)
      .op(Op.i32Sub)
      .brTable(
        scopes.inner(label).map((inner) => `case${scopes.itemOf(label, inner)}`),
        'exit',
      );
    w.end();
  }

  /**
   * Goes to `target`, at `label` of the region, its segment's instructions counted already (see `goto`).
   * Forwards it leaves the case block of the label's item in the innermost scope holding both ends (naming
   * the label in BI when the item is a scope, for its dispatch); backwards it goes to that scope's loop.
   */
  private gotoLabel(target: number, label: number): void {
    const w = this.w;
    const scopes = (this.plan as Pass).scopes;
    const current = this.labelEips.length - 1;
    this.x87Stack.toLabel();
    const common = scopes.common(current, label);
    if (label > current) {
      const item = scopes.itemOf(common, label);
      if (scopes.starts(item)) w.i32(label).set(BI);
      w.br(`case${item}`);
      return;
    }
    this.budgetCheck(target);
    if (label === current && this.lastLabelLoops) w.br(`label${label}`);
    else
      w.i32(label)
        .set(BI)
        .br(common === ROOT_SCOPE ? 'top' : `scope${common}`);
  }

  /** Leaves at `target` when fewer than the region's length of instructions are left in the budget. */
  private budgetCheck(target: number | null): void {
    const w = this.w;
    const room = this.plan?.eips.length ?? MAX_REGION_INSNS;
    w.get(LEFT).i32(room).op(Op.i32LtS).begin(Op.if, 'if');
    if (target === null) w.get(V).set(PC);
    else w.i32(target).set(PC);
    w.i32(0).set(D);
    this.leave();
    w.end();
  }

  private canFollow(target: number): boolean {
    return (
      !this.written.has(target) &&
      this.k + 1 < MAX_REGION_INSNS &&
      ((target & ~0xfff) === this.linPage || this.hot(target))
    );
  }

  private jump(target: number): boolean {
    if (this.canFollow(target)) {
      this.guardPage(target, this.since + 1);
      this.enterPage(target);
      this.pos = target & 0xfff;
      this.followed = true;
      return false;
    }
    this.goto(target, this.since + 1);
    return true;
  }

  // ---- Operands ----

  /** Reads ModR/M (+SIB, displacement); a memory form leaves its linear address in `ea`. Returns false if unsupported. */
  private operand(segmented = true): boolean {
    const modrm = this.byte();
    this.modrm = modrm;
    if (modrm >= 0xc0) return true;
    const w = this.w;
    const mod = modrm >> 6;
    const rm = modrm & 7;
    let base = -1;
    let index = -1;
    let scale = 0;
    let disp = 0;
    if (rm === 4) {
      const sib = this.byte();
      scale = sib >> 6;
      index = (sib >> 3) & 7;
      if (index === 4) index = -1;
      base = sib & 7;
      if (base === 5 && mod === 0) {
        base = -1;
        disp = this.dword();
      }
    } else if (rm === 5 && mod === 0) {
      disp = this.dword();
    } else {
      base = rm;
    }
    if (mod === 1) disp = this.sbyte();
    else if (mod === 2) disp = this.dword();
    let terms = 0;
    if (base >= 0) {
      w.get(R0 + base);
      terms++;
    }
    if (index >= 0) {
      w.get(R0 + index);
      if (scale !== 0) w.i32(scale).op(Op.i32Shl);
      if (terms++ > 0) w.op(Op.i32Add);
    }
    if (disp !== 0 || terms === 0) {
      w.i32(disp);
      if (terms++ > 0) w.op(Op.i32Add);
    }
    if (segmented) this.addSegmentBase();
    w.set(EA);
    return true;
  }

  /**
   * Adds the base of an override's segment to the offset on the stack. A segment that needs checks (null,
   * limited, expand-down: CpuCore.segCheckMask) leaves before the instruction: the interpreter checks it.
   */
  private addSegmentBase(): void {
    if (this.seg < 0) return;
    const w = this.w;
    w.i32(0)
      .mem(Op.i32Load, this.exchange(EXCHANGE_SEG_CHECK))
      .i32(1 << this.seg)
      .op(Op.i32And);
    w.begin(Op.if, 'if');
    this.leaveBefore();
    w.end();
    w.i32(0)
      .mem(Op.i32Load, this.src.archOffset + SEG_BASE_AT + this.seg * 4)
      .op(Op.i32Add);
  }

  private get isReg(): boolean {
    return this.modrm >= 0xc0;
  }

  private get reg(): number {
    return (this.modrm >> 3) & 7;
  }

  private get rm(): number {
    return this.modrm & 7;
  }

  /**
   * Makes `q` the physical page of `ea` for an access of `size` bytes, or leaves before the instruction
   * (a TLB miss, a code frame for a write, an access crossing the page, and with `alignMask` an address
   * with any of its bits set).
   */
  private checkEa(write: boolean, size: number, alignMask = 0): void {
    const w = this.w;
    const tlb = this.src.archOffset + (write ? TLB_WRITE_AT : TLB_READ_AT);
    // One way out for all: the page's entry is loaded even for an access that crosses it (any index is in
    // the TLB), and each test makes a value negative when it fails (a missing entry is -1, a crossing
    // offset makes `4096 - size - offset` negative, a misaligned one `-(ea & alignMask)`), so one OR per
    // test and one sign test cover them. (Comparisons ORed together took twice the host instructions, and
    // a branch per test into a shared exit ran slower still.)
    w.get(EA).i32(12).op(Op.i32ShrU).i32(2).op(Op.i32Shl).mem(Op.i32Load, tlb).tee(Q);
    if (alignMask !== 0) w.i32(0).get(EA).i32(alignMask).op(Op.i32And).op(Op.i32Sub).op(Op.i32Or);
    // An aligned access of a size the mask covers cannot cross the page.
    if (size > 1 && (alignMask & (size - 1)) !== size - 1)
      w.i32(4096 - size)
        .get(EA)
        .i32(0xfff)
        .op(Op.i32And)
        .op(Op.i32Sub)
        .op(Op.i32Or);
    w.i32(0).op(Op.i32LtS).begin(Op.if, 'if');
    this.leaveBefore();
    w.end();
  }

  /** Pushes the RAM address of `ea` (after `checkEa`). */
  private physEa(): void {
    this.w.get(Q).get(EA).i32(0xfff).op(Op.i32And).op(Op.i32Or);
  }

  private static loadOp(size: number, signed: boolean): number {
    if (size === 4) return Op.i32Load;
    if (size === 2) return signed ? Op.i32Load16S : Op.i32Load16U;
    return signed ? Op.i32Load8S : Op.i32Load8U;
  }

  private static storeOp(size: number): number {
    return size === 4 ? Op.i32Store : size === 2 ? Op.i32Store16 : Op.i32Store8;
  }

  /** Pushes a byte register's value, sign-extended when `signed`. */
  private getReg8(r: number, signed: boolean): void {
    const w = this.w;
    if (r < 4) w.get(R0 + r);
    else
      w.get(R0 + r - 4)
        .i32(8)
        .op(Op.i32ShrU);
    if (signed) w.i32(24).op(Op.i32Shl).i32(24).op(Op.i32ShrS);
    else w.i32(0xff).op(Op.i32And);
  }

  /** Sets a byte register from local `from` (its low byte). */
  private setReg8(r: number, from: number): void {
    const w = this.w;
    const full = R0 + (r & 3);
    const shift = r < 4 ? 0 : 8;
    w.get(full)
      .i32(~(0xff << shift))
      .op(Op.i32And);
    w.get(from).i32(0xff).op(Op.i32And);
    if (shift !== 0) w.i32(shift).op(Op.i32Shl);
    w.op(Op.i32Or).set(full);
  }

  /** Pushes a word register's value (the low half), sign- or zero-extended. */
  private getReg16(r: number, signed: boolean): void {
    const w = this.w.get(R0 + r);
    if (signed) w.i32(16).op(Op.i32Shl).i32(16).op(Op.i32ShrS);
    else w.i32(0xffff).op(Op.i32And);
  }

  /** Sets a word register from local `from` (its low half); the upper half stays. */
  private setReg16(r: number, from: number): void {
    this.w
      .get(R0 + r)
      .i32(0xffff0000 | 0)
      .op(Op.i32And)
      .get(from)
      .i32(0xffff)
      .op(Op.i32And)
      .op(Op.i32Or)
      .set(R0 + r);
  }

  /** Pushes register `r` at `size` bytes, extended as `signed` says (a dword as it is). */
  private getReg(size: number, r: number, signed: boolean): void {
    if (size === 1) this.getReg8(r, signed);
    else if (size === 2) this.getReg16(r, signed);
    else this.w.get(R0 + r);
  }

  /** Sets register `r` at `size` bytes from local `from`. */
  private setReg(size: number, r: number, from: number): void {
    if (size === 1) this.setReg8(r, from);
    else if (size === 2) this.setReg16(r, from);
    else this.w.get(from).set(R0 + r);
  }

  /**
   * Pushes the r/m operand (`size` 1, 2 or 4; narrower ones sign-extended when `signed`), checking a memory
   * page first.
   */
  private readRm(size: number, signed: boolean): void {
    if (this.isReg) {
      this.getReg(size, this.rm, signed);
      return;
    }
    this.checkEa(false, size);
    this.physEa();
    this.w.mem(WasmRegionWriter.loadOp(size, signed));
  }

  /** Stores local `from` into the r/m operand; a memory operand's page must be checked for writing. */
  private writeRm(size: number, from: number): void {
    if (this.isReg) {
      this.setReg(size, this.rm, from);
      return;
    }
    this.physEa();
    this.w.get(from).mem(WasmRegionWriter.storeOp(size));
  }

  // ---- Flags ----

  /** Sets the pending flags: kind `kind`, operands in T and V, result computed by `result` into FR. */
  private produce(kind: number, result: () => void, producer: Producer): void {
    const w = this.w;
    w.get(T).set(FA).get(V).set(FB);
    result();
    w.set(FR).i32(kind).set(FK);
    this.producerNow = producer;
    this.pendingKind = kind;
  }

  /** Computes the pending flags into `fl` (INC/DEC keep CF, which must be known first). */
  private settleFlags(): void {
    const w = this.w;
    this.flagsValue();
    w.set(FL).i32(0).set(FK);
    this.pendingKind = 0;
    this.producerNow = null;
  }

  /**
   * Makes CF in `fl` current (INC and DEC keep it; their other flags come from their own operands): from the
   * pending operands when the kind is known here, else by computing every pending flag.
   */
  private settleCarry(): void {
    const w = this.w;
    const carryOf = (kind: typeof K_ADD | typeof K_SUB | typeof K_LOGIC) => {
      w.get(FL).i32(~1).op(Op.i32And);
      this.pendingCarry(kind);
      w.op(Op.i32Or).set(FL);
    };
    const subCarry = () => carryOf(K_SUB);
    const addCarry = () => carryOf(K_ADD);
    const noCarry = () => carryOf(K_LOGIC);
    switch (this.pendingKind) {
      case 0:
      case K_INC:
      case K_DEC:
        return; // CF is in fl already
      case K_SUB:
        subCarry();
        return;
      case K_ADD:
        addCarry();
        return;
      case K_LOGIC:
        noCarry();
        return;
      case UNKNOWN_KIND: {
        // After a label (an INC or DEC at the top of a loop): the common kinds inline, a call of `eflags` for
        // the others (INC, DEC and none keep CF in fl).
        const ifKind = (kind: number) => w.get(FK).i32(kind).op(Op.i32Eq).begin(Op.if, 'if');
        ifKind(K_SUB);
        subCarry();
        w.else();
        ifKind(K_ADD);
        addCarry();
        w.else();
        ifKind(K_LOGIC);
        noCarry();
        w.else();
        w.get(FK).i32(K_DEC).op(Op.i32GtU).begin(Op.if, 'if');
        this.flagsValue();
        w.set(FL).i32(0).set(FK);
        w.end().end().end().end();
        return;
      }
      default:
        this.settleFlags();
    }
  }

  /** Pushes condition `cc` (0 or 1). */
  private condition(cc: number): void {
    const w = this.w;
    const negate = (cc & 1) !== 0;
    const base = cc & ~1;
    if (this.producer === 'sub' || this.producer === 'logic' || this.producer === 'incdec') {
      if (this.fused(base)) {
        if (negate) w.op(Op.i32Eqz);
        return;
      }
    }
    if (this.pendingKind !== 0 && this.resultCondition(base)) {
      if (negate) w.op(Op.i32Eqz);
      return;
    }
    if (this.pendingKind === UNKNOWN_KIND && this.orderAfterLabel(base)) {
      if (negate) w.op(Op.i32Eqz);
      return;
    }
    this.conditionFromFlags(base);
    if (negate) w.op(Op.i32Eqz);
  }

  /**
   * Pushes the even order condition `base` (B, BE, L, LE) where the kind pending is known only at run time (a
   * Jcc on a label of its own, right after its CMP): straight from the operands when a SUB or logic
   * operation is pending, as `fused` does, else from EFLAGS. Calling `eflags` there made V8 keep every
   * live register in a stack slot around the call, on the path of the loop. False for other conditions.
   */
  private orderAfterLabel(base: number): boolean {
    if (base !== 2 && base !== 6 && base !== 12 && base !== 14) return false;
    const w = this.w;
    const saved = this.producer;
    const ifKind = (kind: number) => w.get(FK).i32(kind).op(Op.i32Eq).beginValue(Op.if, 'if', I32);
    ifKind(K_SUB);
    this.producer = 'sub';
    this.fused(base);
    w.else();
    ifKind(K_LOGIC);
    this.producer = 'logic';
    this.fused(base);
    w.else();
    this.conditionFromFlags(base);
    w.end().end();
    this.producer = saved;
    return true;
  }

  /** Pushes the even condition `base` from EFLAGS: `fl` when nothing is pending, else computed. */
  private conditionFromFlags(base: number): void {
    const w = this.w;
    if (this.pendingKind === 0) w.get(FL);
    else this.flagsValue();
    w.set(W);
    const bit = SINGLE_FLAG_BITS[base];
    if (bit !== undefined) {
      w.get(W).i32(bit).op(Op.i32ShrU).i32(1).op(Op.i32And);
    } else if (base === 6) {
      w.get(W).i32(0x41).op(Op.i32And).i32(0).op(Op.i32Ne);
    } else {
      this.lessFromFlags();
      if (base === 14) w.get(W).i32(0x40).op(Op.i32And).i32(0).op(Op.i32Ne).op(Op.i32Or);
    }
  }

  /** Pushes CF of a pending ADD (the result below an operand), SUB (a below b) or logic operation (0). */
  private pendingCarry(kind: typeof K_ADD | typeof K_SUB | typeof K_LOGIC): void {
    const w = this.w;
    if (kind === K_ADD) w.get(FR).get(FA).op(Op.i32LtU);
    else if (kind === K_SUB) w.get(FA).get(FB).op(Op.i32LtU);
    else w.i32(0);
  }

  /**
   * ZF and SF (`base` 4 and 8) of any pending kind come from the result, as `eflags` computes them; CF of an
   * ADD is the result below an operand. Where the kind is not known here, whether one is pending at all
   * (`fk` non-zero) picks between the result and `fl`. False for the other conditions.
   */
  private resultCondition(base: number): boolean {
    const w = this.w;
    if (base === 2 && this.pendingKind === K_ADD) {
      this.pendingCarry(K_ADD);
      return true;
    }
    if (base !== 4 && base !== 8) return false;
    if (base === 4) w.get(FR).op(Op.i32Eqz);
    else w.get(FR).i32(31).op(Op.i32ShrU);
    if (this.pendingKind === UNKNOWN_KIND) {
      w.get(FL)
        .i32(SINGLE_FLAG_BITS[base] as number)
        .op(Op.i32ShrU)
        .i32(1)
        .op(Op.i32And);
      w.get(FK).op(Op.select);
    }
    return true;
  }

  /** SF != OF from EFLAGS in W. */
  private lessFromFlags(): void {
    this.w.get(W).i32(7).op(Op.i32ShrU).get(W).i32(11).op(Op.i32ShrU).op(Op.i32Xor).i32(1).op(Op.i32And);
  }

  /** Pushes the even condition `base` straight from the pending operands, if the producer allows. */
  private fused(base: number): boolean {
    const w = this.w;
    const p = this.producer;
    if (p === 'sub') {
      const cmp: Record<number, number> = { 2: Op.i32LtU, 6: Op.i32LeU, 12: Op.i32LtS, 14: Op.i32LeS };
      if (cmp[base] !== undefined) {
        w.get(FA).get(FB).op(cmp[base]);
        return true;
      }
    }
    if (p === 'logic') {
      if (base === 0 || base === 2) {
        w.i32(0);
        return true;
      }
      if (base === 6 || base === 14) {
        w.get(FR)
          .i32(0)
          .op(base === 6 ? Op.i32Eq : Op.i32LeS);
        return true;
      }
      if (base === 12) {
        w.get(FR).i32(0).op(Op.i32LtS);
        return true;
      }
    }
    if (p === 'incdec') {
      // INC and DEC (of a dword) keep CF, which they found current in `fl`; the signed orders are the
      // operand's against 1 (DEC) or -1 (INC), as a compare with those would give them.
      if (base === 2 || base === 6) {
        w.get(FL).i32(1).op(Op.i32And);
        if (base === 6) w.get(FR).op(Op.i32Eqz).op(Op.i32Or);
        return true;
      }
      if (base === 12 || base === 14) {
        w.get(FA)
          .i32(this.pendingKind === K_DEC ? 1 : -1)
          .op(base === 12 ? Op.i32LtS : Op.i32LeS);
        return true;
      }
    }
    if (base === 4) {
      w.get(FR).op(Op.i32Eqz);
      return true;
    }
    if (base === 8) {
      w.get(FR).i32(0).op(Op.i32LtS);
      return true;
    }
    return false;
  }

  // ---- Templates ----

  /** One instruction: false when it falls through, true when it ended the run, null when it has no template. */
  private instruction(): boolean | null {
    const w = this.w;
    let op = this.byte();
    this.seg = SEGMENT_OVERRIDES.indexOf(op);
    if (this.seg >= 0) {
      op = this.byte();
      if (SEGMENT_OVERRIDES.includes(op)) return null;
    }
    if (op < 0x40 && (op & 7) < 6) {
      const aop = op >> 3;
      const size = (op & 1) === 0 ? 1 : 4;
      switch (op & 7) {
        case 0:
        case 1:
          if (!this.operand()) return null;
          return this.alu(aop, size, 'rm', () => this.regOperand(size, this.reg));
        case 2:
        case 3:
          if (!this.operand()) return null;
          return this.alu(aop, size, 'reg', () => this.readRm(size, true));
        default: {
          const imm = size === 1 ? this.sbyte() : this.dword();
          this.modrm = 0xc0;
          return this.alu(aop, size, 'rm', () => w.i32(imm));
        }
      }
    }
    const row = op & 0xf8;
    if (row === 0x40 || row === 0x48) {
      const r = op & 7;
      const dec = row === 0x48;
      w.get(R0 + r).set(T);
      this.incDec(dec);
      w.get(FR).set(R0 + r);
      return false;
    }
    if (row === 0x50) {
      w.get(R0 + (op & 7)).set(V);
      this.push(V);
      return false;
    }
    if (row === 0x58) {
      this.pop();
      w.get(V).set(R0 + (op & 7));
      return false;
    }
    if (row === 0x70 || row === 0x78) {
      const disp = this.sbyte();
      return this.jcc(op & 15, (this.nextEip + disp) | 0);
    }
    if (row === 0x90 && op !== 0x90) {
      // XCHG EAX, r32.
      const r = R0 + (op & 7);
      w.get(R0).set(T).get(r).set(R0).get(T).set(r);
      return false;
    }
    if (row === 0xb8) {
      w.i32(this.dword()).set(R0 + (op & 7));
      return false;
    }
    if (row === 0xb0) {
      w.i32(this.byte()).set(V);
      this.setReg8(op & 7, V);
      return false;
    }
    switch (op) {
      case 0x0f:
        return this.twoByte();
      case 0x68:
        w.i32(this.dword()).set(V);
        this.push(V);
        return false;
      case 0x6a:
        w.i32(this.sbyte()).set(V);
        this.push(V);
        return false;
      case 0x69:
      case 0x6b: {
        if (!this.operand()) return null;
        const reg = this.reg;
        this.readRm(4, false);
        w.set(T);
        w.i32(op === 0x6b ? this.sbyte() : this.dword()).set(V);
        this.imul(reg);
        return false;
      }
      case 0x80:
      case 0x81:
      case 0x83: {
        if (!this.operand()) return null;
        const aop = this.reg;
        const size = op === 0x80 ? 1 : 4;
        const imm = op === 0x81 ? this.dword() : this.sbyte();
        return this.alu(aop, size, 'rm', () => w.i32(imm));
      }
      case 0x84:
      case 0x85: {
        if (!this.operand()) return null;
        const size = op === 0x84 ? 1 : 4;
        return this.alu(4, size, 'none', () => this.regOperand(size, this.reg));
      }
      case 0x88:
      case 0x89: {
        if (!this.operand()) return null;
        const size = op === 0x88 ? 1 : 4;
        if (!this.isReg) this.checkEa(true, size);
        this.regOperand(size, this.reg);
        w.set(V);
        this.writeRm(size, V);
        return false;
      }
      case 0x8a:
      case 0x8b: {
        if (!this.operand()) return null;
        const size = op === 0x8a ? 1 : 4;
        const reg = this.reg;
        this.readRm(size, false);
        w.set(V);
        if (size === 1) this.setReg8(reg, V);
        else w.get(V).set(R0 + reg);
        return false;
      }
      case 0x8d:
        // LEA: the offset alone, whatever segment an override names.
        if (!this.operand(false) || this.isReg) return null;
        w.get(EA).set(R0 + this.reg);
        return false;
      case 0x90:
        return false;
      case 0x66:
        return this.wordInstruction();
      case 0xf0:
        return this.locked();
      case 0xf3:
        return this.repPrefixed();
      case 0xa4:
      case 0xa5:
        return this.stringElement(op === 0xa4 ? 1 : 4, true);
      case 0xaa:
      case 0xab:
        return this.stringElement(op === 0xaa ? 1 : 4, false);
      case 0x9e:
        // SAHF (after FNSTSW AX, an x87 compare's branch): SF, ZF, AF, PF and CF from AH; OF stays.
        this.settleFlags();
        w.get(FL).i32(~SAHF_MASK).op(Op.i32And);
        w.get(R0).i32(8).op(Op.i32ShrU).i32(SAHF_MASK).op(Op.i32And);
        w.op(Op.i32Or).set(FL);
        return false;
      case 0xc9:
        // LEAVE: the pop from EBP's slot, checked before ESP or EBP change.
        this.pop(R0 + 5);
        w.get(V).set(R0 + 5);
        return false;
      case 0x87: {
        // XCHG r/m32, r32 (LOCK is implied; one CPU runs one instruction at a time).
        if (!this.operand()) return null;
        if (!this.isReg) this.checkEa(true, 4);
        this.readRmChecked(4);
        w.set(V);
        w.get(R0 + this.reg).set(T);
        w.get(V).set(R0 + this.reg);
        this.writeRm(4, T);
        return false;
      }
      case 0xd8:
      case 0xd9:
      case 0xda:
      case 0xdb:
      case 0xdc:
      case 0xdd:
      case 0xde:
      case 0xdf:
        return this.x87(op);
      case 0xfc:
      case 0xfd:
        // CLD, STD: DF is no status flag, so it lives in `fl` whatever is pending.
        w.get(FL).i32(~FLAG_DF).op(Op.i32And);
        if (op === 0xfd) w.i32(FLAG_DF).op(Op.i32Or);
        w.set(FL);
        return false;
      case 0xc0:
      case 0xd0:
      case 0xd2:
        return this.shiftGroup(op, 1);
      case 0xc1:
      case 0xd1:
      case 0xd3:
        return this.shiftGroup(op, 4);
      case 0x98:
        // CWDE
        w.get(R0).i32(16).op(Op.i32Shl).i32(16).op(Op.i32ShrS).set(R0);
        return false;
      case 0x99:
        // CDQ
        w.get(R0)
          .i32(31)
          .op(Op.i32ShrS)
          .set(R0 + 2);
        return false;
      case 0xa0:
      case 0xa1:
      case 0xa2:
      case 0xa3:
        return this.moffs(op);
      case 0xff:
        return this.group5();
      case 0xa8:
      case 0xa9: {
        const size = op === 0xa8 ? 1 : 4;
        const imm = size === 1 ? this.sbyte() : this.dword();
        this.modrm = 0xc0;
        return this.alu(4, size, 'none', () => w.i32(imm));
      }
      case 0xc2:
      case 0xc3: {
        // RET imm16 also pops its callee's arguments (stdcall; a struct returned through a hidden pointer).
        const release = op === 0xc2 ? this.byte() | (this.byte() << 8) : 0;
        this.pop();
        if (release !== 0)
          w.get(R0 + 4)
            .i32(release)
            .op(Op.i32Add)
            .set(R0 + 4);
        this.ret(this.since + 1);
        return true;
      }
      case 0xc6:
      case 0xc7: {
        if (!this.operand() || this.reg !== 0) return null;
        const size = op === 0xc6 ? 1 : 4;
        if (!this.isReg) this.checkEa(true, size);
        w.i32(size === 1 ? this.byte() : this.dword()).set(V);
        this.writeRm(size, V);
        return false;
      }
      case 0xcd:
        if (this.byte() !== 0x80) return null;
        w.i32(RunExit.Syscall).set(X);
        this.exitAt(this.nextEip, this.since + 1);
        return true;
      case 0xe8: {
        const disp = this.dword();
        const back = this.nextEip;
        w.i32(back).set(V);
        this.push(V);
        const target = (back + disp) | 0;
        if (this.canFollow(target) || this.written.has(target)) this.callReturns.add(back);
        // The code after the call belongs here too: a callee outside the region returns to it through the
        // chain (PIC code calls a thunk on another page at the top of every function).
        this.targets.add(back);
        this.enqueue(back);
        return this.jump(target);
      }
      case 0xe9: {
        const disp = this.dword();
        return this.jump((this.nextEip + disp) | 0);
      }
      case 0xeb: {
        const disp = this.sbyte();
        return this.jump((this.nextEip + disp) | 0);
      }
      case 0xf6:
      case 0xf7:
        return this.group3(op === 0xf6 ? 1 : 4);
      case 0xe2: {
        // LOOP: ECX - 1, flags untouched, and on while it is not 0.
        const disp = this.sbyte();
        w.get(R0 + 1)
          .i32(1)
          .op(Op.i32Sub)
          .set(R0 + 1);
        return this.branch(() => w.get(R0 + 1), (this.nextEip + disp) | 0);
      }
      case 0xe3: {
        // JECXZ
        const disp = this.sbyte();
        return this.branch(() => w.get(R0 + 1).op(Op.i32Eqz), (this.nextEip + disp) | 0);
      }
      default:
        return null;
    }
  }

  /**
   * Group 3 (F6, F7, 66 F7; `size` 1, 2 or 4): TEST r/m, imm; NOT; NEG (flags as for 0 - x: CF when x is not
   * 0; a narrow result sign-extended, as `alu` keeps it); MUL and IMUL, DIV and IDIV of dwords.
   */
  private group3(size: number): boolean | null {
    const w = this.w;
    if (!this.operand()) return null;
    if (this.reg === 0) {
      const imm = size === 1 ? this.sbyte() : size === 2 ? this.sword() : this.dword();
      return this.alu(4, size, 'none', () => w.i32(imm));
    }
    if (this.reg === 2) {
      if (!this.isReg) this.checkEa(true, size);
      this.readRmChecked(size);
      w.i32(-1).op(Op.i32Xor).set(V);
      this.writeRm(size, V);
      return false;
    }
    if (this.reg === 3) {
      if (!this.isReg) this.checkEa(true, size);
      this.readRmChecked(size);
      w.set(V).i32(0).set(T);
      this.produce(
        K_SUB,
        () => {
          w.get(T).get(V).op(Op.i32Sub);
          this.signExtend(size);
        },
        'sub',
      );
      this.writeRm(size, FR);
      return false;
    }
    if (this.reg >= 4 && size === 4) {
      this.readRm(4, false);
      w.set(V);
      if (this.reg < 6) this.wideMultiply(this.reg === 5);
      else this.wideDivide(this.reg === 7);
      return false;
    }
    return null;
  }

  private twoByte(): boolean | null {
    const w = this.w;
    const op = this.byte();
    if (op === 0x1f) return this.hintNop();
    if (op >= 0x80 && op <= 0x8f) {
      const disp = this.dword();
      return this.jcc(op & 15, (this.nextEip + disp) | 0);
    }
    if (op >= 0x40 && op <= 0x4f) {
      if (!this.operand()) return null;
      const reg = this.reg;
      this.readRm(4, false);
      w.set(V);
      this.condition(op & 15);
      w.begin(Op.if, 'if')
        .get(V)
        .set(R0 + reg)
        .end();
      return false;
    }
    if (op >= 0xc8 && op <= 0xcf) return this.byteSwap(op);
    if (hasMmxTemplate(op)) return this.mmx(op);
    if (op >= 0x90 && op <= 0x9f) {
      if (!this.operand()) return null;
      if (!this.isReg) this.checkEa(true, 1);
      this.condition(op & 15);
      w.set(V);
      this.writeRm(1, V);
      return false;
    }
    switch (op) {
      case 0xb1:
        if (!this.operand()) return null;
        this.compareExchange();
        return false;
      case 0xc1:
        if (!this.operand()) return null;
        this.exchangeAdd();
        return false;
      case 0xba:
        return this.bitTestImmediate();
      case 0xa3:
      case 0xab:
      case 0xb3:
      case 0xbb:
        return this.bitTestRegister(op);
      case 0xa4:
      case 0xa5:
      case 0xac:
      case 0xad:
        return this.doubleShift(op);
      case 0xbc:
      case 0xbd:
        return this.bitScan(op === 0xbd);
      case 0xaf: {
        if (!this.operand()) return null;
        const reg = this.reg;
        this.readRm(4, false);
        w.set(V)
          .get(R0 + reg)
          .set(T);
        this.imul(reg);
        return false;
      }
      case 0xb6:
      case 0xbe: {
        if (!this.operand()) return null;
        const reg = this.reg;
        this.readRm(1, op === 0xbe);
        w.set(R0 + reg);
        return false;
      }
      case 0xb7:
      case 0xbf: {
        if (!this.operand()) return null;
        const reg = this.reg;
        if (this.isReg) {
          w.get(R0 + this.rm);
          if (op === 0xbf) w.i32(16).op(Op.i32Shl).i32(16).op(Op.i32ShrS);
          else w.i32(0xffff).op(Op.i32And);
        } else {
          this.checkEa(false, 2);
          this.physEa();
          w.mem(op === 0xbf ? Op.i32Load16S : Op.i32Load16U);
        }
        w.set(R0 + reg);
        return false;
      }
      default:
        return null;
    }
  }

  /**
   * ROL/ROR r32 by a nonzero count: the rotated register; CF the bit rotated last (ROL: bit 0, ROR: bit 31)
   * and OF the SDM's count-1 formula for every count (ROL: bit 31 ^ CF; ROR: bit 31 ^ bit 30), as the
   * interpreter's shiftRotate computes them; the other status flags stay.
   */
  private rotateRegister(right: boolean, count: number, size: number): void {
    const w = this.w;
    const r = R0 + this.rm;
    this.settleFlags();
    const top = size * 8 - 1;
    if (size === 4) {
      w.get(r)
        .i32(count)
        .op(right ? Op.i32Rotr : Op.i32Rotl)
        .set(r);
    } else {
      // A word register: its low half rotated by the count modulo 16 (16 rotates it back, flags still set,
      // as alu.ts's shiftRotate does); the upper half stays.
      const n = count & 15;
      if (n !== 0) {
        const [first, second] = right ? [Op.i32ShrU, Op.i32Shl] : [Op.i32Shl, Op.i32ShrU];
        w.get(r).i32(0xffff).op(Op.i32And).set(T);
        w.get(T)
          .i32(n)
          .op(first)
          .get(T)
          .i32(16 - n)
          .op(second)
          .op(Op.i32Or)
          .i32(0xffff)
          .op(Op.i32And);
        w.get(r).i32(-65536).op(Op.i32And).op(Op.i32Or).set(r);
      }
    }
    const bit = (n: number) => w.get(r).i32(n).op(Op.i32ShrU).i32(1).op(Op.i32And);
    w.get(FL)
      .i32(~(FLAG_CF | FLAG_OF))
      .op(Op.i32And);
    bit(right ? top : 0).op(Op.i32Or);
    bit(top);
    bit(right ? top - 1 : 0);
    w.op(Op.i32Xor).i32(11).op(Op.i32Shl).op(Op.i32Or).set(FL);
  }

  /** BSWAP r32 (0F C8+r): the bytes reversed, as two rotations masked together; no flags change. */
  private byteSwap(op: number): boolean {
    const r = R0 + (op & 7);
    this.w.get(r).i32(8).op(Op.i32Rotr).i32(0xff00ff00).op(Op.i32And);
    this.w.get(r).i32(8).op(Op.i32Rotl).i32(0x00ff00ff).op(Op.i32And);
    this.w.op(Op.i32Or).set(r);
    return false;
  }

  /**
   * CMPXCHG r/m32, r32 (after its ModR/M): flags as CMP EAX, r/m32; equal, the r/m operand takes the register,
   * else EAX takes the r/m operand. A locked cycle writes either way (the old value back), so the page is
   * checked for writing both ways (a read-only page faults, the PTE gets its dirty bit); writing the same
   * value back would change nothing more.
   */
  private compareExchange(): void {
    const w = this.w;
    const reg = this.reg;
    if (!this.isReg) this.checkEa(true, 4);
    this.readRmChecked(4);
    w.set(V).get(R0).set(T);
    this.produce(K_SUB, () => w.get(T).get(V).op(Op.i32Sub), 'sub');
    w.get(FR).op(Op.i32Eqz).begin(Op.if, 'if');
    this.writeRm(4, R0 + reg);
    w.else();
    w.get(V).set(R0);
    w.end();
  }

  /**
   * After a LOCK prefix: a read-modify-write form with a memory destination (interpreter-0f.ts `lockableForm`)
   * runs as it would without the prefix, one CPU running one instruction at a time (refcounts: LOCK XADD, LOCK
   * ADD); anything else (#UD on a register operand, other prefixes between) through `step`.
   */
  private locked(): boolean | null {
    if (this.seg >= 0) return null;
    const u8 = this.src.u8;
    let at = this.physPage + this.pos;
    if (SEGMENT_OVERRIDES.includes(u8[at] as number)) at++;
    const first = u8[at] as number;
    const form = first === 0x0f ? 0x100 | (u8[at + 1] as number) : first;
    if (!lockableForm(form, u8[at + (first === 0x0f ? 2 : 1)] as number)) return null;
    return this.instruction();
  }

  /** XADD r/m32, r32 (0F C1): the register takes the r/m operand, the r/m operand the sum; flags as ADD. */
  private exchangeAdd(): void {
    const w = this.w;
    const reg = this.reg;
    if (!this.isReg) this.checkEa(true, 4);
    this.readRmChecked(4);
    w.set(T)
      .get(R0 + reg)
      .set(V);
    this.produce(K_ADD, () => w.get(T).get(V).op(Op.i32Add), null);
    w.get(T).set(R0 + reg);
    this.writeRm(4, FR);
  }

  /**
   * BT/BTS/BTR/BTC r/m32, imm8 (0F BA /4../7): CF is the bit (the count taken modulo 32, the operand at the
   * address itself); the other flags stay as they were, as the interpreter leaves them.
   */
  private bitTestImmediate(): boolean | null {
    const w = this.w;
    if (!this.operand() || this.reg < 4) return null;
    const change = this.reg - 4;
    const bit = this.byte() & 31;
    if (!this.isReg) this.checkEa(change !== 0, 4);
    this.readRmChecked(4);
    w.set(V);
    this.settleFlags();
    w.get(FL).i32(~FLAG_CF).op(Op.i32And);
    w.get(V).i32(bit).op(Op.i32ShrU).i32(1).op(Op.i32And);
    w.op(Op.i32Or).set(FL);
    if (change === 0) return false;
    const mask = (1 << bit) | 0;
    if (change === 1) w.get(V).i32(mask).op(Op.i32Or);
    else if (change === 2) w.get(V).i32(~mask).op(Op.i32And);
    else w.get(V).i32(mask).op(Op.i32Xor);
    w.set(V);
    this.writeRm(4, V);
    return false;
  }

  /**
   * BT/BTS/BTR/BTC r32, r32 (0F A3, AB, B3, BB) on a register: CF is the bit the second register names
   * (modulo 32), and the change writes the first; the other flags stay. With a memory operand the second
   * register addresses a bit string beyond the dword (bit-ops.ts): step.
   */
  private bitTestRegister(op: number): boolean | null {
    const w = this.w;
    if (!this.operand() || !this.isReg) return null;
    const change = [0xa3, 0xab, 0xb3, 0xbb].indexOf(op);
    const rm = R0 + this.rm;
    w.get(R0 + this.reg)
      .i32(31)
      .op(Op.i32And)
      .set(T);
    this.settleFlags();
    w.get(FL).i32(~FLAG_CF).op(Op.i32And);
    w.get(rm).get(T).op(Op.i32ShrU).i32(1).op(Op.i32And);
    w.op(Op.i32Or).set(FL);
    if (change === 0) return false;
    w.i32(1).get(T).op(Op.i32Shl).set(V);
    if (change === 1) w.get(rm).get(V).op(Op.i32Or);
    else if (change === 2) w.get(rm).get(V).i32(-1).op(Op.i32Xor).op(Op.i32And);
    else w.get(rm).get(V).op(Op.i32Xor);
    w.set(rm);
    return false;
  }

  /**
   * BSF/BSR r32, r/m32: a source of 0 sets ZF and leaves the destination (as P6 hardware does); else ZF is
   * clear and the destination takes the lowest (BSF) or highest (BSR) set bit's index. Other flags stay.
   */
  private bitScan(reverse: boolean): boolean | null {
    const w = this.w;
    if (!this.operand()) return null;
    const reg = this.reg;
    this.readRm(4, false);
    w.set(V);
    this.settleFlags();
    w.get(FL).i32(~FLAG_ZF).op(Op.i32And).set(FL);
    w.get(V).op(Op.i32Eqz).begin(Op.if, 'if');
    w.get(FL).i32(FLAG_ZF).op(Op.i32Or).set(FL);
    w.else();
    if (reverse) w.i32(31).get(V).op(Op.i32Clz).op(Op.i32Sub);
    else w.get(V).op(Op.i32Ctz);
    w.set(R0 + reg);
    w.end();
    return false;
  }

  /**
   * An instruction without a template runs in place through the interpreter's `step` (the imported
   * `step`): registers and EFLAGS go to the arch area and come back. The region leaves after it when it
   * asked for the kernel, went elsewhere, faulted without unwinding, or wrote compiled code; a fault that
   * unwinds goes through the caller's catch, which finds the instructions retired in EXCHANGE_PASSES.
   */
  private interpreted(): boolean | null {
    const at = this.physPage + this.pos;
    const length = steppableLength(this.src.u8, at, this.physPage + 4096);
    if (length < 0) return null;
    if (isX87Escape(this.src.u8, at)) this.x87Escapes++;
    this.x87Stack.beforeStep();
    this.step(length);
    return false;
  }

  /** Runs the instruction (`length` bytes at `pos`) through `step` (see `interpreted`). */
  private step(length: number): void {
    const w = this.w;
    const next = (this.insnEip + length) | 0;
    this.settleFlags();
    this.storeRegs();
    w.i32(0).get(FL).mem(Op.i32Store, this.exchange(EXCHANGE_FLAGS));
    w.i32(0).get(N).get(LEFT).op(Op.i32Sub).mem(Op.i32Store, this.exchange(EXCHANGE_PASSES));
    w.i32(this.insnEip).i32(SLOT_STEP).callIndirect(T_STEP).set(V);
    this.loadRegs();
    w.i32(0).mem(Op.i32Load, this.exchange(EXCHANGE_FLAGS)).set(FL);
    w.i32(0).mem(Op.i32Load, this.exchange(EXCHANGE_EIP)).set(PC);
    w.get(V).i32(CONTINUE).op(Op.i32Ne).get(PC).i32(next).op(Op.i32Ne).op(Op.i32Or).begin(Op.if, 'if');
    // FAULTED: the instruction did not retire. LEAVE_BLOCK (compiled code was written): go on outside.
    w.i32(this.since).get(V).i32(FAULTED).op(Op.i32Ne).op(Op.i32Add).set(D);
    w.i32(CONTINUE).get(V).get(V).i32(LEAVE_BLOCK).op(Op.i32Eq).op(Op.select).set(X);
    this.leave();
    w.end();
    this.pos += length;
  }

  /** An MMX instruction (0F, no prefix) through its template in mmx-wasm.ts, on the x87 state in memory. */
  private mmx(op: number): boolean | null {
    if (!this.src.hasFpu) return null; // the interpreter raises #UD
    if (mmxHasModrm(op)) {
      if (!this.operand()) return null;
    } else this.modrm = 0;
    this.x87Stack.beforeStep();
    const site: MmxSite = {
      w: this.w,
      archOffset: this.src.archOffset,
      modrm: this.modrm,
      i64At: MMX_I64_AT,
      checkMemory: (write, size) => this.checkEa(write, size),
      pushAddress: () => this.physEa(),
      leaveBefore: () => this.leaveBefore(),
      getReg: (r) => this.w.get(R0 + r),
      setReg: (r) => this.w.set(R0 + r),
      immediate: () => this.byte(),
    };
    if (!writeMmx(site, op)) return null;
    this.mmxWritten++;
    return false;
  }

  /**
   * D8..DF with a plan (x87-wasm.ts): the instruction runs on the x87 registers the region keeps in locals
   * (x87-stack.ts), calling the module's x87 functions for arithmetic and for memory formats. When its fast
   * case does not apply, it runs through `step` (after the registers are written back); the flags stay pending
   * on the one path and are computed on the other, so after it their kind is not known (unless none was).
   */
  private x87(op: number): boolean | null {
    if (!this.src.hasFpu) return null; // the interpreter raises #NM
    if (!this.operand()) return null;
    const plan = x87Plan(op, this.modrm);
    if (plan === null) return null;
    this.x87Planned++;
    const w = this.w;
    const st = this.x87Stack;
    const length = this.nextEip - this.insnEip;
    const memory = plan.memory;
    st.begin();
    if (plan.kind === 'fnstsw') {
      // FNSTSW AX waits for nothing and cannot fail.
      w.get(R0).i32(-65536).op(Op.i32And);
      st.statusWord();
      w.op(Op.i32Or).set(R0);
      return false;
    }
    if (plan.kind === 'fnstcw') {
      // Nor does FNSTCW; its store may leave for the decoded tier (after the registers are written back).
      this.checkEa(true, 2);
      this.physEa();
      st.controlWord();
      w.mem(Op.i32Store16);
      return false;
    }
    const before = st.snapshot();
    w.begin(Op.block, 'x87done').begin(Op.block, 'x87step');
    // FIST takes any rounding control, FLDCW any control word, FXAM anything; the others need the usual one (OK).
    if (plan.kind === 'fist' || plan.kind === 'fldcw' || plan.kind === 'examine')
      st.guardWaiting('x87step', plan.kind === 'fist');
    else st.guard('x87step');
    if (memory !== null) this.checkEa(plan.kind === 'store' || plan.kind === 'fist', memory.size);
    switch (plan.kind) {
      case 'arith':
        this.x87Arith(plan);
        break;
      case 'load':
        this.x87Load(plan);
        break;
      case 'store':
        this.x87Store(plan);
        break;
      case 'compare':
      case 'comi':
        this.x87Compare(plan);
        break;
      case 'fist':
        this.x87Fist(plan);
        break;
      case 'fldcw':
        this.physEa();
        w.mem(Op.i32Load16U);
        st.loadControlWord();
        break;
      case 'exchange': {
        const c0 = st.entry(0);
        const ci = st.entry(plan.other);
        st.requireFull(c0, 'x87step');
        st.requireFull(ci, 'x87step');
        st.tempsFrom(c0);
        st.copy(c0, ci);
        st.setFromTemps(ci);
        st.setStatus(null);
        break;
      }
      case 'examine':
        st.examine(st.entry(0));
        break;
      default: {
        // FCHS flips the sign, FABS clears it.
        const c0 = st.entry(0);
        st.requireFull(c0, 'x87step');
        w.get(st.se(c0));
        if (plan.other === 0) w.i32(SE_SIGN).op(Op.i32Xor);
        else w.i32(~SE_SIGN).op(Op.i32And);
        w.set(st.se(c0));
        st.touch(c0);
        st.setStatus(null);
      }
    }
    // FLDCW, a control instruction, leaves FIP, FOP and FDP alone.
    if (plan.kind !== 'fldcw') {
      st.ran(this.insnEip, ((op & 7) << 8) | this.modrm);
      if (memory !== null)
        w.i32(0)
          .get(EA)
          .mem(Op.i32Store, this.src.archOffset + X87_AT + X87_WORD_FDP * 4);
    }
    w.br('x87done').end();
    const after = st.snapshot();
    st.decline(before);
    const pendingKind = this.pendingKind;
    this.pos = this.insnEip & 0xfff;
    this.step(length);
    st.declined(after);
    w.end();
    // FCOMI sets every status flag either way.
    this.pendingKind = pendingKind === 0 || plan.kind === 'comi' ? 0 : UNKNOWN_KIND;
    this.producerNow = null;
    return false;
  }

  /** FIST/FISTP: ST(0) as an integer in the control word's rounding mode, through `integer`, which may decline. */
  private x87Fist(plan: X87Plan): void {
    const w = this.w;
    const st = this.x87Stack;
    const size = (plan.memory as X87Memory).size;
    const c0 = st.entry(0);
    st.requireFull(c0, 'x87step');
    st.getValue(c0);
    st.roundingControl();
    w.i32(size * 8);
    this.x87Call('integer');
    w.tee(st.local(X87_TMP_STATUS)).i32(0).op(Op.i32LtS).brIf('x87step');
    w.set(st.local(X87_TMP_HI)).set(st.local(X87_TMP_LO));
    this.physEa();
    w.get(st.local(X87_TMP_LO)).mem(size === 2 ? Op.i32Store16 : Op.i32Store);
    if (size === 8) {
      this.physEa();
      w.get(st.local(X87_TMP_HI)).mem(Op.i32Store, 4);
    }
    st.setStatus(st.local(X87_TMP_STATUS));
    if (plan.pop) st.pop();
  }

  /**
   * FCOM/FUCOM/FICOM (C0, C2, C3 of the status word) and FCOMI/FUCOMI (ZF, PF, CF of EFLAGS, OF, SF and AF
   * clear) of ST(0) with ST(other) or memory, through `compare`, which declines unordered and special values.
   */
  private x87Compare(plan: X87Plan): void {
    const w = this.w;
    const st = this.x87Stack;
    const c0 = st.entry(0);
    st.requireFull(c0, 'x87step');
    const y = this.x87Operand(plan);
    st.getValue(c0);
    w.get(y[0] as number).get(y[1] as number);
    this.x87Call('compare');
    const outcome = st.local(X87_TMP_STATUS);
    w.tee(outcome).i32(0).op(Op.i32LtS).brIf('x87step');
    if (plan.kind === 'comi') {
      w.get(FL).i32(~FLAGS_STATUS).op(Op.i32And);
      w.i32(FLAG_CF).i32(FLAG_ZF).i32(0).get(outcome).i32(CMP_EQ).op(Op.i32Eq).op(Op.select);
      w.get(outcome).i32(CMP_LT).op(Op.i32Eq).op(Op.select);
      w.op(Op.i32Or).set(FL).i32(0).set(FK);
      if (plan.pop) st.pop();
      return;
    }
    st.setConditionCodes(outcome);
    for (let i = 0; i < plan.pops; i++) st.pop();
  }

  /**
   * The memory operand (after `checkEa`) as a value in the temporaries (se, significand): m80fp as it is,
   * the other formats through `decode`, which may decline.
   */
  private x87MemoryValue(memory: X87Memory): void {
    const w = this.w;
    const st = this.x87Stack;
    if (memory.format === FORMAT_EXTENDED) {
      this.physEa();
      w.mem(Op.i32Load, 4).op(Op.i64ExtendI32U).i64(32).op(Op.i64Shl);
      this.physEa();
      w.mem(Op.i32Load).op(Op.i64ExtendI32U).op(Op.i64Or).set(st.tmpSig());
      this.physEa();
      w.mem(Op.i32Load16U, 8).set(st.local(X87_TMP_SE));
      return;
    }
    w.i32(memory.format);
    this.physEa();
    w.mem(memory.size === 2 ? Op.i32Load16S : Op.i32Load);
    if (memory.size === 8) {
      this.physEa();
      w.mem(Op.i32Load, 4);
    } else w.i32(0);
    this.x87Call('decode');
    this.x87Results();
  }

  /** Sets the temporaries from a call's (se, significand, status); declines on a negative status. */
  private x87Results(): void {
    const st = this.x87Stack;
    this.w.tee(st.local(X87_TMP_STATUS)).i32(0).op(Op.i32LtS).brIf('x87step');
    this.w.set(st.tmpSig()).set(st.local(X87_TMP_SE));
  }

  private x87Call(name: X87Function): void {
    if (!INLINED_X87.has(name)) {
      this.w.call(F_X87_FIRST + X87_FUNCTION_NAMES.indexOf(name));
      return;
    }
    writeInline(name, {
      w: this.w,
      i32At: X87_INLINE_I32_AT,
      i64At: X87_INLINE_I64_AT,
      f64At: X87_INLINE_F64_AT,
      blockType: INLINE_BLOCK_TYPE_INDEX,
    });
  }

  /**
   * The second operand of an arithmetic or compare instruction as its (se, significand) locals: ST(other), or
   * the memory operand decoded into the temporaries.
   */
  private x87Operand(plan: X87Plan): number[] {
    const st = this.x87Stack;
    if (plan.memory !== null) {
      this.x87MemoryValue(plan.memory);
      return [st.local(X87_TMP_SE), st.tmpSig()];
    }
    const co = st.entry(plan.other);
    st.requireFull(co, 'x87step');
    return [st.se(co), st.sig(co)];
  }

  /** FADD..FDIVR: ST(dest) = x op y, y from ST(other) or memory. */
  private x87Arith(plan: X87Plan): void {
    const w = this.w;
    const st = this.x87Stack;
    const cd = st.entry(plan.dest);
    st.requireFull(cd, 'x87step');
    const y = this.x87Operand(plan);
    const x = [st.se(cd), st.sig(cd)];
    // FSUBR and FDIVR swap the operands; FSUB and FSUBR add the second negated.
    const [first, second] = plan.reverse ? [y, x] : [x, y];
    w.get(first[0] as number).get(first[1] as number);
    w.get(second[0] as number);
    if (plan.negate) w.i32(SE_SIGN).op(Op.i32Xor);
    w.get(second[1] as number);
    st.precision53();
    this.x87Call(plan.fn);
    this.x87Results();
    st.setFromTemps(cd);
    st.setStatus(st.local(X87_TMP_STATUS));
    if (plan.pop) st.pop();
  }

  /** FLD/FILD: pushes the memory operand, a constant (FLD1, FLDZ) or ST(other). */
  private x87Load(plan: X87Plan): void {
    const w = this.w;
    const st = this.x87Stack;
    if (plan.memory !== null) this.x87MemoryValue(plan.memory);
    else if (plan.constant >= 0) {
      // The value the x87 unit loads (rounded to nearest, the only control the fast cases run under).
      const c = new Ext80();
      loadConstant(plan.constant, RC_NEAREST, c);
      w.i32((c.sign << 15) | c.exp).set(st.local(X87_TMP_SE));
      w.i64((BigInt(c.hi) << 32n) | BigInt(c.lo)).set(st.tmpSig());
    } else {
      const src = st.entry(plan.other);
      st.requireFull(src, 'x87step');
      st.tempsFrom(src);
    }
    const c = st.requirePushable('x87step');
    st.setFromTemps(c);
    st.push();
    st.setStatus(null);
  }

  /** FST/FSTP: ST(0) into ST(dest) or the memory operand (m32fp and m64fp through `encode`, which may decline). */
  private x87Store(plan: X87Plan): void {
    const w = this.w;
    const st = this.x87Stack;
    const c0 = st.entry(0);
    st.requireFull(c0, 'x87step');
    const memory = plan.memory;
    if (memory === null) {
      st.copy(st.entry(plan.dest), c0);
      st.setStatus(null);
    } else if (memory.format === FORMAT_EXTENDED) {
      this.physEa();
      w.get(st.sig(c0)).op(Op.i32WrapI64).mem(Op.i32Store);
      this.physEa();
      w.get(st.sig(c0)).i64(32).op(Op.i64ShrU).op(Op.i32WrapI64).mem(Op.i32Store, 4);
      this.physEa();
      w.get(st.se(c0)).mem(Op.i32Store16, 8);
      st.setStatus(null);
    } else {
      w.i32(memory.format);
      st.getValue(c0);
      this.x87Call('encode');
      w.tee(st.local(X87_TMP_STATUS)).i32(0).op(Op.i32LtS).brIf('x87step');
      w.set(st.local(X87_TMP_HI)).set(st.local(X87_TMP_LO));
      this.physEa();
      w.get(st.local(X87_TMP_LO)).mem(Op.i32Store);
      if (memory.size === 8) {
        this.physEa();
        w.get(st.local(X87_TMP_HI)).mem(Op.i32Store, 4);
      }
      st.setStatus(st.local(X87_TMP_STATUS));
    }
    if (plan.pop) st.pop();
  }

  /** 0F 1F /0: the multi-byte NOP; its operand is decoded, never touched. */
  /**
   * After an F3 prefix: ENDBR32 (F3 0F 1E FB, at the top of every function of a CET-enabled build: a NOP
   * here), TZCNT/LZCNT as BSF/BSR, and REP MOVS/STOS of bytes or dwords (`repString`).
   */
  private repPrefixed(): boolean | null {
    const start = this.pos - 1;
    const op = this.byte();
    if (op === 0x0f) {
      const op2 = this.byte();
      // TZCNT and LZCNT where CPUID names no BMI1 or ABM (kmOS's CPU): BSF and BSR, as the interpreter runs them.
      if (op2 === 0xbc || op2 === 0xbd) return this.bitScan(op2 === 0xbd);
      return op2 === 0x1e && this.byte() === 0xfb ? false : null;
    }
    if (this.seg >= 0 || (op !== 0xa4 && op !== 0xa5 && op !== 0xaa && op !== 0xab)) return null;
    this.repString(start, op <= 0xa5, (op & 1) === 0 ? 0 : 2);
    return false;
  }

  /**
   * REP MOVSB/MOVSD and REP STOSB/STOSD, whose common case is done here: counting up, DS and ES without checks
   * and ES at base 0, the count moving at most a page, source and destination runs each inside one page
   * that the TLB has (the destination's for writing, so never a code frame), and a destination that is not
   * ahead of the source by less than the run (a copy that would read what it wrote). The interpreter moves
   * such a run in one go too, retiring the instruction once (string-ops.ts `bulkRep`, with copyWithin, the
   * semantics of memory.copy); anything else runs through `step`. `shift`: log2 of the element size.
   */
  private repString(start: number, movs: boolean, shift: number): void {
    const w = this.w;
    const ECX = R0 + 1;
    const ESI = R0 + 6;
    const EDI = R0 + 7;
    // Both ways below must leave the flags and the x87 registers alike: `step` needs them settled.
    this.settleFlags();
    this.x87Stack.beforeStep();
    w.begin(Op.block, 'done');
    w.get(ECX).op(Op.i32Eqz).brIf('done');
    w.begin(Op.block, 'slow');
    w.get(FL).i32(FLAG_DF).op(Op.i32And).brIf('slow');
    this.flatStringSegments();
    w.get(ECX)
      .i32(4096 >> shift)
      .op(Op.i32GtU)
      .brIf('slow');
    w.get(ECX).i32(shift).op(Op.i32Shl).set(V);
    // EA: the destination's RAM address.
    this.bulkPage(EDI, V, true, EA);
    if (movs) {
      // T: the source's; a destination ahead of it by less than the run (0 < EA - T < V) goes to step.
      this.bulkPage(ESI, V, false, T);
      w.get(EA).get(T).op(Op.i32Sub).i32(1).op(Op.i32Sub);
      w.get(V).i32(1).op(Op.i32Sub).op(Op.i32LtU).brIf('slow');
      w.get(EA).get(T).get(V).memoryCopy();
      w.get(ESI).get(V).op(Op.i32Add).set(ESI);
    } else if (shift === 0) {
      w.get(EA).get(R0).get(V).memoryFill();
    } else {
      w.i32(0).set(W);
      w.begin(Op.loop, 'fill');
      w.get(EA).get(W).op(Op.i32Add).get(R0).mem(Op.i32Store);
      w.get(W).i32(4).op(Op.i32Add).tee(W).get(V).op(Op.i32LtU).brIf('fill');
      w.end();
    }
    w.get(EDI).get(V).op(Op.i32Add).set(EDI);
    w.i32(0).set(ECX);
    w.br('done');
    w.end();
    const end = this.pos;
    this.pos = start;
    this.step(end - start);
    w.end();
  }

  /**
   * MOVSB/MOVSW/MOVSD (`move`) and STOSB/STOSW/STOSD without REP (the tails of memcpy and memset): one element
   * from DS:ESI, or from AL/AX/EAX, to ES:EDI, the pointers then stepped by its size, down when DF is set.
   * The common case here (DS and ES without checks, ES at base 0, each element inside a page the TLB has,
   * the destination's for writing); anything else through `step`. The flags stay pending on one way and are
   * settled on the other: what follows reads them as after a label.
   */
  private stringElement(size: number, move: boolean): boolean | null {
    if (this.seg >= 0) return null;
    const w = this.w;
    const ESI = R0 + 6;
    const EDI = R0 + 7;
    const start = (this.insnEip - this.linPage) | 0;
    const end = this.pos;
    this.x87Stack.beforeStep();
    w.begin(Op.block, 'done');
    w.begin(Op.block, 'slow');
    this.flatStringSegments();
    w.i32(size).set(V);
    if (move) this.bulkPage(ESI, V, false, T);
    this.bulkPage(EDI, V, true, EA);
    w.get(EA);
    if (move) w.get(T).mem(WasmRegionWriter.loadOp(size, false));
    else w.get(R0);
    w.mem(WasmRegionWriter.storeOp(size));
    // The step: -size when DF is set.
    w.i32(-size).i32(size).get(FL).i32(FLAG_DF).op(Op.i32And).op(Op.select).set(V);
    if (move) w.get(ESI).get(V).op(Op.i32Add).set(ESI);
    w.get(EDI).get(V).op(Op.i32Add).set(EDI);
    w.br('done');
    w.end();
    this.pos = start;
    this.step(end - start);
    w.end();
    this.pendingKind = UNKNOWN_KIND;
    this.producerNow = null;
    return false;
  }

  /** Leaves for `slow` unless DS and ES need no checks and ES has base 0 (DS's is 0 in any region). */
  private flatStringSegments(): void {
    const w = this.w;
    w.i32(0)
      .mem(Op.i32Load, this.exchange(EXCHANGE_SEG_CHECK))
      .i32((1 << SEG_DS) | (1 << SEG_ES))
      .op(Op.i32And)
      .brIf('slow');
    w.i32(0)
      .mem(Op.i32Load, this.src.archOffset + SEG_BASE_AT + SEG_ES * 4)
      .brIf('slow');
  }

  /**
   * Leaves for `slow` unless the `bytes` (a local) from the address in register local `reg` lie in one page
   * the TLB has (for writing when `write`); else sets local `into` to the RAM address.
   */
  private bulkPage(reg: number, bytes: number, write: boolean, into: number): void {
    const w = this.w;
    w.get(reg).i32(0xfff).op(Op.i32And).get(bytes).op(Op.i32Add).i32(4096).op(Op.i32GtU).brIf('slow');
    const tlb = this.src.archOffset + (write ? TLB_WRITE_AT : TLB_READ_AT);
    w.get(reg).i32(12).op(Op.i32ShrU).i32(2).op(Op.i32Shl).mem(Op.i32Load, tlb).tee(into);
    w.i32(0).op(Op.i32LtS).brIf('slow');
    w.get(into).get(reg).i32(0xfff).op(Op.i32And).op(Op.i32Or).set(into);
  }

  /**
   * After a 66 prefix: the 16-bit forms of the ALU instructions, TEST, MOV and the padding NOPs. Word operands
   * are kept sign-extended to 32 bits, as bytes are, so the 32-bit flag formulas give their flags; a write to a
   * word register keeps its upper half. Other 16-bit forms run through `step`.
   */
  private wordInstruction(): boolean | null {
    const w = this.w;
    const op = this.byte();
    if (op < 0x40 && (op & 7) < 6) {
      if ((op & 1) === 0) return null; // a byte form: the prefix changes nothing, and it is rare
      const aop = op >> 3;
      if ((op & 7) === 5) {
        const imm = this.sword();
        this.modrm = 0xc0; // AX
        return this.alu(aop, 2, 'rm', () => w.i32(imm));
      }
      if (!this.operand()) return null;
      if ((op & 7) === 1) return this.alu(aop, 2, 'rm', () => this.regOperand(2, this.reg));
      return this.alu(aop, 2, 'reg', () => this.readRm(2, true));
    }
    if ((op & 0xf8) === 0xb8) {
      w.i32(this.sword()).set(V);
      this.setReg16(op & 7, V);
      return false;
    }
    switch (op) {
      case 0x90:
        return false;
      case 0x0f:
        return this.byte() === 0x1f ? this.hintNop() : null;
      case 0xa5:
        return this.stringElement(2, true);
      case 0xab:
        return this.stringElement(2, false);
      case 0x81:
      case 0x83: {
        if (!this.operand()) return null;
        const aop = this.reg;
        const imm = op === 0x81 ? this.sword() : this.sbyte();
        return this.alu(aop, 2, 'rm', () => w.i32(imm));
      }
      case 0x85:
        if (!this.operand()) return null;
        return this.alu(4, 2, 'none', () => this.regOperand(2, this.reg));
      case 0xa9: {
        const imm = this.sword();
        this.modrm = 0xc0;
        return this.alu(4, 2, 'none', () => w.i32(imm));
      }
      case 0x89:
        if (!this.operand()) return null;
        if (!this.isReg) this.checkEa(true, 2);
        this.regOperand(2, this.reg);
        w.set(V);
        this.writeRm(2, V);
        return false;
      case 0x8b: {
        if (!this.operand()) return null;
        const reg = this.reg;
        this.readRm(2, false);
        w.set(V);
        this.setReg16(reg, V);
        return false;
      }
      case 0xc1:
      case 0xd1:
      case 0xd3:
        return this.shiftGroup(op, 2);
      case 0xf7:
        return this.group3(2);
      case 0xc7:
        if (!this.operand() || this.reg !== 0) return null;
        if (!this.isReg) this.checkEa(true, 2);
        w.i32(this.sword()).set(V);
        this.writeRm(2, V);
        return false;
      default:
        return null;
    }
  }

  private hintNop(): boolean | null {
    const mark = this.w.bytes.length;
    if (!this.operand(false)) return null;
    this.w.bytes.length = mark;
    return false;
  }

  /** MOV AL/EAX <-> [moffs32] (A0..A3): glibc's `mov %gs:0x14, %eax` stack-protector load is one. */
  private moffs(op: number): boolean {
    const w = this.w;
    const size = (op & 1) === 0 ? 1 : 4;
    w.i32(this.dword());
    this.addSegmentBase();
    w.set(EA);
    this.modrm = 0; // a memory operand, for readRm and writeRm
    if (op < 0xa2) {
      this.readRm(size, false);
      w.set(V);
      if (size === 1) this.setReg8(0, V);
      else w.get(V).set(R0);
    } else {
      this.checkEa(true, size);
      w.get(R0).set(V);
      this.writeRm(size, V);
    }
    return false;
  }

  /**
   * INC or DEC of T into FR. They keep CF, which `eflags` then takes from `fl`: it is made current first.
   */
  private incDec(dec: boolean): void {
    const w = this.w;
    this.settleCarry();
    w.i32(1).set(V);
    this.produce(
      dec ? K_DEC : K_INC,
      () =>
        w
          .get(T)
          .i32(1)
          .op(dec ? Op.i32Sub : Op.i32Add),
      'incdec',
    );
  }

  /** FF: INC/DEC r/m32, CALL/JMP r/m32 (they leave: the target is computed), PUSH r/m32. */
  private group5(): boolean | null {
    const w = this.w;
    if (!this.operand()) return null;
    switch (this.reg) {
      case 0:
      case 1: {
        const dec = this.reg === 1;
        if (!this.isReg) this.checkEa(true, 4);
        this.readRmChecked(4);
        w.set(T);
        this.incDec(dec);
        this.writeRm(4, FR);
        return false;
      }
      case 2:
        this.readRm(4, false);
        w.set(T);
        w.i32(this.nextEip).set(V);
        this.push(V);
        w.get(T)
          .set(PC)
          .i32(this.since + 1)
          .set(D);
        this.leave();
        return true;
      case 4:
        this.readRm(4, false);
        w.set(PC)
          .i32(this.since + 1)
          .set(D);
        this.leave();
        return true;
      case 6:
        this.readRm(4, false);
        w.set(V);
        this.push(V);
        return false;
      default:
        return null;
    }
  }

  /** Pushes a register operand: a byte or word register sign-extended (see the flags note above), or a dword. */
  private regOperand(size: number, r: number): void {
    this.getReg(size, r, true);
  }

  /** Sign-extends the narrow (`size` 1 or 2) value on the stack to 32 bits, as flags of narrow results want. */
  private signExtend(size: number): void {
    if (size < 4)
      this.w
        .i32(32 - 8 * size)
        .op(Op.i32Shl)
        .i32(32 - 8 * size)
        .op(Op.i32ShrS);
  }

  /** Pushes the r/m operand whose page `checkEa` has checked already (for writing). */
  private readRmChecked(size: number): void {
    if (this.isReg) {
      this.getReg(size, this.rm, true);
      return;
    }
    this.physEa();
    this.w.mem(WasmRegionWriter.loadOp(size, true));
  }

  /**
   * ADD/OR/AND/SUB/XOR/CMP (aop 0, 1, 4, 5, 6, 7; TEST as AND with `dest` 'none') of the r/m operand and
   * `source` at `size` bytes, the result going to the r/m operand, the ModR/M reg register, or nowhere.
   */
  private alu(aop: number, size: number, dest: 'rm' | 'reg' | 'none', source: () => void): boolean | null {
    const w = this.w;
    const kind = [K_ADD, K_LOGIC, K_ADC, K_SBB, K_LOGIC, K_SUB, K_LOGIC, K_SUB][aop] as number;
    const writes = aop !== 7 && dest !== 'none';
    // ADC and SBB add CF: made current in `fl`, where `eflags` also finds it as their carry-in.
    const withCarry = kind === K_ADC || kind === K_SBB;
    if (withCarry) this.settleCarry();
    if (dest === 'reg') {
      this.regOperand(size, this.reg);
      w.set(T);
      source();
      w.set(V);
    } else {
      if (!this.isReg) this.checkEa(writes, size);
      this.readRmChecked(size);
      w.set(T);
      source();
      w.set(V);
    }
    const opcode = [Op.i32Add, Op.i32Or, Op.i32Add, Op.i32Sub, Op.i32And, Op.i32Sub, Op.i32Xor, Op.i32Sub][
      aop
    ] as number;
    this.produce(
      kind,
      () => {
        w.get(T).get(V).op(opcode);
        if (withCarry) w.get(FL).i32(1).op(Op.i32And).op(opcode);
        this.signExtend(size);
      },
      kind === K_SUB ? 'sub' : kind === K_LOGIC ? 'logic' : null,
    );
    if (!writes) return false;
    if (dest === 'reg') {
      this.setReg(size, this.reg, FR);
    } else {
      this.writeRm(size, FR);
    }
    return false;
  }

  /**
   * Group 2 (C0, C1, D0, D1, D2, D3; `size` 1, 2 or 4): SHL/SAL, SHR and SAR of r/m by 1, imm8 or CL, and
   * ROL/ROR r32 by 1 or imm8. A count of 0 (after masking to 5 bits) changes nothing, flags included: by CL,
   * what is pending afterwards is then known only at run time; by an immediate, a memory operand runs
   * through `step`. Narrow operands keep the 32-bit flag formulas (see the file comment): SAR and SHR take
   * the operand sign-extended, SHL takes it at the top of the dword, where bit 32 - count is CF. A narrow SHR
   * by more than its width (CF 0 there, not the sign) leaves for the interpreter.
   */
  private shiftGroup(op: number, size: number): boolean | null {
    const w = this.w;
    if (!this.operand()) return null;
    const byCl = op === 0xd2 || op === 0xd3;
    const count = byCl ? -1 : op === 0xd0 || op === 0xd1 ? 1 : this.byte() & 31;
    if (this.reg === 0 || this.reg === 1) {
      if (byCl || size === 1 || !this.isReg) return null;
      if (count !== 0) this.rotateRegister(this.reg === 1, count, size);
      return false;
    }
    const kind = [0, 0, 0, 0, K_SHL, K_SHR, K_SHL, K_SAR][this.reg] as number;
    if (kind === 0) return null;
    const bits = size * 8;
    const narrow = size < 4;
    if (count === 0) return this.isReg ? false : null;
    if (kind === K_SHR && narrow && count > bits) return null;
    if (!this.isReg) this.checkEa(true, size);
    if (byCl) {
      w.get(R0 + 1)
        .i32(31)
        .op(Op.i32And)
        .tee(V)
        .begin(Op.if, 'if');
      if (kind === K_SHR && narrow) {
        w.get(V).i32(bits).op(Op.i32GtU).begin(Op.if, 'if');
        this.leaveBefore();
        w.end();
      }
    } else w.i32(count).set(V);
    this.readRmChecked(size);
    if (kind === K_SHL && narrow) w.i32(32 - bits).op(Op.i32Shl);
    w.set(T);
    this.produce(
      kind,
      () => {
        if (kind === K_SHL) {
          w.get(T).get(V).op(Op.i32Shl);
          if (narrow) w.i32(32 - bits).op(Op.i32ShrS);
        } else if (kind === K_SHR) {
          w.get(T);
          if (narrow) w.i32(0xffff >>> (16 - bits)).op(Op.i32And);
          w.get(V).op(Op.i32ShrU);
        } else w.get(T).get(V).op(Op.i32ShrS);
      },
      null,
    );
    this.writeRm(size, FR);
    if (byCl) {
      w.end();
      this.pendingKind = UNKNOWN_KIND;
      this.producerNow = null;
    }
    return false;
  }

  /**
   * SHLD (0F A4 imm8, A5 CL) and SHRD (0F AC, AD) r/m32, r32: the flags as the interpreter's doubleShift
   * gives them (CF the last bit out, OF the sign's change), pending as K_GIVEN. A count of 0 is as in
   * `shiftGroup`.
   */
  private doubleShift(op: number): boolean | null {
    const w = this.w;
    if (!this.operand()) return null;
    const left = op < 0xa8;
    const byCl = (op & 1) === 1;
    const count = byCl ? -1 : this.byte() & 31;
    if (count === 0) return this.isReg ? false : null;
    const src = R0 + this.reg;
    if (!this.isReg) this.checkEa(true, 4);
    if (byCl)
      w.get(R0 + 1)
        .i32(31)
        .op(Op.i32And)
        .tee(V)
        .begin(Op.if, 'if');
    else w.i32(count).set(V);
    this.readRmChecked(4);
    w.set(T);
    const [toward, from] = left ? [Op.i32Shl, Op.i32ShrU] : [Op.i32ShrU, Op.i32Shl];
    w.get(T).get(V).op(toward);
    w.get(src).i32(32).get(V).op(Op.i32Sub).op(from);
    w.op(Op.i32Or).set(FR);
    w.get(T);
    if (left) w.i32(32).get(V).op(Op.i32Sub);
    else w.get(V).i32(1).op(Op.i32Sub);
    w.op(Op.i32ShrU).i32(1).op(Op.i32And).set(FA);
    w.get(FR).get(T).op(Op.i32Xor).i32(31).op(Op.i32ShrU).set(FB);
    w.i32(K_GIVEN).set(FK);
    this.writeRm(4, FR);
    if (byCl) w.end();
    this.pendingKind = byCl ? UNKNOWN_KIND : K_GIVEN;
    this.producerNow = null;
    return false;
  }

  /** Pushes EAX times V as an i64, the factors sign- or zero-extended. */
  private product64(signed: boolean): void {
    const extend = signed ? Op.i64ExtendI32S : Op.i64ExtendI32U;
    this.w.get(R0).op(extend).get(V).op(extend).op(Op.i64Mul);
  }

  /**
   * MUL or IMUL r/m32 (the factor in V): EDX:EAX = EAX * V. CF = OF = the high half is not zero (MUL) or
   * not the sign of the low half (IMUL), as the JS templates' lazy MUL and IMUL compute them.
   */
  private wideMultiply(signed: boolean): void {
    const w = this.w;
    w.get(R0).set(T);
    this.product64(signed);
    w.i64(32)
      .op(Op.i64ShrU)
      .op(Op.i32WrapI64)
      .set(R0 + 2);
    this.product64(signed);
    w.op(Op.i32WrapI64).set(R0);
    if (signed) {
      this.produce(K_IMUL, () => w.get(R0), null);
    } else {
      w.get(R0 + 2).set(T);
      this.produce(K_MUL, () => w.get(R0), null);
    }
  }

  /** Pushes EDX:EAX as an i64. */
  private dividend(): void {
    this.w
      .get(R0 + 2)
      .op(Op.i64ExtendI32U)
      .i64(32)
      .op(Op.i64Shl)
      .get(R0)
      .op(Op.i64ExtendI32U)
      .op(Op.i64Or);
  }

  /**
   * DIV or IDIV r/m32 (the divisor in V): EAX = EDX:EAX / V, EDX = the remainder; flags unchanged. A zero
   * divisor or a quotient that does not fit leaves before the instruction, for the decoded tier to raise
   * #DE; so does IDIV by -1, where WebAssembly would trap on the one overflowing dividend.
   */
  private wideDivide(signed: boolean): void {
    const w = this.w;
    w.get(V).op(Op.i32Eqz);
    if (signed) w.get(V).i32(-1).op(Op.i32Eq).op(Op.i32Or);
    else
      w.get(R0 + 2)
        .get(V)
        .op(Op.i32GeU)
        .op(Op.i32Or);
    w.begin(Op.if, 'if');
    this.leaveBefore();
    w.end();
    const divisor = () => w.get(V).op(signed ? Op.i64ExtendI32S : Op.i64ExtendI32U);
    this.dividend();
    divisor();
    w.op(signed ? Op.i64DivS : Op.i64DivU)
      .op(Op.i32WrapI64)
      .set(T);
    if (signed) {
      // The quotient must fit in 32 bits: EDX:EAX / V again, compared with T sign-extended.
      this.dividend();
      divisor();
      w.op(Op.i64DivS).get(T).op(Op.i64ExtendI32S).op(Op.i64Ne).begin(Op.if, 'if');
      this.leaveBefore();
      w.end();
    }
    this.dividend();
    divisor();
    w.op(signed ? Op.i64RemS : Op.i64RemU)
      .op(Op.i32WrapI64)
      .set(R0 + 2);
    w.get(T).set(R0);
  }

  /** IMUL of T and V into `reg`: CF = OF = the product does not fit. */
  private imul(reg: number): void {
    const w = this.w;
    this.produce(K_IMUL, () => w.get(T).get(V).op(Op.i32Mul), null);
    w.get(FR).set(R0 + reg);
  }

  private jcc(cc: number, target: number): boolean {
    return this.branch(() => this.condition(cc), target);
  }

  /** A conditional branch to `target` when `test` pushes non-zero, else on to the next instruction. */
  private branch(test: () => void, target: number): boolean {
    const w = this.w;
    const fallthrough = this.nextEip;
    this.enqueue(fallthrough);
    this.enqueue(target);
    test();
    w.begin(Op.if, 'if');
    this.goto(target, this.since + 1);
    w.end();
    this.goto(fallthrough, this.since + 1);
    return true;
  }

  /** PUSH of local `from`: ESP-4 must be dword-aligned and writable, else the instruction runs elsewhere. */
  private push(from: number): void {
    const w = this.w;
    w.get(R0 + 4)
      .i32(4)
      .op(Op.i32Sub)
      .set(EA);
    this.stackPage(true);
    this.physEa();
    w.get(from).mem(Op.i32Store);
    w.get(EA).set(R0 + 4);
  }

  /** POP into V, from the slot the local `top` (ESP, or EBP for LEAVE) points at; ESP goes past it. */
  private pop(top = R0 + 4): void {
    const w = this.w;
    w.get(top).set(EA);
    this.stackPage(false);
    this.physEa();
    w.mem(Op.i32Load).set(V);
    w.get(top)
      .i32(4)
      .op(Op.i32Add)
      .set(R0 + 4);
  }

  /** A stack slot's page (`checkEa`), which must also be dword-aligned (else the slot may cross it). */
  private stackPage(write: boolean): void {
    this.checkEa(write, 1, 3);
  }

  /** RET to the address in V: a return address of the region goes on there, any other leaves. */
  private ret(retired: number): void {
    const w = this.w;
    this.addN(retired);
    const returns =
      this.plan === null ? [] : [...this.plan.callReturns].filter((eip) => this.labelOf(eip) >= 0);
    for (const eip of returns) {
      w.get(V).i32(eip).op(Op.i32Eq).begin(Op.if, 'if');
      this.guardPage(eip, 0);
      this.gotoLabel(eip, this.labelOf(eip));
      w.end();
    }
    w.get(V).set(PC).i32(0).set(D);
    this.leave();
  }
}

/**
 * The loops of a region from the first pass's instructions (`eips`, in writing order), labels and gotos: the
 * labels a goto from their own code (up to the next label) goes back to, and the scopes of labels a goto
 * from a later label's code goes back to the first of.
 */
function regionLoops(
  eips: readonly number[],
  labelEips: readonly number[],
  gotos: readonly [number, number][],
): { loopLabels: Set<number>; scopes: RegionScopes } {
  const labelAt = new Map(labelEips.map((eip, i) => [eip, i]));
  const segmentOf = new Int32Array(eips.length);
  let segment = -1;
  eips.forEach((eip, i) => {
    segment = labelAt.get(eip) ?? segment;
    segmentOf[i] = segment;
  });
  const loopLabels = new Set<number>();
  const backGotos: [number, number][] = [];
  for (const [from, target] of gotos) {
    const to = labelAt.get(target);
    const source = segmentOf[from];
    if (to === undefined || source === undefined || source < 0) continue;
    if (to === source) loopLabels.add(target);
    else if (to < source) backGotos.push([source, to]);
  }
  return { loopLabels, scopes: new RegionScopes(labelEips.length, backGotos) };
}

const RUN_TYPE = { params: [I32, I32], results: [I32] };
/** The host call's type, first in a region's type section (a `call_indirect` names its type by index). */
const T_STEP = 0;

/**
 * What `compileWasmRegion` answers for a region with x87 instructions that have no plan (x87-wasm.ts): the JS
 * region compiler calls the x87 unit's fast paths for more forms inline (block-compiler.ts).
 */
export const PREFER_JS = Symbol('prefer the JS region compiler');

/** Whether the instruction at `at` (after any prefixes) is an x87 escape, D8..DF. */
function isX87Escape(u8: Uint8Array, at: number): boolean {
  let op = at;
  while (INSTRUCTION_PREFIXES.has(u8[op] as number) && op < at + 14) op++;
  const first = u8[op] as number;
  return first >= 0xd8 && first <= 0xdf;
}

/** A compiled WebAssembly region: run(entryLabel, budget) → exit; plus what the run loop records. */
export interface WasmRegion {
  readonly run: (label: number, left: number) => number;
  readonly eips: Int32Array;
  readonly retiredBefore: Int32Array;
  readonly labelEips: readonly number[];
  readonly count: number;
  /**
   * Whether it runs x87 or MMX instructions itself (x87-stack.ts, mmx-wasm.ts): the x87 words must be in the
   * arch area.
   */
  readonly x87: boolean;
  /** The frames it holds code from besides its entry's (each one's invalidation must drop it). */
  readonly otherFrames: readonly number[];
}

/** Host objects a region module imports. */
export interface WasmImports {
  readonly memory: object;
  readonly memoryPages: number;
  /** The host calls' table (region-chain.ts's `hostTable`): SLOT_STEP. */
  readonly table: object;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/**
 * Compiles the region entered at `src.lin`, or returns null when its first instruction has no template.
 * `entries(eips)` picks, of the instructions the first pass wrote, those that must get labels besides
 * the jump targets (decoded blocks that start there, so they can enter this region).
 */
export function compileWasmRegion(
  src: RegionSource,
  imports: WasmImports,
  entries: (eips: readonly number[]) => number[],
): WasmRegion | null | typeof PREFER_JS {
  const survey = new WasmRegionWriter(src, new Set(), null);
  if (survey.write() === 0) return null;
  if (survey.x87Escapes > 0) return PREFER_JS;
  const labels = new Set([src.lin, ...survey.targets, ...entries(survey.eips)]);
  const written = WasmRegionWriter.regs(survey.w.writesMask);
  const labelEips = survey.eips.filter((eip) => labels.has(eip));
  const plan: Pass = {
    // A register written on one path and not another must still hold its value on the way out.
    regsUsed: WasmRegionWriter.regs(survey.w.readsMask) | written,
    regsWritten: written,
    eips: survey.eips,
    retiredBefore: survey.retiredBefore,
    targets: survey.targets,
    callReturns: survey.callReturns,
    labelEips,
    ...regionLoops(survey.eips, labelEips, survey.gotos),
    x87: survey.x87Planned > 0,
    pages: survey.pages,
    mmx: survey.mmxWritten > 0,
  };
  // Only labels at instructions the first pass wrote: the case blocks are opened before the code.
  const writer = new WasmRegionWriter(src, new Set(plan.labelEips), plan);
  const count = writer.write();
  const x87 = plan.x87;
  const x87Locals = x87 || plan.mmx;
  const bytes = encodeModule({
    types: [STEP_TYPE, INLINE_BLOCK_TYPE],
    table: true,
    imports: [],
    memoryPages: imports.memoryPages,
    functions: [
      {
        type: RUN_TYPE,
        locals: LOCALS + (x87Locals ? X87_I32_LOCALS + INLINE_I32_LOCALS : 0),
        locals64: x87Locals ? X87_I64_LOCALS + INLINE_I64_LOCALS + MMX_I64_LOCALS : 0,
        localsF64: x87Locals ? INLINE_F64_LOCALS : 0,
        body: writer.w,
      },
      { type: EFLAGS_TYPE, locals: EFLAGS_LOCALS, body: eflagsFunction() },
      ...(x87 ? x87Functions() : []),
    ],
  });
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const instance = new api.Instance(new api.Module(bytes), {
    env: { memory: imports.memory, table: imports.table },
  });
  return {
    run: instance.exports.run as (label: number, left: number) => number,
    eips: Int32Array.from(writer.eips),
    retiredBefore: Int32Array.from(writer.retiredBefore),
    labelEips: writer.labelEips,
    count,
    x87: x87Locals,
    otherFrames: [...plan.pages.values()].filter((phys) => phys !== src.page).map((phys) => phys >>> 12),
  };
}

/** Whether `c` can run WebAssembly regions. */
export function wasmCapable(c: CpuCore, archOffset: number): boolean {
  return archOffset >= 0 && c.regs.buffer === c.mmu.tlbRead.buffer;
}
