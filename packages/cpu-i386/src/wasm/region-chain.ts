/**
 * The region chain: every WebAssembly region sits in one function table, and one small WebAssembly
 * function (`enter`) calls a region and, when it ends at the entry of another compiled region, calls that
 * one too, without coming back to JS. Layer: arch plugin (cpu-i386); wasm-backend.ts files regions here and
 * calls `enter` in place of the region itself.
 *
 * Why: a trip from one region to the next through the JS run loop costs hundreds of nanoseconds (the loop,
 * the block lookup, and V8's generic JS-to-WebAssembly wrapper, which every new exported function uses for
 * its first thousand calls), against a few nanoseconds for `call_indirect`. Programs that call across pages
 * or run many short regions (shell pipelines, start-up code, a syscall's round trip) spend their time there.
 *
 * How it works
 * - The entry table (arch-state.ts, CHAIN_ENTRY_*) maps the physical address of a region entry, with the
 *   linear EIP it was compiled for, to the region's table index, label and length. It is a cache: a miss
 *   (another entry in the set, a page not in the TLB) just returns to the run loop, which finds the block
 *   its own way and files its entry again (cpu.ts `republish`).
 * - `enter` goes on only where the run loop would enter the region itself: the region retired something and
 *   returned CONTINUE, no interrupt request waits, DS and SS are flat, the budget covers the next region.
 * - Before each call it records the instructions retired so far and the region's index, so an exception
 *   unwinding from an instruction run through `step` is charged to the right region (wasm-backend.ts).
 * - A region lives as long as its code frame: when the code cache drops a frame, its entries leave the table
 *   and its regions' table slots are reused.
 */
import { FLAGS_STATUS, FLAT_SEGMENTS_MASK, SEG_DS, SEG_SS } from '../constants.js';
import { LAZY_A, LAZY_B, LAZY_RES, LazyOp } from '../cpu-core.js';
import { H_INSNS, H_LIN, H_OPEN, H_PAGE, H_RUNS, HEADER_WORDS, WORDS_PER_INSN } from '../decoded-code.js';
import { CONTINUE } from '../interpreter.js';
import {
  CHAIN_ENTRIES_AT,
  CHAIN_ENTRY_BYTES,
  CHAIN_ENTRY_INDEX,
  CHAIN_ENTRY_LABEL,
  CHAIN_ENTRY_LENGTH,
  CHAIN_ENTRY_LIN,
  CHAIN_ENTRY_PHYS,
  CHAIN_ENTRY_SLOTS,
  DECODED_AT,
  DECODED_ENTRIES_AT,
  DECODED_ENTRY_BITS,
  DECODED_ENTRY_BYTES,
  DECODED_ENTRY_HEADER,
  DECODED_ENTRY_LIN,
  DECODED_ENTRY_PHYS,
  ENTRY_HASH_MULTIPLIER,
  EXCHANGE_AT,
  EXCHANGE_CHAIN_DECODED,
  EXCHANGE_CHAIN_REGION,
  EXCHANGE_CHAIN_RETIRED,
  EXCHANGE_CHAINED,
  EXCHANGE_DECODED_BLOCK,
  EXCHANGE_EIP,
  EXCHANGE_FA,
  EXCHANGE_FB,
  EXCHANGE_FK,
  EXCHANGE_FLAGS,
  EXCHANGE_FR,
  EXCHANGE_HANDOFF_STOP,
  EXCHANGE_IRQ,
  EXCHANGE_LAZY_MASK,
  EXCHANGE_LAZY_OP,
  EXCHANGE_LAZY_WIDTH,
  EXCHANGE_RETIRED,
  EXCHANGE_SEG_CHECK,
  LAZY_AT,
  SEG_BASE_AT,
  TLB_READ_AT,
} from './arch-state.js';
import { EFLAGS_LOCALS, EFLAGS_TYPE, eflagsFunction, K_ADD, K_LOGIC, K_SUB } from './lazy-flags.js';
import { CodeWriter, encodeModule, type FuncType, I32, Op } from './wasm-encoder.js';

/** A region's WebAssembly type: (label, budget) -> exit. */
export const REGION_TYPE = { params: [I32, I32], results: [I32] } as const;

