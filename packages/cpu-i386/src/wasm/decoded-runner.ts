/**
 * The decoded tier's inline paths in WebAssembly: one function that runs packed instructions
 * (decoded-code.ts) of the forms decoded-fast.ts names, from words kept in the arch area, on the registers
 * and lazy flags kept there too. Layer: arch plugin (cpu-i386); decoded-block.ts's `runDecoded` calls it in
 * place of its JS loop (`runInline`) for blocks whose words are in the area, and runs what it declines
 * through the records as before.
 *
 * Why: the JS loop costs ~100 host instructions an instruction beyond the work itself (V8 checks the
 * maps of the core and the word array, reloads typed arrays' bases and lengths, tags and overflow-checks
 * small integers); the same loop in WebAssembly has none of that.
 *
 * How it works
 * - `run(from, end)` takes byte addresses of packed instructions in the memory and returns where it stopped:
 *   `end`, or the first instruction it declines, nothing of it done. It declines exactly where the JS paths
 *   fall back to the record (the segment needs checks, the operand's page is not in the TLB for the access,
 *   a dword would cross the page end) and, besides, where a flag it needs was left by an operation it does
 *   not compute (ADC, SBB, rotates; CF or OF of a multiply or a lazy shift) and for the ALU's ADC and SBB.
 * - The lazy flags are CpuCore's, in its own encoding (flags.ts): the operands and result at LAZY_AT, the
 *   rest (`flags`, `lazyMask`, `lazyOp`, `lazyWidthMask`) in exchange slots the caller fills and reads back.
 *   A run keeps them all in locals. EIP goes in and out through EXCHANGE_EIP (branches set it).
 * - Stores go through the write TLB only, which never holds a page with cached code (mmu.ts): no store here
 *   reaches code, as in the JS paths.
 */
import type { PhysicalMemory } from '@kmos/abi-driver';
import { ALU_CMP } from '../alu.js';
import type { Block } from '../code-cache.js';
import {
  EAX,
  EBP,
  ECX,
  EDX,
  ESP,
  FLAG_CF,
  FLAG_DF,
  FLAG_OF,
  FLAG_PF,
  FLAG_SF,
  FLAG_ZF,
  FLAGS_STATUS,
  SEG_SS,
} from '../constants.js';
import { type CpuCore, LAZY_A, LAZY_B, LAZY_RES, LazyOp } from '../cpu-core.js';
import { runPackedRecord } from '../decoded-block.js';
import {
  FORM_WIDTH_SHIFT,
  H_INSNS,
  H_LIN,
  H_LINK0,
  H_LINK0_EIP,
  H_LINK1,
  H_LINK1_EIP,
  H_OPEN,
  H_PAGE,
  H_RUNS,
  HEADER_WORDS,
  OPS_BASE_SHIFT,
  OPS_ENDS_BLOCK,
  OPS_FAST_STORE,
  OPS_INDEX_SHIFT,
  OPS_REG_SHIFT,
  OPS_RM_SHIFT,
  OPS_SCALE_SHIFT,
  OPS_SEG_SHIFT,
  OPS_SUB_SHIFT,
  W_DISP,
  W_FORM,
  W_IMM,
  W_NEXT,
  W_OPS,
  W_SPEC,
  W_TARGET,
  WIDTH_CODE_8,
  WORDS_PER_INSN,
} from '../decoded-code.js';
import { Fast } from '../decoded-fast.js';
import { Kind } from '../decoded-handlers.js';
import { ALU_OPS, BY_FAST_KINDS, Spec } from '../decoded-spec.js';
import { FAULTED } from '../fault.js';
import { CONTINUE } from '../interpreter.js';
import {
  archInt32Array,
  archStateOffset,
  DECODED_AT,
  DECODED_ENTRIES_AT,
  DECODED_ENTRY_BYTES,
  DECODED_ENTRY_HEADER,
  DECODED_ENTRY_LIN,
  DECODED_ENTRY_PHYS,
  DECODED_ENTRY_SLOTS,
  DECODED_WORDS,
  decodedEntryOffset,
  EXCHANGE_AT,
  EXCHANGE_DECODED_BLOCK,
  EXCHANGE_EIP,
  EXCHANGE_FLAGS,
  EXCHANGE_HANDOFF_STOP,
  EXCHANGE_IRQ,
  EXCHANGE_LAZY_MASK,
  EXCHANGE_LAZY_OP,
  EXCHANGE_LAZY_WIDTH,
  EXCHANGE_RETIRED,
  EXCHANGE_SEG_CHECK,
  EXCHANGE_SLOTS,
  LAZY_AT,
  REGS_AT,
  SEG_BASE_AT,
  TLB_READ_AT,
  TLB_WRITE_AT,
} from './arch-state.js';
import { CodeWriter, encodeModule, I32, Op } from './wasm-encoder.js';

// Locals: the four parameters (see `run`), then these.
const P = 0;
const END = 1;
const LEFT = 2;
/** The header of the block `P` is in (a byte address), as the caller passes it; the run keeps it in CUR. */
const HEADER_IN = 3;
const OPS = 4;
/** The operand's physical address. */
const A = 5;
const X = 6;
const Y = 7;
const R = 8;
const T = 9;
const V = 10;
/** Forms by record kind: the FORM word, its width code and mask, and the r/m operand's and stack slot's addresses. */
const FORM = 11;
const WC = 12;
const M = 13;
const RM = 14;
const S = 15;
/** Holds a value on its way to a state slot's home (StateWriter). */
const SCRATCH = 16;
const LOCALS = 13;
/** The one i64 local, after the i32s: a 64-bit product. */
const PRODUCT = 4 + LOCALS;

/**
 * The run state, which the code names like locals but StateWriter keeps in the arch area (stateHomes): the
 * lazy flags, EIP, the header of the block being run (a byte address), and the instructions retired by this
 * call before that block.
 */
const FL = 100;
const LM = 101;
const LOP = 102;
const LW = 103;
const LA = 104;
const LB = 105;
const LR = 106;
const EIP = 107;
const CUR = 108;
const DONE = 109;

const INSN_BYTES = WORDS_PER_INSN * 4;

/** Byte addresses in the memory of what the runner reads and writes, and the JIT threshold. */
interface Layout {
  readonly regs: number;
  readonly lazy: number;
  readonly segBase: number;
  readonly tlbRead: number;
  readonly tlbWrite: number;
  readonly exchange: number;
  /** The arena of packed instructions (DECODED_AT). */
  readonly arena: number;
  readonly jitThreshold: number;
}

/**
 * The runner's module for the arch area at `archOffset` of a memory of `memoryPages` pages; it stops
 * before a block that has run `jitThreshold` times (0: never), which the run loop then compiles.
 */
export function decodedRunnerModule(
  archOffset: number,
  memoryPages: number,
  jitThreshold: number,
): Uint8Array {
  const layout: Layout = {
    regs: archOffset + REGS_AT,
    lazy: archOffset + LAZY_AT,
    segBase: archOffset + SEG_BASE_AT,
    tlbRead: archOffset + TLB_READ_AT,
    tlbWrite: archOffset + TLB_WRITE_AT,
    exchange: archOffset + EXCHANGE_AT,
    arena: archOffset + DECODED_AT,
    jitThreshold,
  };
  return encodeModule({
    imports: [],
    memoryPages,
    functions: [
      {
        type: { params: [I32, I32, I32, I32], results: [I32] },
        locals: LOCALS,
        locals64: 1,
        body: writeRunner(layout),
      },
    ],
  });
}

/** The lazy-flag state, EIP, CUR and DONE, by the local number the code names them with, and where each lives. */
function stateHomes(l: Layout): Map<number, number> {
  return new Map([
    [FL, l.exchange + EXCHANGE_FLAGS * 4],
    [LM, l.exchange + EXCHANGE_LAZY_MASK * 4],
    [LOP, l.exchange + EXCHANGE_LAZY_OP * 4],
    [LW, l.exchange + EXCHANGE_LAZY_WIDTH * 4],
    [LA, l.lazy + LAZY_A * 4],
    [LB, l.lazy + LAZY_B * 4],
    [LR, l.lazy + LAZY_RES * 4],
    [EIP, l.exchange + EXCHANGE_EIP * 4],
    [CUR, l.exchange + EXCHANGE_DECODED_BLOCK * 4],
    [DONE, l.exchange + EXCHANGE_RETIRED * 4],
  ]);
}

/**
 * A CodeWriter that reads and writes the run state (stateHomes) where the JS side keeps it, in the arch
 * area, when the code names its local. Why: as locals, the state lives across the runner's loop, and
 * TurboFan spilled and reloaded every such local on every instruction run (~10 host instructions each time,
 * measured with perf); in memory, only the instructions that change the state pay, a store apiece.
 */
class StateWriter extends CodeWriter {
  constructor(private readonly homes: Map<number, number>) {
    super();
  }

  override get(local: number): this {
    const at = this.homes.get(local);
    return at === undefined ? super.get(local) : this.i32(0).mem(Op.i32Load, at);
  }

  override set(local: number): this {
    const at = this.homes.get(local);
    if (at === undefined) return super.set(local);
    return super.set(SCRATCH).i32(0).get(SCRATCH).mem(Op.i32Store, at);
  }

  override tee(local: number): this {
    if (!this.homes.has(local)) return super.tee(local);
    return this.set(local).get(SCRATCH);
  }
}

