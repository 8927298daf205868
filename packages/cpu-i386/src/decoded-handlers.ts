/**
 * The decoded tier's forms: for each common opcode, a decoder that reads its operands into a `DecodedInsn`
 * once, and a handler that runs it from there. Layer: arch plugin (cpu-i386); decoded-block.ts decodes
 * and runs blocks with these.
 *
 * Semantics are the interpreter's, case by case (interpreter.ts, interpreter-0f.ts): the same ALU, flag,
 * multiply and stack helpers, and the same fault discipline (every access that can fault happens before a
 * register or flag changes; read-modify-write forms probe the destination first). A form the table lacks,
 * or a variant it refuses (a decoder returning false: prefixes other than one segment override, an #UD
 * encoding), is run by the interpreter instead, so this file may stay a fast path and nothing more.
 */
import { ALU_CMP, alu, doubleShift, incDec, neg, shiftRotate } from './alu.js';
import { bitTest, bswap, cmpxchg, scanBits, xadd } from './bit-ops.js';
import { EAX, EBP, ECX, EDX, ESP, FLAG_DF, SEG_DS, SEG_SS } from './constants.js';
import { type CpuCore, LazyOp } from './cpu-core.js';
import { finishEa, getReg, peekStack, pop, push, readRm, setReg, writeRm } from './decode.js';
import type { ByteCursor, DecodedInsn } from './decoded-block.js';
import { setLazy, testCondition } from './flags.js';
import { beginRmw, CONTINUE } from './interpreter.js';
import { div, idiv, imul1, imulTrunc, mul } from './muldiv.js';
import { STR_CMPS, STR_LODS, STR_MOVS, STR_SCAS, STR_STOS, stringOp } from './string-ops.js';

/**
 * Reads the operands of opcode `op` (0x100 | second byte for 0F xx) at the cursor into `d` and picks its
 * handler; `seg` is the segment override or -1. False: leave this instruction to the interpreter.
 */
export type FormDecoder = (cur: ByteCursor, d: DecodedInsn, op: number, seg: number) => boolean;

/** How an instruction uses its ModR/M memory operand (prepareAccess checks the page before it runs). */
export const Access = {
  None: 0,
  Read: 1,
  Write: 2,
  /** Read or written as only the running instruction knows (a shift by CL): resolved, not checked. */
  Resolve: 3,
} as const;
export type Access = (typeof Access)[keyof typeof Access];

/** The stack slot an instruction reads or writes first (prepareAccess checks its page before it runs). */
export const StackUse = {
  None: 0,
  /** Writes below ESP (PUSH, CALL). */
  Push: 1,
  /** Reads at ESP (POP, RET). */
  Pop: 2,
  /** Reads at EBP (LEAVE). */
  Leave: 3,
} as const;
export type StackUse = (typeof StackUse)[keyof typeof StackUse];

/**
 * Which handler runs a decoded instruction (`DecodedInsn.kind`): `runHandler` switches on it, so the
 * handlers are called directly (and inlined) instead of through one megamorphic call of a function field.
 * 0 (STEP) is an instruction the interpreter runs (decoded-block.ts's runThroughStep). A const enum: esbuild
 * inlines its values, so the switch compiles to a jump table (as for decoded-fast.ts's Fast).
 */
export const enum Kind {
  STEP = 0,
  aluRmReg = 1,
  aluRegRm = 2,
  aluReg32 = 3,
  aluAccImm = 4,
  aluRmImm = 5,
  testRmReg = 6,
  testAccImm = 7,
  testRmImm = 8,
  movRmReg = 9,
  movRegRm = 10,
  movReg32Mem = 11,
  movReg32Reg32 = 12,
  movRmImm = 13,
  movRegImm = 14,
  lea = 15,
  movExtend = 16,
  xchgRmReg = 17,
  xchgEax = 18,
  cmov = 19,
  setcc = 20,
  pushReg = 21,
  popReg = 22,
  pushImm = 23,
  leave = 24,
  jcc = 25,
  jmp = 26,
  call = 27,
  ret = 28,
  incDecReg = 29,
  incDecRm = 30,
  shiftImm = 31,
  shiftByCl = 32,
  notRm = 33,
  negRm = 34,
  mulDiv = 35,
  callIndirect = 36,
  jmpIndirect = 37,
  pushRm = 38,
  imulRegRm = 39,
  imulRegRmImm = 40,
  cwde = 41,
  cdq = 42,
  nop = 43,
  cld = 44,
  std = 45,
  cmpxchg = 46,
  string = 47,
  shiftDouble = 48,
  loop = 49,
  bitScan = 50,
  bitTest = 51,
  bswap = 52,
  xadd = 53,
}

const FORMS: (FormDecoder | undefined)[] = new Array(0x200).fill(undefined);
/** Per form, the prefixes besides a segment override (and a legal LOCK) its decoder takes: P_* bits. */
const FORM_PREFIXES = new Uint8Array(0x200);
/** Operand size (0x66): the decoder reads `cur.o16`. */
const P_O16 = 1;
/** REP/REPNE (0xF3/0xF2): the decoder reads `cur.rep`, or the form ignores it as the CPU does (PAUSE). */
const P_REP = 2;

export function decodeForm(op: number): FormDecoder | undefined {
  return FORMS[op];
}

/** Whether form `op` takes an operand-size prefix (`o16`) and REP prefix `rep` (0: none) if present. */
export function acceptsPrefixes(op: number, o16: boolean, rep: number): boolean {
  const takes = FORM_PREFIXES[op] as number;
  return (!o16 || (takes & P_O16) !== 0) && (rep === 0 || (takes & P_REP) !== 0);
}