/**
 * The JS functions regions call. The chain's module imports them once and files WebAssembly forwarders in a
 * table of their own (`hostTable`), which regions import and reach with `call_indirect`. A region module
 * imports no function, because V8 compiles a wrapper (with TurboFan) for every function import of every module
 * it compiles (a region's compile took ~300 us against ~60 us); nor the regions' table, because instantiating
 * a module that imports a table costs time in proportion to the table's length.
 */
export interface HostCalls {
  /**
   * Runs the instruction at `eip` through the interpreter with EFLAGS and registers from the arch area,
   * and puts them back there with the EIP it went on at; returns its exit, LEAVE_BLOCK after a store to
   * compiled code.
   */
  readonly step: (eip: number) => number;
}
export const STEP_TYPE = { params: [I32], results: [I32] } as const;
/** The host calls' slots in `hostTable`. */
export const SLOT_STEP = 0;
const HOST_SLOTS = 1;
const ENTER_TYPE = { params: [I32, I32, I32], results: [I32] };
/** The entry table is two-way set-associative: a set is two adjacent slots, the most recently filed first. */
const ENTRY_WAYS = 2;
const SET_BITS = Math.log2(CHAIN_ENTRY_SLOTS / ENTRY_WAYS);
const SET_BYTES = ENTRY_WAYS * CHAIN_ENTRY_BYTES;
const SET_DWORDS = SET_BYTES / 4;
const WAY_DWORDS = CHAIN_ENTRY_BYTES / 4;
const TABLE_GROWTH = 64;
// `enter`'s parameters, then its locals.
const INDEX = 0;
const LABEL = 1;
const LEFT = 2;
const RETIRED = 3;
const EXIT = 4;
const RAN = 5;
const LIN = 6;
const PHYS = 7;
const ENTRY = 8;
/** The decoded block's header (a byte address) a chain hands over to. */
const HEADER = 9;
/** Where the decoded runner stopped (a byte address). */
const STOP = 10;
const ENTER_LOCALS = 8;
/** The decoded runner's `run`: (from, end, left, header) -> where it stopped (decoded-runner.ts). */
const DECODED_IMPORT = 1;
const DECODED_RUN_TYPE = { params: [I32, I32, I32, I32], results: [I32] } as const;
/**
 * `enter`'s exit when the chain went on into decoded blocks: the decoded runner's outputs are in the
 * exchange, where it stopped in EXCHANGE_HANDOFF_STOP (WasmDecodedRunner.resumeBlocks takes it from there).
 */
export const HANDED_OFF = -6;

interface WasmTable {
  readonly length: number;
  grow(delta: number): number;
  set(index: number, value: unknown): void;
}

interface WasmChainApi {
  Table: new (descriptor: { element: string; initial: number }) => WasmTable;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/**
 * The set of the entry table an entry at physical address `phys` maps to. Two ways and a multiplicative hash,
 * because in a direct-mapped table on `phys ^ phys >>> 12` hot entries collided (busybox's strncmp lost its
 * entry to another one: half of a pipeline's chain misses).
 */
export function chainEntrySet(phys: number): number {
  return Math.imul(phys, ENTRY_HASH_MULTIPLIER) >>> (32 - SET_BITS);
}

export class RegionChain<R> {
  /** Calls the region at `index` from `label` with budget `left`, and the regions it leads to. */
  readonly enter: (index: number, label: number, left: number) => number;
  /** EFLAGS from the pending flags a chain left (wasm/lazy-flags.ts). */
  readonly eflags: (fl: number, fk: number, fa: number, fb: number, fr: number) => number;
  private readonly table: WasmTable;
  /** The host calls' forwarders (SLOT_STEP), for region modules to import as their table. */
  readonly hostTable: WasmTable;
  private readonly entries: Int32Array;
  /** The caller's handle for the region in each table slot. */
  private readonly regions: (R | null)[] = [];
  private readonly freeSlots: number[] = [];
  /** The table slots of the regions compiled from each code frame. */
  private readonly slotsOfFrame = new Map<number, number[]>();