function writeRunner(l: Layout): CodeWriter {
  const w = new StateWriter(stateHomes(l));
  // DONE starts less the instructions of the block before P: it counts whole blocks (writeNextBlock).
  w.get(HEADER_IN).set(CUR);
  w.i32(0);
  blockInstructionsTo(w, () => w.get(P));
  w.op(Op.i32Sub).set(DONE);
  w.begin(Op.block, 'exit');
  w.begin(Op.loop, 'next');
  w.begin(Op.block, 'advance');
  w.get(P).get(END).op(Op.i32Eq).begin(Op.if, 'done');
  writeNextBlock(w, l);
  w.end();
  writeSpecialized(w, l);
  w.end();
  w.get(P).i32(INSN_BYTES).op(Op.i32Add).set(P);
  w.br('next');
  w.end().end();
  w.get(DONE);
  blockInstructionsTo(w, () => w.get(P));
  w.op(Op.i32Add).set(DONE);
  // CUR's home is where the caller wants the block's header as a word index.
  w.get(CUR).i32(l.arena).op(Op.i32Sub).i32(2).op(Op.i32ShrU).set(CUR);
  w.get(P);
  return w;
}

/** Pushes the number of instructions of block CUR before the one at the byte address `at` pushes. */
function blockInstructionsTo(w: CodeWriter, at: () => void): void {
  at();
  w.get(CUR)
    .i32(HEADER_WORDS * 4)
    .op(Op.i32Add)
    .op(Op.i32Sub)
    .i32(INSN_BYTES)
    .op(Op.i32DivU);
}

/** Pushes header word `word` of the block whose header is at the byte address in `local`. */
function headerWord(w: CodeWriter, local: number, word: number): CodeWriter {
  return w.get(local).mem(Op.i32Load, word * 4);
}

/**
 * The block is done: EIP goes past it unless its last instruction branched; then the run goes on into
 * the block its links give for EIP where the run loop would enter it as a decoded block (see the header's
 * words in decoded-code.ts), else leaves with P at the block's end.
 */
function writeNextBlock(w: CodeWriter, l: Layout): void {
  // X: the block just run; Y: EIP (both read once: they live in memory).
  w.get(CUR).set(X);
  w.get(EIP).set(Y);
  w.get(END)
    .i32(INSN_BYTES)
    .op(Op.i32Sub)
    .tee(T)
    .mem(Op.i32Load, W_OPS * 4);
  w.i32(OPS_ENDS_BLOCK).op(Op.i32And).op(Op.i32Eqz).begin(Op.if, 'fallthrough');
  w.get(T)
    .mem(Op.i32Load, W_NEXT * 4)
    .tee(Y)
    .set(EIP);
  w.end();
  w.i32(0)
    .mem(Op.i32Load, l.exchange + EXCHANGE_IRQ * 4)
    .brIf('exit');
  // T: the linked block's header (a word index, then a byte address).
  headerWord(w, X, H_LINK0);
  headerWord(w, X, H_LINK1);
  headerWord(w, X, H_LINK0_EIP).get(Y).op(Op.i32Eq).op(Op.select);
  headerWord(w, X, H_LINK1_EIP).get(Y).op(Op.i32Eq);
  headerWord(w, X, H_LINK0_EIP).get(Y).op(Op.i32Eq).op(Op.i32Or).op(Op.i32Eqz);
  w.brIf('exit').tee(T).i32(0).op(Op.i32LtS).brIf('exit');
  w.get(T).i32(2).op(Op.i32Shl).i32(l.arena).op(Op.i32Add).tee(T);
  w.mem(Op.i32Load, H_OPEN * 4)
    .op(Op.i32Eqz)
    .brIf('exit');
  // The header is the block for EIP (the link's target may have been dropped and its room reused).
  headerWord(w, T, H_LIN).get(Y).op(Op.i32Ne).brIf('exit');
  // The TLB still maps EIP to the frame the block was decoded from.
  w.get(Y).i32(12).op(Op.i32ShrU).i32(2).op(Op.i32Shl).mem(Op.i32Load, l.tlbRead);
  headerWord(w, T, H_PAGE).op(Op.i32Ne).brIf('exit');
  // The budget has room for all of it (R: the count with the block just run).
  w.get(DONE);
  headerWord(w, X, H_INSNS).op(Op.i32Add).tee(R);
  headerWord(w, T, H_INSNS).op(Op.i32Add).get(LEFT).op(Op.i32GtS).brIf('exit');
  // A block due to be compiled is left to the run loop, which compiles it.
  headerWord(w, T, H_RUNS).set(V);
  if (l.jitThreshold > 0) w.get(V).i32(l.jitThreshold).op(Op.i32Eq).brIf('exit');
  w.get(T)
    .get(V)
    .i32(1)
    .op(Op.i32Add)
    .mem(Op.i32Store, H_RUNS * 4);
  w.get(R).set(DONE);
  w.get(T).set(CUR);
  w.get(T)
    .i32(HEADER_WORDS * 4)
    .op(Op.i32Add)
    .tee(P);
  headerWord(w, T, H_INSNS).i32(INSN_BYTES).op(Op.i32Mul).op(Op.i32Add).set(END);
}

// ---- Operand fields and registers --------------------------------------------------------------------------

/** Pushes the OPS field at `shift` of `mask`. */
function field(w: CodeWriter, shift: number, mask: number): CodeWriter {
  return w.get(OPS).i32(shift).op(Op.i32ShrU).i32(mask).op(Op.i32And);
}

/** Pushes the word `word` of the instruction. */
function word(w: CodeWriter, word: number): CodeWriter {
  return w.get(P).mem(Op.i32Load, word * 4);
}

/** Pushes the byte offset of the register in the OPS field at `shift` (from the registers' address). */
function regOffset(w: CodeWriter, shift: number): CodeWriter {
  return field(w, shift, 7).i32(2).op(Op.i32Shl);
}

/** Pushes the register at the byte offset `offset` pushes (from the registers' address). */
function loadRegAt(w: CodeWriter, l: Layout, offset: () => void): CodeWriter {
  offset();
  return w.mem(Op.i32Load, l.regs);
}

/** Stores the value `value` pushes into the register at the byte offset `offset` pushes. */
function storeRegAt(w: CodeWriter, l: Layout, offset: () => void, value: () => void): void {
  offset();
  value();
  w.mem(Op.i32Store, l.regs);
}

function loadReg(w: CodeWriter, l: Layout, shift: number): CodeWriter {
  return loadRegAt(w, l, () => regOffset(w, shift));
}

/** Stores the value `value` pushes into the register in the OPS field at `shift`. */
function storeReg(w: CodeWriter, l: Layout, shift: number, value: () => void): void {
  storeRegAt(w, l, () => regOffset(w, shift), value);
}

function loadEsp(w: CodeWriter, l: Layout): CodeWriter {
  return w.i32(0).mem(Op.i32Load, l.regs + ESP * 4);
}

/** ESP += delta (the value `delta` pushes). */
function addEsp(w: CodeWriter, l: Layout, delta: () => void): void {
  w.i32(0);
  loadEsp(w, l);
  delta();
  w.op(Op.i32Add).mem(Op.i32Store, l.regs + ESP * 4);
}

/** Pushes the memory operand's offset in its segment, disp + base + (index << scale), kept in R. */
function writeOffset(w: CodeWriter, l: Layout): void {
  word(w, W_DISP).set(R);
  for (const shift of [OPS_BASE_SHIFT, OPS_INDEX_SHIFT]) {
    // A register field is the register + 1, 0 for none.
    field(w, shift, 0xf).tee(T).begin(Op.if, 'reg');
    w.get(R)
      .get(T)
      .i32(2)
      .op(Op.i32Shl)
      .mem(Op.i32Load, l.regs - 4);
    if (shift === OPS_INDEX_SHIFT) field(w, OPS_SCALE_SHIFT, 3).op(Op.i32Shl);
    w.op(Op.i32Add).set(R).end();
  }
  w.get(R);
}

/**
 * Sets A to the physical address of the memory operand (`memory`) or the stack slot (ESP, or ESP - 4 for a
 * store), or leaves the run: a segment that needs checks, a page not in the TLB, a dword across the end.
 */
function writeOperand(w: CodeWriter, l: Layout, memory: boolean): void {
  const tlb = () => w.i32(l.tlbWrite).i32(l.tlbRead).get(OPS).i32(OPS_FAST_STORE).op(Op.i32And).op(Op.select);
  if (memory)
    lookup(
      w,
      l,
      A,
      () => field(w, OPS_SEG_SHIFT, 7),
      () => writeOffset(w, l),
      tlb,
    );
  else {
    // A push's slot is below ESP: 4 less when OPS_FAST_STORE (bit 5) is set.
    const slot = () => {
      loadEsp(w, l);
      w.get(OPS).i32(OPS_FAST_STORE).op(Op.i32And).i32(3).op(Op.i32ShrU).op(Op.i32Sub);
    };
    lookup(w, l, A, () => w.i32(SEG_SS), slot, tlb);
  }
}

/**
 * Sets local `into` to the physical address of the offset `offset` pushes in the segment `seg` pushes, through
 * the TLB whose address `tlb` pushes, or leaves the run: a segment that needs checks, a page not in the TLB,
 * a dword across the page end (one check for every width, as the JS paths make). Uses V and X.
 */
function lookup(
  w: CodeWriter,
  l: Layout,
  into: number,
  seg: () => void,
  offset: () => void,
  tlb: () => void,
): void {
  seg();
  w.set(V);
  w.i32(0)
    .mem(Op.i32Load, l.exchange + EXCHANGE_SEG_CHECK * 4)
    .get(V)
    .op(Op.i32ShrU)
    .i32(1)
    .op(Op.i32And);
  w.brIf('exit');
  offset();
  // The linear address, then its page's frame through the TLB.
  w.get(V).i32(2).op(Op.i32Shl).mem(Op.i32Load, l.segBase).op(Op.i32Add).tee(X);
  w.i32(12).op(Op.i32ShrU).i32(2).op(Op.i32Shl);
  tlb();
  w.op(Op.i32Add).mem(Op.i32Load).tee(into).i32(0).op(Op.i32LtS).brIf('exit');
  w.get(X).i32(0xfff).op(Op.i32And).tee(X).i32(0xffc).op(Op.i32GtU).brIf('exit');
  w.get(into).get(X).op(Op.i32Or).set(into);
}