function define(ops: readonly number[], decoder: FormDecoder, prefixes = 0): void {
  for (const op of ops) {
    FORMS[op] = decoder;
    FORM_PREFIXES[op] = prefixes;
  }
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

// ---- Operand decoding -------------------------------------------------------------------------------

/**
 * ModR/M (and SIB, displacement) in 32-bit addressing, as decode.ts's decodeEa reads them; a memory operand
 * is accessed as `access` says (prepareAccess checks it before the handler runs).
 */
function readModrm(cur: ByteCursor, d: DecodedInsn, seg: number, access: Access): void {
  const modrm = cur.u8At();
  d.modrm = modrm;
  d.reg = (modrm >> 3) & 7;
  d.rm = modrm & 7;
  if (modrm >= 0xc0) return;
  d.access = access;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let defaultSeg = SEG_DS;
  let disp = 0;
  d.base = -1;
  d.index = -1;
  if (rm === 4) {
    const sib = cur.u8At();
    const base = sib & 7;
    const index = (sib >> 3) & 7;
    if (base === 5 && mod === 0) {
      disp = cur.s32();
    } else {
      d.base = base;
      if (base === ESP || base === EBP) defaultSeg = SEG_SS;
    }
    if (index !== 4) {
      d.index = index;
      d.scale = sib >> 6;
    }
  } else if (rm === 5 && mod === 0) {
    disp = cur.s32();
  } else {
    d.base = rm;
    if (rm === EBP) defaultSeg = SEG_SS;
  }
  if (mod === 1) disp = cur.s8();
  else if (mod === 2) disp = cur.s32();
  d.disp = disp;
  d.seg = seg >= 0 ? seg : defaultSeg;
}

/** The offset of a decoded memory operand (no segment). */
function offsetOf(c: CpuCore, d: DecodedInsn): number {
  const r = c.regs;
  let off = d.disp;
  if (d.base >= 0) off += r[d.base];
  if (d.index >= 0) off += r[d.index] << d.scale;
  return off | 0;
}

/**
 * Before the handler runs: resolves the memory operand into `c.ea` (segment checks included, as the
 * interpreter's decode does) and makes sure its page and the stack slot the instruction uses are mapped
 * for the access. False: a #PF is recorded and nothing has changed (the runner leaves without unwinding).
 */
export function prepareAccess(c: CpuCore, d: DecodedInsn): boolean {
  const mmu = c.mmu;
  if (d.access !== Access.None) {
    finishEa(c, d.seg, offsetOf(c, d));
    if (d.access !== Access.Resolve && !mmu.ready(c.ea, d.access === Access.Write)) return false;
  }
  // A stack segment with checks is left to the handler's own accesses (which may unwind).
  if (d.stack === StackUse.None || (c.segCheckMask & (1 << SEG_SS)) !== 0) return true;
  const regs = c.regs;
  const off = d.stack === StackUse.Push ? regs[ESP] - 4 : d.stack === StackUse.Pop ? regs[ESP] : regs[EBP];
  return mmu.ready((off + c.segBase[SEG_SS]) | 0, d.stack === StackUse.Push);
}

/** The r/m operand's value (a memory operand is already in `c.ea`). */
function readOperand(c: CpuCore, d: DecodedInsn, m: number): number {
  return d.modrm >= 0xc0 ? getReg(c, d.rm, m) : readRm(c, d.modrm, m);
}

function writeOperand(c: CpuCore, d: DecodedInsn, v: number, m: number): void {
  if (d.modrm >= 0xc0) setReg(c, d.rm, v, m);
  else writeRm(c, d.modrm, v, m);
}

/** A read-modify-write destination in memory is probed for writing first (both pages, if it straddles). */
function beginOperandRmw(c: CpuCore, d: DecodedInsn, m: number): void {
  if (d.modrm < 0xc0) beginRmw(c, d.modrm, m);
}

/** The operand width of a form whose even opcode is the byte form: else 16 bits under 0x66, or 32. */
function byteOrV(cur: ByteCursor, op: number): number {
  return (op & 1) === 0 ? 0xff : vWidth(cur);
}

/** The width of a "v" operand: 16 bits under 0x66, else 32. */
function vWidth(cur: ByteCursor): number {
  return cur.o16 ? 0xffff : -1;
}

/** An immediate of width `m`: bytes and words zero-extended, as the interpreter's fetchImm reads them. */
function immediate(cur: ByteCursor, m: number): number {
  return m === 0xff ? cur.u8At() : m === 0xffff ? cur.u16() : cur.s32();
}

function ends(d: DecodedInsn): boolean {
  d.endsBlock = true;
  return true;
}

// ---- ALU (00..3D, 80..83, 84/85, A8/A9) ---------------------------------------------------------------

function aluRmReg(c: CpuCore, d: DecodedInsn): number {
  const m = d.m;
  if (d.sub !== ALU_CMP) {
    beginOperandRmw(c, d, m);
    writeOperand(c, d, alu(c, d.sub, readOperand(c, d, m), getReg(c, d.reg, m), m), m);
  } else {
    alu(c, ALU_CMP, readOperand(c, d, m), getReg(c, d.reg, m), m);
  }
  return CONTINUE;
}

function aluRegRm(c: CpuCore, d: DecodedInsn): number {
  const m = d.m;
  const r = alu(c, d.sub, getReg(c, d.reg, m), readOperand(c, d, m), m);
  if (d.sub !== ALU_CMP) setReg(c, d.reg, r, m);
  return CONTINUE;
}

/** Register-register 32-bit ALU: the commonest form, without width or memory branches. */
function aluReg32(c: CpuCore, d: DecodedInsn): number {
  const regs = c.regs;
  const r = alu(c, d.sub, regs[d.rm], regs[d.reg], -1);
  if (d.sub !== ALU_CMP) regs[d.rm] = r;
  return CONTINUE;
}

function aluAccImm(c: CpuCore, d: DecodedInsn): number {
  const r = alu(c, d.sub, getReg(c, EAX, d.m), d.imm, d.m);
  if (d.sub !== ALU_CMP) setReg(c, EAX, r, d.m);
  return CONTINUE;
}

function aluRmImm(c: CpuCore, d: DecodedInsn): number {
  const m = d.m;
  if (d.sub !== ALU_CMP) {
    beginOperandRmw(c, d, m);
    writeOperand(c, d, alu(c, d.sub, readOperand(c, d, m), d.imm, m), m);
  } else {
    alu(c, ALU_CMP, readOperand(c, d, m), d.imm, m);
  }
  return CONTINUE;
}

define(
  range(0x00, 0x3f).filter((op) => (op & 7) < 6),
  (cur, d, op, seg) => {
    d.sub = op >> 3;
    d.m = byteOrV(cur, op);
    const form = op & 7;
    if (form >= 4) {
      d.imm = immediate(cur, d.m);
      d.kind = Kind.aluAccImm;
      return true;
    }
    readModrm(cur, d, seg, form < 2 && d.sub !== ALU_CMP ? Access.Write : Access.Read);
    if (form >= 2) d.kind = Kind.aluRegRm;
    else d.kind = d.m === -1 && d.modrm >= 0xc0 ? Kind.aluReg32 : Kind.aluRmReg;
    return true;
  },
  P_O16,
);

define(
  [0x80, 0x81, 0x82, 0x83],
  (cur, d, op, seg) => {
    d.m = op === 0x81 || op === 0x83 ? vWidth(cur) : 0xff;
    readModrm(cur, d, seg, Access.Read);
    if (d.reg !== ALU_CMP && d.modrm < 0xc0) d.access = Access.Write;
    d.sub = d.reg;
    // 83's byte is sign-extended to the operand's width, as the interpreter's group1 reads it.
    d.imm = op === 0x83 ? cur.s8() & d.m : immediate(cur, d.m);
    d.kind = Kind.aluRmImm;
    return true;
  },
  P_O16,
);

function testRmReg(c: CpuCore, d: DecodedInsn): number {
  const a = readOperand(c, d, d.m);
  setLazy(c, LazyOp.LOGIC, 0, 0, a & getReg(c, d.reg, d.m), d.m);
  return CONTINUE;
}

function testAccImm(c: CpuCore, d: DecodedInsn): number {
  setLazy(c, LazyOp.LOGIC, 0, 0, getReg(c, EAX, d.m) & d.imm, d.m);
  return CONTINUE;
}

define(
  [0x84, 0x85],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    readModrm(cur, d, seg, Access.Read);
    d.kind = Kind.testRmReg;
    return true;
  },
  P_O16,
);

