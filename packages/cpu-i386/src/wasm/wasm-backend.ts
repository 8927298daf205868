/**
 * The glue between the run loop and WebAssembly regions: compiles a hot block's region with
 * wasm-region.ts, files it in the region chain (region-chain.ts) and wraps it as a `BlockFn` that enters
 * the chain there, handing EFLAGS, EIP and the retired count across through the arch area.
 * Layer: arch plugin (cpu-i386); cpu.ts uses it when the `compiler` option is "wasm".
 */
import { type PhysicalMemory, RunExit } from '@kmos/abi-driver';
import { compileBlock, installRegion, isLabelOfNewRegion } from '../block-compiler.js';
import { type Block, type BlockFn, TRACE_CAUGHT } from '../code-cache.js';
import { ESP } from '../constants.js';
import { type CpuCore, INSN_BLOCK_PASSES, INSN_ESP } from '../cpu-core.js';
import { LEAVE_BLOCK } from '../decoded-block.js';
import { materializeFlags } from '../flags.js';
import { CONTINUE, step } from '../interpreter.js';
import {
  archInt32Array,
  archStateOffset,
  EXCHANGE_AT,
  EXCHANGE_CHAIN_DECODED,
  EXCHANGE_CHAIN_REGION,
  EXCHANGE_CHAIN_RETIRED,
  EXCHANGE_CHAINED,
  EXCHANGE_EIP,
  EXCHANGE_FA,
  EXCHANGE_FB,
  EXCHANGE_FK,
  EXCHANGE_FLAGS,
  EXCHANGE_FR,
  EXCHANGE_PASSES,
  EXCHANGE_SEG_CHECK,
  EXCHANGE_SLOTS,
  X87_AT,
  X87_WORD_TOUCHED,
} from './arch-state.js';
import type { WasmDecodedRunner } from './decoded-runner.js';
import { RegionChain } from './region-chain.js';
import { compileWasmRegion, PREFER_JS, type WasmImports } from './wasm-region.js';

const WASM_PAGE_BYTES = 65536;
/**
 * WebAssembly has nothing like V8's deoptimization of JS regions (see block-compiler.ts), so a chain of
 * regions runs until the run's budget is spent (the largest budget an i32 parameter takes).
 */
const WASM_REGION_CALL_INSNS = 0x7fffffff;

export class WasmBackend {
  private readonly exchange: Int32Array;
  /** Set by WebAssembly regions that ran x87 instructions (CpuCore.fpuTouched for them). */
  private readonly fpuTouched: Int32Array;
  /**
   * Whether a region that runs x87 instructions was compiled: until then no WebAssembly code reads or writes
   * the x87 words, and region calls and `step` need not copy them.
   */
  private x87Regions = false;
  private readonly imports: WasmImports;
  /** The compiled regions; each is known by a block it was compiled from (they share the fault tables). */
  private readonly chain: RegionChain<Block>;
  /** Instructions regions ran through the interpreter's `step` (forms without a template). */
  steps = 0;
  /** Of the instructions the last `enter` retired, those decoded blocks ran (RegionChain.backToRegions). */
  decodedInChain = 0;
  /**
   * Told that the regions compiled from code frame `dependent` hold code of frame `frame` too, so dropping
   * `frame` must drop `dependent`'s (the code cache does: CodeCache.addDependent).
   */
  onDependency: ((frame: number, dependent: number) => void) | null = null;

  private constructor(
    private readonly core: CpuCore,
    private readonly archOffset: number,
    memory: PhysicalMemory,
    decoded: WasmDecodedRunner | null,
  ) {
    const wasm = memory.wasm as NonNullable<PhysicalMemory['wasm']>;
    this.exchange = archInt32Array(memory, EXCHANGE_AT, EXCHANGE_SLOTS);
    this.fpuTouched = archInt32Array(memory, X87_AT + X87_WORD_TOUCHED * 4, 1);
    const memoryPages = wasm.memory.buffer.byteLength / WASM_PAGE_BYTES;
    this.chain = new RegionChain(
      wasm.memory,
      memoryPages,
      archOffset,
      memory.buffer,
      { step: (eip) => this.step(eip) },
      decoded === null ? null : { run: decoded.runFunction, jitThreshold: decoded.jitThreshold },
    );
    this.imports = { memory: wasm.memory, memoryPages, table: this.chain.hostTable };
  }

  /**
   * A backend for `core`, or null when RAM is not in a WebAssembly memory with room for the arch's state.
   * With the decoded tier's runner `decoded`, region chains go on into decoded blocks (RegionChain).
   */
  static create(
    core: CpuCore,
    memory: PhysicalMemory,
    decoded: WasmDecodedRunner | null,
  ): WasmBackend | null {
    const archOffset = archStateOffset(memory);
    if (archOffset < 0 || core.regs.buffer !== memory.buffer) return null;
    return new WasmBackend(core, archOffset, memory, decoded);
  }

