/**
 * `I386Cpu`: the ABI's `Cpu` (packages/abi-driver/src/arch.ts) over one CpuCore. It owns the run loop
 * (instruction budget, interrupt requests, turning the fault signal into RunExit.Fault with EIP/ESP rolled
 * back) and the kernel-facing accessors: registers, segments, GDT/LDT, CR3/TLB, contexts and FPU images,
 * CPUID answers and counters (`stats`).
 *
 * Faults and traps leave the loop two ways: a fault (#PF, #GP, ...) throws FAULT_SIGNAL from any depth and
 * is unwound to the instruction's start; a trap (#BP, #OF, INT1's #DB) is an instruction that completed and
 * returns RunExit.Fault as a value with EIP past it. `run` marks the second kind `fault.trap`, so no
 * instruction handler has to. Page faults found before an instruction runs (decoded blocks), and faults a
 * compiled region caught itself, come back as FAULTED instead: already rolled back, never unwound through
 * `run`, as each unwind costs the host a microsecond or more.
 * Layer: arch plugin (cpu-i386); created by plugin.ts, drives interpreter.ts.
 */
import {
  type Cpu,
  type CpuContext,
  type CpuidResult,
  type FaultInfo,
  type FpuImageFormat,
  type PhysAddr,
  type PhysicalMemory,
  type Reg,
  RunExit,
  type SegReg,
  type SyscallGate,
  type VirtAddr,
} from '@kmos/abi-driver';
import { compileBlock } from './block-compiler.js';
import { Block, CodeCache, TRACE_CAUGHT } from './code-cache.js';
import {
  ESP,
  FLAG_IF,
  FLAG_RESERVED_1,
  FLAT_CODE_DPL3_HIGH,
  FLAT_CODE_DPL3_LOW,
  FLAT_DATA_DPL3_HIGH,
  FLAT_DATA_DPL3_LOW,
  FLAT_SEGMENTS_MASK,
  GDT_ENTRIES,
  GDT_ENTRY_DEFAULT_USER_CS,
  GDT_ENTRY_DEFAULT_USER_DS,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  USER_CS,
  USER_DS,
} from './constants.js';
import { CpuCore, INSN_BLOCK_PASSES, INSN_EIP, INSN_ESP } from './cpu-core.js';
import { decodeBlock, FAULTED, runDecoded } from './decoded-block.js';
import { DecodedCodeStore } from './decoded-code.js';
import { FAULT_SIGNAL } from './fault.js';
import { getEflags } from './flags.js';
import { FpuSwitch, FXSAVE_BYTES } from './fpu-switch.js';
import type { FpuUnit } from './fpu-unit.js';
import { CONTINUE, step } from './interpreter.js';
import { cacheDescriptor, loadCodeSegment, loadDataSegment } from './segments.js';
import { cpuidLeaf, setUserEflags } from './system-ops.js';
import { WasmDecodedRunner } from './wasm/decoded-runner.js';
import { HANDED_OFF } from './wasm/region-chain.js';
import { WasmBackend } from './wasm/wasm-backend.js';

/**
 * Runs of a block before its region is compiled. V8 runs a new region in its bytecode interpreter or its
 * baseline code until the region has run a lot (a call there costs 200-500 ns before any guest
 * instruction, against ~35-50 ns optimized), and parses, compiles and optimizes it at a cost of many
 * thousand decoded instructions, so code that is merely warm runs faster as decoded blocks. Measured in
 * paired runs: fork+exec 4.2-5.2 ms per iteration at 1024 against 5.1-6.5 ms at 256, busybox pipelines
 * and cpu-int no worse; 4096 loses on cpu-int.
 */
export const DEFAULT_JIT_THRESHOLD = 1024;

/** How many of the last places a run stopped inside a block are remembered (see `resumePoints`). */
const RESUME_POINTS = 8;

/**
 * Whether the region of `b` just left before `eip`, one of its own instructions: it leaves so before a page
 * fault, for the decoded tier to take it.
 */
