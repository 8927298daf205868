/**
 * The architectural state of one CPU and the per-instruction decode state, in one class with a fixed shape
 * so the JIT sees a single hidden class everywhere. Layer: arch plugin (cpu-i386). The ABI-facing wrapper
 * is cpu.ts; instruction handlers (interpreter*.ts, alu.ts, string-ops.ts, ...) read and write these fields.
 *
 * Who writes what: handlers write registers, EIP and the lazy-flag fields; segments.ts writes the segment
 * caches; cpu.ts writes everything between runs (the kernel's setReg/setSeg/restoreContext).
 */
import type { PhysicalMemory } from '@kmos/abi-driver';
import type { Block } from './code-cache.js';
import { FLAG_IF, FLAG_RESERVED_1, SEG_DS } from './constants.js';
import { FaultRecord } from './fault.js';
import type { X87Storage } from './fpu/x87-state.js';
import type { FpuUnit } from './fpu-unit.js';
import { Mmu } from './mmu.js';
import { SseState } from './sse/sse-state.js';
import {
  archInt32Array,
  archX87Storage,
  EXCHANGE_AT,
  EXCHANGE_IRQ,
  LAZY_AT,
  REGS_AT,
  SEG_BASE_AT,
} from './wasm/arch-state.js';

/**
 * How the lazy flags were produced (flags.ts computes CF/OF/AF from this, ZF/SF/PF from the result). The
 * last five are 32-bit only, for the region compiler's inline templates; AF is 0 after each, as the
 * interpreter leaves it:
 * - SHL, SHR, SAR: a = the operand, b = the count (1..31);
 * - IMUL: a and b = the signed factors (truncating IMUL: CF = OF = the product does not fit);
 * - MUL: a = the high half of EDX:EAX (CF = OF = it is not zero).
 */
export const LazyOp = {
  ADD: 0,
  ADC: 1,
  SUB: 2,
  SBB: 3,
  LOGIC: 4,
  SHL: 5,
  SHR: 6,
  SAR: 7,
  IMUL: 8,
  MUL: 9,
} as const;
/** Slots of CpuCore.lazy. */
export const LAZY_A = 0;
export const LAZY_B = 1;
export const LAZY_RES = 2;
export const LAZY_CIN = 3;
/** Slots of CpuCore.insnStart. */
export const INSN_EIP = 0;
export const INSN_ESP = 1;
/** Instructions a compiled block finished in earlier passes of its own loop (for fault accounting). */
export const INSN_BLOCK_PASSES = 2;

export class CpuCore {
  /** In the arch area of a WebAssembly RAM when there is one (wasm/arch-state.ts), so compiled code sees them. */
  readonly regs: Int32Array;
  /** EIP as an int32 (the wrapper shows it unsigned). */
  eip = 0;
  /** EFLAGS bits; the status bits named in `lazyMask` are stale and come from the lazy fields instead. */
  flags = FLAG_RESERVED_1 | FLAG_IF;
  lazyMask = 0;
  lazyOp = 0;
  /** 0xff, 0xffff or -1: the operand width of the lazy result. */
  lazyWidthMask = -1;
  /**
   * Operands, result and carry-in of the last flag-setting operation, at LAZY_A.. (a typed array, so storing
   * a 32-bit value never boxes it as a field store of a non-small integer would).
   */
  readonly lazy: Int32Array;

  /** Segment selectors and their descriptor caches (segments.ts). */
  readonly seg = new Uint16Array(6);
  /** In the arch area of a WebAssembly RAM when there is one, like `regs`. */
  readonly segBase: Int32Array;
  /** Limits as unsigned numbers. */
  readonly segLimit = new Float64Array(6);
  /** Bit per segment register: accesses through it need a check (null selector, limit below 4 GiB, expand-down). */
  segCheckMask = 0;
  readonly segExpandDown = new Uint8Array(6);
  readonly segUsable = new Uint8Array(6);
  readonly gdt: Uint32Array;
  ldt = new Uint32Array(0);

  readonly fault = new FaultRecord();
  readonly mmu: Mmu;
  fpu: FpuUnit | null = null;
  /** XMM registers and MXCSR; usable only with an FPU (the MMX registers are the x87's). */
  readonly sse = new SseState();

  // Decode state of the current instruction.
  /**
   * EIP and ESP at the start of the current instruction (INSN_EIP, INSN_ESP): where a fault rolls back to.
   * A typed array, so the per-instruction stores never box a 32-bit value.
   */
  readonly insnStart = new Int32Array(3);
  /** True under a 0x66 prefix: 16-bit operands. */
  o16 = false;
  /** True under a 0x67 prefix: 16-bit addressing. */
  a16 = false;
  /** The segment register of the memory operand: an override prefix or the default (DS, or SS for EBP/ESP bases). */
  segOverride = -1;
  /** 0, 0xf3 (REP/REPE) or 0xf2 (REPNE). */
  repPrefix = 0;
  lock = false;
  /** The linear address of the memory operand decoded last. */
  ea = 0;
  /** The offset (before adding the segment base) of the memory operand decoded last. */
  eaOffset = 0;
  eaSeg = SEG_DS;

  /** Instructions retired before the current run started (cpu.ts adds the current run's count). */
  insnsBase = 0;
  /** Instructions retired so far in the current run. */
  runRetired = 0;
  /** A device's interrupt request waits; in the arch area, where a chain of WebAssembly regions sees it. */
  private readonly irqSlot: Int32Array;
  /** Where the x87 unit keeps its registers: in the arch area, where WebAssembly regions reach them too. */
  readonly x87Storage: X87Storage;
  /** Set by every instruction that may change x87 or SSE state (fpu-switch.ts saves the state again then). */
  fpuTouched = false;
  /** Set when a store hit a frame with compiled code; a compiled block stops after that store. */
  smcPending = false;
  /** Instructions a compiled block retired, written by the block at each of its exits. */
  blockRetired = 0;
  /** The compiled block running now (for counting retired instructions when it faults), else null. */
  currentBlock: Block | null = null;
  /** The exception a compiled block caught (it returned TRACE_CAUGHT); the run loop takes it. */
  caught: unknown = null;
  syscallGate = 0;

  constructor(memory: PhysicalMemory, gdtEntries: number) {
    this.regs = archInt32Array(memory, REGS_AT, 8);
    this.lazy = archInt32Array(memory, LAZY_AT, 4);
    this.segBase = archInt32Array(memory, SEG_BASE_AT, 6);
    this.irqSlot = archInt32Array(memory, EXCHANGE_AT + EXCHANGE_IRQ * 4, 1);
    this.x87Storage = archX87Storage(memory);
    this.mmu = new Mmu(memory, this.fault);
    this.gdt = new Uint32Array(gdtEntries * 2);
  }

  get irqPending(): boolean {
    return this.irqSlot[0] !== 0;
  }

  set irqPending(pending: boolean) {
    this.irqSlot[0] = pending ? 1 : 0;
  }

  // ---- Registers by width ----

  get8(r: number): number {
    return r < 4 ? this.regs[r] & 0xff : (this.regs[r - 4] >> 8) & 0xff;
  }

  set8(r: number, v: number): void {
    if (r < 4) this.regs[r] = (this.regs[r] & ~0xff) | (v & 0xff);
    else this.regs[r - 4] = (this.regs[r - 4] & ~0xff00) | ((v & 0xff) << 8);
  }

  get16(r: number): number {
    return this.regs[r] & 0xffff;
  }

  set16(r: number, v: number): void {
    this.regs[r] = (this.regs[r] & ~0xffff) | (v & 0xffff);
  }
}