define(
  [0xa8, 0xa9],
  (cur, d, op) => {
    d.m = byteOrV(cur, op);
    d.imm = immediate(cur, d.m);
    d.kind = Kind.testAccImm;
    return true;
  },
  P_O16,
);

// ---- Moves (88..8B, 8D, A0..A3, B0..BF, C6/C7, 0F B6..BF, XCHG) ------------------------------------------

function movRmReg(c: CpuCore, d: DecodedInsn): number {
  writeOperand(c, d, getReg(c, d.reg, d.m), d.m);
  return CONTINUE;
}

function movRegRm(c: CpuCore, d: DecodedInsn): number {
  setReg(c, d.reg, readOperand(c, d, d.m), d.m);
  return CONTINUE;
}

/** MOV r32, [mem] with a flat segment: the commonest instruction of all. */
function movReg32Mem(c: CpuCore, d: DecodedInsn): number {
  c.regs[d.reg] = readRm(c, d.modrm, -1);
  return CONTINUE;
}

function movReg32Reg32(c: CpuCore, d: DecodedInsn): number {
  c.regs[d.rm] = c.regs[d.reg];
  return CONTINUE;
}

define(
  [0x88, 0x89],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    readModrm(cur, d, seg, Access.Write);
    d.kind = d.m === -1 && d.modrm >= 0xc0 ? Kind.movReg32Reg32 : Kind.movRmReg;
    return true;
  },
  P_O16,
);

define(
  [0x8a, 0x8b],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    readModrm(cur, d, seg, Access.Read);
    d.kind = d.m === -1 && d.modrm < 0xc0 ? Kind.movReg32Mem : Kind.movRegRm;
    return true;
  },
  P_O16,
);

function movRmImm(c: CpuCore, d: DecodedInsn): number {
  writeOperand(c, d, d.imm, d.m);
  return CONTINUE;
}

define(
  [0xc6, 0xc7],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    readModrm(cur, d, seg, Access.Write);
    if (d.reg !== 0) return false;
    d.imm = immediate(cur, d.m);
    d.kind = Kind.movRmImm;
    return true;
  },
  P_O16,
);

function movRegImm(c: CpuCore, d: DecodedInsn): number {
  setReg(c, d.reg, d.imm, d.m);
  return CONTINUE;
}