function leftRegionInside(b: Block | null, eip: number): boolean {
  return b !== null && b.fn !== null && b.insnEips.includes(eip | 0);
}

/**
 * How many regions may be compiled by the time a program has retired `insns` instructions: `burst`, plus one
 * per `insnsPerRegion` (0: no limit). Start-up code (an interpreter loading its modules, a shell's first
 * commands) brings hundreds of blocks to the threshold at once, and each region costs ~2-3 ms of compiling
 * (and more of V8's background tier-up) for code that may never run again; a program that runs long earns
 * its regions. Counted in instructions, so a run stays deterministic.
 */
export interface CompileBudget {
  readonly burst: number;
  readonly insnsPerRegion: number;
}
/** Python's start-up (30 M instructions) compiled 254 regions without a budget, 99 with this one. */
export const DEFAULT_COMPILE_BUDGET: CompileBudget = { burst: 40, insnsPerRegion: 500_000 };
export const NO_COMPILE_BUDGET: CompileBudget = { burst: 0, insnsPerRegion: 0 };
/** Runs after which a block whose compile the budget put off asks again (the hottest ask first). */
const COMPILE_RETRY_RUNS = 256;
/** The run loop's mark for "no decoded block ran" (no exit has this value). */
const NOT_RUN = -100;
/** What hot regions are compiled to. */
export type RegionCompiler = 'js' | 'wasm';
/**
 * WebAssembly: V8 compiles it to machine code at once, with no type feedback to gather and nothing to
 * deoptimize, so short programs gain as much as hot loops (busybox pipeline x50: 1.7 s against 2.6 s).
 */
export const DEFAULT_REGION_COMPILER: RegionCompiler = 'wasm';
const FNSAVE_BYTES = 108;
/** The data segment registers in the order a context switch loads them. */
const DATA_SEGMENTS = [SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS] as const;

export class I386Cpu implements Cpu {
  readonly core: CpuCore;

  /** The code cache, or null when only the interpreter runs (no decoding, no regions). */
  private readonly cache: CodeCache | null;
  /** Where decoded blocks keep their packed instructions. */
  private readonly decodedCode: DecodedCodeStore;
  /**
   * Instructions retired inside compiled blocks: one addition per block run, never per instruction, so the
   * interpreted count is the difference with `insns`. Written by the run loop only.
   */
  private compiledInsns = 0;
  /**
   * Calls of compiled regions and runs of decoded blocks: each is a trip through the run loop, whose cost
   * (and a region call's, before V8 optimizes it) dominates programs that run briefly.
   */
  private regionCalls = 0;
  private decodedRuns = 0;
  /** Compiles the budget put off (see CompileBudget). */
  private compilesDeferred = 0;
  /** Decoded blocks made entries of compiled regions (see `stats`). */
  private regionEntries = 0;
  /** The block the last run ended in (null after a fault or a budget end), for the next run's first link. */
  private lastBlock: Block | null = null;
  /**
   * Where the last runs stopped when that may be inside a block (a budget ran out there, or an instruction
   * there faulted, which the kernel restarts after a page fault), a ring: a block decoded at one of them is
   * `midway`. More than one, as other processes may run between a slice's end and its thread's next run.
   */
  private readonly resumePoints = new Int32Array(RESUME_POINTS).fill(-1);
  private nextResumePoint = 0;
  /** Moves FPU state in and out of thread contexts (null without an FPU). */
  private readonly fpuSwitch: FpuSwitch | null;
  private resetFpuImage: Uint8Array | null = null;
  /** Runs decoded blocks whose words are in the arch area (null: all run in JS, runDecoded). */
  private readonly decodedRunner: WasmDecodedRunner | null;
  /** Compiles regions to WebAssembly when set, else they become JS. */
  private readonly wasm: WasmBackend | null;

