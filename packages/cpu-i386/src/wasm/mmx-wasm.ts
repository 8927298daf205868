/**
 * MMX instructions in WebAssembly regions: the forms bignum code runs in its inner loops (OpenSSL's
 * bn_mul_mont takes its SSE2 path on an i686 with SSE2: MOVD, MOVQ, PADDQ, PMULUDQ, PSRLQ, PAND, PXOR) and
 * its SHA-512 (PUNPCKLDQ, PUNPCKHDQ), which otherwise ran through `step` one at a time. Layer: arch plugin (cpu-i386); wasm-region.ts hands
 * every 0F opcode `hasMmxTemplate` accepts to `writeMmx`.
 *
 * How it works
 * - The MMX registers are the x87 significands in the arch area (arch-state.ts: MMn is physical register n,
 *   its low dword at X87_LO_AT, its high one at X87_HI_AT), read and written there as the interpreter's
 *   sse-state.ts does: a write sets the register's sign and exponent to all ones; every instruction but EMMS
 *   sets TOP to 0 and tags every register valid; EMMS tags them all empty. So the region calls the x87
 *   stack's `beforeStep` first (the x87 registers it keeps in locals go back to memory).
 * - What can fail is checked before anything changes: a pending unmasked x87 exception (#MF) and any memory
 *   operand the region cannot reach leave before the instruction, which the decoded tier then runs.
 * - Operands are i64 values in two locals: A (the destination's value), B (the source's).
 */
import { FSW_ES } from '../fpu/x87-constants.js';
import { X87_WORD_SW, X87_WORD_TOP } from '../fpu/x87-state.js';
import {
  X87_AT,
  X87_EMPTY_AT,
  X87_EXP_AT,
  X87_HI_AT,
  X87_LO_AT,
  X87_SIGN_AT,
  X87_WORD_TOUCHED,
} from './arch-state.js';
import { type CodeWriter, Op } from './wasm-encoder.js';

/** i64 locals a region with MMX code declares for it. */
export const MMX_I64_LOCALS = 2;

/** What the region writer lends an MMX template (wasm-region.ts). */
export interface MmxSite {
  readonly w: CodeWriter;
  readonly archOffset: number;
  /** The instruction's ModR/M byte (read already). */
  readonly modrm: number;
  /** The region's first MMX i64 local. */
  readonly i64At: number;
  /** Makes the memory operand's page known for an access of `size` bytes, or leaves before the instruction. */
  checkMemory(write: boolean, size: number): void;
  /** Pushes the memory operand's RAM address (after `checkMemory`). */
  pushAddress(): void;
  leaveBefore(): void;
  /** Pushes general register `r`. */
  getReg(r: number): void;
  /** Sets general register `r` from the i32 on the stack. */
  setReg(r: number): void;
  /** Reads the next immediate byte of the instruction. */
  immediate(): number;
}

/** SDM vol. 2 opcode map, no prefix: the MMX forms written here. */
const PADDQ = 0xd4;
const PSUBQ = 0xfb;
const PADDD = 0xfe;
const PSUBD = 0xfa;
const PMULUDQ = 0xf4;
const PAND = 0xdb;
const PANDN = 0xdf;
const POR = 0xeb;
const PXOR = 0xef;
const PSRLQ = 0xd3;
const PSLLQ = 0xf3;
const SHIFT_D_IMM = 0x72;
const SHIFT_Q_IMM = 0x73;
const MOVD_TO_MM = 0x6e;
const MOVD_FROM_MM = 0x7e;
const MOVQ_TO_MM = 0x6f;
const MOVQ_FROM_MM = 0x7f;
const EMMS = 0x77;
const PUNPCKLDQ = 0x62;
const PUNPCKHDQ = 0x6a;

const BINARY = new Set([PADDQ, PSUBQ, PADDD, PSUBD, PMULUDQ, PAND, PANDN, POR, PXOR, PSRLQ, PSLLQ]);
/** The two-operand forms that are one i64 operation on the whole register. */
const WHOLE_QWORD: ReadonlyMap<number, number> = new Map([
  [PADDQ, Op.i64Add],
  [PSUBQ, Op.i64Sub],
  [PAND, Op.i64And],
  [POR, Op.i64Or],
  [PXOR, Op.i64Xor],
]);

/** The x87 exponent word an MMX write leaves (sign and exponent all ones, as sse-state.ts). */
const MMX_EXPONENT = 0x7fff;
const LOW_DWORD = 0xffffffffn;
const HIGH_DWORD = 0xffffffff00000000n;

/** Whether `op` (after 0F, no prefix) has a template; `modrm` is read after this says yes (EMMS has none). */
export function hasMmxTemplate(op: number): boolean {
  return (
    BINARY.has(op) ||
    op === SHIFT_D_IMM ||
    op === SHIFT_Q_IMM ||
    op === MOVD_TO_MM ||
    op === MOVD_FROM_MM ||
    op === MOVQ_TO_MM ||
    op === MOVQ_FROM_MM ||
    op === PUNPCKLDQ ||
    op === PUNPCKHDQ ||
    op === EMMS
  );
}