/** Sets S to the physical address of the slot a push writes (ESP - 4), or leaves the run. */
function pushSlot(w: CodeWriter, l: Layout): void {
  const slot = () => loadEsp(w, l).i32(4).op(Op.i32Sub);
  lookup(
    w,
    l,
    S,
    () => w.i32(SEG_SS),
    slot,
    () => w.i32(l.tlbWrite),
  );
}

// ---- Lazy flags (flags.ts's encoding) --------------------------------------------------------------------

/** Records an ALU result as setLazy does: operands X and Y, result R, width mask `width`, op LOP set already. */
function setLazy(w: CodeWriter, width: () => void): void {
  w.get(X).set(LA).get(Y).set(LB).get(R).set(LR);
  width();
  w.set(LW).i32(FLAGS_STATUS).set(LM);
}

/** Leaves the run unless the lazy op is ADD, SUB or LOGIC: what the flag readers below compute. */
function requireSimpleOp(w: CodeWriter): void {
  w.get(LOP).i32(LazyOp.ADD).op(Op.i32Ne);
  w.get(LOP).i32(LazyOp.SUB).op(Op.i32Ne).op(Op.i32And);
  w.get(LOP).i32(LazyOp.LOGIC).op(Op.i32Ne).op(Op.i32And).brIf('exit');
}

/** Sets local `into` to 1 or 0: the flag `flag`, stored in FL or computed by `lazy` (which pushes it). */
function readFlag(w: CodeWriter, into: number, flag: number, lazy: () => void): void {
  w.get(LM).i32(flag).op(Op.i32And).begin(Op.if, 'lazy');
  lazy();
  w.set(into).else();
  w.get(FL).i32(flag).op(Op.i32And).i32(0).op(Op.i32Ne).set(into);
  w.end();
}

/** Pushes the sign bit of the lazy width mask (0x80, 0x8000 or 1 << 31). */
function signBit(w: CodeWriter): CodeWriter {
  return w.get(LW).get(LW).i32(1).op(Op.i32ShrU).op(Op.i32Xor);
}

function readCF(w: CodeWriter, into: number): void {
  readFlag(w, into, FLAG_CF, () => {
    requireSimpleOp(w);
    // ADD: the result below the first operand; SUB: the first operand below the second; LOGIC: 0.
    w.get(LR).get(LA).get(LOP).i32(LazyOp.ADD).op(Op.i32Eq).op(Op.select).get(LW).op(Op.i32And);
    w.get(LA).get(LB).get(LOP).i32(LazyOp.ADD).op(Op.i32Eq).op(Op.select).get(LW).op(Op.i32And);
    w.op(Op.i32LtU).get(LOP).i32(LazyOp.LOGIC).op(Op.i32Ne).op(Op.i32And);
  });
}

function readZF(w: CodeWriter, into: number): void {
  readFlag(w, into, FLAG_ZF, () => w.get(LR).get(LW).op(Op.i32And).op(Op.i32Eqz));
}

function readSF(w: CodeWriter, into: number): void {
  readFlag(w, into, FLAG_SF, () => {
    w.get(LR);
    signBit(w).op(Op.i32And).i32(0).op(Op.i32Ne);
  });
}

function readPF(w: CodeWriter, into: number): void {
  readFlag(w, into, FLAG_PF, () =>
    w.get(LR).i32(0xff).op(Op.i32And).op(Op.i32Popcnt).i32(1).op(Op.i32And).op(Op.i32Eqz),
  );
}

function readOF(w: CodeWriter, into: number): void {
  readFlag(w, into, FLAG_OF, () => {
    requireSimpleOp(w);
    // ADD: (a ^ r) & (b ^ r); SUB: (a ^ b) & (a ^ r); the sign bit of it. LOGIC: 0.
    w.get(LA).get(LR).op(Op.i32Xor);
    w.get(LB).get(LR).op(Op.i32Xor).get(LA).get(LB).op(Op.i32Xor);
    w.get(LOP).i32(LazyOp.ADD).op(Op.i32Eq).op(Op.select).op(Op.i32And);
    signBit(w).op(Op.i32And).i32(0).op(Op.i32Ne);
    w.get(LOP).i32(LazyOp.LOGIC).op(Op.i32Ne).op(Op.i32And);
  });
}

/** Sets V to L, signed less: SF != OF. */
function lessThan(w: CodeWriter): void {
  readSF(w, T);
  readOF(w, V);
  w.get(V).get(T).op(Op.i32Xor).set(V);
}

/**
 * Writers of the eight conditions a condition code's upper bits name (its low bit negates), each setting V;
 * SDM vol. 1, appendix B.
 */
const CONDITION_HALVES: ((w: CodeWriter) => void)[] = [
  (w) => readOF(w, V),
  (w) => readCF(w, V),
  (w) => readZF(w, V),
  (w) => {
    readCF(w, T);
    readZF(w, V);
    w.get(V).get(T).op(Op.i32Or).set(V);
  },
  (w) => readSF(w, V),
  (w) => readPF(w, V),
  (w) => lessThan(w),
  (w) => {
    lessThan(w);
    readZF(w, T);
    w.get(V).get(T).op(Op.i32Or).set(V);
  },
];

/** Sets V to condition code `sub` (Jcc's low nibble). */
function writeCondition(w: CodeWriter): void {
  field(w, OPS_SUB_SHIFT, 0xf).set(Y);
  const names = CONDITION_HALVES.map((_, i) => `cc${i}`);
  w.begin(Op.block, 'cc');
  for (let i = names.length - 1; i >= 0; i--) w.begin(Op.block, names[i] as string);
  w.get(Y).i32(1).op(Op.i32ShrU).brTable(names, 'exit');
  for (const condition of CONDITION_HALVES) {
    w.end();
    condition(w);
    w.br('cc');
  }
  w.end();
  w.get(V).get(Y).i32(1).op(Op.i32And).op(Op.i32Xor).set(V);
}

/** Sets V to condition code `cc`, known when the runner is written. */
function writeConditionCode(w: CodeWriter, cc: number): void {
  (CONDITION_HALVES[cc >> 1] as (w: CodeWriter) => void)(w);
  if (cc & 1) w.get(V).i32(1).op(Op.i32Xor).set(V);
}

// ---- The ALU ------------------------------------------------------------------------------------------------

/** Group-1 operations by `sub`: the wasm operation and the lazy op; null for ADC and SBB (they read CF). */
const ALU_OPERATIONS: ([number, number] | null)[] = [
  [Op.i32Add, LazyOp.ADD],
  [Op.i32Or, LazyOp.LOGIC],
  null,
  null,
  [Op.i32And, LazyOp.LOGIC],
  [Op.i32Sub, LazyOp.SUB],
  [Op.i32Xor, LazyOp.LOGIC],
  [Op.i32Sub, LazyOp.SUB], // CMP
];

/** R = X op Y for group-1 operation `op` (not ADC or SBB) of width `width` (which pushes the mask), and LOP. */
function writeAluResult(w: CodeWriter, op: number, width: () => void): void {
  const [code, lazyOp] = ALU_OPERATIONS[op] as [number, number];
  w.get(X).get(Y).op(code);
  width();
  w.op(Op.i32And).set(R).i32(lazyOp).set(LOP);
}

/**
 * R = X op Y for the group-1 operation in `sub`, of width `width` (which pushes the mask), with the lazy
 * flags as alu.ts leaves them; leaves the run for ADC and SBB (they read CF). T keeps the operation.
 */
function writeAlu(w: CodeWriter, width: () => void): void {
  field(w, OPS_SUB_SHIFT, 0xf).set(T);
  const names = ALU_OPERATIONS.map((operation, op) => (operation === null ? 'exit' : `alu${op}`));
  const ops = ALU_OPERATIONS.flatMap((operation, op) => (operation === null || op === ALU_CMP ? [] : [op]));
  w.begin(Op.block, 'alu');
  for (let i = ops.length - 1; i >= 0; i--) w.begin(Op.block, `alu${ops[i]}`);
  // CMP computes what SUB does.
  w.get(T).brTable(
    names.map((name, op) => (op === ALU_CMP ? 'alu5' : name)),
    'exit',
  );
  for (const op of ops) {
    w.end();
    writeAluResult(w, op, width);
    w.br('alu');
  }
  w.end();
  setLazy(w, width);
}

/** Whether the ALU operation in T writes its result (CMP does not). */
function aluWrites(w: CodeWriter): CodeWriter {
  return w.get(T).i32(ALU_CMP).op(Op.i32Ne);
}

const dword = (w: CodeWriter) => () => w.i32(-1);

/**
 * R = X shifted by Y (1..31) for the group-2 operation in the reg field, SHL/SAL, SHR or SAR, with V = CF | OF
 * as alu.ts's shiftRotate computes them at 32 bits; rotates leave the run.
 */