  /**
   * `jitThreshold`: runs of a block before its region is compiled (0: never). `decodeBlocks`: run code not
   * compiled as decoded blocks (decoded-block.ts); false runs it through the interpreter's `step`.
   * `compiler`: what hot regions become, JS functions (block-compiler.ts) or WebAssembly
   * (wasm/wasm-region.ts, when RAM is in a WebAssembly memory; JS otherwise).
   */
  constructor(
    memory: PhysicalMemory,
    makeFpu: ((core: CpuCore) => FpuUnit) | null,
    private readonly jitThreshold = DEFAULT_JIT_THRESHOLD,
    private readonly decodeBlocks = true,
    compiler: RegionCompiler = DEFAULT_REGION_COMPILER,
    private readonly compileBudget: CompileBudget = DEFAULT_COMPILE_BUDGET,
  ) {
    const c = new CpuCore(memory, GDT_ENTRIES);
    this.core = c;
    this.decodedRunner = decodeBlocks ? WasmDecodedRunner.create(memory, jitThreshold) : null;
    this.decodedCode = new DecodedCodeStore(this.decodedRunner?.words ?? null);
    this.wasm = compiler === 'wasm' ? WasmBackend.create(c, memory, this.decodedRunner) : null;
    this.cache = jitThreshold > 0 || decodeBlocks ? new CodeCache(c.mmu, c) : null;
    const wasm = this.wasm;
    const cache = this.cache;
    if (cache !== null && wasm !== null) {
      cache.onFrameDropped = (frame, offsets) => wasm.dropFrame(frame, offsets);
      wasm.onDependency = (frame, dependent) => cache.addDependent(frame, dependent);
    }
    if (cache !== null) cache.onBlockDropped = (b) => this.releaseBlock(b);
    c.gdt[GDT_ENTRY_DEFAULT_USER_CS * 2] = FLAT_CODE_DPL3_LOW;
    c.gdt[GDT_ENTRY_DEFAULT_USER_CS * 2 + 1] = FLAT_CODE_DPL3_HIGH;
    c.gdt[GDT_ENTRY_DEFAULT_USER_DS * 2] = FLAT_DATA_DPL3_LOW;
    c.gdt[GDT_ENTRY_DEFAULT_USER_DS * 2 + 1] = FLAT_DATA_DPL3_HIGH;
    cacheDescriptor(c, SEG_CS, USER_CS, FLAT_CODE_DPL3_LOW, FLAT_CODE_DPL3_HIGH);
    for (const s of [SEG_DS, SEG_ES, SEG_SS])
      cacheDescriptor(c, s, USER_DS, FLAT_DATA_DPL3_LOW, FLAT_DATA_DPL3_HIGH);
    loadDataSegment(c, SEG_FS, 0);
    loadDataSegment(c, SEG_GS, 0);
    c.fpu = makeFpu === null ? null : makeFpu(c);
    this.fpuSwitch = c.fpu === null ? null : new FpuSwitch(c, c.fpu);
  }

  run(budgetInsns: number): RunExit {
    const c = this.core;
    c.runRetired = 0;
    try {
      const exit =
        this.cache === null ? this.interpret(budgetInsns) : this.runWithBlocks(budgetInsns, this.cache);
      // A fault found without unwinding (FAULTED) is a fault; a Fault returned as a value is a trap.
      if (exit === FAULTED) return this.stoppedInside(RunExit.Fault);
      if (exit === RunExit.Fault) c.fault.trap = true;
      return exit === RunExit.Budget ? this.stoppedInside(exit) : (exit as RunExit);
    } catch (e) {
      if (e !== FAULT_SIGNAL) throw e;
      this.unwindFault();
      return this.stoppedInside(RunExit.Fault);
    } finally {
      c.insnsBase += c.runRetired;
      c.runRetired = 0;
      c.currentBlock = null;
    }
  }

  /** Returns `exit`, remembering EIP as a place the next run may resume inside a block. */
  private stoppedInside(exit: RunExit): RunExit {
    this.resumePoints[this.nextResumePoint++ % RESUME_POINTS] = this.core.eip;
    return exit;
  }

