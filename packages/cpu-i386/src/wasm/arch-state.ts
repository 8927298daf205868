/**
 * The CPU's own area in the WebAssembly memory that holds RAM (ArchPlugin.stateBytes, PhysicalMemory.wasm):
 * the TLB, the registers and the lazy-flag operands live there, so code compiled to WebAssembly reads and
 * writes them where the JS tiers do. Layer: arch plugin (cpu-i386); mmu.ts and cpu-core.ts place their
 * arrays here when the kernel gives the area, wasm-region.ts bakes the offsets into its code.
 */
import type { PhysicalMemory } from '@kmos/abi-driver';
import { PAGE_COUNT } from '../constants.js';
import { freshX87Storage, X87_STATE_WORDS, type X87Storage } from '../fpu/x87-state.js';

/** Byte offsets inside the area. */
export const TLB_READ_AT = 0;
export const TLB_WRITE_AT = TLB_READ_AT + PAGE_COUNT * 4;
export const REGS_AT = TLB_WRITE_AT + PAGE_COUNT * 4;
export const LAZY_AT = REGS_AT + 8 * 4;
/** The segment bases (CpuCore.segBase): a segment override adds one. */
export const SEG_BASE_AT = LAZY_AT + 4 * 4;
/** What a compiled region and its caller hand each other besides registers (EXCHANGE_* slots, dwords). */
export const EXCHANGE_AT = SEG_BASE_AT + 6 * 4;
export const EXCHANGE_FLAGS = 0;
export const EXCHANGE_EIP = 1;
export const EXCHANGE_RETIRED = 2;
/** Instructions of finished segments, stored before an instruction runs through `step` (which may unwind). */
export const EXCHANGE_PASSES = 3;
/** CpuCore.segCheckMask: a segment override through a segment that needs checks leaves the region. */
export const EXCHANGE_SEG_CHECK = 4;
/** Non-zero while an interrupt request waits (CpuCore.irqPending): a chain of regions stops for it. */
export const EXCHANGE_IRQ = 5;
/**
 * Kept by the region chain (wasm/region-chain.ts): instructions retired by the regions before the one
 * running, that region's table index, and a count of region entries made inside the chain.
 */
export const EXCHANGE_CHAIN_RETIRED = 6;
export const EXCHANGE_CHAIN_REGION = 7;
export const EXCHANGE_CHAINED = 8;
/**
 * The flags a region leaves pending (wasm/lazy-flags.ts): kind, operands and result, EXCHANGE_FLAGS holding
 * the rest. A chain hands them to the next region uncomputed; the run loop computes EFLAGS when it takes over.
 */
export const EXCHANGE_FK = 9;
export const EXCHANGE_FA = 10;
export const EXCHANGE_FB = 11;
export const EXCHANGE_FR = 12;
/**
 * CpuCore's lazy-flag fields besides the operands at LAZY_AT, which the decoded tier's WebAssembly runner
 * (wasm/decoded-runner.ts) takes and leaves here with EXCHANGE_FLAGS and EXCHANGE_EIP.
 */
export const EXCHANGE_LAZY_MASK = 13;
export const EXCHANGE_LAZY_OP = 14;
export const EXCHANGE_LAZY_WIDTH = 15;
/** The header (a word index in the arena) of the block the decoded runner stopped in. */
export const EXCHANGE_DECODED_BLOCK = 16;
/**
 * Where the decoded runner stopped (a byte address) when a region chain handed over to it (region-chain.ts):
 * the run loop goes on from there as after its own call of the runner.
 */
export const EXCHANGE_HANDOFF_STOP = 17;
/** Of the instructions a chain retired (EXCHANGE_CHAIN_RETIRED), those decoded blocks ran (for statistics). */
export const EXCHANGE_CHAIN_DECODED = 18;
/**
 * Always 0: the register the decoded runner reads for a memory operand's missing base or index
 * (decoded-spec.ts), so its address is computed without a branch.
 */
export const EXCHANGE_ZERO = 19;
export const EXCHANGE_SLOTS = 20;
/** EXCHANGE_ZERO's byte offset from the registers (REGS_AT). */
export const ZERO_REGISTER_OFFSET = EXCHANGE_AT + EXCHANGE_ZERO * 4 - REGS_AT;

/**
 * The x87 register file and its words (fpu/x87-state.ts places its arrays here), so WebAssembly regions run x87
 * instructions on the state the x87 unit keeps (wasm/x87-stack.ts): dwords at X87_AT (X87State's words,
 * X87_WORD_* of fpu/x87-state.ts, then X87_WORD_TOUCHED), then the registers' fields, eight of each.
 */