function writeShift(w: CodeWriter): void {
  w.begin(Op.block, 'shifted');
  w.begin(Op.block, 'sar').begin(Op.block, 'shr').begin(Op.block, 'shl');
  field(w, OPS_REG_SHIFT, 7).brTable(['exit', 'exit', 'exit', 'exit', 'shl', 'shr', 'shl', 'sar'], 'exit');
  w.end();
  // SHL: CF the last bit out, OF = CF ^ the result's sign.
  w.get(X).get(Y).op(Op.i32Shl).set(R);
  w.get(X).i32(32).get(Y).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).tee(V);
  w.get(R).i32(31).op(Op.i32ShrU).get(V).op(Op.i32Xor).i32(11).op(Op.i32Shl).op(Op.i32Or).set(V);
  w.br('shifted');
  w.end();
  // SHR: OF the operand's sign.
  w.get(X).get(Y).op(Op.i32ShrU).set(R);
  w.get(X).get(Y).i32(1).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And);
  w.get(X).i32(31).op(Op.i32ShrU).i32(11).op(Op.i32Shl).op(Op.i32Or).set(V);
  w.br('shifted');
  w.end();
  // SAR: OF 0.
  w.get(X).get(Y).op(Op.i32ShrS).set(R);
  w.get(X).get(Y).i32(1).op(Op.i32Sub).op(Op.i32ShrS).i32(1).op(Op.i32And).set(V);
  w.end();
}

/** The flags as flags.ts's setResultFlags leaves them for the 32-bit result R: CF/OF from V, AF 0, the rest lazy. */
function setResultFlags(w: CodeWriter): void {
  w.get(FL).i32(~FLAGS_STATUS).op(Op.i32And).get(V).op(Op.i32Or).set(FL);
  w.i32(LazyOp.LOGIC)
    .set(LOP)
    .get(R)
    .set(LR)
    .i32(-1)
    .set(LW)
    .i32(FLAG_ZF | FLAG_SF | FLAG_PF)
    .set(LM);
}

// ---- The forms, by Fast kind ------------------------------------------------------------------------------------

type Case = (w: CodeWriter, l: Layout) => void;

const loadA = (w: CodeWriter) => w.get(A).mem(Op.i32Load);

/** The Fast kinds' paths, for the kinds with no Spec of their own (BY_FAST_KINDS); the others are in SPECS. */
const CASES: Case[] = [];
CASES[Fast.INC_DEC_R32] = (w, l) => {
  // As alu.ts's incDec: CF kept (computed now if lazy), the rest lazy.
  readCF(w, V);
  loadReg(w, l, OPS_REG_SHIFT).set(X);
  w.i32(1).set(Y);
  field(w, OPS_SUB_SHIFT, 0xf).begin(Op.if, 'dec');
  w.get(X).i32(1).op(Op.i32Sub).set(R).i32(LazyOp.SUB).set(LOP);
  w.else();
  w.get(X).i32(1).op(Op.i32Add).set(R).i32(LazyOp.ADD).set(LOP);
  w.end();
  setLazy(w, dword(w));
  w.get(FL).i32(~FLAG_CF).op(Op.i32And).get(V).op(Op.i32Or).set(FL);
  w.i32(FLAGS_STATUS & ~FLAG_CF).set(LM);
  storeReg(w, l, OPS_REG_SHIFT, () => w.get(R));
};
CASES[Fast.SHIFT_R32_IMM] = (w, l) => {
  word(w, W_IMM).i32(0x1f).op(Op.i32And).tee(Y).op(Op.i32Eqz).brIf('advance');
  loadReg(w, l, OPS_RM_SHIFT).set(X);
  writeShift(w);
  setResultFlags(w);
  storeReg(w, l, OPS_RM_SHIFT, () => w.get(R));
};
CASES[Fast.JMP] = (w) => word(w, W_TARGET).set(EIP);
CASES[Fast.PUSH_R32] = (w, l) => {
  w.get(A);
  loadReg(w, l, OPS_REG_SHIFT).mem(Op.i32Store);
  addEsp(w, l, () => w.i32(-4));
};
CASES[Fast.PUSH_IMM] = (w, l) => {
  w.get(A);
  word(w, W_IMM).mem(Op.i32Store);
  addEsp(w, l, () => w.i32(-4));
};
CASES[Fast.CALL] = (w, l) => {
  w.get(A);
  word(w, W_NEXT).mem(Op.i32Store);
  addEsp(w, l, () => w.i32(-4));
  word(w, W_TARGET).set(EIP);
};
CASES[Fast.POP_R32] = (w, l) => {
  // ESP first: POP ESP keeps the popped value.
  loadA(w).set(X);
  addEsp(w, l, () => w.i32(4));
  storeReg(w, l, OPS_REG_SHIFT, () => w.get(X));
};
CASES[Fast.RET] = (w, l) => {
  loadA(w).set(EIP);
  addEsp(w, l, () => word(w, W_IMM).i32(4).op(Op.i32Add));
};
CASES[Fast.MOVX_R32_M] = (w, l) =>
  storeReg(w, l, OPS_REG_SHIFT, () => {
    // sub 0: zero extension, else sign extension; of a byte or a word.
    word(w, W_FORM).i32(FORM_WIDTH_SHIFT).op(Op.i32ShrU).i32(3).op(Op.i32And).i32(WIDTH_CODE_8).op(Op.i32Eq);
    w.begin(Op.if, 'byte');
    w.get(A).mem(Op.i32Load8U).set(Y).get(A).mem(Op.i32Load8S).set(X);
    w.else();
    w.get(A).mem(Op.i32Load16U).set(Y).get(A).mem(Op.i32Load16S).set(X);
    w.end();
    w.get(Y).get(X);
    field(w, OPS_SUB_SHIFT, 0xf).op(Op.i32Eqz).op(Op.select);
  });
CASES[Fast.MOV_R8_M8] = (w, l) => {
  // AL..BL are the low bytes of EAX..EBX, AH..BH their second bytes.
  field(w, OPS_REG_SHIFT, 7).tee(X).i32(4).op(Op.i32LtU).begin(Op.if, 'low');
  w.get(X).i32(2).op(Op.i32Shl).tee(Y);
  w.get(Y).mem(Op.i32Load, l.regs).i32(~0xff).op(Op.i32And).get(A).mem(Op.i32Load8U).op(Op.i32Or);
  w.mem(Op.i32Store, l.regs);
  w.else();
  w.get(X).i32(2).op(Op.i32Shl).tee(Y);
  w.get(Y)
    .mem(Op.i32Load, l.regs - 16)
    .i32(~0xff00)
    .op(Op.i32And);
  w.get(A).mem(Op.i32Load8U).i32(8).op(Op.i32Shl).op(Op.i32Or);
  w.mem(Op.i32Store, l.regs - 16);
  w.end();
};
CASES[Fast.ALU_M8_IMM] = (w) => {
  w.get(A).mem(Op.i32Load8U).set(X);
  word(w, W_IMM).set(Y);
  writeAlu(w, () => w.i32(0xff));
  aluWrites(w).begin(Op.if, 'store').get(A).get(R).mem(Op.i32Store8).end();
};

// ---- Forms by SPEC word (decoded-spec.ts) -------------------------------------------------------------------

/** The SPEC word's bytes: the `reg` register's offset, the `rm` register's or the base's, the index's. */
const SPEC_REG = 1;
const SPEC_RM = 2;
const SPEC_INDEX = 3;

/** Pushes byte `byte` of the SPEC word. */
function specByte(w: CodeWriter, byte: number): CodeWriter {
  return w.get(P).mem(Op.i32Load8U, W_SPEC * 4 + byte);
}

/** Pushes the register whose offset is SPEC byte `byte`. */
function specLoad(w: CodeWriter, l: Layout, byte: number): CodeWriter {
  return loadRegAt(w, l, () => specByte(w, byte));
}

/** Stores the value `value` pushes into the register whose offset is SPEC byte `byte`. */
function specStore(w: CodeWriter, l: Layout, byte: number, value: () => void): void {
  storeRegAt(w, l, () => specByte(w, byte), value);
}

/** Pushes the memory operand's offset, disp + base + (index << scale): a missing register reads 0. Uses T. */
function specOffset(w: CodeWriter, l: Layout): void {
  word(w, W_DISP);
  specLoad(w, l, SPEC_RM).op(Op.i32Add);
  specByte(w, SPEC_INDEX).tee(T).i32(~3).op(Op.i32And).mem(Op.i32Load, l.regs);
  w.get(T).i32(3).op(Op.i32And).op(Op.i32Shl).op(Op.i32Add);
}

/** Sets A to the memory operand's physical address, through the write TLB when `store`, or leaves the run. */
function specMemory(w: CodeWriter, l: Layout, store: boolean): void {
  w.get(P).mem(Op.i32Load).set(OPS);
  lookup(
    w,
    l,
    A,
    () => field(w, OPS_SEG_SHIFT, 7),
    () => specOffset(w, l),
    () => w.i32(store ? l.tlbWrite : l.tlbRead),
  );
}

/** X op Y for group-1 operation `op` with its lazy flags; `store` takes R unless the operation is CMP. */
function specAlu(w: CodeWriter, op: number, store: () => void): void {
  writeAluResult(w, op, dword(w));
  setLazy(w, dword(w));
  if (op !== ALU_CMP) store();
}