  /** The plain interpreter loop: one `step` per instruction. */
  private interpret(budgetInsns: number): RunExit {
    const c = this.core;
    while (c.runRetired < budgetInsns) {
      if (c.irqPending) {
        c.irqPending = false;
        return RunExit.Irq;
      }
      const exit = step(c);
      if (exit !== FAULTED) c.runRetired++;
      if (exit !== CONTINUE) return exit as RunExit;
    }
    return RunExit.Budget;
  }

  /**
   * The loop with the code cache: at each block boundary, the block for EIP (found through the last block's
   * links, or looked up, or decoded now) runs as a compiled region when it has one (from the block's entry
   * label), the budget has room for all of it and DS/SS are flat; else as decoded instructions; else (no
   * block: the first instruction crosses the page end) one instruction is interpreted. A block's runs count
   * towards compiling its region.
   */
  private runWithBlocks(budgetInsns: number, cache: CodeCache): RunExit | typeof FAULTED {
    const c = this.core;
    const mmu = c.mmu;
    const regs = c.regs;
    const start = c.insnStart;
    /**
     * The block that ran last, if nothing ran since (across runs too: the block after a syscall is a link
     * of the one that made it): its links may give the next block without lookups.
     */
    let prev: Block | null = this.lastBlock;
    this.lastBlock = null;
    /**
     * The last thing run was a chain of WebAssembly regions that came back to JS at a block boundary: if
     * that block is a region entry, the chain's entry table missed it; if it is a decoded block in the
     * arena, the decoded entry the chain hands over to the runner by may have (in 200 busybox pipelines,
     * a third of all the chains' returns). (After a syscall the chain left for the syscall, not for a miss:
     * filing the entry again then cost a tenth of a getppid round trip.)
     */
    let chainMissed = false;
    while (c.runRetired < budgetInsns) {
      if (c.irqPending) {
        c.irqPending = false;
        this.lastBlock = prev;
        return RunExit.Irq;
      }
      const eip = c.eip;
      let b: Block | null = prev === null ? null : prev.linked(eip, mmu.tlbRead);
      if (b === null) {
        const page = mmu.tlbRead[eip >>> 12];
        const phys = (page >= 0 ? page : this.translateFetch(eip)) | (eip & 0xfff);
        if (phys >= 0) {
          b = cache.lookup(phys, eip);
          const left = c.currentBlock ?? prev;
          if (b === null) {
            b = this.decode(cache, phys, eip);
            b.midway = this.resumePoints.includes(eip | 0) || leftRegionInside(left, eip);
          } else if (b.midway && prev !== null && !leftRegionInside(left, eip)) b.midway = false;
          if (prev !== null) prev.link(eip, b);
        }
      }
      if (b === null) {
        prev = null;
        c.currentBlock = null;
        const exit = step(c);
        if (exit !== FAULTED) c.runRetired++;
        if (exit !== CONTINUE) return exit as RunExit;
        continue;
      }
      if (b.fn === null && b.count++ === this.jitThreshold && this.jitThreshold > 0) {
        if (b.midway) b.count = 0;
        else this.compileOrDefer(cache, b);
      }
      if (chainMissed) {
        if (b.chainIndex >= 0) this.republish(b, eip);
        else if (b.fn === null && b.header !== null) this.decodedRunner?.fileEntry(b);
      }
      chainMissed = false;
      const fn = b.fn;
      // Decoded blocks ran (after a chain of regions handed over to them, or on their own): their exit.
      let decodedExit = NOT_RUN;
      if (fn !== null && budgetInsns - c.runRetired >= b.length && this.flatDataSegments()) {
        // currentBlock stays set until the interpreter runs: a fault unwinds by it (see unwindFault).
        c.currentBlock = b;
        const left = Math.min(budgetInsns - c.runRetired, b.callInsns);
        // WebAssembly regions through one call site: calls through `fn`, a closure per region, went
        // polymorphic, and each new kind of callee deoptimized this loop (recompiled at ~40 ms a time).
        const wasm = b.chainIndex >= 0 ? this.wasm : null;
        const exit =
          wasm !== null
            ? wasm.enter(c, b.chainIndex, left, b.entryLabel)
            : fn(c, regs, mmu, start, left, b.entryLabel);
        this.regionCalls++;
        // A chain of WebAssembly regions names the one that was running in currentBlock.
        if (exit === TRACE_CAUGHT) return this.traceCaught(c.currentBlock ?? b);
        c.runRetired += c.blockRetired;
        // (Instructions of decoded blocks a chain went through count as interpreted: see `stats`.)
        this.compiledInsns += c.blockRetired - (wasm !== null ? wasm.decodedInChain : 0);
        if (exit === HANDED_OFF) {
          c.currentBlock = null;
          decodedExit = (this.decodedRunner as WasmDecodedRunner).resumeBlocks(c, budgetInsns);
        } else if (exit !== CONTINUE) {
          this.lastBlock = b;
          return exit as RunExit;
        } else if (c.blockRetired !== 0) {
          prev = b;
          chainMissed = b.chainIndex >= 0;
          continue;
        }
        // A block that left before its first instruction (a segment needing checks) made no progress:
        // the decoded or interpreted form runs that instruction now, or the loop would enter it forever.
      }
      let last = b;
      if (decodedExit === NOT_RUN) {
        c.currentBlock = null;
        const n = b.insnCount;
        // The slice ends inside this block: its first instructions are interpreted, not looked up one by one,
        // which decoded a block at each of them (see Block.midway).
        if (n > 0 && budgetInsns - c.runRetired < n) return this.interpret(budgetInsns);
        if (n <= 0) {
          prev = null;
          const exit = step(c);
          if (exit !== FAULTED) c.runRetired++;
          if (exit !== CONTINUE) return exit as RunExit;
          continue;
        }
        const runner = this.decodedRunner;
        const inWasm = runner !== null && b.header !== null;
        decodedExit = inWasm ? runner.runBlocks(c, b, budgetInsns) : runDecoded(c, b.code, b.codeAt, n);
        if (inWasm) last = runner.endedIn as Block;
      } else last = (this.decodedRunner as WasmDecodedRunner).endedIn as Block;
      this.decodedRuns++;
      if (decodedExit === FAULTED) return FAULTED;
      if (decodedExit >= 0) {
        this.lastBlock = last;
        return decodedExit as RunExit;
      }
      prev = last;
    }
    return RunExit.Budget;
  }

