/**
 * The decoded tier: a straight run of instructions decoded once into `DecodedInsn` records and run by
 * calling each record's handler, so warm code pays neither fetching nor decoding again. Layer: arch plugin
 * (cpu-i386); the run loop in cpu.ts runs these blocks for code that is not hot enough for a region
 * (block-compiler.ts); handlers live in decoded-handlers.ts.
 *
 * How it works
 * - `decodeBlock` reads instruction bytes from one physical page (the bytes never cross it, so decoding never
 *   faults) and stops after a control transfer, before an instruction that crosses the page end, or at
 *   MAX_BLOCK_INSNS. Operands are resolved at decode time: registers, the addressing form, the default or
 *   override segment, immediates, branch targets as linear addresses.
 * - Common forms (by dynamic frequency in busybox and glibc start-up) get a handler; every other
 *   instruction keeps a record whose handler re-runs it through the interpreter's `step`, with its length
 *   from instruction-length.ts so the block goes on after it. If EIP is not where that length says after
 *   `step` (a branch the table did not know), the block is left.
 * - Before each handler the runner stores EIP and ESP at the instruction's start (where a fault rolls back
 *   to) and sets EIP past it; handlers follow the interpreter's fault discipline, so a faulting instruction
 *   changes nothing but ESP, which the run loop restores.
 * - Page faults, the commonest exception by far, are found before the handler runs: the memory operand and
 *   the stack slot an instruction uses are checked against the TLB (walking the tables on a miss), and a
 *   fault leaves by returning FAULTED. Throwing FAULT_SIGNAL costs the host a microsecond or more; it
 *   remains for the rarer cases (a second page of a straddling access, segment limits, #DE, ...).
 * - Instructions on registers alone (`plain`) can neither fault nor store: the runner calls them without
 *   recording where a fault would roll back to or looking for a store to code.
 * - The commonest forms also run inline in the runner's switch (decoded-fast.ts), in their common case only;
 *   otherwise their record runs them as above. Handlers are picked by a switch on `kind` too: a handler held
 *   in a field made every instruction a megamorphic call.
 * - Blocks are cached per physical frame by the code cache, which watches stores to their frames: a store to
 *   one sets `smcPending`, and the runner leaves the block after that instruction.
 */