/** The paths by Spec: each does what the Fast kind's case does for the operation or condition it knows. */
const SPECS: Case[] = [];
SPECS[Spec.MOV_R32_R32] = (w, l) => specStore(w, l, SPEC_RM, () => specLoad(w, l, SPEC_REG));
SPECS[Spec.MOV_R32_IMM] = (w, l) => specStore(w, l, SPEC_REG, () => word(w, W_IMM));
SPECS[Spec.TEST_R32_R32] = (w, l) => {
  w.i32(0).set(X).i32(0).set(Y);
  specLoad(w, l, SPEC_RM);
  specLoad(w, l, SPEC_REG).op(Op.i32And).set(R);
  w.i32(LazyOp.LOGIC).set(LOP);
  setLazy(w, dword(w));
};
SPECS[Spec.LEA] = (w, l) => specStore(w, l, SPEC_REG, () => specOffset(w, l));
SPECS[Spec.MOV_R32_M32] = (w, l) => {
  specMemory(w, l, false);
  specStore(w, l, SPEC_REG, () => loadA(w));
};
SPECS[Spec.MOV_M32_R32] = (w, l) => {
  specMemory(w, l, true);
  w.get(A);
  specLoad(w, l, SPEC_REG).mem(Op.i32Store);
};
SPECS[Spec.MOV_M32_IMM] = (w, l) => {
  specMemory(w, l, true);
  w.get(A);
  word(w, W_IMM).mem(Op.i32Store);
};
for (let op = 0; op < ALU_OPS; op++) {
  if (ALU_OPERATIONS[op] === null) continue;
  const toA = (w: CodeWriter) => () => w.get(A).get(R).mem(Op.i32Store);
  SPECS[Spec.ALU_R32_R32 + op] = (w, l) => {
    specLoad(w, l, SPEC_RM).set(X);
    specLoad(w, l, SPEC_REG).set(Y);
    specAlu(w, op, () => specStore(w, l, SPEC_RM, () => w.get(R)));
  };
  SPECS[Spec.ALU_R32_IMM + op] = (w, l) => {
    specLoad(w, l, SPEC_RM).set(X);
    word(w, W_IMM).set(Y);
    specAlu(w, op, () => specStore(w, l, SPEC_RM, () => w.get(R)));
  };
  SPECS[Spec.ALU_R32_M32 + op] = (w, l) => {
    specMemory(w, l, false);
    specLoad(w, l, SPEC_REG).set(X);
    loadA(w).set(Y);
    specAlu(w, op, () => specStore(w, l, SPEC_REG, () => w.get(R)));
  };
  SPECS[Spec.ALU_M32_R32 + op] = (w, l) => {
    specMemory(w, l, op !== ALU_CMP);
    loadA(w).set(X);
    specLoad(w, l, SPEC_REG).set(Y);
    specAlu(w, op, toA(w));
  };
  SPECS[Spec.ALU_M32_IMM + op] = (w, l) => {
    specMemory(w, l, op !== ALU_CMP);
    loadA(w).set(X);
    word(w, W_IMM).set(Y);
    specAlu(w, op, toA(w));
  };
}
for (let cc = 0; cc < 16; cc++) {
  SPECS[Spec.JCC + cc] = (w) => {
    writeConditionCode(w, cc);
    word(w, W_TARGET);
    word(w, W_NEXT);
    w.get(V).op(Op.select).set(EIP);
  };
  SPECS[Spec.CMP_R32_R32_JCC + cc] = (w, l) => {
    specLoad(w, l, SPEC_RM).set(X);
    specLoad(w, l, SPEC_REG).set(Y);
    writeCompareBranch(w, cc);
  };
  SPECS[Spec.CMP_R32_IMM_JCC + cc] = (w, l) => {
    specLoad(w, l, SPEC_RM).set(X);
    word(w, W_IMM).set(Y);
    writeCompareBranch(w, cc);
  };
  SPECS[Spec.TEST_R32_R32_JCC + cc] = (w, l) => {
    (SPECS[Spec.TEST_R32_R32] as Case)(w, l);
    writeBranchAfter(w, cc, TEST_CONDITIONS);
  };
}

/**
 * Writers that push each condition a condition code's upper bits name (its low bit negates) after a 32-bit
 * CMP of X and Y with the result in R (SDM vol. 1, appendix B): straight from the operands.
 */
const SUB_CONDITIONS: ((w: CodeWriter) => void)[] = [
  // OF: the operands' signs differ and the result's differs from the first's.
  (w) => w.get(X).get(Y).op(Op.i32Xor).get(X).get(R).op(Op.i32Xor).op(Op.i32And).i32(0).op(Op.i32LtS),
  (w) => w.get(X).get(Y).op(Op.i32LtU),
  (w) => w.get(X).get(Y).op(Op.i32Eq),
  (w) => w.get(X).get(Y).op(Op.i32LeU),
  (w) => w.get(R).i32(0).op(Op.i32LtS),
  (w) => parityOf(w),
  (w) => w.get(X).get(Y).op(Op.i32LtS),
  (w) => w.get(X).get(Y).op(Op.i32LeS),
];

/** The same after a 32-bit TEST (a logic operation): CF and OF are 0, SF, ZF and PF from the result R. */
const TEST_CONDITIONS: ((w: CodeWriter) => void)[] = [
  (w) => w.i32(0),
  (w) => w.i32(0),
  (w) => w.get(R).op(Op.i32Eqz),
  (w) => w.get(R).op(Op.i32Eqz),
  (w) => w.get(R).i32(0).op(Op.i32LtS),
  (w) => parityOf(w),
  (w) => w.get(R).i32(0).op(Op.i32LtS),
  (w) => w.get(R).i32(0).op(Op.i32LeS),
];

/** Pushes PF of the result R: its low byte has an even number of bits set. */
function parityOf(w: CodeWriter): CodeWriter {
  return w.get(R).i32(0xff).op(Op.i32And).op(Op.i32Popcnt).i32(1).op(Op.i32And).op(Op.i32Eqz);
}

/** CMP of X and Y with its lazy flags, then the Jcc after it on condition code `cc`. */
function writeCompareBranch(w: CodeWriter, cc: number): void {
  writeAluResult(w, ALU_CMP, dword(w));
  setLazy(w, dword(w));
  writeBranchAfter(w, cc, SUB_CONDITIONS);
}

/**
 * The Jcc packed after the instruction at P, on condition code `cc` as `conditions` compute it; P goes on to
 * the Jcc, which 'advance' steps over.
 */
function writeBranchAfter(w: CodeWriter, cc: number, conditions: ((w: CodeWriter) => void)[]): void {
  w.get(P).mem(Op.i32Load, INSN_BYTES + W_TARGET * 4);
  w.get(P).mem(Op.i32Load, INSN_BYTES + W_NEXT * 4);
  (conditions[cc >> 1] as (w: CodeWriter) => void)(w);
  if (cc & 1) w.op(Op.i32Eqz);
  w.op(Op.select).set(EIP);
  w.get(P).i32(INSN_BYTES).op(Op.i32Add).set(P);
}

/** Every path by Spec id: SPECS, then the Fast kinds' (BY_FAST_KINDS) and the record kinds' (undefined: none). */
function specPaths(): (Case | undefined)[] {
  const paths = Array.from({ length: Spec.COUNT }, (_, id): Case | undefined => SPECS[id]);
  for (const fast of BY_FAST_KINDS) {
    const operand = fast >= Fast.FIRST_MEMORY ? 'memory' : fast >= Fast.FIRST_STACK ? 'stack' : null;
    paths[Spec.BY_FAST + fast] = (w, l) => {
      w.get(P).mem(Op.i32Load).set(OPS);
      if (operand !== null) writeOperand(w, l, operand === 'memory');
      (CASES[fast] as Case)(w, l);
    };
  }
  for (const [kind, form] of RECORD_FORMS) paths[Spec.BY_KIND + kind] = (w, l) => writeRecordForm(w, l, form);
  return paths;
}

/** Runs the instruction by its SPEC word's path and goes on to the next ('advance'), or leaves the run. */
function writeSpecialized(w: CodeWriter, l: Layout): void {
  const paths = specPaths();
  const ids = paths.flatMap((path, id) => (path === undefined ? [] : [id]));
  const table = paths.map((path, id) => (path === undefined ? 'exit' : `spec${id}`));
  for (let i = ids.length - 1; i >= 0; i--) w.begin(Op.block, `spec${ids[i]}`);
  specByte(w, 0).brTable(table, 'exit');
  for (const id of ids) {
    w.end();
    (paths[id] as Case)(w, l);
    w.br('advance');
  }
}

// ---- Forms by record kind --------------------------------------------------------------------------------

/**
 * Runs a form of RECORD_FORMS, with what they read set first: OPS, FORM, the width code WC and mask M. A form
 * that is done early branches to 'kinds'.
 */
function writeRecordForm(w: CodeWriter, l: Layout, form: Case): void {
  w.get(P).mem(Op.i32Load).set(OPS);
  word(w, W_FORM).tee(FORM).i32(FORM_WIDTH_SHIFT).op(Op.i32ShrU).i32(3).op(Op.i32And).set(WC);
  // The width mask: 0xff, 0xffff or -1 for width codes 1, 2 and 0.
  w.i32(0xff).i32(0xffff).get(WC).i32(1).op(Op.i32Eq).op(Op.select);
  w.i32(-1).get(WC).op(Op.select).set(M);
  w.begin(Op.block, 'kinds');
  form(w, l);
  w.end();
}

/** Pushes whether the r/m operand is in memory (ModR/M below 0xc0). */
function rmInMemory(w: CodeWriter): CodeWriter {
  return w.get(FORM).i32(12).op(Op.i32ShrU).i32(0xff).op(Op.i32And).i32(0xc0).op(Op.i32LtU);
}

/** Pushes the address of register `r` (pushed by `reg`) of width code WC: AL..BL, AH..BH for bytes. */
function registerAddress(w: CodeWriter, l: Layout, reg: () => void, byte: () => void): void {
  reg();
  w.set(T);
  w.get(T).i32(3).op(Op.i32And).i32(2).op(Op.i32Shl).get(T).i32(2).op(Op.i32ShrU).op(Op.i32Or);
  w.get(T).i32(2).op(Op.i32Shl);
  byte();
  w.op(Op.select).i32(l.regs).op(Op.i32Add);
}