define(
  range(0xb0, 0xbf),
  (cur, d, op) => {
    d.m = op < 0xb8 ? 0xff : vWidth(cur);
    d.reg = op & 7;
    d.imm = immediate(cur, d.m);
    d.kind = Kind.movRegImm;
    return true;
  },
  P_O16,
);

/** A0..A3 address their operand by an offset in the instruction: a memory operand with no registers. */
define(
  [0xa0, 0xa1, 0xa2, 0xa3],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    d.modrm = 0x05; // [disp32]: a memory form for readRm/writeRm
    d.base = -1;
    d.index = -1;
    d.disp = cur.s32();
    d.seg = seg >= 0 ? seg : SEG_DS;
    d.reg = EAX;
    d.access = op < 0xa2 ? Access.Read : Access.Write;
    d.kind = op < 0xa2 ? Kind.movRegRm : Kind.movRmReg;
    return true;
  },
  P_O16,
);

function lea(c: CpuCore, d: DecodedInsn): number {
  c.regs[d.reg] = offsetOf(c, d);
  return CONTINUE;
}

define([0x8d], (cur, d, _op, seg) => {
  readModrm(cur, d, seg, Access.None);
  if (d.modrm >= 0xc0) return false;
  d.kind = Kind.lea;
  return true;
});

function movExtend(c: CpuCore, d: DecodedInsn): number {
  let v = readOperand(c, d, d.m);
  if (d.sub !== 0) v = d.m === 0xff ? (v << 24) >> 24 : (v << 16) >> 16;
  c.regs[d.reg] = v;
  return CONTINUE;
}

define([0x1b6, 0x1b7, 0x1be, 0x1bf], (cur, d, op, seg) => {
  d.m = (op & 1) === 0 ? 0xff : 0xffff;
  d.sub = op >= 0x1be ? 1 : 0;
  readModrm(cur, d, seg, Access.Read);
  d.kind = Kind.movExtend;
  return true;
});

function xchgRmReg(c: CpuCore, d: DecodedInsn): number {
  const m = d.m;
  const a = readOperand(c, d, m);
  const b = getReg(c, d.reg, m);
  writeOperand(c, d, b, m);
  setReg(c, d.reg, a, m);
  return CONTINUE;
}

define([0x86, 0x87], (cur, d, op, seg) => {
  d.m = byteOrV(cur, op);
  readModrm(cur, d, seg, Access.Read); // the interpreter reads first: a missing page is a read fault
  d.kind = Kind.xchgRmReg;
  return true;
});

function xchgEax(c: CpuCore, d: DecodedInsn): number {
  const regs = c.regs;
  const t = regs[d.reg];
  regs[d.reg] = regs[EAX];
  regs[EAX] = t;
  return CONTINUE;
}

define(range(0x91, 0x97), (_cur, d, op) => {
  d.reg = op & 7;
  d.kind = Kind.xchgEax;
  return true;
});

function bitScan(c: CpuCore, d: DecodedInsn): number {
  const index = scanBits(c, readOperand(c, d, -1), d.sub !== 0);
  if (index >= 0) c.regs[d.reg] = index;
  return CONTINUE;
}

/**
 * BSF and BSR of dwords; with REP they are TZCNT and LZCNT, which a CPU without BMI1 and ABM (kmOS advertises
 * neither) runs as BSF and BSR.
 */
define(
  [0x1bc, 0x1bd],
  (cur, d, op, seg) => {
    d.sub = op & 1;
    readModrm(cur, d, seg, Access.Read);
    d.kind = Kind.bitScan;
    return true;
  },
  P_REP,
);

/** BT, BTS, BTR, BTC (`sub` 0..3) of a dword: by a register (in a register), or by an immediate. */
function bitTestForm(c: CpuCore, d: DecodedInsn): number {
  const byRegister = d.imm < 0;
  bitTest(c, d.modrm, -1, byRegister ? c.regs[d.reg] : d.imm, byRegister, d.sub);
  return CONTINUE;
}

// 0F A3/AB/B3/BB with a register operand: a memory operand is addressed by the bit offset too (the interpreter's).
define([0x1a3, 0x1ab, 0x1b3, 0x1bb], (cur, d, op, seg) => {
  if ((cur.u8[cur.pos] as number) < 0xc0) return false;
  d.sub = op === 0x1a3 ? 0 : op === 0x1ab ? 1 : op === 0x1b3 ? 2 : 3;
  d.imm = -1;
  readModrm(cur, d, seg, Access.None);
  d.kind = Kind.bitTest;
  return true;
});

// 0F BA /4../7: the bit offset an immediate byte.
define([0x1ba], (cur, d, _op, seg) => {
  const kind = (((cur.u8[cur.pos] as number) >> 3) & 7) - 4;
  if (kind < 0) return false; // #UD: the interpreter raises it
  d.sub = kind;
  readModrm(cur, d, seg, kind === 0 ? Access.Read : Access.Write);
  d.imm = cur.u8At();
  d.kind = Kind.bitTest;
  return true;
});

function bswapForm(c: CpuCore, d: DecodedInsn): number {
  bswap(c, d.reg);
  return CONTINUE;
}

define(range(0x1c8, 0x1cf), (_cur, d, op) => {
  d.reg = op & 7;
  d.kind = Kind.bswap;
  return true;
});

function cmov(c: CpuCore, d: DecodedInsn): number {
  const v = readOperand(c, d, -1); // read even when the condition is false: a bad address faults anyway
  if (testCondition(c, d.sub)) c.regs[d.reg] = v;
  return CONTINUE;
}