/** Whether the opcode reads a ModR/M byte (all the forms here but EMMS). */
export function mmxHasModrm(op: number): boolean {
  return op !== EMMS;
}

/**
 * Writes MMX instruction `op` (its ModR/M, if any, read into `site.modrm`); false when this form has no
 * template (the shift groups' other /r values, which are #UD or SSE2-only; their register-only forms).
 */
export function writeMmx(site: MmxSite, op: number): boolean {
  const modrm = site.modrm;
  const isReg = modrm >= 0xc0;
  const reg = (modrm >> 3) & 7;
  const rm = modrm & 7;
  if (op === SHIFT_D_IMM || op === SHIFT_Q_IMM) {
    if (!isReg || !(reg === 2 || reg === 6 || (reg === 4 && op === SHIFT_D_IMM))) return false;
  }
  const w = site.w;
  const a = site.i64At;
  const b = a + 1;
  const x87 = site.archOffset + X87_AT;
  leaveOnPendingException(site);
  switch (op) {
    case EMMS:
      w.i32(0)
        .i64(0x0101010101010101n)
        .mem(Op.i64Store, site.archOffset + X87_EMPTY_AT);
      touch(site);
      return true;
    case MOVD_TO_MM:
      if (isReg) site.getReg(rm);
      else {
        site.checkMemory(false, 4);
        site.pushAddress();
        w.mem(Op.i32Load);
      }
      w.op(Op.i64ExtendI32U).set(a);
      storeMm(site, reg, a);
      break;
    case MOVD_FROM_MM:
      if (!isReg) site.checkMemory(true, 4);
      if (isReg) {
        loadMm(site, reg);
        w.op(Op.i32WrapI64);
        site.setReg(rm);
      } else {
        site.pushAddress();
        loadMm(site, reg);
        w.op(Op.i32WrapI64).mem(Op.i32Store);
      }
      break;
    case MOVQ_TO_MM:
      source64(site, isReg, rm);
      w.set(a);
      storeMm(site, reg, a);
      break;
    case MOVQ_FROM_MM:
      if (isReg) {
        loadMm(site, reg);
        w.set(a);
        storeMm(site, rm, a);
      } else {
        site.checkMemory(true, 8);
        site.pushAddress();
        loadMm(site, reg);
        w.mem(Op.i64Store);
      }
      break;
    case PUNPCKLDQ:
      // The low dwords interleaved: the destination's stays low, the source's (mm or m32) goes above it.
      if (isReg) loadMm(site, rm);
      else {
        site.checkMemory(false, 4);
        site.pushAddress();
        w.mem(Op.i32Load).op(Op.i64ExtendI32U);
      }
      w.i64(32).op(Op.i64Shl).set(b);
      loadMm(site, reg);
      w.i64(LOW_DWORD).op(Op.i64And).get(b).op(Op.i64Or).set(a);
      storeMm(site, reg, a);
      break;
    case PUNPCKHDQ:
      // The high dwords interleaved: the destination's goes low, the source's (mm or m64) stays high.
      source64(site, isReg, rm);
      w.i64(HIGH_DWORD).op(Op.i64And).set(b);
      loadMm(site, reg);
      w.i64(32).op(Op.i64ShrU).get(b).op(Op.i64Or).set(a);
      storeMm(site, reg, a);
      break;
    case SHIFT_D_IMM:
    case SHIFT_Q_IMM: {
      const count = site.immediate();
      loadMm(site, rm);
      w.set(a);
      if (op === SHIFT_Q_IMM) shiftQword(w, a, reg === 6, () => w.i64(count), count > 63);
      else shiftDwordsImmediate(w, a, reg, count);
      w.set(a);
      storeMm(site, rm, a);
      break;
    }
    default:
      source64(site, isReg, rm);
      w.set(b);
      loadMm(site, reg);
      w.set(a);
      binary(w, op, a, b);
      w.set(a);
      storeMm(site, reg, a);
  }
  w.i32(0)
    .i32(0)
    .mem(Op.i32Store, x87 + X87_WORD_TOP * 4);
  w.i32(0)
    .i64(0)
    .mem(Op.i64Store, site.archOffset + X87_EMPTY_AT);
  touch(site);
  return true;
}

/** #MF first: an unmasked x87 exception pending (ES) leaves before the instruction, for the interpreter. */
function leaveOnPendingException(site: MmxSite): void {
  const w = site.w;
  w.i32(0)
    .mem(Op.i32Load, site.archOffset + X87_AT + X87_WORD_SW * 4)
    .i32(FSW_ES)
    .op(Op.i32And)
    .begin(Op.if, 'if');
  site.leaveBefore();
  w.end();
}