  /**
   * The physical page of EIP on a TLB miss, as the instruction fetch would walk it (a #PF here is the
   * fetch's); -1 when the page is outside RAM (the interpreter's fetch deals with that).
   */
  private translateFetch(eip: number): number {
    const c = this.core;
    c.insnStart[INSN_EIP] = eip;
    c.insnStart[INSN_ESP] = c.regs[ESP];
    c.currentBlock = null;
    const page = c.mmu.translate(eip, false);
    return c.mmu.tlbRead[eip >>> 12] === page ? page : -1;
  }

  /** Decodes the block at `eip` (physical `phys`) and files it. */
  private decode(cache: CodeCache, phys: number, eip: number): Block {
    const b = new Block(eip, phys & ~0xfff);
    if (this.decodeBlocks) {
      const decoded = decodeBlock(this.core.mmu.u8, phys, eip, this.decodedCode);
      b.code = decoded.words;
      b.codeAt = decoded.at;
      b.insnCount = decoded.count;
      b.stepped = decoded.stepped;
      // Each step costs a run of a whole block, or more: a block with steps is due that many times sooner.
      if (decoded.stepped > 0 && this.jitThreshold > 0)
        b.count = this.jitThreshold - Math.ceil(this.jitThreshold / (1 + decoded.stepped));
    }
    if (this.decodedRunner !== null && b.code === this.decodedRunner.words) this.decodedRunner.file(b);
    cache.install(phys, b);
    return b;
  }

  /** A dropped block's room in the arena goes to a later block that fits; the runner forgets it. */
  private releaseBlock(b: Block): void {
    if (b.header !== null && this.decodedRunner !== null) {
      const at = b.headerAt;
      this.decodedRunner.forget(b, at);
      this.decodedCode.release(at, b.insnCount);
    }
    b.detach();
  }