function setcc(c: CpuCore, d: DecodedInsn): number {
  writeOperand(c, d, testCondition(c, d.sub) ? 1 : 0, 0xff);
  return CONTINUE;
}

/** CMOVcc and SETcc: a condition code in the opcode's low nibble and a ModR/M operand. */
function conditionForm(kind: Kind, access: Access): FormDecoder {
  return (cur, d, op, seg) => {
    d.sub = op & 0xf;
    readModrm(cur, d, seg, access);
    d.kind = kind;
    return true;
  };
}

define(range(0x140, 0x14f), conditionForm(Kind.cmov, Access.Read));
define(range(0x190, 0x19f), conditionForm(Kind.setcc, Access.Write));

// ---- Stack (50..5F, 68, 6A, C9) -----------------------------------------------------------------------

function pushReg(c: CpuCore, d: DecodedInsn): number {
  push(c, c.regs[d.reg], -1);
  return CONTINUE;
}

function popReg(c: CpuCore, d: DecodedInsn): number {
  const v = pop(c, -1);
  c.regs[d.reg] = v;
  return CONTINUE;
}

define(range(0x50, 0x5f), (_cur, d, op) => {
  d.reg = op & 7;
  d.stack = op < 0x58 ? StackUse.Push : StackUse.Pop;
  d.kind = op < 0x58 ? Kind.pushReg : Kind.popReg;
  return true;
});

function pushImm(c: CpuCore, d: DecodedInsn): number {
  push(c, d.imm, -1);
  return CONTINUE;
}

define([0x68, 0x6a], (cur, d, op) => {
  d.imm = op === 0x68 ? cur.s32() : cur.s8();
  d.stack = StackUse.Push;
  d.kind = Kind.pushImm;
  return true;
});

/** LEAVE: the stack is 32-bit, so ESP comes from EBP (see the interpreter's 0xC9). */
function leave(c: CpuCore): number {
  const regs = c.regs;
  const saved = regs[ESP];
  regs[ESP] = regs[EBP];
  let v: number;
  try {
    v = peekStack(c, 0, -1);
  } finally {
    regs[ESP] = saved;
  }
  regs[ESP] = (regs[EBP] + 4) | 0;
  regs[EBP] = v;
  return CONTINUE;
}

define([0xc9], (_cur, d) => {
  d.stack = StackUse.Leave;
  d.kind = Kind.leave;
  return true;
});

// ---- Control transfer (70..7F, 0F 80..8F, E8, E9, EB, C2, C3) --------------------------------------------

function jcc(c: CpuCore, d: DecodedInsn): number {
  if (testCondition(c, d.sub)) c.eip = d.target;
  return CONTINUE;
}

function jmp(c: CpuCore, d: DecodedInsn): number {
  c.eip = d.target;
  return CONTINUE;
}

function call(c: CpuCore, d: DecodedInsn): number {
  push(c, d.next, -1);
  c.eip = d.target;
  return CONTINUE;
}

function ret(c: CpuCore, d: DecodedInsn): number {
  const target = pop(c, -1);
  c.regs[ESP] = (c.regs[ESP] + d.imm) | 0;
  c.eip = target;
  return CONTINUE;
}

/** A relative branch: the target is known once EIP after the instruction is (`d.next`, set by the caller). */
function relative(cur: ByteCursor, d: DecodedInsn, wide: boolean): boolean {
  const disp = wide ? cur.s32() : cur.s8();
  d.target = (d.next + disp) | 0;
  return ends(d);
}

define(range(0x70, 0x7f), (cur, d, op) => {
  d.sub = op & 0xf;
  d.kind = Kind.jcc;
  return relative(cur, d, false);
});

define(range(0x180, 0x18f), (cur, d, op) => {
  d.sub = op & 0xf;
  d.kind = Kind.jcc;
  return relative(cur, d, true);
});

define([0xeb, 0xe9], (cur, d, op) => {
  d.kind = Kind.jmp;
  return relative(cur, d, op === 0xe9);
});

define([0xe8], (cur, d) => {
  d.stack = StackUse.Push;
  d.kind = Kind.call;
  return relative(cur, d, true);
});

/** LOOPNE, LOOPE, LOOP (ECX counted down first; `sub` 0, 1, 2) and JECXZ (`sub` 3), all on ECX. */
function loop(c: CpuCore, d: DecodedInsn): number {
  const sub = d.sub;
  let taken: boolean;
  if (sub === 3) taken = c.regs[ECX] === 0;
  else {
    const count = (c.regs[ECX] - 1) | 0;
    c.regs[ECX] = count;
    // LOOPE/LOOPNE also need ZF set or clear: conditions E (4) and NE (5).
    taken = count !== 0 && (sub === 2 || testCondition(c, 5 - sub));
  }
  if (taken) c.eip = d.target;
  return CONTINUE;
}

// Without an address-size prefix (CX instead of ECX: the interpreter's).
define(range(0xe0, 0xe3), (cur, d, op) => {
  d.sub = op & 3;
  d.kind = Kind.loop;
  return relative(cur, d, false);
});

const retForm: FormDecoder = (cur, d, op) => {
  d.imm = op === 0xc2 ? cur.u16() : 0;
  d.stack = StackUse.Pop;
  d.kind = Kind.ret;
  return ends(d);
};
define([0xc2], retForm);
/** `rep ret` (F3 C3), which compilers emitted for AMD's branch predictors, is RET. */
define([0xc3], retForm, P_REP);

// ---- INC/DEC, groups 2, 3, 4, 5 ------------------------------------------------------------------------