  /**
   * `memory`: the WebAssembly memory with RAM and the arch area at `archOffset` (`memoryPages` pages).
   * `decoded`: the decoded tier's WebAssembly runner (its `run` and the JIT threshold), for chains to go on
   * into decoded blocks where no region starts; null: chains return to the run loop there.
   */
  constructor(
    memory: object,
    memoryPages: number,
    private readonly archOffset: number,
    buffer: ArrayBufferLike,
    host: HostCalls,
    private readonly decoded: { readonly run: unknown; readonly jitThreshold: number } | null = null,
  ) {
    const api = (globalThis as unknown as { WebAssembly: WasmChainApi }).WebAssembly;
    this.table = new api.Table({ element: 'anyfunc', initial: TABLE_GROWTH });
    this.hostTable = new api.Table({ element: 'anyfunc', initial: HOST_SLOTS });
    this.entries = new Int32Array(
      buffer,
      archOffset + CHAIN_ENTRIES_AT,
      (CHAIN_ENTRY_SLOTS * CHAIN_ENTRY_BYTES) / 4,
    );
    this.entries.fill(-1);
    const imports: { name: string; type: FuncType }[] = [{ name: 'step', type: STEP_TYPE }];
    if (decoded !== null) imports.push({ name: 'decoded', type: DECODED_RUN_TYPE });
    const bytes = encodeModule({
      types: [REGION_TYPE],
      table: true,
      imports,
      memoryPages,
      exports: ['run', 'step', 'eflags'],
      functions: [
        { type: ENTER_TYPE, locals: ENTER_LOCALS, body: this.enterBody(imports.length + 2) },
        { type: STEP_TYPE, locals: 0, body: forwarder(0, 1) },
        { type: EFLAGS_TYPE, locals: EFLAGS_LOCALS, body: eflagsFunction() },
      ],
    });
    const instance = new api.Instance(new api.Module(bytes), {
      env: { memory, table: this.table, step: host.step, decoded: decoded?.run },
    });
    this.enter = instance.exports.run as (index: number, label: number, left: number) => number;
    this.eflags = instance.exports.eflags as typeof this.eflags;
    this.hostTable.set(SLOT_STEP, instance.exports.step);
  }

  /** Files region `run` (compiled from code frame `frame`) in the table; returns its index. */
  add(run: unknown, frame: number, region: R): number {
    let index = this.freeSlots.pop();
    if (index === undefined) {
      index = this.regions.length;
      if (index >= this.table.length) this.table.grow(TABLE_GROWTH);
      this.regions.push(null);
    }
    this.table.set(index, run);
    this.regions[index] = region;
    const slots = this.slotsOfFrame.get(frame);
    if (slots === undefined) this.slotsOfFrame.set(frame, [index]);
    else slots.push(index);
    return index;
  }

  /** The region filed at `index`. */
  region(index: number): R {
    return this.regions[index] as R;
  }

  /** Makes the entry at linear `lin` (physical `phys`) of region `index`, at `label`, reachable from others. */
  publish(lin: number, phys: number, index: number, label: number, length: number): void {
    const t = this.entries;
    const set = chainEntrySet(phys) * SET_DWORDS;
    let e = set;
    if (t[set + CHAIN_ENTRY_PHYS / 4] !== phys) {
      if (t[set + WAY_DWORDS + CHAIN_ENTRY_PHYS / 4] === phys) e = set + WAY_DWORDS;
      else t.copyWithin(set + WAY_DWORDS, set, set + WAY_DWORDS); // the first way's entry moves on, the second's goes
    }
    t[e + CHAIN_ENTRY_LIN / 4] = lin;
    t[e + CHAIN_ENTRY_PHYS / 4] = phys;
    t[e + CHAIN_ENTRY_INDEX / 4] = index;
    t[e + CHAIN_ENTRY_LABEL / 4] = label;
    t[e + CHAIN_ENTRY_LENGTH / 4] = length;
  }

  /**
   * Code frame `frame` was dropped: its entries (at the page offsets `offsets`) leave the entry table and
   * the regions compiled from it give up their table slots.
   */
  dropFrame(frame: number, offsets: Iterable<number>): void {
    const t = this.entries;
    for (const offset of offsets) {
      const phys = frame * 4096 + offset;
      const set = chainEntrySet(phys) * SET_DWORDS;
      for (let e = set; e < set + SET_DWORDS; e += WAY_DWORDS)
        if (t[e + CHAIN_ENTRY_PHYS / 4] === phys) t[e + CHAIN_ENTRY_PHYS / 4] = -1;
    }
    const slots = this.slotsOfFrame.get(frame);
    if (slots === undefined) return;
    this.slotsOfFrame.delete(frame);
    // `regions` keeps its handle until the slot is reused: the region may be running (it wrote its own code).
    for (const index of slots) {
      this.table.set(index, null);
      this.freeSlots.push(index);
    }
  }