  /** Files WebAssembly region entry `b` in the chain's entry table again (see WasmBackend.publish). */
  private republish(b: Block, eip: number): void {
    const page = this.core.mmu.tlbRead[eip >>> 12] as number;
    if (page >= 0) this.wasm?.publish(b, page | (eip & 0xfff));
  }

  /**
   * Compiles `b`'s region when the compile budget allows it now; else `b` asks again COMPILE_RETRY_RUNS later.
   * A block with instructions the decoded tier runs through `step` (~1 us each: MMX, x87, ...) is compiled
   * at once: every run of it costs more than the start-up code the budget holds back.
   */
  private compileOrDefer(cache: CodeCache, b: Block): void {
    const budget = this.compileBudget;
    const limited = budget.insnsPerRegion > 0 && b.stepped === 0;
    if (limited && cache.compiledBlocks >= budget.burst + Math.floor(this.insns / budget.insnsPerRegion)) {
      b.count = Math.max(0, this.jitThreshold - COMPILE_RETRY_RUNS);
      this.compilesDeferred++;
      return;
    }
    this.compile(cache, b);
  }

  /** Compiles the region entered at `b`, when its page is still mapped and it has one. */
  private compile(cache: CodeCache, b: Block): void {
    const tlb = this.core.mmu.tlbRead;
    const pageOf = (lin: number) => tlb[lin >>> 12] as number;
    const page = pageOf(b.lin);
    if (page < 0) return;
    const executions = (lin: number) => {
      const at = pageOf(lin);
      return at < 0 ? 0 : cache.executions(at | (lin & 0xfff), lin, this.jitThreshold);
    };
    const blockAt = (lin: number) => cache.lookup(page | (lin & 0xfff), lin);
    const entries =
      this.wasm !== null
        ? this.wasm.compile(b, page, executions, pageOf, blockAt)
        : compileBlock(this.core, b, page, executions, blockAt);
    if (entries > 0) cache.compiledBlocks++;
    this.regionEntries += entries;
  }

  /** Compiled blocks address memory as flat DS and SS; segment loads are never compiled, so this holds across links. */
  private flatDataSegments(): boolean {
    const c = this.core;
    return (c.segCheckMask & FLAT_SEGMENTS_MASK) === 0 && c.segBase[SEG_DS] === 0 && c.segBase[SEG_SS] === 0;
  }

  /**
   * A compiled block caught an exception: a fault leaves as FAULTED (the block stored its registers and the
   * faulting EIP), anything else goes on up.
   */
  private traceCaught(b: Block): typeof FAULTED {
    const c = this.core;
    const e = c.caught;
    c.caught = null;
    if (e !== FAULT_SIGNAL) throw e;
    c.eip = c.insnStart[INSN_EIP];
    this.retireUntilFault(b);
    return FAULTED;
  }

  /** After a fault: roll EIP (and, for interpreted instructions, ESP) back; count a block's finished part. */
  private unwindFault(): void {
    const c = this.core;
    const b = c.currentBlock;
    c.eip = c.insnStart[INSN_EIP];
    if (b !== null) this.retireUntilFault(b);
    else c.regs[ESP] = c.insnStart[INSN_ESP];
  }

  /** Counts the instructions compiled block `b` finished before the one that faulted (at INSN_EIP). */
  private retireUntilFault(b: Block): void {
    const c = this.core;
    const at = b.insnEips.indexOf(c.insnStart[INSN_EIP]);
    const retired = c.insnStart[INSN_BLOCK_PASSES] + (at < 0 ? 0 : b.insnRetiredBefore[at]);
    c.runRetired += retired;
    this.compiledInsns += retired;
    c.currentBlock = null;
  }

  get fault(): FaultInfo {
    return this.core.fault;
  }

  get syscallGate(): SyscallGate {
    return this.core.syscallGate as SyscallGate;
  }

  get insns(): number {
    return this.core.insnsBase + this.core.runRetired;
  }

  getReg(reg: Reg): number {
    return this.core.regs[reg] >>> 0;
  }