function incDecReg(c: CpuCore, d: DecodedInsn): number {
  c.regs[d.reg] = incDec(c, c.regs[d.reg], d.sub !== 0, -1);
  return CONTINUE;
}

define(range(0x40, 0x4f), (_cur, d, op) => {
  d.reg = op & 7;
  d.sub = op >= 0x48 ? 1 : 0;
  d.kind = Kind.incDecReg;
  return true;
});

/** Group 2 with the count in `imm` (C0/C1, D0/D1). */
function shiftImm(c: CpuCore, d: DecodedInsn): number {
  return shift(c, d, d.imm & 0x1f);
}

/** Group 2 with the count in CL (D2/D3). */
function shiftByCl(c: CpuCore, d: DecodedInsn): number {
  return shift(c, d, c.regs[ECX] & 0x1f);
}

function shift(c: CpuCore, d: DecodedInsn, count: number): number {
  const m = d.m;
  if (count === 0) {
    readOperand(c, d, m); // the operand is still read (and may fault); nothing changes
    return CONTINUE;
  }
  beginOperandRmw(c, d, m);
  writeOperand(c, d, shiftRotate(c, d.reg, readOperand(c, d, m), count, m), m);
  return CONTINUE;
}

define(
  [0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    readModrm(cur, d, seg, Access.Read);
    if (op <= 0xc1) d.imm = cur.u8At();
    else d.imm = 1;
    d.kind = op >= 0xd2 ? Kind.shiftByCl : Kind.shiftImm;
    // A count known to be nonzero writes; by CL it is known only when it runs (the handler probes then).
    if (d.modrm < 0xc0)
      d.access = op >= 0xd2 ? Access.Resolve : (d.imm & 0x1f) !== 0 ? Access.Write : Access.Read;
    return true;
  },
  P_O16,
);

/** SHLD/SHRD: `sub` bit 0 left (0F A4/A5), bit 1 the count in CL (A5/AD), else in `imm` (A4/AC). */
const SHIFT_LEFT = 1;
const SHIFT_BY_CL = 2;

function shiftDouble(c: CpuCore, d: DecodedInsn): number {
  const m = d.m;
  const count = ((d.sub & SHIFT_BY_CL) !== 0 ? c.regs[ECX] : d.imm) & 0x1f;
  if (count === 0) {
    readOperand(c, d, m); // the operand is still read (and may fault); nothing changes
    return CONTINUE;
  }
  beginOperandRmw(c, d, m);
  const dest = readOperand(c, d, m);
  writeOperand(c, d, doubleShift(c, (d.sub & SHIFT_LEFT) !== 0, dest, getReg(c, d.reg, m), count, m), m);
  return CONTINUE;
}

define(
  [0x1a4, 0x1a5, 0x1ac, 0x1ad],
  (cur, d, op, seg) => {
    d.m = vWidth(cur);
    const byCl = (op & 1) !== 0;
    readModrm(cur, d, seg, Access.Read);
    d.imm = byCl ? 0 : cur.u8At();
    d.sub = (op < 0x1a8 ? SHIFT_LEFT : 0) | (byCl ? SHIFT_BY_CL : 0);
    d.kind = Kind.shiftDouble;
    // As for group 2: a count known to be nonzero writes; by CL it is known only when it runs.
    if (d.modrm < 0xc0) d.access = byCl ? Access.Resolve : (d.imm & 0x1f) !== 0 ? Access.Write : Access.Read;
    return true;
  },
  P_O16,
);

function testRmImm(c: CpuCore, d: DecodedInsn): number {
  setLazy(c, LazyOp.LOGIC, 0, 0, readOperand(c, d, d.m) & d.imm, d.m);
  return CONTINUE;
}

function notRm(c: CpuCore, d: DecodedInsn): number {
  beginOperandRmw(c, d, d.m);
  writeOperand(c, d, ~readOperand(c, d, d.m) & d.m, d.m);
  return CONTINUE;
}

function negRm(c: CpuCore, d: DecodedInsn): number {
  const m = d.m;
  beginOperandRmw(c, d, m);
  const v = readOperand(c, d, m);
  writeOperand(c, d, -v & m, m);
  neg(c, v, m);
  return CONTINUE;
}

function mulDiv(c: CpuCore, d: DecodedInsn): number {
  const v = readOperand(c, d, d.m);
  switch (d.reg) {
    case 4:
      mul(c, v, d.m);
      break;
    case 5:
      imul1(c, v, d.m);
      break;
    case 6:
      div(c, v, d.m);
      break;
    default:
      idiv(c, v, d.m);
  }
  return CONTINUE;
}

define(
  [0xf6, 0xf7],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    readModrm(cur, d, seg, Access.Read);
    if (d.reg <= 1) {
      d.imm = immediate(cur, d.m);
      d.kind = Kind.testRmImm;
    } else d.kind = d.reg === 2 ? Kind.notRm : d.reg === 3 ? Kind.negRm : Kind.mulDiv;
    if ((d.reg === 2 || d.reg === 3) && d.modrm < 0xc0) d.access = Access.Write;
    return true;
  },
  P_O16,
);

function incDecRm(c: CpuCore, d: DecodedInsn): number {
  const m = d.m;
  beginOperandRmw(c, d, m);
  const v = readOperand(c, d, m);
  const dec = d.reg === 1;
  writeOperand(c, d, (dec ? v - 1 : v + 1) & m, m);
  incDec(c, v, dec, m);
  return CONTINUE;
}

define([0xfe], (cur, d, _op, seg) => {
  d.m = 0xff;
  readModrm(cur, d, seg, Access.Write);
  if (d.reg > 1) return false;
  d.kind = Kind.incDecRm;
  return true;
});