const isByte = (w: CodeWriter) => () => w.get(WC).i32(1).op(Op.i32Eq);

/** Pushes the address of the register in the OPS field at `shift`, at the record's width. */
function regAt(w: CodeWriter, l: Layout, shift: number): void {
  registerAddress(w, l, () => field(w, shift, 7), isByte(w));
}

/**
 * Sets RM to the r/m operand's address: a register's in the arch area, or the memory operand's physical
 * address through the write TLB when `store` pushes non-zero, else the read TLB (or leaves the run).
 */
function rmOperand(w: CodeWriter, l: Layout, store: () => void, byte: () => void = isByte(w)): void {
  rmInMemory(w).begin(Op.if, 'memory');
  const tlb = () => {
    w.i32(l.tlbWrite).i32(l.tlbRead);
    store();
    w.op(Op.select);
  };
  lookup(
    w,
    l,
    RM,
    () => field(w, OPS_SEG_SHIFT, 7),
    () => writeOffset(w, l),
    tlb,
  );
  w.else();
  registerAddress(w, l, () => field(w, OPS_RM_SHIFT, 7), byte);
  w.set(RM);
  w.end();
}

/** Pushes the value at address `address` pushes, of the record's width (zero-extended). */
function loadWidth(w: CodeWriter, address: () => void): void {
  address();
  w.set(T);
  w.get(T).mem(Op.i32Load).get(T).mem(Op.i32Load16U).get(WC).i32(2).op(Op.i32Ne).op(Op.select);
  w.get(T).mem(Op.i32Load8U).get(WC).i32(1).op(Op.i32Ne).op(Op.select);
}

/** Stores the value `value` pushes at the address `address` pushes, at the record's width. */
function storeWidth(w: CodeWriter, address: () => void, value: () => void): void {
  // The value first: computing it may use T (loadWidth, registerAddress), the address after it too.
  value();
  w.set(V);
  address();
  w.set(T);
  w.get(WC).i32(1).op(Op.i32Eq).begin(Op.if, 'byte').get(T).get(V).mem(Op.i32Store8).else();
  w.get(WC).i32(2).op(Op.i32Eq).begin(Op.if, 'word').get(T).get(V).mem(Op.i32Store16).else();
  w.get(T).get(V).mem(Op.i32Store).end().end();
}

/** Stores R in the r/m operand at RM, at the record's width. */
function storeResult(w: CodeWriter): void {
  storeWidth(
    w,
    () => w.get(RM),
    () => w.get(R),
  );
}

const notCmp = (w: CodeWriter) => () => field(w, OPS_SUB_SHIFT, 0xf).i32(ALU_CMP).op(Op.i32Ne);

/** An ALU operation of the record's width: X from `first`, Y from `second`, the result to `dest` unless CMP. */
function aluRecord(w: CodeWriter, first: () => void, second: () => void, dest: () => void): void {
  loadWidth(w, first);
  w.set(X);
  second();
  w.set(Y);
  writeAlu(w, () => w.get(M));
  aluWrites(w).begin(Op.if, 'store');
  storeWidth(w, dest, () => w.get(R));
  w.end();
}

/** TEST of the record's width: the value `value` pushes is the result (LOGIC, operands 0). */
function testRecord(w: CodeWriter, value: () => void): void {
  value();
  w.set(R).i32(0).set(X).i32(0).set(Y).i32(LazyOp.LOGIC).set(LOP);
  setLazy(w, () => w.get(M));
}

/**
 * The truncating 32-bit IMUL of the values `first` and `second` push (the r/m operand read into RM first)
 * into the register in `reg`, with its flags as muldiv.ts's imulTrunc leaves them: CF = OF = the product does
 * not fit in 32 bits, ZF/SF/PF lazy from the result, AF 0.
 */
function imulRecord(w: CodeWriter, l: Layout, first: () => void, second: () => void): void {
  rmOperand(w, l, () => w.i32(0));
  first();
  w.op(Op.i64ExtendI32S);
  second();
  w.op(Op.i64ExtendI32S).op(Op.i64Mul).set(PRODUCT);
  signedProductFlags(w);
  storeReg(w, l, OPS_REG_SHIFT, () => w.get(R));
}

/** R = the low half of the signed product in PRODUCT, CF = OF = the product does not fit in it. */
function signedProductFlags(w: CodeWriter): void {
  w.get(PRODUCT).op(Op.i32WrapI64).set(R);
  w.get(PRODUCT)
    .get(R)
    .op(Op.i64ExtendI32S)
    .op(Op.i64Ne)
    .i32(FLAG_CF | FLAG_OF)
    .op(Op.i32Mul)
    .set(V);
  setResultFlags(w);
}

/**
 * 32-bit MUL, IMUL, DIV and IDIV of EDX:EAX by the r/m operand (F7 /4../7), as muldiv.ts: products set CF = OF
 * when the high half is significant, divisions leave the flags; a division that would raise #DE (a zero
 * divisor, a quotient that does not fit) leaves the run, as do IDIV by -1 and the other widths.
 */
function writeMulDiv(w: CodeWriter, l: Layout): void {
  const eax = () => w.i32(0).mem(Op.i32Load, l.regs + EAX * 4);
  const edx = () => w.i32(0).mem(Op.i32Load, l.regs + EDX * 4);
  /** Stores the i64 on the stack's low half in EAX and high half in EDX (uses PRODUCT). */
  const storeEdxEax = () => {
    w.set(PRODUCT);
    w.i32(0)
      .get(PRODUCT)
      .op(Op.i32WrapI64)
      .mem(Op.i32Store, l.regs + EAX * 4);
    w.i32(0)
      .get(PRODUCT)
      .i64(32)
      .op(Op.i64ShrU)
      .op(Op.i32WrapI64)
      .mem(Op.i32Store, l.regs + EDX * 4);
  };
  /** Pushes EDX:EAX as an i64. */
  const dividend = () => {
    edx();
    w.op(Op.i64ExtendI32U).i64(32).op(Op.i64Shl);
    eax();
    w.op(Op.i64ExtendI32U).op(Op.i64Or);
  };
  w.get(WC).brIf('exit');
  rmOperand(w, l, () => w.i32(0));
  w.get(RM).mem(Op.i32Load).set(X);
  w.begin(Op.block, 'done');
  w.begin(Op.block, 'idiv').begin(Op.block, 'div').begin(Op.block, 'imul').begin(Op.block, 'mul');
  field(w, OPS_REG_SHIFT, 7).brTable(['exit', 'exit', 'exit', 'exit', 'mul', 'imul', 'div', 'idiv'], 'exit');
  w.end();
  eax();
  w.op(Op.i64ExtendI32U).get(X).op(Op.i64ExtendI32U).op(Op.i64Mul);
  storeEdxEax();
  // CF = OF: the high half is not 0.
  w.get(PRODUCT).op(Op.i32WrapI64).set(R);
  w.get(PRODUCT).i64(32).op(Op.i64ShrU).op(Op.i64Eqz).op(Op.i32Eqz);
  w.i32(FLAG_CF | FLAG_OF)
    .op(Op.i32Mul)
    .set(V);
  setResultFlags(w);
  w.br('done');
  w.end();
  eax();
  w.op(Op.i64ExtendI32S).get(X).op(Op.i64ExtendI32S).op(Op.i64Mul);
  storeEdxEax();
  signedProductFlags(w);
  w.br('done');
  w.end();
  // DIV: #DE unless EDX < the divisor (which also makes it non-zero).
  edx();
  w.get(X).op(Op.i32GeU).brIf('exit');
  dividend();
  w.get(X).op(Op.i64ExtendI32U).op(Op.i64DivU);
  dividend();
  w.get(X).op(Op.i64ExtendI32U).op(Op.i64RemU).i64(32).op(Op.i64Shl).op(Op.i64Or);
  storeEdxEax();
  w.br('done');
  w.end();
  // IDIV: the quotient (toward zero) must fit in 32 bits; the remainder has the dividend's sign.
  w.get(X).op(Op.i32Eqz).get(X).i32(-1).op(Op.i32Eq).op(Op.i32Or).brIf('exit');
  dividend();
  w.get(X).op(Op.i64ExtendI32S).op(Op.i64DivS).tee(PRODUCT);
  w.get(PRODUCT).op(Op.i32WrapI64).op(Op.i64ExtendI32S).op(Op.i64Ne).brIf('exit');
  w.get(PRODUCT).op(Op.i32WrapI64).set(R);
  dividend();
  w.get(X).op(Op.i64ExtendI32S).op(Op.i64RemS).op(Op.i32WrapI64).set(Y);
  w.i32(0)
    .get(R)
    .mem(Op.i32Store, l.regs + EAX * 4);
  w.i32(0)
    .get(Y)
    .mem(Op.i32Store, l.regs + EDX * 4);
  w.end();
}

/**
 * Forms with no inline path in the JS runner (Fast.NONE) that the runner still runs itself, by their record
 * kind (decoded-handlers.ts's handlers of the same names, whose semantics they follow): other widths of the
 * ALU, TEST and MOV forms, INC/DEC/NEG/NOT r/m, XCHG, IMUL, 32-bit MUL/DIV and shifts by CL, MOVZX/MOVSX from
 * registers, CMOVcc, SETcc, indirect CALL and JMP, PUSH r/m, LEAVE, CDQ, CLD/STD and NOP. Any other kind
 * leaves the run.
 */