export const X87_AT = EXCHANGE_AT + EXCHANGE_SLOTS * 4;
/** CpuCore.fpuTouched, which a region running an x87 instruction sets. */
export const X87_WORD_TOUCHED = X87_STATE_WORDS;
const X87_WORDS = X87_WORD_TOUCHED + 1;
export const X87_LO_AT = X87_AT + X87_WORDS * 4;
export const X87_HI_AT = X87_LO_AT + 8 * 4;
export const X87_EXP_AT = X87_HI_AT + 8 * 4;
export const X87_SIGN_AT = X87_EXP_AT + 8 * 2;
export const X87_EMPTY_AT = X87_SIGN_AT + 8;

/**
 * The chain's entry table: a two-way set-associative cache from a region entry's physical address to the region
 * (CHAIN_ENTRY_* fields, dwords), so one region can go on to the next without returning to JS.
 */
export const CHAIN_ENTRIES_AT = X87_EMPTY_AT + 8;
export const CHAIN_ENTRY_SLOTS = 8192;
export const CHAIN_ENTRY_BYTES = 32;
export const CHAIN_ENTRY_LIN = 0;
export const CHAIN_ENTRY_PHYS = 4;
export const CHAIN_ENTRY_INDEX = 8;
export const CHAIN_ENTRY_LABEL = 12;
export const CHAIN_ENTRY_LENGTH = 16;

/**
 * Where decoded blocks keep their packed instructions (decoded-code.ts) while there is room, so the decoded
 * tier's WebAssembly runner reads them: room for about 174,000 instructions (python's start-up decodes some
 * 35,000 blocks of about 6); blocks decoded after it is full keep theirs in JS chunks and run in JS.
 */
/**
 * Decoded blocks in the arena by physical address, for a region chain to go on into when no region starts
 * where it left (region-chain.ts): a direct-mapped cache of (physical address, linear EIP, header word
 * index), filed by the decoded runner; an entry is used only when the header it names still checks out.
 */
export const DECODED_ENTRIES_AT = CHAIN_ENTRIES_AT + CHAIN_ENTRY_SLOTS * CHAIN_ENTRY_BYTES;
export const DECODED_ENTRY_SLOTS = 8192;
export const DECODED_ENTRY_BYTES = 16;
export const DECODED_ENTRY_PHYS = 0;
export const DECODED_ENTRY_LIN = 4;
export const DECODED_ENTRY_HEADER = 8;
export const DECODED_AT = DECODED_ENTRIES_AT + DECODED_ENTRY_SLOTS * DECODED_ENTRY_BYTES;
/** Fibonacci hashing of physical addresses for both entry tables: 2^32 / golden ratio, odd. */
export const ENTRY_HASH_MULTIPLIER = 0x9e3779b1;
export const DECODED_ENTRY_BITS = Math.log2(DECODED_ENTRY_SLOTS);

/** The byte offset, from DECODED_ENTRIES_AT, of the decoded entry for physical address `phys`. */
export function decodedEntryOffset(phys: number): number {
  return (Math.imul(phys, ENTRY_HASH_MULTIPLIER) >>> (32 - DECODED_ENTRY_BITS)) * DECODED_ENTRY_BYTES;
}
export const DECODED_WORDS = 1 << 20;

/** What the CPU asks the kernel to keep for it (ArchPlugin.stateBytes). */
export const ARCH_STATE_BYTES = DECODED_AT + DECODED_WORDS * 4;

/** The area's start in `memory.buffer`, or -1 when RAM is not in a WebAssembly memory with room for it. */
export function archStateOffset(memory: PhysicalMemory): number {
  const wasm = memory.wasm;
  return wasm !== undefined && wasm.archBytes >= ARCH_STATE_BYTES ? wasm.archOffset : -1;
}

/** `length` dwords at `at` in the area, or a fresh array when there is no area. */
export function archInt32Array(memory: PhysicalMemory, at: number, length: number): Int32Array {
  const base = archStateOffset(memory);
  return base < 0 ? new Int32Array(length) : new Int32Array(memory.buffer, base + at, length);
}

/** The x87 state's arrays in the area (fresh ones without an area). */
export function archX87Storage(memory: PhysicalMemory): X87Storage {
  const base = archStateOffset(memory);
  if (base < 0) return freshX87Storage();
  const buffer = memory.buffer;
  return {
    words: new Int32Array(buffer, base + X87_AT, X87_STATE_WORDS),
    sign: new Uint8Array(buffer, base + X87_SIGN_AT, 8),
    exp: new Uint16Array(buffer, base + X87_EXP_AT, 8),
    hi: new Uint32Array(buffer, base + X87_HI_AT, 8),
    lo: new Uint32Array(buffer, base + X87_LO_AT, 8),
    empty: new Uint8Array(buffer, base + X87_EMPTY_AT, 8),
  };
}