function callIndirect(c: CpuCore, d: DecodedInsn): number {
  const target = readOperand(c, d, -1);
  push(c, d.next, -1);
  c.eip = target;
  return CONTINUE;
}

function jmpIndirect(c: CpuCore, d: DecodedInsn): number {
  c.eip = readOperand(c, d, -1);
  return CONTINUE;
}

function pushRm(c: CpuCore, d: DecodedInsn): number {
  push(c, readOperand(c, d, -1), -1);
  return CONTINUE;
}

define([0xff], (cur, d, _op, seg) => {
  d.m = -1;
  readModrm(cur, d, seg, Access.Read);
  switch (d.reg) {
    case 0:
    case 1:
      if (d.modrm < 0xc0) d.access = Access.Write;
      d.kind = Kind.incDecRm;
      return true;
    case 2:
      d.stack = StackUse.Push;
      d.kind = Kind.callIndirect;
      return ends(d);
    case 4:
      d.kind = Kind.jmpIndirect;
      return ends(d);
    case 6:
      d.stack = StackUse.Push;
      d.kind = Kind.pushRm;
      return true;
    default:
      return false;
  }
});

// ---- IMUL (0F AF, 69, 6B), CDQ/CWDE, NOPs, CLD/STD --------------------------------------------------------

function imulRegRm(c: CpuCore, d: DecodedInsn): number {
  c.regs[d.reg] = imulTrunc(c, c.regs[d.reg], readOperand(c, d, -1), -1);
  return CONTINUE;
}

function imulRegRmImm(c: CpuCore, d: DecodedInsn): number {
  c.regs[d.reg] = imulTrunc(c, readOperand(c, d, -1), d.imm, -1);
  return CONTINUE;
}

define([0x1af], (cur, d, _op, seg) => {
  readModrm(cur, d, seg, Access.Read);
  d.kind = Kind.imulRegRm;
  return true;
});

define([0x69, 0x6b], (cur, d, op, seg) => {
  readModrm(cur, d, seg, Access.Read);
  d.imm = op === 0x69 ? cur.s32() : cur.s8();
  d.kind = Kind.imulRegRmImm;
  return true;
});

function cwde(c: CpuCore): number {
  c.regs[EAX] = (c.regs[EAX] << 16) >> 16;
  return CONTINUE;
}

function cdq(c: CpuCore): number {
  c.regs[EDX] = c.regs[EAX] >> 31;
  return CONTINUE;
}

function nop(): number {
  return CONTINUE;
}

define([0x98], (_cur, d) => {
  d.kind = Kind.cwde;
  return true;
});

define([0x99], (_cur, d) => {
  d.kind = Kind.cdq;
  return true;
});

/** NOP, with 0x66 the two-byte NOP, with F3 PAUSE. */
define(
  [0x90],
  (_cur, d) => {
    d.kind = Kind.nop;
    return true;
  },
  P_O16 | P_REP,
);

/**
 * Hint NOPs (0F 18..1F): the operand is decoded but never used, so nothing can fault. Compilers pad with
 * `66 0f 1f ...`; F3 0F 1E FB is ENDBR32.
 */
define(
  range(0x118, 0x11f),
  (cur, d, _op, seg) => {
    readModrm(cur, d, seg, Access.None);
    d.kind = Kind.nop;
    return true;
  },
  P_O16 | P_REP,
);

/** A read-modify-write r/m, r form of bytes (even opcode) or words/dwords (odd), LOCK legal on memory. */
function exchangeForm(kind: Kind): FormDecoder {
  return (cur, d, op, seg) => {
    d.m = byteOrV(cur, op & 0xff);
    readModrm(cur, d, seg, Access.Write);
    d.kind = kind;
    return true;
  };
}

/** CMPXCHG r/m, r (0F B0/B1), with LOCK in the C library's locks. */
define([0x1b0, 0x1b1], exchangeForm(Kind.cmpxchg), P_O16);

/** XADD r/m, r (0F C0/C1), with LOCK in reference counts and atomics. */
define([0x1c0, 0x1c1], exchangeForm(Kind.xadd), P_O16);

// ---- String instructions (A4..A7, AA..AF) ----------------------------------------------------------------

/** The string operation (string-ops.ts) of each opcode pair's byte form. */
const STRING_OPS = new Map([
  [0xa4, STR_MOVS],
  [0xa6, STR_CMPS],
  [0xaa, STR_STOS],
  [0xac, STR_LODS],
  [0xae, STR_SCAS],
]);

/** Runs it as the interpreter does, with the prefixes the record keeps: REP in `imm`, the source's segment. */
function stringInsn(c: CpuCore, d: DecodedInsn): number {
  c.repPrefix = d.imm;
  c.a16 = false;
  c.o16 = d.m === 0xffff;
  c.segOverride = d.seg;
  return stringOp(c, d.sub, d.m);
}

define(
  [0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf],
  (cur, d, op, seg) => {
    d.m = byteOrV(cur, op);
    d.sub = STRING_OPS.get(op & ~1) as number;
    d.imm = cur.rep;
    d.seg = seg >= 0 ? seg : SEG_DS;
    d.kind = Kind.string;
    // A REP that yields (string-ops.ts) leaves EIP on itself: the block must end for the run loop to see it.
    return cur.rep !== 0 ? ends(d) : true;
  },
  P_O16 | P_REP,
);

function cld(c: CpuCore): number {
  c.flags &= ~FLAG_DF;
  return CONTINUE;
}