import { ALU_CMP, alu, incDec, shiftRotate } from './alu.js';
import { ESP, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { INSN_EIP, INSN_ESP, LazyOp } from './cpu-core.js';
import { Fast, fastKindOf, fastStores } from './decoded-fast.js';
import {
  Access,
  decodeForm,
  type FormDecoder,
  Kind,
  PLAIN_KINDS,
  prepareAccess,
  runHandler,
  StackUse,
} from './decoded-handlers.js';
import { FAULTED } from './fault.js';
import { setLazy, testCondition } from './flags.js';
import { INSTRUCTION_PREFIXES, instructionLength } from './instruction-length.js';
import { CONTINUE, step } from './interpreter.js';
import type { Mmu } from './mmu.js';

/** A handler's answer besides CONTINUE and the RunExit values: EIP went elsewhere, the block is over. */
export const LEAVE_BLOCK = -2;
/** The runner's answer for a page fault found before an instruction ran (prepareAccess); see fault.ts. */
export { FAULTED };

/** Long enough that block entry costs little; short enough that a budget rarely splits a block. */
const MAX_BLOCK_INSNS = 48;

/**
 * One decoded instruction. Every field is a small integer, so all records share one hidden class. Fields are
 * laid out in the order they are declared (8 bytes each after a 24-byte header): those the inline paths read
 * come first, so most of them touch the record's first cache line or two. (A packed copy of those fields,
 * one Int32Array per block, measured no faster on cold code: fork-exec, the busybox pipeline.)
 */
export class DecodedInsn {
  /** The runner's inline path for it (decoded-fast.ts), Fast.NONE for none. */
  fast: Fast = Fast.NONE;
  /** Whether the inline path writes its stack slot or memory operand (it looks the page up for writing). */
  fastStore = false;
  /** ModR/M's reg and rm fields (or the register an opcode names, in `reg`). */
  reg = 0;
  rm = 0;
  /** The form's sub-operation: ALU op, group op, condition code, register. */
  sub = 0;
  /** Immediate (sign- or zero-extended as the form says). */
  imm = 0;
  /** A memory operand: base and index registers (-1: none), scale shift, displacement, segment register. */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  seg = SEG_DS;
  /** Branch target (linear). */
  target = 0;
  /** Linear address of the instruction, and of the one after it. */
  next = 0;
  eip = 0;
  /** Operand width mask: 0xff, 0xffff or -1. */
  m = -1;
  /** Which handler runs it (decoded-handlers.ts's Kind); STEP: the interpreter does. */
  kind: Kind = Kind.STEP;
  /**
   * Registers only (no memory, no stack): the instruction can neither fault nor store, so the runner skips
   * what a fault or a store to code would need (PLAIN_KINDS).
   */
  plain = false;
  /** How the memory operand is accessed, and which stack slot is used: checked before the handler runs. */
  access: Access = Access.None;
  stack: StackUse = StackUse.None;
  /** ModR/M byte (0xc0 and up: a register operand). */
  modrm = 0xc0;
  /** True when the block ends after this instruction. */
  endsBlock = false;
}

/** Runs an instruction the decoded tier has no handler for: the interpreter decodes and runs it again. */
function runThroughStep(c: CpuCore, d: DecodedInsn): number {
  c.eip = d.eip;
  const exit = step(c);
  if (exit !== CONTINUE) return exit;
  return c.eip === d.next ? CONTINUE : LEAVE_BLOCK;
}

/**
 * Runs `insns` from the first; returns CONTINUE or LEAVE_BLOCK (EIP is where to go on) or the RunExit an
 * instruction asked for. Counts each retired instruction in `c.runRetired`.
 *
 * The commonest forms run inline (decoded-fast.ts says which) when their stack slot or memory operand is at
 * hand (`operandAt`); otherwise the record (`runRecord`) runs the instruction, nothing having changed.
 * Inline paths leave EIP alone unless they branch, so EIP is set once the block is done.
 */
export function runDecoded(c: CpuCore, insns: DecodedInsn[]): number {
  const n = insns.length;
  const retiredBefore = c.runRetired;
  let i = 0;
  try {
    for (;;) {
      i = runInline(c, insns, i);
      if (i === n) break;
      // Inline paths count nothing: the record sees the count so far (RDTSC reads it).
      c.runRetired = retiredBefore + i;
      const exit = runRecord(c, insns[i]);
      if (exit !== CONTINUE) {
        c.runRetired = retiredBefore + (exit === FAULTED ? i : i + 1); // a FAULTED instruction did not retire
        return exit;
      }
      i++;
    }
  } catch (e) {
    c.runRetired = retiredBefore + i; // the instruction that threw did not retire (the run loop unwinds it)
    throw e;
  }
  c.runRetired = retiredBefore + n;
  const last = insns[n - 1];
  if (!last.endsBlock) c.eip = last.next;
  return CONTINUE;
}

/**
 * Runs the inline paths of `insns` from `from` on; returns the index of the first instruction that has none
 * or whose operand is not at hand (nothing of it done), or the block's length. Kept apart from the records'
 * path so V8 spends its inlining budget on the helpers these paths call, not on `runRecord`.
 */
function runInline(c: CpuCore, insns: DecodedInsn[], from: number): number {
  const regs = c.regs;
  const mmu = c.mmu;
  const n = insns.length;
  for (let i = from; i < n; i++) {
    const d = insns[i];
    const fast = d.fast;
    if (fast === Fast.NONE) return i;
    // The stack slot or memory operand is looked up in one place for every kind: each inlined copy of a
    // lookup cost V8 inlining budget that the ALU helpers then lacked.
    const a = fast >= Fast.FIRST_STACK ? operandAt(c, d, fast >= Fast.FIRST_MEMORY) : 0;
    if (a < 0) return i;
    switch (fast) {
      case Fast.MOV_R32_R32:
        regs[d.rm] = regs[d.reg];
        continue;
      case Fast.MOV_R32_IMM:
        regs[d.reg] = d.imm;
        continue;
      case Fast.TEST_R32_R32:
        setLazy(c, LazyOp.LOGIC, 0, 0, regs[d.rm] & regs[d.reg], -1);
        continue;
      case Fast.LEA:
        regs[d.reg] = offsetOf(regs, d);
        continue;
      case Fast.INC_DEC_R32:
        regs[d.reg] = incDec(c, regs[d.reg], d.sub !== 0, -1);
        continue;
      case Fast.SHIFT_R32_IMM: {
        const count = d.imm & 0x1f;
        if (count !== 0) regs[d.rm] = shiftRotate(c, d.reg, regs[d.rm], count, -1);
        continue;
      }
      case Fast.JCC:
        c.eip = testCondition(c, d.sub) ? d.target : d.next;
        continue;
      case Fast.JMP:
        c.eip = d.target;
        continue;
      case Fast.PUSH_R32:
        storeDword(mmu, a, regs[d.reg]);
        regs[ESP] = (regs[ESP] - 4) | 0;
        continue;
      case Fast.PUSH_IMM:
        storeDword(mmu, a, d.imm);
        regs[ESP] = (regs[ESP] - 4) | 0;
        continue;
      case Fast.CALL:
        storeDword(mmu, a, d.next);
        regs[ESP] = (regs[ESP] - 4) | 0;
        c.eip = d.target;
        continue;
      case Fast.POP_R32: {
        const v = loadDword(mmu, a);
        regs[ESP] = (regs[ESP] + 4) | 0;
        regs[d.reg] = v; // after ESP: POP ESP keeps the popped value
        continue;
      }
      case Fast.RET:
        c.eip = loadDword(mmu, a);
        regs[ESP] = (regs[ESP] + 4 + d.imm) | 0;
        continue;
      case Fast.MOV_R32_M32:
        regs[d.reg] = loadDword(mmu, a);
        continue;
      case Fast.MOV_M32_R32:
        storeDword(mmu, a, regs[d.reg]);
        continue;
      case Fast.MOV_M32_IMM:
        storeDword(mmu, a, d.imm);
        continue;
      case Fast.MOVX_R32_M: {
        let v: number;
        if (d.m === 0xff) v = d.sub === 0 ? mmu.u8[a] : (mmu.u8[a] << 24) >> 24;
        else {
          v = (a & 1) === 0 ? mmu.u16[a >>> 1] : mmu.view.getUint16(a, true);
          if (d.sub !== 0) v = (v << 16) >> 16;
        }
        regs[d.reg] = v;
        continue;
      }
      case Fast.MOV_R8_M8: {
        const r = d.reg;
        // AL..BL are the low bytes of EAX..EBX, AH..BH their second bytes.
        if (r < 4) regs[r] = (regs[r] & ~0xff) | mmu.u8[a];
        else regs[r - 4] = (regs[r - 4] & ~0xff00) | (mmu.u8[a] << 8);
        continue;
      }
      default: {
        // The group-1 forms share one call of `alu` (one inlined copy): operands first, the result after.
        let x: number;
        let y: number;
        switch (fast) {
          case Fast.ALU_R32_R32:
            x = regs[d.rm];
            y = regs[d.reg];
            break;
          case Fast.ALU_R32_IMM:
            x = regs[d.rm];
            y = d.imm;
            break;
          case Fast.ALU_R32_M32:
            x = regs[d.reg];
            y = loadDword(mmu, a);
            break;
          case Fast.ALU_M8_IMM:
            x = mmu.u8[a];
            y = d.imm;
            break;
          default: // ALU_M32_IMM, ALU_M32_R32
            x = loadDword(mmu, a);
            y = fast === Fast.ALU_M32_IMM ? d.imm : regs[d.reg];
            break;
        }
        const r = alu(c, d.sub, x, y, d.m);
        if (d.sub === ALU_CMP) continue;
        switch (fast) {
          case Fast.ALU_R32_R32:
          case Fast.ALU_R32_IMM:
            regs[d.rm] = r;
            break;
          case Fast.ALU_R32_M32:
            regs[d.reg] = r;
            break;
          case Fast.ALU_M8_IMM:
            mmu.u8[a] = r;
            break;
          default:
            storeDword(mmu, a, r);
            break;
        }
      }
    }
  }
  return n;
}

/**
 * The physical address of the stack slot (`memory` false) or memory operand of `d` when the common case holds:
 * the segment needs no checks, the TLB (for writing if `fastStore`) has the page, and a dword stays in it
 * (so does any narrower operand: one check serves every width). Else -1: the record runs the instruction.
 */
function operandAt(c: CpuCore, d: DecodedInsn, memory: boolean): number {
  const seg = memory ? d.seg : SEG_SS;
  if ((c.segCheckMask & (1 << seg)) !== 0) return -1;
  const regs = c.regs;
  const off = memory ? offsetOf(regs, d) : d.fastStore ? regs[ESP] - 4 : regs[ESP];
  const lin = (off + c.segBase[seg]) | 0;
  const page = (d.fastStore ? c.mmu.tlbWrite : c.mmu.tlbRead)[lin >>> 12];
  const inPage = lin & 0xfff;
  return page >= 0 && inPage <= 0xffc ? page | inPage : -1;
}

/** The memory operand's offset in its segment. */
function offsetOf(regs: Int32Array, d: DecodedInsn): number {
  let off = d.disp;
  if (d.base >= 0) off += regs[d.base];
  if (d.index >= 0) off += regs[d.index] << d.scale;
  return off | 0;
}

function loadDword(mmu: Mmu, a: number): number {
  return (a & 3) === 0 ? mmu.i32[a >>> 2] : mmu.view.getInt32(a, true);
}

function storeDword(mmu: Mmu, a: number, v: number): void {
  if ((a & 3) === 0) mmu.i32[a >>> 2] = v;
  else mmu.view.setInt32(a, v, true);
}

/**
 * Runs one instruction by its record: EIP and ESP at its start recorded (where a fault rolls back to), its
 * memory operand and stack slot checked, EIP set past it, then its handler.
 */
function runRecord(c: CpuCore, d: DecodedInsn): number {
  if (d.plain) {
    c.eip = d.next;
    return runHandler(c, d);
  }
  const start = c.insnStart;
  start[INSN_EIP] = d.eip;
  start[INSN_ESP] = c.regs[ESP];
  if ((d.access | d.stack) !== 0 && !prepareAccess(c, d)) {
    c.eip = d.eip;
    return FAULTED;
  }
  c.eip = d.next;
  const exit = d.kind === Kind.STEP ? runThroughStep(c, d) : runHandler(c, d);
  if (exit !== CONTINUE) return exit; // FAULTED through `step`: the instruction did not retire
  if (c.smcPending) {
    // A store reached a frame with cached code, perhaps this block's: what follows may be stale.
    c.smcPending = false;
    return LEAVE_BLOCK;
  }
  return CONTINUE;
}

// ---- Decoding -------------------------------------------------------------------------------------------

/** The byte cursor of the instruction being decoded (module state: decoding allocates only records). */
export class ByteCursor {
  u8: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;

  fits(n: number): boolean {
    return this.pos + n <= this.end;
  }

  u8At(): number {
    return this.u8[this.pos++];
  }

  s8(): number {
    return (this.u8[this.pos++] << 24) >> 24;
  }

  u16(): number {
    const u8 = this.u8;
    const p = this.pos;
    this.pos = p + 2;
    return u8[p] | (u8[p + 1] << 8);
  }

  s32(): number {
    const u8 = this.u8;
    const p = this.pos;
    this.pos = p + 4;
    return u8[p] | (u8[p + 1] << 8) | (u8[p + 2] << 16) | (u8[p + 3] << 24);
  }
}

const cursor = new ByteCursor();

const SEGMENT_PREFIX: Record<number, number> = {
  38: SEG_ES,
  46: SEG_CS,
  54: SEG_SS,
  62: SEG_DS,
  100: SEG_FS,
  101: SEG_GS,
};

/**
 * Decodes the block starting at linear `lin`, whose bytes are at physical `phys` in `u8`; an empty array
 * when its first instruction does not fit in the page (the interpreter runs that one).
 */
export function decodeBlock(u8: Uint8Array, phys: number, lin: number): DecodedInsn[] {
  const pageEnd = (phys & ~0xfff) + 4096;
  const insns: DecodedInsn[] = [];
  let at = phys;
  let eip = lin;
  while (insns.length < MAX_BLOCK_INSNS) {
    const length = instructionLength(u8, at, pageEnd);
    if (length < 0) break;
    const d = new DecodedInsn();
    d.eip = eip;
    d.next = (eip + length) | 0;
    decodeInstruction(u8, at, pageEnd, d);
    insns.push(d);
    if (d.endsBlock) break;
    at += length;
    eip = d.next;
  }
  return insns;
}

/**
 * Fills `d` (whose `eip` and `next` are set from the length table) for the instruction at `at`, known to fit
 * before `end`; forms without a handler keep Kind.STEP (`runThroughStep`).
 */
export function decodeInstruction(u8: Uint8Array, at: number, end: number, d: DecodedInsn): void {
  cursor.u8 = u8;
  cursor.pos = at;
  cursor.end = end;
  let op = cursor.u8At();
  let seg = -1;
  const override = SEGMENT_PREFIX[op];
  if (override !== undefined) {
    seg = override;
    op = cursor.u8At();
  }
  if (op === 0x0f) op = 0x100 | cursor.u8At();
  const form: FormDecoder | undefined = decodeForm(op);
  const decoded = form !== undefined && SEGMENT_PREFIX[op] === undefined && form(cursor, d, op, seg);
  // A form that read another length than the length table says is a decoder bug: the interpreter is right.
  if (!decoded || d.next - d.eip !== cursor.pos - at) {
    if (decoded) lengthDisagreements++;
    // The interpreter checks its own accesses (in its order: an #UD form must not fault on its operand).
    d.kind = Kind.STEP;
    d.access = Access.None;
    d.stack = StackUse.None;
    d.endsBlock = mayBranch(u8, at, end);
    return;
  }
  d.plain = d.access === Access.None && d.stack === StackUse.None && PLAIN_KINDS.has(d.kind);
  d.fast = fastKindOf(d);
  d.fastStore = fastStores(d, d.fast);
}

/** Forms whose operand bytes disagreed with instruction-length.ts (tests expect none). */
export let lengthDisagreements = 0;

/** Whether an instruction left to `step` may transfer control: the block ends after it. */
function mayBranch(u8: Uint8Array, at: number, end: number): boolean {
  let pos = at;
  while (pos < end && INSTRUCTION_PREFIXES.has(u8[pos])) pos++;
  const op = u8[pos];
  if (op === 0x0f) {
    const op2 = u8[pos + 1];
    return op2 === 0x34 || op2 === 0x05 || op2 === 0x0b || (op2 >= 0x80 && op2 < 0x90);
  }
  if (op === 0xff) {
    const kind = (u8[pos + 1] >> 3) & 7;
    return kind >= 2 && kind <= 5;
  }
  return BRANCHING_OPCODES.has(op);
}

const BRANCHING_OPCODES = new Set([
  0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x9a, 0xc2,
  0xc3, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe8, 0xe9, 0xea, 0xeb, 0xf1, 0xf4,
]);