  setReg(reg: Reg, value: number): void {
    this.core.regs[reg] = value | 0;
  }

  get eip(): number {
    return this.core.eip >>> 0;
  }

  set eip(value: number) {
    this.core.eip = value | 0;
  }

  get eflags(): number {
    return getEflags(this.core) >>> 0;
  }

  set eflags(value: number) {
    setUserEflags(this.core, value, -1);
    this.core.flags |= FLAG_IF | FLAG_RESERVED_1;
  }

  getSeg(seg: SegReg): number {
    return this.core.seg[seg];
  }

  setSeg(seg: SegReg, selector: number): void {
    try {
      if (seg === SEG_CS) loadCodeSegment(this.core, selector);
      else loadDataSegment(this.core, seg, selector);
    } catch (e) {
      throw this.faultAsError(e, `load selector ${hex(selector)} into segment register ${seg}`);
    }
  }

  setGdtEntry(index: number, low: number, high: number): void {
    this.checkGdtIndex(index);
    this.core.gdt[index * 2] = low;
    this.core.gdt[index * 2 + 1] = high;
  }

  getGdtEntry(index: number): [low: number, high: number] {
    this.checkGdtIndex(index);
    return [this.core.gdt[index * 2], this.core.gdt[index * 2 + 1]];
  }

  setLdt(entries: Uint32Array): void {
    this.core.ldt = Uint32Array.from(entries);
  }

  setCr3(pageDirectory: PhysAddr): void {
    this.core.mmu.setCr3(pageDirectory);
  }

  get cr3(): PhysAddr {
    return this.core.mmu.cr3 as PhysAddr;
  }

  invlpg(addr: VirtAddr): void {
    this.core.mmu.invlpg(addr | 0);
  }

  flushTlb(): void {
    this.core.mmu.flush();
  }

  invalidateCode(addr: PhysAddr, sizeBytes: number): void {
    this.cache?.invalidateRange(addr, sizeBytes);
  }

  /**
   * The ABI's counters (the kernel shows them in /proc/kmos/cpu): blocks decoded, regions compiled, code
   * frames invalidated (self-modifying code or kernel writes), region calls (of which chainedCalls were
   * made by WebAssembly regions, without the run loop) and decoded-block runs, instructions run compiled and
   * interpreted, and of the compiled ones those WebAssembly regions ran through the interpreter (regionSteps:
   * forms without a template); compiles the budget put off (compilesDeferred); decoded blocks that became
   * entries of the regions compiled (regionEntries: each is a label in its region, which splits its code).
   */
  stats(): {
    decodedBlocks: number;
    compiledBlocks: number;
    invalidations: number;
    regionCalls: number;
    chainedCalls: number;
    decodedRuns: number;
    compiledInsns: number;
    interpretedInsns: number;
    regionSteps: number;
    compilesDeferred: number;
    regionEntries: number;
  } {
    return {
      decodedBlocks: this.cache?.decodedBlocks ?? 0,
      compiledBlocks: this.cache?.compiledBlocks ?? 0,
      invalidations: this.cache?.invalidations ?? 0,
      regionCalls: this.regionCalls + (this.wasm?.chainedCalls ?? 0),
      chainedCalls: this.wasm?.chainedCalls ?? 0,
      decodedRuns: this.decodedRuns,
      compiledInsns: this.compiledInsns,
      interpretedInsns: this.insns - this.compiledInsns,
      regionSteps: this.wasm?.steps ?? 0,
      compilesDeferred: this.compilesDeferred,
      regionEntries: this.regionEntries,
    };
  }

  /** What the `cpuid` instruction would answer, registers untouched. */
  cpuid(leaf: number, _subleaf: number): CpuidResult {
    const out = new Int32Array(4);
    cpuidLeaf(leaf >>> 0, this.core.fpu !== null, out);
    return { eax: out[0] >>> 0, ebx: out[1] >>> 0, ecx: out[2] >>> 0, edx: out[3] >>> 0 };
  }

  requestInterrupt(): void {
    this.core.irqPending = true;
  }