const RECORD_FORMS = new Map<number, Case>([
  [
    Kind.aluRmReg,
    (w, l) => {
      rmOperand(w, l, notCmp(w));
      const rm = () => w.get(RM);
      aluRecord(w, rm, () => loadWidth(w, () => regAt(w, l, OPS_REG_SHIFT)), rm);
    },
  ],
  [
    Kind.aluRegRm,
    (w, l) => {
      rmOperand(w, l, () => w.i32(0));
      const reg = () => regAt(w, l, OPS_REG_SHIFT);
      aluRecord(w, reg, () => loadWidth(w, () => w.get(RM)), reg);
    },
  ],
  [
    Kind.aluAccImm,
    (w, l) => {
      const acc = () => registerAddress(w, l, () => w.i32(0), isByte(w));
      aluRecord(w, acc, () => word(w, W_IMM), acc);
    },
  ],
  [
    Kind.aluRmImm,
    (w, l) => {
      rmOperand(w, l, notCmp(w));
      const rm = () => w.get(RM);
      aluRecord(w, rm, () => word(w, W_IMM), rm);
    },
  ],
  [
    Kind.testRmReg,
    (w, l) => {
      rmOperand(w, l, () => w.i32(0));
      testRecord(w, () => {
        loadWidth(w, () => w.get(RM));
        loadWidth(w, () => regAt(w, l, OPS_REG_SHIFT));
        w.op(Op.i32And);
      });
    },
  ],
  [
    Kind.testAccImm,
    (w, l) =>
      testRecord(w, () => {
        loadWidth(w, () => registerAddress(w, l, () => w.i32(0), isByte(w)));
        word(w, W_IMM).op(Op.i32And);
      }),
  ],
  [
    Kind.testRmImm,
    (w, l) => {
      rmOperand(w, l, () => w.i32(0));
      testRecord(w, () => {
        loadWidth(w, () => w.get(RM));
        word(w, W_IMM).op(Op.i32And);
      });
    },
  ],
  [
    Kind.movRmReg,
    (w, l) => {
      rmOperand(w, l, () => w.i32(1));
      storeWidth(
        w,
        () => w.get(RM),
        () => loadWidth(w, () => regAt(w, l, OPS_REG_SHIFT)),
      );
    },
  ],
  [
    Kind.movRegRm,
    (w, l) => {
      rmOperand(w, l, () => w.i32(0));
      storeWidth(
        w,
        () => regAt(w, l, OPS_REG_SHIFT),
        () => loadWidth(w, () => w.get(RM)),
      );
    },
  ],
  [
    Kind.movRmImm,
    (w, l) => {
      rmOperand(w, l, () => w.i32(1));
      storeWidth(
        w,
        () => w.get(RM),
        () => word(w, W_IMM),
      );
    },
  ],
  [
    Kind.movExtend,
    (w, l) => {
      // A byte or word, zero- (sub 0) or sign-extended into a 32-bit register.
      rmOperand(w, l, () => w.i32(0));
      loadWidth(w, () => w.get(RM));
      w.set(X);
      w.get(X).i32(24).op(Op.i32Shl).i32(24).op(Op.i32ShrS);
      w.get(X).i32(16).op(Op.i32Shl).i32(16).op(Op.i32ShrS);
      w.get(WC).i32(1).op(Op.i32Eq).op(Op.select);
      w.get(X);
      field(w, OPS_SUB_SHIFT, 0xf).op(Op.select).set(X);
      storeReg(w, l, OPS_REG_SHIFT, () => w.get(X));
    },
  ],
  [
    Kind.cmov,
    (w, l) => {
      // The source is read even when the condition is false (a bad address faults anyway).
      rmOperand(w, l, () => w.i32(0));
      w.get(RM).mem(Op.i32Load).set(R);
      writeCondition(w);
      w.get(V).begin(Op.if, 'move');
      storeReg(w, l, OPS_REG_SHIFT, () => w.get(R));
      w.end();
    },
  ],
  [
    Kind.setcc,
    (w, l) => {
      // A byte operand whatever the record's width says.
      rmOperand(
        w,
        l,
        () => w.i32(1),
        () => w.i32(1),
      );
      writeCondition(w);
      w.get(RM).get(V).mem(Op.i32Store8);
    },
  ],
  [
    Kind.jmpIndirect,
    (w, l) => {
      rmOperand(w, l, () => w.i32(0));
      w.get(RM).mem(Op.i32Load).set(EIP);
    },
  ],
  [
    Kind.callIndirect,
    (w, l) => {
      rmOperand(w, l, () => w.i32(0));
      w.get(RM).mem(Op.i32Load).set(R);
      pushSlot(w, l);
      w.get(S);
      word(w, W_NEXT).mem(Op.i32Store);
      addEsp(w, l, () => w.i32(-4));
      w.get(R).set(EIP);
    },
  ],
  [
    Kind.pushRm,
    (w, l) => {
      rmOperand(w, l, () => w.i32(0));
      w.get(RM).mem(Op.i32Load).set(R);
      pushSlot(w, l);
      w.get(S).get(R).mem(Op.i32Store);
      addEsp(w, l, () => w.i32(-4));
    },
  ],
  [
    Kind.leave,
    (w, l) => {
      // ESP = EBP + 4, EBP = the dword at EBP.
      const ebp = () => w.i32(0).mem(Op.i32Load, l.regs + EBP * 4);
      lookup(
        w,
        l,
        A,
        () => w.i32(SEG_SS),
        ebp,
        () => w.i32(l.tlbRead),
      );
      w.i32(0);
      ebp();
      w.i32(4)
        .op(Op.i32Add)
        .mem(Op.i32Store, l.regs + ESP * 4);
      w.i32(0)
        .get(A)
        .mem(Op.i32Load)
        .mem(Op.i32Store, l.regs + EBP * 4);
    },
  ],
  [
    Kind.cdq,
    (w, l) => {
      w.i32(0)
        .i32(0)
        .mem(Op.i32Load, l.regs + EAX * 4)
        .i32(31)
        .op(Op.i32ShrS);
      w.mem(Op.i32Store, l.regs + EDX * 4);
    },
  ],
  [Kind.nop, () => undefined],
  [
    Kind.incDecRm,
    (w, l) => {
      // As alu.ts's incDec: CF kept (computed now if lazy), the rest lazy; DEC is /1.
      rmOperand(w, l, () => w.i32(1));
      readCF(w, V);
      loadWidth(w, () => w.get(RM));
      w.set(X).i32(1).set(Y);
      field(w, OPS_REG_SHIFT, 7).begin(Op.if, 'dec');
      w.get(X).i32(1).op(Op.i32Sub).set(R).i32(LazyOp.SUB).set(LOP);
      w.else();
      w.get(X).i32(1).op(Op.i32Add).set(R).i32(LazyOp.ADD).set(LOP);
      w.end();
      w.get(R).get(M).op(Op.i32And).set(R);
      setLazy(w, () => w.get(M));
      w.get(FL).i32(~FLAG_CF).op(Op.i32And).get(V).op(Op.i32Or).set(FL);
      w.i32(FLAGS_STATUS & ~FLAG_CF).set(LM);
      storeResult(w);
    },
  ],
  [
    Kind.negRm,
    (w, l) => {
      // As alu.ts's neg: SUB of the operand from 0.
      rmOperand(w, l, () => w.i32(1));
      loadWidth(w, () => w.get(RM));
      w.set(Y).i32(0).set(X);
      w.i32(0).get(Y).op(Op.i32Sub).get(M).op(Op.i32And).set(R);
      w.i32(LazyOp.SUB).set(LOP);
      setLazy(w, () => w.get(M));
      storeResult(w);
    },
  ],
  [
    Kind.notRm,
    (w, l) => {
      rmOperand(w, l, () => w.i32(1));
      storeWidth(
        w,
        () => w.get(RM),
        () => {
          loadWidth(w, () => w.get(RM));
          w.i32(-1).op(Op.i32Xor).get(M).op(Op.i32And);
        },
      );
    },
  ],
  [
    Kind.xchgRmReg,
    (w, l) => {
      rmOperand(w, l, () => w.i32(1));
      loadWidth(w, () => w.get(RM));
      w.set(X);
      storeWidth(
        w,
        () => w.get(RM),
        () => loadWidth(w, () => regAt(w, l, OPS_REG_SHIFT)),
      );
      storeWidth(
        w,
        () => regAt(w, l, OPS_REG_SHIFT),
        () => w.get(X),
      );
    },
  ],
  [
    Kind.imulRegRm,
    (w, l) =>
      imulRecord(
        w,
        l,
        () => loadReg(w, l, OPS_REG_SHIFT),
        () => w.get(RM).mem(Op.i32Load),
      ),
  ],
  [
    Kind.imulRegRmImm,
    (w, l) =>
      imulRecord(
        w,
        l,
        () => w.get(RM).mem(Op.i32Load),
        () => word(w, W_IMM),
      ),
  ],
  [
    Kind.shiftByCl,
    (w, l) => {
      // 32-bit SHL/SHR/SAR by CL (a count of 0 changes nothing); other widths and rotates go to the record.
      w.get(WC).brIf('exit');
      rmOperand(w, l, () => w.i32(1));
      w.i32(0)
        .mem(Op.i32Load, l.regs + ECX * 4)
        .i32(0x1f)
        .op(Op.i32And)
        .tee(Y)
        .op(Op.i32Eqz)
        .brIf('kinds');
      w.get(RM).mem(Op.i32Load).set(X);
      writeShift(w);
      setResultFlags(w);
      w.get(RM).get(R).mem(Op.i32Store);
    },
  ],
  [
    Kind.shiftDouble,
    (w, l) => {
      // 32-bit SHLD/SHRD (a count of 0 changes nothing); words go to the record. The count is CL's when
      // `sub` bit 1 is set (decoded-handlers.ts SHIFT_BY_CL), else the immediate; bit 0 is SHLD.
      w.get(WC).brIf('exit');
      rmOperand(w, l, () => w.i32(1));
      w.i32(0).mem(Op.i32Load, l.regs + ECX * 4);
      word(w, W_IMM);
      field(w, OPS_SUB_SHIFT, 2).op(Op.select).i32(0x1f).op(Op.i32And).tee(Y).op(Op.i32Eqz).brIf('kinds');
      w.get(RM).mem(Op.i32Load).set(X);
      loadReg(w, l, OPS_REG_SHIFT).set(T);
      field(w, OPS_SUB_SHIFT, 1).begin(Op.if, 'left');
      w.get(X).get(Y).op(Op.i32Shl).get(T).i32(32).get(Y).op(Op.i32Sub).op(Op.i32ShrU).op(Op.i32Or).set(R);
      w.get(X).i32(32).get(Y).op(Op.i32Sub).op(Op.i32ShrU).set(V);
      w.else();
      w.get(X).get(Y).op(Op.i32ShrU).get(T).i32(32).get(Y).op(Op.i32Sub).op(Op.i32Shl).op(Op.i32Or).set(R);
      w.get(X).get(Y).i32(1).op(Op.i32Sub).op(Op.i32ShrU).set(V);
      w.end();
      // CF the last bit out; OF whether the sign changed (alu.ts doubleShift).
      w.get(V).i32(1).op(Op.i32And);
      w.get(R).get(X).op(Op.i32Xor).i32(31).op(Op.i32ShrU).i32(11).op(Op.i32Shl).op(Op.i32Or).set(V);
      setResultFlags(w);
      w.get(RM).get(R).mem(Op.i32Store);
    },
  ],
  [Kind.mulDiv, (w, l) => writeMulDiv(w, l)],
  [Kind.cld, (w) => w.get(FL).i32(~FLAG_DF).op(Op.i32And).set(FL)],
  [Kind.std, (w) => w.get(FL).i32(FLAG_DF).op(Op.i32Or).set(FL)],
]);

