/**
 * The decoded tier: a straight run of instructions decoded once, packed into words (decoded-code.ts) and
 * run from them, so warm code pays neither fetching nor decoding again. Layer: arch plugin
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
 * - The commonest forms run inline in the runner's switch (decoded-fast.ts), from the packed words, in their
 *   common case only; otherwise the instruction is unpacked into a `DecodedInsn` record, which runs as above. Handlers are picked by a switch on `kind` too: a handler held
 *   in a field made every instruction a megamorphic call.
 * - Blocks are cached per physical frame by the code cache, which watches stores to their frames: a store to
 *   one sets `smcPending`, and the runner leaves the block after that instruction.
 * - When RAM is a WebAssembly memory, blocks pack their words into the arch area instead and
 *   wasm/decoded-runner.ts runs them, the inline forms and more, block to block; `runPackedRecord` runs what
 *   it declines. `runDecoded` runs the rest (no WebAssembly memory, or its arena full).
 */
import { ALU_CMP, alu, incDec, shiftRotate } from './alu.js';
import { ESP, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { INSN_EIP, INSN_ESP, LazyOp } from './cpu-core.js';
import {
  type DecodedCodeStore,
  FORM_WIDTH_SHIFT,
  fuseCompareBranches,
  OPS_BASE_SHIFT,
  OPS_ENDS_BLOCK,
  OPS_FAST_MASK,
  OPS_FAST_STORE,
  OPS_INDEX_SHIFT,
  OPS_REG_SHIFT,
  OPS_RM_SHIFT,
  OPS_SCALE_SHIFT,
  OPS_SEG_SHIFT,
  OPS_SUB_SHIFT,
  packable,
  packInsn,
  unpackInsn,
  W_DISP,
  W_FORM,
  W_IMM,
  W_NEXT,
  W_OPS,
  W_TARGET,
  WIDTH_CODE_8,
  WORDS_PER_INSN,
} from './decoded-code.js';
import { Fast, fastKindOf, fastStores } from './decoded-fast.js';
import {
  Access,
  acceptsPrefixes,
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
import { lockableForm } from './interpreter-0f.js';
import type { Mmu } from './mmu.js';

/** A handler's answer besides CONTINUE and the RunExit values: EIP went elsewhere, the block is over. */
export const LEAVE_BLOCK = -2;
/** The runner's answer for a page fault found before an instruction ran (prepareAccess); see fault.ts. */
export { FAULTED };

/** Long enough that block entry costs little; short enough that a budget rarely splits a block. */
const MAX_BLOCK_INSNS = 48;

/**
 * One decoded instruction, as the decoders fill it and the handlers read it. Every field is a small integer,
 * so all records share one hidden class. Records live only while a block is decoded and while one
 * instruction runs through its handler: blocks keep their instructions packed (decoded-code.ts), a seventh of
 * a record's 192 bytes.
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
 * Runs the `n` instructions packed in `words` from word `at` (decoded-code.ts); returns CONTINUE or
 * LEAVE_BLOCK (EIP is where to go on) or the RunExit an instruction asked for. Counts each retired
 * instruction in `c.runRetired`.
 *
 * The commonest forms run inline (decoded-fast.ts says which) when their stack slot or memory operand is at
 * hand (`operandAt`); otherwise the instruction is unpacked into a record and `runRecord` runs it, nothing
 * having changed. Inline paths leave EIP alone unless they branch, so EIP is set once the block is done.
 */
export function runDecoded(c: CpuCore, words: Int32Array, at: number, n: number): number {
  const retiredBefore = c.runRetired;
  const end = at + n * WORDS_PER_INSN;
  let p = at;
  try {
    for (;;) {
      p = runInline(c, words, p, end);
      if (p === end) break;
      // Inline paths count nothing: the record sees the count so far (RDTSC reads it).
      const i = (p - at) / WORDS_PER_INSN;
      c.runRetired = retiredBefore + i;
      const exit = runRecord(c, unpackInsn(words, p, record));
      if (exit !== CONTINUE) {
        c.runRetired = retiredBefore + (exit === FAULTED ? i : i + 1); // a FAULTED instruction did not retire
        return exit;
      }
      p += WORDS_PER_INSN;
    }
  } catch (e) {
    c.runRetired = retiredBefore + (p - at) / WORDS_PER_INSN; // the instruction that threw did not retire
    throw e;
  }
  c.runRetired = retiredBefore + n;
  const last = end - WORDS_PER_INSN;
  if ((words[last + W_OPS] & OPS_ENDS_BLOCK) === 0) c.eip = words[last + W_NEXT];
  return CONTINUE;
}

/** Runs the instruction packed at word `p` of `words` by its record (see runRecord). */
export function runPackedRecord(c: CpuCore, words: Int32Array, p: number): number {
  return runRecord(c, unpackInsn(words, p, record));
}

/** The record `runRecord` and the handlers take: one, filled from the packed words before each use. */
const record = new DecodedInsn();

/**
 * Runs the inline paths of the instructions packed from word `from` to `end`; returns where the first
 * instruction that has none, or whose operand is not at hand, starts (nothing of it done), or `end`. Kept
 * apart from the records' path so V8 spends its inlining budget on the helpers these paths call.
 */
function runInline(c: CpuCore, words: Int32Array, from: number, end: number): number {
  const regs = c.regs;
  const mmu = c.mmu;
  for (let p = from; p < end; p = (p + WORDS_PER_INSN) | 0) {
    const ops = words[p + W_OPS];
    const fast = ops & OPS_FAST_MASK;
    if (fast === Fast.NONE) return p;
    // The stack slot or memory operand is looked up in one place for every kind: each inlined copy of a
    // lookup cost V8 inlining budget that the ALU helpers then lacked.
    const a = fast >= Fast.FIRST_STACK ? operandAt(c, words, p, ops, fast >= Fast.FIRST_MEMORY) : 0;
    if (a < 0) return p;
    const reg = (ops >>> OPS_REG_SHIFT) & 7;
    const rm = (ops >>> OPS_RM_SHIFT) & 7;
    const sub = (ops >>> OPS_SUB_SHIFT) & 0xf;
    switch (fast) {
      case Fast.MOV_R32_R32:
        regs[rm] = regs[reg];
        continue;
      case Fast.MOV_R32_IMM:
        regs[reg] = words[p + W_IMM];
        continue;
      case Fast.TEST_R32_R32:
        setLazy(c, LazyOp.LOGIC, 0, 0, regs[rm] & regs[reg], -1);
        continue;
      case Fast.LEA:
        regs[reg] = offsetOf(regs, words, p, ops);
        continue;
      case Fast.INC_DEC_R32:
        regs[reg] = incDec(c, regs[reg], sub !== 0, -1);
        continue;
      case Fast.SHIFT_R32_IMM: {
        const count = words[p + W_IMM] & 0x1f;
        if (count !== 0) regs[rm] = shiftRotate(c, reg, regs[rm], count, -1);
        continue;
      }
      case Fast.JCC:
        c.eip = testCondition(c, sub) ? words[p + W_TARGET] : words[p + W_NEXT];
        continue;
      case Fast.JMP:
        c.eip = words[p + W_TARGET];
        continue;
      case Fast.PUSH_R32:
        storeDword(mmu, a, regs[reg]);
        regs[ESP] = (regs[ESP] - 4) | 0;
        continue;
      case Fast.PUSH_IMM:
        storeDword(mmu, a, words[p + W_IMM]);
        regs[ESP] = (regs[ESP] - 4) | 0;
        continue;
      case Fast.CALL:
        storeDword(mmu, a, words[p + W_NEXT]);
        regs[ESP] = (regs[ESP] - 4) | 0;
        c.eip = words[p + W_TARGET];
        continue;
      case Fast.POP_R32: {
        const v = loadDword(mmu, a);
        regs[ESP] = (regs[ESP] + 4) | 0;
        regs[reg] = v; // after ESP: POP ESP keeps the popped value
        continue;
      }
      case Fast.RET:
        c.eip = loadDword(mmu, a);
        regs[ESP] = (regs[ESP] + 4 + words[p + W_IMM]) | 0;
        continue;
      case Fast.MOV_R32_M32:
        regs[reg] = loadDword(mmu, a);
        continue;
      case Fast.MOV_M32_R32:
        storeDword(mmu, a, regs[reg]);
        continue;
      case Fast.MOV_M32_IMM:
        storeDword(mmu, a, words[p + W_IMM]);
        continue;
      case Fast.MOVX_R32_M: {
        let v: number;
        if (((words[p + W_FORM] >>> FORM_WIDTH_SHIFT) & 3) === WIDTH_CODE_8) {
          v = sub === 0 ? mmu.u8[a] : (mmu.u8[a] << 24) >> 24;
        } else {
          v = (a & 1) === 0 ? mmu.u16[a >>> 1] : mmu.view.getUint16(a, true);
          if (sub !== 0) v = (v << 16) >> 16;
        }
        regs[reg] = v;
        continue;
      }
      case Fast.MOV_R8_M8:
        // AL..BL are the low bytes of EAX..EBX, AH..BH their second bytes.
        if (reg < 4) regs[reg] = (regs[reg] & ~0xff) | mmu.u8[a];
        else regs[reg - 4] = (regs[reg - 4] & ~0xff00) | (mmu.u8[a] << 8);
        continue;
      default: {
        // The group-1 forms share one call of `alu` (one inlined copy): operands first, the result after.
        let x: number;
        let y: number;
        let m = -1;
        switch (fast) {
          case Fast.ALU_R32_R32:
            x = regs[rm];
            y = regs[reg];
            break;
          case Fast.ALU_R32_IMM:
            x = regs[rm];
            y = words[p + W_IMM];
            break;
          case Fast.ALU_R32_M32:
            x = regs[reg];
            y = loadDword(mmu, a);
            break;
          case Fast.ALU_M8_IMM:
            x = mmu.u8[a];
            y = words[p + W_IMM];
            m = 0xff;
            break;
          default: // ALU_M32_IMM, ALU_M32_R32
            x = loadDword(mmu, a);
            y = fast === Fast.ALU_M32_IMM ? words[p + W_IMM] : regs[reg];
            break;
        }
        const r = alu(c, sub, x, y, m);
        if (sub === ALU_CMP) continue;
        switch (fast) {
          case Fast.ALU_R32_R32:
          case Fast.ALU_R32_IMM:
            regs[rm] = r;
            break;
          case Fast.ALU_R32_M32:
            regs[reg] = r;
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
  return end;
}

/**
 * The physical address of the stack slot (`memory` false) or memory operand of the instruction packed at
 * `p` (OPS word `ops`) when the common case holds: the segment needs no checks, the TLB (for writing if
 * the inline path stores) has the page, and a dword stays in it (so does any narrower operand: one check
 * serves every width). Else -1: the record runs the instruction.
 */
function operandAt(c: CpuCore, words: Int32Array, p: number, ops: number, memory: boolean): number {
  const seg = memory ? (ops >>> OPS_SEG_SHIFT) & 7 : SEG_SS;
  if ((c.segCheckMask & (1 << seg)) !== 0) return -1;
  const regs = c.regs;
  const store = (ops & OPS_FAST_STORE) !== 0;
  const off = memory ? offsetOf(regs, words, p, ops) : store ? regs[ESP] - 4 : regs[ESP];
  const lin = (off + c.segBase[seg]) | 0;
  const page = (store ? c.mmu.tlbWrite : c.mmu.tlbRead)[lin >>> 12];
  const inPage = lin & 0xfff;
  return page >= 0 && inPage <= 0xffc ? page | inPage : -1;
}

/** The memory operand's offset in its segment. */
function offsetOf(regs: Int32Array, words: Int32Array, p: number, ops: number): number {
  let off = words[p + W_DISP];
  const base = (ops >>> OPS_BASE_SHIFT) & 0xf;
  const index = (ops >>> OPS_INDEX_SHIFT) & 0xf;
  if (base !== 0) off += regs[base - 1];
  if (index !== 0) off += regs[index - 1] << ((ops >>> OPS_SCALE_SHIFT) & 3);
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
  /** An operand-size prefix (0x66) came first: "v" operands and immediates are 16 bits. */
  o16 = false;
  /** A REP prefix (0xF2, 0xF3) came first, or 0. */
  rep = 0;

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

/** A decoded block's instructions, packed (decoded-code.ts): `count` of them from word `at` of `words`. */
export interface DecodedBlock {
  readonly words: Int32Array;
  readonly at: number;
  readonly count: number;
  /** How many of them go through the interpreter's `step` (Kind.STEP), INT 0x80 (a syscall's) not counted. */
  readonly stepped: number;
}

const NO_CODE: DecodedBlock = { words: new Int32Array(0), at: 0, count: 0, stepped: 0 };
const INT = 0xcd;

/** Records of the block being decoded (reused: decoding allocates a record per instruction only here). */
const decoding: DecodedInsn[] = [];

/**
 * Decodes the block starting at linear `lin`, whose bytes are at physical `phys` in `u8`, and packs it into
 * `store`; no instructions when its first does not fit in the page (the interpreter runs that one).
 */
export function decodeBlock(
  u8: Uint8Array,
  phys: number,
  lin: number,
  store: DecodedCodeStore,
): DecodedBlock {
  const pageEnd = (phys & ~0xfff) + 4096;
  let count = 0;
  let stepped = 0;
  let at = phys;
  let eip = lin;
  while (count < MAX_BLOCK_INSNS) {
    const length = instructionLength(u8, at, pageEnd);
    if (length < 0) break;
    const d = new DecodedInsn();
    d.eip = eip;
    d.next = (eip + length) | 0;
    decodeInstruction(u8, at, pageEnd, d);
    if (d.kind === Kind.STEP && u8[at] !== INT) stepped++;
    decoding[count++] = d;
    if (d.endsBlock) break;
    at += length;
    eip = d.next;
  }
  if (count === 0) return NO_CODE;
  const span = store.reserve(count);
  for (let i = 0; i < count; i++) packInsn(decoding[i], span.words, span.at + i * WORDS_PER_INSN);
  fuseCompareBranches(span.words, span.at, count);
  decoding.fill(NO_RECORD, 0, count);
  return { words: span.words, at: span.at, count, stepped };
}

const NO_RECORD = new DecodedInsn();

/**
 * Fills `d` (whose `eip` and `next` are set from the length table) for the instruction at `at`, known to fit
 * before `end`; forms without a handler keep Kind.STEP (`runThroughStep`).
 */
export function decodeInstruction(u8: Uint8Array, at: number, end: number, d: DecodedInsn): void {
  cursor.u8 = u8;
  cursor.pos = at;
  cursor.end = end;
  cursor.o16 = false;
  cursor.rep = 0;
  let seg = -1;
  let lock = false;
  let op = cursor.u8At();
  // Prefixes in any order, each at most once (`66 2e 0f 1f ...` is a common NOP); a repeated one, or one
  // the form does not take, leaves the instruction to the interpreter.
  for (;;) {
    const override = SEGMENT_PREFIX[op];
    if (override !== undefined && seg < 0) seg = override;
    else if (op === 0x66 && !cursor.o16) cursor.o16 = true;
    else if ((op === 0xf2 || op === 0xf3) && cursor.rep === 0) cursor.rep = op;
    else if (op === 0xf0 && !lock) lock = true;
    else break;
    op = cursor.u8At();
  }
  if (op === 0x0f) op = 0x100 | cursor.u8At();
  const form: FormDecoder | undefined = decodeForm(op);
  const decoded =
    form !== undefined &&
    SEGMENT_PREFIX[op] === undefined &&
    acceptsPrefixes(op, cursor.o16, cursor.rep) &&
    // LOCK changes nothing on one CPU, but where it is illegal the interpreter raises #UD.
    (!lock || lockableForm(op, u8[cursor.pos] as number)) &&
    form(cursor, d, op, seg);
  // A form that read another length than the length table says is a decoder bug: the interpreter is right.
  // A form that packs into fewer bits than it decoded (decoded-code.ts) would be a decoder bug too.
  if (!decoded || d.next - d.eip !== cursor.pos - at || !packable(d)) {
    if (decoded) lengthDisagreements++;
    // The interpreter checks its own accesses (in its order: an #UD form must not fault on its operand).
    clearOperands(d);
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

/** Back to a new record's operands: an instruction left to `step` packs only its addresses and length. */
function clearOperands(d: DecodedInsn): void {
  d.reg = 0;
  d.rm = 0;
  d.sub = 0;
  d.imm = 0;
  d.base = -1;
  d.index = -1;
  d.scale = 0;
  d.disp = 0;
  d.seg = SEG_DS;
  d.target = 0;
  d.m = -1;
  d.modrm = 0xc0;
}

/** Forms whose operand bytes disagreed with instruction-length.ts or did not pack (tests expect none). */
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