function std(c: CpuCore): number {
  c.flags |= FLAG_DF;
  return CONTINUE;
}

define([0xfc, 0xfd], (_cur, d, op) => {
  d.kind = op === 0xfc ? Kind.cld : Kind.std;
  return true;
});

/**
 * Runs decoded instruction `d` (not STEP) by its handler. One switch, so each call site below has a single
 * target: calling a handler held in a field cost a megamorphic call per instruction (about half the decoded
 * tier's time on a hot loop).
 */
export function runHandler(c: CpuCore, d: DecodedInsn): number {
  switch (d.kind) {
    case Kind.aluRmReg:
      return aluRmReg(c, d);
    case Kind.aluRegRm:
      return aluRegRm(c, d);
    case Kind.aluReg32:
      return aluReg32(c, d);
    case Kind.aluAccImm:
      return aluAccImm(c, d);
    case Kind.aluRmImm:
      return aluRmImm(c, d);
    case Kind.testRmReg:
      return testRmReg(c, d);
    case Kind.testAccImm:
      return testAccImm(c, d);
    case Kind.testRmImm:
      return testRmImm(c, d);
    case Kind.movRmReg:
      return movRmReg(c, d);
    case Kind.movRegRm:
      return movRegRm(c, d);
    case Kind.movReg32Mem:
      return movReg32Mem(c, d);
    case Kind.movReg32Reg32:
      return movReg32Reg32(c, d);
    case Kind.movRmImm:
      return movRmImm(c, d);
    case Kind.movRegImm:
      return movRegImm(c, d);
    case Kind.lea:
      return lea(c, d);
    case Kind.movExtend:
      return movExtend(c, d);
    case Kind.xchgRmReg:
      return xchgRmReg(c, d);
    case Kind.xchgEax:
      return xchgEax(c, d);
    case Kind.cmov:
      return cmov(c, d);
    case Kind.setcc:
      return setcc(c, d);
    case Kind.pushReg:
      return pushReg(c, d);
    case Kind.popReg:
      return popReg(c, d);
    case Kind.pushImm:
      return pushImm(c, d);
    case Kind.leave:
      return leave(c);
    case Kind.jcc:
      return jcc(c, d);
    case Kind.jmp:
      return jmp(c, d);
    case Kind.call:
      return call(c, d);
    case Kind.ret:
      return ret(c, d);
    case Kind.incDecReg:
      return incDecReg(c, d);
    case Kind.incDecRm:
      return incDecRm(c, d);
    case Kind.shiftImm:
      return shiftImm(c, d);
    case Kind.shiftByCl:
      return shiftByCl(c, d);
    case Kind.notRm:
      return notRm(c, d);
    case Kind.negRm:
      return negRm(c, d);
    case Kind.mulDiv:
      return mulDiv(c, d);
    case Kind.callIndirect:
      return callIndirect(c, d);
    case Kind.jmpIndirect:
      return jmpIndirect(c, d);
    case Kind.pushRm:
      return pushRm(c, d);
    case Kind.imulRegRm:
      return imulRegRm(c, d);
    case Kind.imulRegRmImm:
      return imulRegRmImm(c, d);
    case Kind.cwde:
      return cwde(c);
    case Kind.cdq:
      return cdq(c);
    case Kind.nop:
      return nop();
    case Kind.cld:
      return cld(c);
    case Kind.std:
      return std(c);
    case Kind.xadd:
      xadd(c, d.modrm, d.m);
      return CONTINUE;
    case Kind.cmpxchg:
      cmpxchg(c, d.modrm, d.m);
      return CONTINUE;
    case Kind.string:
      return stringInsn(c, d);
    case Kind.shiftDouble:
      return shiftDouble(c, d);
    case Kind.loop:
      return loop(c, d);
    case Kind.bitScan:
      return bitScan(c, d);
    case Kind.bitTest:
      return bitTestForm(c, d);
    case Kind.bswap:
      return bswapForm(c, d);
    default:
      throw new Error(`decoded instruction of unknown kind ${d.kind}`);
  }
}

/**
 * Forms that, with no memory operand and no stack slot (Access.None, StackUse.None), cannot fault and
 * store nothing: register ALU, moves, LEA, extensions, exchanges, CMOVcc/SETcc, direct jumps, INC/DEC,
 * shifts, NOT/NEG, IMUL, CWDE/CDQ, CLD/STD. MUL/DIV (#DE) and anything touching the stack are not here.
 */
export const PLAIN_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  Kind.aluRmReg,
  Kind.aluRegRm,
  Kind.aluReg32,
  Kind.aluAccImm,
  Kind.aluRmImm,
  Kind.testRmReg,
  Kind.testAccImm,
  Kind.testRmImm,
  Kind.movRmReg,
  Kind.movRegRm,
  Kind.movReg32Reg32,
  Kind.movRmImm,
  Kind.movRegImm,
  Kind.lea,
  Kind.movExtend,
  Kind.xchgRmReg,
  Kind.xchgEax,
  Kind.cmov,
  Kind.setcc,
  Kind.jcc,
  Kind.jmp,
  Kind.incDecReg,
  Kind.incDecRm,
  Kind.shiftImm,
  Kind.shiftByCl,
  Kind.shiftDouble,
  Kind.loop,
  Kind.bitScan,
  Kind.bitTest,
  Kind.bswap,
  Kind.notRm,
  Kind.negRm,
  Kind.imulRegRm,
  Kind.imulRegRmImm,
  Kind.cwde,
  Kind.cdq,
  Kind.cld,
  Kind.std,
]);