/** CpuCore.fpuTouched: the context switch must save this FPU state. */
function touch(site: MmxSite): void {
  site.w
    .i32(0)
    .i32(1)
    .mem(Op.i32Store, site.archOffset + X87_AT + X87_WORD_TOUCHED * 4);
}

/** Pushes MMn as an i64. */
function loadMm(site: MmxSite, n: number): void {
  site.w
    .i32(0)
    .mem(Op.i32Load, site.archOffset + X87_LO_AT + n * 4)
    .op(Op.i64ExtendI32U)
    .i32(0)
    .mem(Op.i32Load, site.archOffset + X87_HI_AT + n * 4)
    .op(Op.i64ExtendI32U)
    .i64(32)
    .op(Op.i64Shl)
    .op(Op.i64Or);
}

/** MMn = i64 local `from`, its sign and exponent all ones. */
function storeMm(site: MmxSite, n: number, from: number): void {
  const w = site.w;
  const at = site.archOffset;
  w.i32(0)
    .get(from)
    .op(Op.i32WrapI64)
    .mem(Op.i32Store, at + X87_LO_AT + n * 4);
  w.i32(0)
    .get(from)
    .i64(32)
    .op(Op.i64ShrU)
    .op(Op.i32WrapI64)
    .mem(Op.i32Store, at + X87_HI_AT + n * 4);
  w.i32(0)
    .i32(1)
    .mem(Op.i32Store8, at + X87_SIGN_AT + n);
  w.i32(0)
    .i32(MMX_EXPONENT)
    .mem(Op.i32Store16, at + X87_EXP_AT + n * 2);
}

/** Pushes the 64-bit source: MMn or m64 (checked for reading). */
function source64(site: MmxSite, isReg: boolean, rm: number): void {
  if (isReg) {
    loadMm(site, rm);
    return;
  }
  site.checkMemory(false, 8);
  site.pushAddress();
  site.w.mem(Op.i64Load);
}

/** Pushes `a op b` for the two-operand forms (PANDN: ~a & b). */
function binary(w: CodeWriter, op: number, a: number, b: number): void {
  const whole = WHOLE_QWORD.get(op);
  if (whole !== undefined) {
    w.get(a).get(b).op(whole);
    return;
  }
  switch (op) {
    case PADDD:
    case PSUBD: {
      // Each dword lane on its own: the low lane's carry is masked off, the high lane's falls off the top.
      const lane = op === PADDD ? Op.i64Add : Op.i64Sub;
      w.get(a).get(b).op(lane).i64(LOW_DWORD).op(Op.i64And);
      w.get(a).i64(HIGH_DWORD).op(Op.i64And);
      w.get(b).i64(HIGH_DWORD).op(Op.i64And);
      w.op(lane).op(Op.i64Or);
      return;
    }
    case PMULUDQ:
      w.get(a).i64(LOW_DWORD).op(Op.i64And);
      w.get(b).i64(LOW_DWORD).op(Op.i64And);
      w.op(Op.i64Mul);
      return;
    case PANDN:
      w.get(a).i64(-1).op(Op.i64Xor).get(b).op(Op.i64And);
      return;
    default: {
      // PSRLQ, PSLLQ mm, mm/m64: the whole source is the count; above 63 the result is 0.
      shiftQword(w, a, op === PSLLQ, () => w.get(b), false);
      w.i64(0);
      w.get(b).i64(64).op(Op.i64LtU);
      w.op(Op.select);
    }
  }
}

/** Pushes local `a` shifted as a qword by the count `count` pushes (`zero`: a count known above 63). */
function shiftQword(w: CodeWriter, a: number, left: boolean, count: () => void, zero: boolean): void {
  if (zero) {
    w.i64(0);
    return;
  }
  w.get(a);
  count();
  w.op(left ? Op.i64Shl : Op.i64ShrU);
}

/** PSRLD (/2), PSRAD (/4), PSLLD (/6) mm, imm8 on local `a`: each dword lane; pushes the result. */
function shiftDwordsImmediate(w: CodeWriter, a: number, kind: number, count: number): void {
  if (count > 31 && kind !== 4) {
    w.i64(0);
    return;
  }
  // PSRAD by more than 31 fills each lane with its sign, as a shift by 31 does.
  const n = Math.min(count, 31);
  const shift = kind === 2 ? Op.i32ShrU : kind === 4 ? Op.i32ShrS : Op.i32Shl;
  w.get(a).op(Op.i32WrapI64).i32(n).op(shift).op(Op.i64ExtendI32U);
  w.get(a).i64(32).op(Op.i64ShrU).op(Op.i32WrapI64).i32(n).op(shift).op(Op.i64ExtendI32U);
  w.i64(32).op(Op.i64Shl).op(Op.i64Or);
}
