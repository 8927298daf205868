/**
 * The glue between the run loop and WebAssembly regions: compiles a hot block's region with
 * wasm-region.ts and wraps it as a `BlockFn`, handing EFLAGS, EIP and the retired count across through the
 * arch area. Layer: arch plugin (cpu-i386); cpu.ts uses it when the `compiler` option is "wasm".
 */
import { type PhysicalMemory, RunExit } from '@kmos/abi-driver';
import { compileBlock, installRegion } from '../block-compiler.js';
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
  EXCHANGE_EIP,
  EXCHANGE_FLAGS,
  EXCHANGE_PASSES,
  EXCHANGE_RETIRED,
  EXCHANGE_SEG_CHECK,
} from './arch-state.js';
import { compileWasmRegion, PREFER_JS, type WasmImports } from './wasm-region.js';

const WASM_PAGE_BYTES = 65536;

export class WasmBackend {
  private readonly exchange: Int32Array;
  private readonly imports: WasmImports;

  private constructor(
    private readonly core: CpuCore,
    private readonly archOffset: number,
    memory: PhysicalMemory,
  ) {
    const wasm = memory.wasm as NonNullable<PhysicalMemory['wasm']>;
    this.exchange = archInt32Array(memory, EXCHANGE_AT, 5);
    const mmu = core.mmu;
    this.imports = {
      memory: wasm.memory,
      memoryPages: wasm.memory.buffer.byteLength / WASM_PAGE_BYTES,
      tlbPage: (lin, write) => mmu.tlbPage(lin, write !== 0),
      step: (eip) => this.step(eip),
    };
  }

  /** A backend for `core`, or null when RAM is not in a WebAssembly memory with room for the arch's state. */
  static create(core: CpuCore, memory: PhysicalMemory): WasmBackend | null {
    const archOffset = archStateOffset(memory);
    if (archOffset < 0 || core.regs.buffer !== memory.buffer) return null;
    return new WasmBackend(core, archOffset, memory);
  }

  /**
   * Compiles the region entered at block `b` (physical page `page`); false when its entry has no template.
   * A region with x87 instructions is compiled to JS (see PREFER_JS).
   */
  compile(
    b: Block,
    page: number,
    executions: (eip: number) => number,
    blockAt: (eip: number) => Block | null,
  ): boolean {
    const region = compileWasmRegion(
      { u8: this.core.mmu.u8, page, lin: b.lin, executions, archOffset: this.archOffset },
      this.imports,
      (eips) => eips.filter((eip) => eip !== b.lin && blockAt(eip)?.fn === null),
    );
    if (region === PREFER_JS) return compileBlock(this.core, b, page, executions, blockAt);
    if (region === null) return false;
    installRegion(b, blockAt, { ...region, fn: this.blockFn(region.run) });
    return true;
  }

  /**
   * A region as the run loop calls it. An exception can only come from an instruction run through `step`:
   * it did not change the registers in the arch area but ESP, which goes back, and the run loop takes it
   * as from a JS region (TRACE_CAUGHT, with the instructions retired before in INSN_BLOCK_PASSES).
   */
  private blockFn(run: (label: number, left: number) => number): BlockFn {
    const x = this.exchange;
    return (c, r, _m, s, left, entry) => {
      materializeFlags(c);
      x[EXCHANGE_FLAGS] = c.flags;
      x[EXCHANGE_SEG_CHECK] = c.segCheckMask;
      let exit: number;
      try {
        exit = run(entry, left);
      } catch (e) {
        r[ESP] = s[INSN_ESP] as number;
        s[INSN_BLOCK_PASSES] = x[EXCHANGE_PASSES] as number;
        c.caught = e;
        return TRACE_CAUGHT;
      }
      c.flags = x[EXCHANGE_FLAGS] as number;
      c.eip = x[EXCHANGE_EIP] as number;
      c.blockRetired = x[EXCHANGE_RETIRED] as number;
      if (exit === RunExit.Syscall) c.syscallGate = 0;
      return exit;
    };
  }

  /** The `step` a region imports (see WasmImports.step). */
  private step(eip: number): number {
    const c = this.core;
    const x = this.exchange;
    c.eip = eip;
    c.flags = x[EXCHANGE_FLAGS] as number;
    c.lazyMask = 0;
    c.smcPending = false;
    const exit = step(c);
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