  saveContext(into: CpuContext): void {
    const c = this.core;
    into.gpr.set(c.regs);
    into.eip = c.eip >>> 0;
    into.eflags = getEflags(c) >>> 0;
    into.seg.set(c.seg);
    this.fpuSwitch?.save(into.fpu);
  }

  restoreContext(from: CpuContext): void {
    const c = this.core;
    try {
      loadCodeSegment(c, from.seg[SEG_CS]);
      for (const s of DATA_SEGMENTS) loadDataSegment(c, s, from.seg[s]);
    } catch (e) {
      throw this.faultAsError(e, 'restore a context');
    }
    c.regs.set(from.gpr);
    c.eip = from.eip | 0;
    this.eflags = from.eflags;
    this.fpuSwitch?.restore(from.fpu);
  }

  newContext(): CpuContext {
    const seg = new Uint16Array(6);
    seg.fill(USER_DS);
    seg[SEG_CS] = USER_CS;
    seg[SEG_FS] = 0;
    seg[SEG_GS] = 0;
    const fpu = new Uint8Array(FXSAVE_BYTES);
    const unit = this.core.fpu;
    if (unit !== null) fpu.set(this.initialFpuImage(unit));
    return { gpr: new Int32Array(8), eip: 0, eflags: FLAG_IF | FLAG_RESERVED_1, seg, fpu };
  }

  /** The image of an FPU just reset (FNINIT and a default MXCSR), made once: every new context starts so. */
  private initialFpuImage(unit: FpuUnit): Uint8Array {
    if (this.resetFpuImage === null) {
      const live = new Uint8Array(FXSAVE_BYTES);
      unit.saveFxsave(live, 0);
      unit.reset();
      this.resetFpuImage = new Uint8Array(FXSAVE_BYTES);
      unit.saveFxsave(this.resetFpuImage, 0);
      unit.restoreFxsave(live, 0);
      this.fpuSwitch?.invalidate();
    }
    return this.resetFpuImage;
  }

  saveFpu(format: FpuImageFormat, into: Uint8Array): void {
    const unit = this.requireFpu();
    if (format === 'fnsave') {
      checkImageSize(into, FNSAVE_BYTES);
      unit.saveFnsave(into, 0, false);
    } else {
      checkImageSize(into, FXSAVE_BYTES);
      unit.saveFxsave(into, 0);
    }
  }

  restoreFpu(format: FpuImageFormat, from: Uint8Array): void {
    const unit = this.requireFpu();
    if (format === 'fnsave') {
      checkImageSize(from, FNSAVE_BYTES);
      unit.restoreFnsave(from, 0, false);
    } else {
      checkImageSize(from, FXSAVE_BYTES);
      unit.restoreFxsave(from, 0);
    }
    this.fpuSwitch?.invalidate();
  }

  resetFpu(): void {
    this.core.fpu?.reset();
    this.fpuSwitch?.invalidate();
  }

  private requireFpu(): FpuUnit {
    if (this.core.fpu === null) throw new Error('cpu-i386: this CPU was created without an x87');
    return this.core.fpu;
  }

  private checkGdtIndex(index: number): void {
    if (!Number.isInteger(index) || index <= 0 || index >= GDT_ENTRIES) {
      throw new Error(`cpu-i386: GDT entry ${index} is outside 1..${GDT_ENTRIES - 1}`);
    }
  }

  /**
   * What a segment load for the kernel throws: a fault becomes an Error naming what was attempted (built
   * only then: context switches load six segments each).
   */
  private faultAsError(e: unknown, what: string): unknown {
    if (e !== FAULT_SIGNAL) return e;
    const f = this.core.fault;
    return new Error(
      `cpu-i386: cannot ${what}: it would raise vector ${f.vector} (error code ${hex(f.errorCode)})`,
    );
  }
}

function checkImageSize(image: Uint8Array, sizeBytes: number): void {
  if (image.length < sizeBytes)
    throw new Error(`cpu-i386: FPU image needs ${sizeBytes} bytes, got ${image.length}`);
}

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}