// ---- The JS side ------------------------------------------------------------------------------------------

interface WasmRunnerApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const WASM_PAGE_BYTES = 65536;

/**
 * Runner modules compiled so far, by arch offset, memory pages and JIT threshold: writing one takes ~13 ms of
 * cold JS, so CPUs over memories of one layout (a process's threads' machines, tests) share one.
 */
const compiledRunners = new Map<string, object>();

/** One CPU's runner: `words` are the arch area's packed instructions (DecodedCodeStore's arena). */
export class WasmDecodedRunner {
  private readonly exchange: Int32Array;
  /** The byte address of words[0] in the memory. */
  private readonly base: number;
  private readonly runWords: (from: number, end: number, left: number, header: number) => number;
  /** The blocks in the arena, by the word index of their header. */
  private readonly blocks = new Map<number, Block>();
  /** The block the last `runBlocks` ended in. */
  endedIn: Block | null = null;
  /** The decoded entries (arch-state.ts DECODED_ENTRIES_AT), as dwords. */
  private readonly entries: Int32Array;
  /** The WebAssembly function that runs packed words (for region chains to import: region-chain.ts). */
  readonly runFunction: unknown;
  readonly jitThreshold: number;

  private constructor(
    memory: PhysicalMemory,
    archOffset: number,
    jitThreshold: number,
    readonly words: Int32Array,
  ) {
    const wasm = memory.wasm as NonNullable<PhysicalMemory['wasm']>;
    this.exchange = archInt32Array(memory, EXCHANGE_AT, EXCHANGE_SLOTS);
    this.base = archOffset + DECODED_AT;
    const api = (globalThis as unknown as { WebAssembly: WasmRunnerApi }).WebAssembly;
    const pages = wasm.memory.buffer.byteLength / WASM_PAGE_BYTES;
    const key = `${archOffset}:${pages}:${jitThreshold}`;
    let module = compiledRunners.get(key);
    if (module === undefined) {
      module = new api.Module(decodedRunnerModule(archOffset, pages, jitThreshold));
      compiledRunners.set(key, module);
    }
    const instance = new api.Instance(module, { env: { memory: wasm.memory } });
    this.runWords = instance.exports.run as typeof this.runWords;
    this.runFunction = instance.exports.run;
    this.jitThreshold = jitThreshold;
    this.entries = archInt32Array(
      memory,
      DECODED_ENTRIES_AT,
      (DECODED_ENTRY_SLOTS * DECODED_ENTRY_BYTES) / 4,
    );
    this.entries.fill(-1);
  }

  /**
   * The runner for the arch area of `memory`, or null when RAM is not in a WebAssembly memory with one.
   * `jitThreshold`: the run loop's (the runner leaves a block due to be compiled to it).
   */
  static create(memory: PhysicalMemory, jitThreshold: number): WasmDecodedRunner | null {
    const archOffset = archStateOffset(memory);
    if (archOffset < 0) return null;
    const words = archInt32Array(memory, DECODED_AT, DECODED_WORDS);
    return new WasmDecodedRunner(memory, archOffset, jitThreshold, words);
  }

  /** Files block `b`, whose instructions were packed into the arena, with its header and its entry. */
  file(b: Block): void {
    const at = b.codeAt - HEADER_WORDS;
    b.fileHeader(this.words, at);
    this.blocks.set(at, b);
    this.fileEntry(b);
  }

  /**
   * Files the decoded entry of block `b` (in the arena), which region chains look up to hand over to the
   * runner: again when the run loop finds a chain missed it (entries are direct-mapped: another block took
   * its slot), so the blocks chains leave to most keep theirs.
   */
  fileEntry(b: Block): void {
    const at = b.codeAt - HEADER_WORDS;
    const e = this.entryOf(b);
    this.entries[e + DECODED_ENTRY_PHYS / 4] = b.page | (b.lin & 0xfff);
    this.entries[e + DECODED_ENTRY_LIN / 4] = b.lin;
    this.entries[e + DECODED_ENTRY_HEADER / 4] = at;
  }

  /** Block `b`, whose header is at word `at`, was dropped. */
  forget(b: Block, at: number): void {
    this.blocks.delete(at);
    const e = this.entryOf(b);
    if (this.entries[e + DECODED_ENTRY_HEADER / 4] === at) this.entries[e + DECODED_ENTRY_PHYS / 4] = -1;
  }

  /** The dword index of `b`'s decoded entry. */
  private entryOf(b: Block): number {
    return decodedEntryOffset(b.page | (b.lin & 0xfff)) / 4;
  }

  /**
   * Runs decoded block `b` (in the arena) and the blocks its links lead to, as the run loop would run them
   * with a budget of `budget` instructions in all (`c.runRetired` counts them); returns as runDecoded does,
   * with the block it ended in in `endedIn`. The instructions the WebAssembly runner declines run here by
   * their records.
   */
  runBlocks(c: CpuCore, b: Block, budget: number): number {
    const end = b.codeAt + b.insnCount * WORDS_PER_INSN;
    return this.goOn(c, this.runFrom(c, b, b.codeAt, end, budget), budget);
  }

  /**
   * Goes on where the runner stopped after a region chain handed over to it (EXCHANGE_HANDOFF_STOP, the
   * chain having left the runner's outputs in the exchange), as `runBlocks` does after its own call.
   */
  resumeBlocks(c: CpuCore, budget: number): number {
    return this.goOn(c, this.exchange[EXCHANGE_HANDOFF_STOP] as number, budget);
  }

  /** Runs the words of `block` from word `p` to `end` in the WebAssembly runner; returns where it stopped. */
  private runFrom(c: CpuCore, block: Block, p: number, end: number, budget: number): number {
    const x = this.exchange;
    const base = this.base;
    x[EXCHANGE_FLAGS] = c.flags;
    x[EXCHANGE_LAZY_MASK] = c.lazyMask;
    x[EXCHANGE_LAZY_OP] = c.lazyOp;
    x[EXCHANGE_LAZY_WIDTH] = c.lazyWidthMask;
    x[EXCHANGE_EIP] = c.eip;
    x[EXCHANGE_SEG_CHECK] = c.segCheckMask;
    const header = (block.codeAt - HEADER_WORDS) * 4;
    return this.runWords(base + p * 4, base + end * 4, budget - c.runRetired, base + header);
  }

  /**
   * Takes the runner's outputs after it stopped at byte address `stop`: done at a block's end, else the
   * record runs the instruction it declined, having changed nothing, and the runner goes on after it.
   */
  private goOn(c: CpuCore, stop: number, budget: number): number {
    const x = this.exchange;
    const base = this.base;
    for (;;) {
      c.flags = x[EXCHANGE_FLAGS] as number;
      c.lazyMask = x[EXCHANGE_LAZY_MASK] as number;
      c.lazyOp = x[EXCHANGE_LAZY_OP] as number;
      c.lazyWidthMask = x[EXCHANGE_LAZY_WIDTH] as number;
      c.eip = x[EXCHANGE_EIP] as number;
      c.runRetired += x[EXCHANGE_RETIRED] as number;
      const block = this.blocks.get(x[EXCHANGE_DECODED_BLOCK] as number) as Block;
      const end = block.codeAt + block.insnCount * WORDS_PER_INSN;
      let p = ((stop - base) | 0) >> 2;
      if (p === end) {
        this.endedIn = block;
        return CONTINUE;
      }
      const exit = runPackedRecord(c, this.words, p);
      if (exit === FAULTED) return FAULTED;
      c.runRetired++;
      if (exit !== CONTINUE) {
        this.endedIn = block;
        return exit;
      }
      p += WORDS_PER_INSN;
      stop = this.runFrom(c, block, p, end, budget);
    }
  }
}