  /** `enter`'s code (see the file comment); `eflags` is the index of the EFLAGS function. */
  private enterBody(eflags: number): CodeWriter {
    const w = new CodeWriter();
    const x = (slot: number) => this.archOffset + EXCHANGE_AT + slot * 4;
    const load = (at: number) => w.i32(0).mem(Op.i32Load, at);
    const leaveIf = () => w.brIf('done');
    w.i32(0).i32(0).mem(Op.i32Store, x(EXCHANGE_CHAIN_DECODED));
    w.begin(Op.block, 'done').begin(Op.loop, 'next');
    w.i32(0).get(RETIRED).mem(Op.i32Store, x(EXCHANGE_CHAIN_RETIRED));
    w.i32(0).get(INDEX).mem(Op.i32Store, x(EXCHANGE_CHAIN_REGION));
    w.get(LABEL).get(LEFT).get(INDEX).callIndirect(0).set(EXIT);
    load(x(EXCHANGE_RETIRED)).tee(RAN);
    w.get(RETIRED).op(Op.i32Add).set(RETIRED);
    w.get(LEFT).get(RAN).op(Op.i32Sub).set(LEFT);
    w.get(EXIT).i32(CONTINUE).op(Op.i32Ne);
    leaveIf();
    w.get(RAN).op(Op.i32Eqz);
    leaveIf();
    // Finding what runs next: a region's entry, else decoded blocks (handOff), from which the chain may
    // come back here to find a region where they end.
    w.begin(Op.loop, 'find');
    load(x(EXCHANGE_IRQ));
    leaveIf();
    load(x(EXCHANGE_SEG_CHECK)).i32(FLAT_SEGMENTS_MASK).op(Op.i32And);
    leaveIf();
    const segBase = this.archOffset + SEG_BASE_AT;
    load(segBase + SEG_DS * 4);
    load(segBase + SEG_SS * 4).op(Op.i32Or);
    leaveIf();
    // The next entry: EIP's page through the TLB, then the entry table.
    load(x(EXCHANGE_EIP)).tee(LIN);
    w.i32(12)
      .op(Op.i32ShrU)
      .i32(2)
      .op(Op.i32Shl)
      .mem(Op.i32Load, this.archOffset + TLB_READ_AT)
      .tee(PHYS);
    w.i32(0).op(Op.i32LtS);
    leaveIf();
    w.get(PHYS).get(LIN).i32(0xfff).op(Op.i32And).op(Op.i32Or).tee(PHYS);
    w.i32(ENTRY_HASH_MULTIPLIER | 0)
      .op(Op.i32Mul)
      .i32(32 - SET_BITS)
      .op(Op.i32ShrU);
    w.i32(Math.log2(SET_BYTES)).op(Op.i32Shl).set(ENTRY);
    const field = (offset: number) =>
      w.get(ENTRY).mem(Op.i32Load, this.archOffset + CHAIN_ENTRIES_AT + offset);
    w.begin(Op.block, 'miss');
    const missIf = () => w.brIf('miss');
    // The first way, else the second.
    field(CHAIN_ENTRY_PHYS).get(PHYS).op(Op.i32Ne).begin(Op.if, 'if');
    w.get(ENTRY).i32(CHAIN_ENTRY_BYTES).op(Op.i32Add).set(ENTRY);
    field(CHAIN_ENTRY_PHYS).get(PHYS).op(Op.i32Ne);
    missIf();
    w.end();
    field(CHAIN_ENTRY_LIN).get(LIN).op(Op.i32Ne);
    missIf();
    w.get(LEFT);
    field(CHAIN_ENTRY_LENGTH).op(Op.i32LtS);
    missIf();
    field(CHAIN_ENTRY_INDEX).set(INDEX);
    field(CHAIN_ENTRY_LABEL).set(LABEL);
    w.i32(0).i32(0).mem(Op.i32Load, x(EXCHANGE_CHAINED)).i32(1).op(Op.i32Add);
    w.mem(Op.i32Store, x(EXCHANGE_CHAINED));
    w.br('next');
    w.end();
    if (this.decoded !== null) this.handOff(w, eflags);
    w.end().end().end();
    w.i32(0).get(RETIRED).mem(Op.i32Store, x(EXCHANGE_CHAIN_RETIRED));
    w.get(EXIT);
    return w;
  }