  /**
   * Compiles the region entered at block `b` (physical page `page`); returns how many blocks became its
   * entries, 0 when its entry has no template.
   * A region with an x87 form WebAssembly regions do not run is compiled to JS (see PREFER_JS).
   */
  compile(
    b: Block,
    page: number,
    executions: (eip: number) => number,
    pageOf: (eip: number) => number,
    blockAt: (eip: number) => Block | null,
  ): number {
    const region = compileWasmRegion(
      {
        u8: this.core.mmu.u8,
        page,
        lin: b.lin,
        executions,
        pageOf,
        archOffset: this.archOffset,
        hasFpu: this.core.fpu !== null,
      },
      this.imports,
      (eips) => eips.filter((eip) => eip !== b.lin && isLabelOfNewRegion(blockAt(eip))),
    );
    if (region === PREFER_JS) return compileBlock(this.core, b, page, executions, blockAt);
    if (region === null) return 0;
    if (region.x87) this.x87Regions = true;
    for (const frame of region.otherFrames) this.onDependency?.(frame, page >>> 12);
    const index = this.chain.add(region.run, page >>> 12, b);
    const fn = this.blockFn(index);
    const entries = installRegion(b, blockAt, {
      ...region,
      fn,
      callInsns: WASM_REGION_CALL_INSNS,
      chainIndex: index,
    });
    region.labelEips.forEach((eip) => {
      const entry = eip === b.lin ? b : blockAt(eip);
      if (entry?.fn === fn) this.publish(entry, page | (eip & 0xfff));
    });
    return entries;
  }

  /**
   * Files the entry `b` (a block of a WebAssembly region, at physical `phys`) in the chain's entry table. The
   * run loop calls it again when a chain left to JS for such an entry: the table is a cache that
   * entries published later may have evicted it from.
   */
  publish(b: Block, phys: number): void {
    this.chain.publish(b.lin, phys, b.chainIndex, b.entryLabel, b.length);
  }

  /** Code frame `frame` was dropped (its blocks start at the page offsets `offsets`): so are its regions. */
  dropFrame(frame: number, offsets: Iterable<number>): void {
    this.chain.dropFrame(frame, offsets);
  }

  /** Region entries made inside chains (the run loop counts the calls it makes itself). */
  get chainedCalls(): number {
    return this.exchange[EXCHANGE_CHAINED] as number;
  }

  /**
   * A region's `fn` (its Block's handle): the run loop calls `enter` for WebAssembly regions itself, one call
   * site for all of them; this is for any other caller.
   */
  private blockFn(index: number): BlockFn {
    return (c, _r, _m, _s, left, entry) => this.enter(c, index, left, entry);
  }

  /**
   * Runs the chain from region `index` at label `entry` with budget `left`. An exception can only come from
   * an instruction run through `step`: it did not change the registers in the arch area but ESP, which goes
   * back, and the run loop takes it as from a JS region (TRACE_CAUGHT, with the region that ran it in
   * `currentBlock` and the instructions retired before in INSN_BLOCK_PASSES).
   */
  enter(c: CpuCore, index: number, left: number, entry: number): number {
    const x = this.exchange;
    const chain = this.chain;
    materializeFlags(c);
    x[EXCHANGE_FLAGS] = c.flags;
    x[EXCHANGE_FK] = 0;
    x[EXCHANGE_SEG_CHECK] = c.segCheckMask;
    if (this.x87Regions) c.fpu?.exportWords();
    let exit: number;
    try {
      exit = chain.enter(index, entry, left);
    } catch (e) {
      this.afterWasm(c);
      const s = c.insnStart;
      c.regs[ESP] = s[INSN_ESP] as number;
      s[INSN_BLOCK_PASSES] = ((x[EXCHANGE_PASSES] as number) + (x[EXCHANGE_CHAIN_RETIRED] as number)) | 0;
      c.currentBlock = chain.region(x[EXCHANGE_CHAIN_REGION] as number);
      c.caught = e;
      return TRACE_CAUGHT;
    }
    this.afterWasm(c);
    const fk = x[EXCHANGE_FK] as number;
    c.flags =
      fk === 0
        ? (x[EXCHANGE_FLAGS] as number)
        : chain.eflags(
            x[EXCHANGE_FLAGS] as number,
            fk,
            x[EXCHANGE_FA] as number,
            x[EXCHANGE_FB] as number,
            x[EXCHANGE_FR] as number,
          );
    c.eip = x[EXCHANGE_EIP] as number;
    c.blockRetired = x[EXCHANGE_CHAIN_RETIRED] as number;
    this.decodedInChain = x[EXCHANGE_CHAIN_DECODED] as number;
    if (exit === RunExit.Syscall) c.syscallGate = 0;
    return exit;
  }

  /** The x87 state as WebAssembly code left it: its words back in the unit, and whether it changed. */
  private afterWasm(c: CpuCore): void {
    if (!this.x87Regions) return;
    c.fpu?.importWords();
    if (this.fpuTouched[0] !== 0) {
      this.fpuTouched[0] = 0;
      c.fpuTouched = true;
    }
  }

  /** The `step` regions call (see HostCalls.step). */
  private step(eip: number): number {
    const c = this.core;
    const x = this.exchange;
    this.steps++;
    c.eip = eip;
    c.flags = x[EXCHANGE_FLAGS] as number;
    c.lazyMask = 0;
    c.smcPending = false;
    // The x87 words as the regions left them; an instruction that unwinds changed none (fpu/bus.ts).
    if (this.x87Regions) c.fpu?.importWords();
    const exit = step(c);
    if (this.x87Regions) c.fpu?.exportWords();
    materializeFlags(c);
    x[EXCHANGE_FLAGS] = c.flags;
    x[EXCHANGE_EIP] = c.eip;
    x[EXCHANGE_SEG_CHECK] = c.segCheckMask;
    if (exit === CONTINUE && c.smcPending) {
      c.smcPending = false;
      return LEAVE_BLOCK;
    }
    return exit;
  }
}