  /** Pushes exchange slot `slot` (arch-state.ts EXCHANGE_*). */
  private loadSlot(w: CodeWriter, slot: number): CodeWriter {
    return w.i32(0).mem(Op.i32Load, this.archOffset + EXCHANGE_AT + slot * 4);
  }

  /** Stores the value `value` pushes in exchange slot `slot`. */
  private storeSlot(w: CodeWriter, slot: number, value: () => void): void {
    w.i32(0);
    value();
    w.mem(Op.i32Store, this.archOffset + EXCHANGE_AT + slot * 4);
  }

  /**
   * After a region left at a block boundary where no region starts (at LIN, physical PHYS): when the decoded
   * entry for PHYS names an open header decoded for LIN on that page, with room in the budget and not due to
   * be compiled (the run loop compiles it), the chain hands over to the decoded runner instead of returning
   * to the run loop, which would only call the runner: EFLAGS is computed from the pending flags (so none
   * are pending in the runner's form), and `enter` returns HANDED_OFF with the runner's outputs.
   */
  private handOff(w: CodeWriter, eflags: number): void {
    const decoded = this.decoded as NonNullable<typeof this.decoded>;
    const load = (slot: number) => this.loadSlot(w, slot);
    const store = (slot: number, value: () => void) => this.storeSlot(w, slot, value);
    const header = (word: number) => w.get(HEADER).mem(Op.i32Load, word * 4);
    const entry = (offset: number) =>
      w.get(ENTRY).mem(Op.i32Load, this.archOffset + DECODED_ENTRIES_AT + offset);
    w.begin(Op.block, 'stay');
    w.get(PHYS)
      .i32(ENTRY_HASH_MULTIPLIER | 0)
      .op(Op.i32Mul)
      .i32(32 - DECODED_ENTRY_BITS)
      .op(Op.i32ShrU)
      .i32(Math.log2(DECODED_ENTRY_BYTES))
      .op(Op.i32Shl)
      .set(ENTRY);
    entry(DECODED_ENTRY_PHYS).get(PHYS).op(Op.i32Ne).brIf('stay');
    entry(DECODED_ENTRY_LIN).get(LIN).op(Op.i32Ne).brIf('stay');
    entry(DECODED_ENTRY_HEADER)
      .i32(2)
      .op(Op.i32Shl)
      .i32(this.archOffset + DECODED_AT)
      .op(Op.i32Add)
      .set(HEADER);
    // The header checks of the runner's own links (decoded-runner.ts): the entry may be stale.
    header(H_OPEN).op(Op.i32Eqz).brIf('stay');
    header(H_LIN).get(LIN).op(Op.i32Ne).brIf('stay');
    header(H_PAGE).get(PHYS).i32(~0xfff).op(Op.i32And).op(Op.i32Ne).brIf('stay');
    header(H_INSNS).get(LEFT).op(Op.i32GtS).brIf('stay');
    if (decoded.jitThreshold > 0) header(H_RUNS).i32(decoded.jitThreshold).op(Op.i32Eq).brIf('stay');
    w.get(HEADER);
    header(H_RUNS).i32(1).op(Op.i32Add);
    w.mem(Op.i32Store, H_RUNS * 4);
    store(EXCHANGE_FLAGS, () => {
      load(EXCHANGE_FK).beginValue(Op.if, 'pending', I32);
      for (const slot of [EXCHANGE_FLAGS, EXCHANGE_FK, EXCHANGE_FA, EXCHANGE_FB, EXCHANGE_FR]) load(slot);
      w.call(eflags);
      w.else();
      load(EXCHANGE_FLAGS);
      w.end();
    });
    for (const slot of [EXCHANGE_FK, EXCHANGE_LAZY_MASK, EXCHANGE_LAZY_OP, EXCHANGE_LAZY_WIDTH])
      store(slot, () => w.i32(0));
    store(EXCHANGE_CHAIN_RETIRED, () => w.get(RETIRED));
    store(EXCHANGE_HANDOFF_STOP, () => {
      w.get(HEADER)
        .i32(HEADER_WORDS * 4)
        .op(Op.i32Add);
      w.get(HEADER)
        .i32(HEADER_WORDS * 4)
        .op(Op.i32Add);
      header(H_INSNS)
        .i32(WORDS_PER_INSN * 4)
        .op(Op.i32Mul)
        .op(Op.i32Add);
      w.get(LEFT).get(HEADER).call(DECODED_IMPORT).tee(STOP);
    });
    w.i32(HANDED_OFF).set(EXIT);
    this.backToRegions(w);
    w.end();
  }

  /**
   * After the decoded runner ran: when it stopped at the end of a block (not before an instruction it
   * declined), no interrupt request waits, and its pending flags have a form regions keep (none, or all six
   * of a 32-bit ADD, SUB or logic operation), the flags go back to the regions' form and the chain looks for
   * a region at EIP again (`find`), its instructions counted as the chain's. Otherwise `enter` returns
   * HANDED_OFF, with the runner's outputs as they are.
   */
  private backToRegions(w: CodeWriter): void {
    const load = (slot: number) => this.loadSlot(w, slot);
    const store = (slot: number, value: () => void) => this.storeSlot(w, slot, value);
    const lazy = (slot: number) => w.i32(0).mem(Op.i32Load, this.archOffset + LAZY_AT + slot * 4);
    // HEADER: the block the runner stopped in; STOP must be its end.
    load(EXCHANGE_DECODED_BLOCK)
      .i32(2)
      .op(Op.i32Shl)
      .i32(this.archOffset + DECODED_AT)
      .op(Op.i32Add)
      .set(HEADER);
    w.get(HEADER)
      .i32(HEADER_WORDS * 4)
      .op(Op.i32Add);
    w.get(HEADER)
      .mem(Op.i32Load, H_INSNS * 4)
      .i32(WORDS_PER_INSN * 4)
      .op(Op.i32Mul)
      .op(Op.i32Add);
    w.get(STOP).op(Op.i32Ne).brIf('done');
    load(EXCHANGE_IRQ).brIf('done');
    load(EXCHANGE_LAZY_MASK).begin(Op.if, 'lazy');
    load(EXCHANGE_LAZY_MASK).i32(FLAGS_STATUS).op(Op.i32Ne).brIf('done');
    load(EXCHANGE_LAZY_WIDTH).i32(-1).op(Op.i32Ne).brIf('done');
    // The kind: ADD, SUB or LOGIC, whose formulas are the same in both forms (flags.ts, lazy-flags.ts).
    load(EXCHANGE_LAZY_OP).set(ENTRY);
    w.get(ENTRY).i32(LazyOp.ADD).op(Op.i32Eq).begin(Op.if, 'add').i32(K_ADD).set(ENTRY).else();
    w.get(ENTRY).i32(LazyOp.SUB).op(Op.i32Eq).begin(Op.if, 'sub').i32(K_SUB).set(ENTRY).else();
    w.get(ENTRY).i32(LazyOp.LOGIC).op(Op.i32Ne).brIf('done');
    w.i32(K_LOGIC).set(ENTRY);
    w.end().end();
    store(EXCHANGE_FK, () => w.get(ENTRY));
    store(EXCHANGE_FA, () => lazy(LAZY_A));
    store(EXCHANGE_FB, () => lazy(LAZY_B));
    store(EXCHANGE_FR, () => lazy(LAZY_RES));
    w.else();
    store(EXCHANGE_FK, () => w.i32(0));
    w.end();
    load(EXCHANGE_RETIRED).set(RAN);
    w.get(RETIRED).get(RAN).op(Op.i32Add).set(RETIRED);
    w.get(LEFT).get(RAN).op(Op.i32Sub).set(LEFT);
    store(EXCHANGE_CHAIN_DECODED, () => load(EXCHANGE_CHAIN_DECODED).get(RAN).op(Op.i32Add));
    w.i32(CONTINUE).set(EXIT);
    w.br('find');
  }
}

/** A function that calls imported function `func` with its `params` parameters and returns its result. */
function forwarder(func: number, params: number): CodeWriter {
  const w = new CodeWriter();
  for (let i = 0; i < params; i++) w.get(i);
  return w.call(func);
}
