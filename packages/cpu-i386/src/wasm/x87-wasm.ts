/**
 * x87 instructions in WebAssembly: the common cases of the x87 unit's trace entries (fpu/x87.ts `trace*`,
 * fpu/fast-path.ts, fpu/memory-fast.ts) as functions that work on the x87 state in the arch area
 * (wasm/arch-state.ts X87_*), so WebAssembly regions run numeric code without leaving for JS. Layer: arch
 * plugin (cpu-i386); region-chain.ts puts these functions in its module and its host table, wasm-region.ts
 * calls them with `call_indirect`.
 *
 * Each function does one instruction, or nothing and returns NOT_DONE when its case does not apply: an
 * exception pending (ES), an empty or full register, an operand or result that is not normal (or zero where
 * a load allows it), the precision or rounding control not the default (64 bits, to nearest), or a quotient
 * whose double-precision digit estimate is too close to an integer to trust. The region then runs the
 * instruction through `step`, whose general path decides, so these functions change speed only. The
 * arithmetic mirrors fast-path.ts with 64-bit integers: significands as i64, the bits below them in a 32-bit
 * word whose bit 0 is sticky; x87-wasm.test.ts holds it to fast-path.ts on random operands.
 */
import {
  EXT_BIAS,
  FCW_PC,
  FCW_RC,
  FSW_B,
  FSW_C1,
  FSW_ES,
  FSW_EXCEPTIONS,
  FSW_PE,
} from '../fpu/x87-constants.js';
import { X87_WORD_CW, X87_WORD_FIP, X87_WORD_FOP, X87_WORD_SW, X87_WORD_TOP } from '../fpu/x87-state.js';
import {
  X87_AT,
  X87_EMPTY_AT,
  X87_EXP_AT,
  X87_HI_AT,
  X87_LO_AT,
  X87_SCRATCH,
  X87_SIGN_AT,
  X87_WORD_OUT,
  X87_WORD_TOUCHED,
} from './arch-state.js';
import { CodeWriter, type FunctionSpec, I32, Op } from './wasm-encoder.js';

/** What a function returns when it did nothing: the region runs the instruction through `step`. */
export const NOT_DONE = 1;

/** Operations of `arith` (the D8 reg field numbering, as fast-path.ts's OP_*). */
const OP_ADD = 0;
const OP_MUL = 1;
const OP_SUBR = 5;
const OP_DIV = 6;
const OP_DIVR = 7;

/** The control word's precision and rounding fields in the only setting handled: 64 bits, to nearest. */
const PC_64_NEAREST = FCW_PC;
const EXP_NORMAL_MAX = 0x7ffe;
const J_BIT = 1n << 63n;
/** A digit estimate this far from an integer (2^-16) has the exact digit as its floor (fast-path.ts). */
const CLEAR = 1 / 65536;

/** Operand kinds of `decode`: what a memory operand is. */
export const DECODE_INT32 = 0;
export const DECODE_SINGLE = 1;
export const DECODE_DOUBLE = 2;
export const DECODE_EXTENDED = 3;

/** Kinds of `store`. */
export const STORE_SINGLE = 0;
export const STORE_DOUBLE = 1;
export const STORE_EXTENDED = 2;

const i32s = (n: number) => ({ params: new Array<number>(n).fill(I32), results: [I32] });
/** The functions regions call, in the order of their slots (`X87_SLOTS`) and with their types. */
export const X87_FUNCTIONS = {
  /**
   * add(op, dest, other, pop, fop, fip): ST(dest) = ST(dest) op ST(other) for op FADD, FSUB or FSUBR (the D8 reg
   * field), X87_SCRATCH as `other` for a memory operand; `multiply` for FMUL and `divide` for FDIV and FDIVR
   * likewise (one function each: the region knows the operation, and a smaller function runs faster).
   */
  add: i32s(6),
  multiply: i32s(6),
  divide: i32s(6),
  /** loadRegister(i, fop, fip): FLD ST(i). */
  loadRegister: i32s(3),
  /** exchange(i, fop, fip): FXCH ST(i). */
  exchange: i32s(3),
  /** storeRegister(i, pop, fop, fip): FST/FSTP ST(i). */
  storeRegister: i32s(4),
  /** loadConstant(i, fop, fip): FLD1 (i = 0) and FLDZ (i = 6). */
  loadConstant: i32s(3),
  /** changeSign(i, fop, fip): FCHS (i = 0) and FABS (i = 1). */
  changeSign: i32s(3),
  /** decode(kind, lo, hi, se): a memory operand (DECODE_*) into X87_SCRATCH. */
  decode: i32s(4),
  /** push(fop, fip): FLD/FILD of X87_SCRATCH. */
  push: i32s(2),
  /** store(kind, pop, fop, fip): ST(0) as STORE_* into X87_WORD_OUT.. for the region to write to memory. */
  store: i32s(4),
} as const;
export type X87Function = keyof typeof X87_FUNCTIONS;
export const X87_FUNCTION_NAMES = Object.keys(X87_FUNCTIONS) as X87Function[];

/** A function's parameters (i32) and locals by name, for readable code. */
class Fn {
  readonly w = new CodeWriter();
  private readonly index = new Map<string, number>();
  readonly i32Locals: number;
  readonly i64Locals: number;
  readonly f64Locals: number;

  constructor(params: string[], i32: string[], i64: string[] = [], f64: string[] = []) {
    for (const name of [...params, ...i32, ...i64, ...f64]) this.index.set(name, this.index.size);
    this.i32Locals = i32.length;
    this.i64Locals = i64.length;
    this.f64Locals = f64.length;
  }

  l(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`x87 wasm: no local ${name}`);
    return i;
  }

  get(name: string): CodeWriter {
    return this.w.get(this.l(name));
  }

  set(name: string): CodeWriter {
    return this.w.set(this.l(name));
  }

  spec(type: { params: number[]; results: number[] }): FunctionSpec {
    return {
      type,
      locals: this.i32Locals,
      locals64: this.i64Locals,
      localsF64: this.f64Locals,
      body: this.w,
    };
  }
}

/** The functions for an arch area at `archOffset` of the memory, in X87_FUNCTION_NAMES order. */
export function x87Functions(archOffset: number): FunctionSpec[] {
  const b = new X87Writer(archOffset);
  return X87_FUNCTION_NAMES.map((name) => b[name]().spec(X87_FUNCTIONS[name]));
}

class X87Writer {
  constructor(private readonly base: number) {}

  // ---- The state in memory ----

  private word(f: Fn, slot: number): void {
    f.w.i32(0).mem(Op.i32Load, this.base + X87_AT + slot * 4);
  }

  /** Stores the value `value` pushes into a word. */
  private setWord(f: Fn, slot: number, value: () => void): void {
    f.w.i32(0);
    value();
    f.w.mem(Op.i32Store, this.base + X87_AT + slot * 4);
  }

  private regAddr(f: Fn, p: string, shift: number): void {
    f.get(p);
    if (shift > 0) f.w.i32(shift).op(Op.i32Shl);
  }

  private getExp(f: Fn, p: string): void {
    this.regAddr(f, p, 1);
    f.w.mem(Op.i32Load16U, this.base + X87_EXP_AT);
  }

  private getSign(f: Fn, p: string): void {
    f.get(p).mem(Op.i32Load8U, this.base + X87_SIGN_AT);
  }

  private getEmpty(f: Fn, p: string): void {
    f.get(p).mem(Op.i32Load8U, this.base + X87_EMPTY_AT);
  }

  /** Pushes register p's significand as an i64. */
  private getSig(f: Fn, p: string): void {
    this.regAddr(f, p, 2);
    f.w
      .mem(Op.i32Load, this.base + X87_HI_AT)
      .op(Op.i64ExtendI32U)
      .i64(32)
      .op(Op.i64Shl);
    this.regAddr(f, p, 2);
    f.w
      .mem(Op.i32Load, this.base + X87_LO_AT)
      .op(Op.i64ExtendI32U)
      .op(Op.i64Or);
  }

  /** Writes register p (not empty) from locals: sign (i32), exponent (i32) and significand (i64). */
  private writeReg(f: Fn, p: string, sign: string, exp: string, sig: string): void {
    f.get(p)
      .get(f.l(sign))
      .mem(Op.i32Store8, this.base + X87_SIGN_AT);
    this.regAddr(f, p, 1);
    f.get(exp).mem(Op.i32Store16, this.base + X87_EXP_AT);
    this.regAddr(f, p, 2);
    f.get(sig)
      .i64(32)
      .op(Op.i64ShrU)
      .op(Op.i32WrapI64)
      .mem(Op.i32Store, this.base + X87_HI_AT);
    this.regAddr(f, p, 2);
    f.get(sig)
      .op(Op.i32WrapI64)
      .mem(Op.i32Store, this.base + X87_LO_AT);
    f.get(p)
      .i32(0)
      .mem(Op.i32Store8, this.base + X87_EMPTY_AT);
  }

  /** Copies register `from` to register `to` (which becomes not empty). */
  private copyReg(f: Fn, to: string, from: string): void {
    f.get(to);
    this.getSign(f, from);
    f.w.mem(Op.i32Store8, this.base + X87_SIGN_AT);
    this.regAddr(f, to, 1);
    this.getExp(f, from);
    f.w.mem(Op.i32Store16, this.base + X87_EXP_AT);
    for (const at of [X87_HI_AT, X87_LO_AT]) {
      this.regAddr(f, to, 2);
      this.regAddr(f, from, 2);
      f.w.mem(Op.i32Load, this.base + at).mem(Op.i32Store, this.base + at);
    }
    f.get(to)
      .i32(0)
      .mem(Op.i32Store8, this.base + X87_EMPTY_AT);
  }

  /** Returns NOT_DONE when the condition on the stack (i32) is true. */
  private refuseIf(f: Fn): void {
    f.w.begin(Op.if, 'if').i32(NOT_DONE).op(Op.return).end();
  }

  /** Refuses while an exception is pending (ES): the general path raises #MF. */
  private refuseWhilePending(f: Fn): void {
    this.word(f, X87_WORD_SW);
    f.w.i32(FSW_ES).op(Op.i32And);
    this.refuseIf(f);
  }

  /** Pushes the physical register of ST(i) for the ST index in local `i`. */
  private phys(f: Fn, i: string): void {
    this.word(f, X87_WORD_TOP);
    f.get(i).op(Op.i32Add).i32(7).op(Op.i32And);
  }

  /** FIP and FOP, and the FPU touched; C1 cleared (the outcome of every exact instruction here). */
  private finishExact(f: Fn): void {
    this.pointers(f);
    this.setWord(f, X87_WORD_SW, () => {
      this.word(f, X87_WORD_SW);
      f.w.i32(~FSW_C1).op(Op.i32And);
    });
  }

  private pointers(f: Fn): void {
    this.setWord(f, X87_WORD_FIP, () => f.get('fip'));
    this.setWord(f, X87_WORD_FOP, () => f.get('fop'));
    this.setWord(f, X87_WORD_TOUCHED, () => f.w.i32(1));
  }

  /** Pops the stack: ST(0) empty, TOP + 1. */
  private pop(f: Fn): void {
    this.word(f, X87_WORD_TOP);
    f.w.i32(1).mem(Op.i32Store8, this.base + X87_EMPTY_AT);
    this.setWord(f, X87_WORD_TOP, () => {
      this.word(f, X87_WORD_TOP);
      f.w.i32(1).op(Op.i32Add).i32(7).op(Op.i32And);
    });
  }

  // ---- Instructions ----

  add(): Fn {
    return this.arith('add');
  }

  multiply(): Fn {
    return this.arith('multiply');
  }

  divide(): Fn {
    return this.arith('divide');
  }

  private arith(operation: 'add' | 'multiply' | 'divide'): Fn {
    const f = new Fn(
      ['op', 'dest', 'other', 'pop', 'fop', 'fip'],
      ['pd', 'po', 'sx', 'sy', 'ex', 'ey', 'e', 'g', 'status', 't', 'sw', 'cw'],
      ['x', 'y', 's', 'u', 'v'],
      ['rec', 'est', 'q'],
    );
    const w = f.w;
    this.readWords(f);
    f.get('cw')
      .i32(FCW_PC | FCW_RC)
      .op(Op.i32And)
      .i32(PC_64_NEAREST)
      .op(Op.i32Ne);
    this.refuseIf(f);
    this.phys(f, 'dest');
    f.set('pd');
    f.get('other').i32(X87_SCRATCH).op(Op.i32Eq).begin(Op.if, 'if');
    w.i32(X87_SCRATCH).set(f.l('po')).else();
    this.phys(f, 'other');
    f.set('po');
    w.end();
    this.getEmpty(f, 'pd');
    this.getEmpty(f, 'po');
    w.op(Op.i32Or);
    this.refuseIf(f);
    for (const [p, s, e, sig] of [
      ['pd', 'sx', 'ex', 'x'],
      ['po', 'sy', 'ey', 'y'],
    ] as const) {
      this.getSign(f, p);
      f.set(s);
      this.getExp(f, p);
      f.set(e);
      this.getSig(f, p);
      f.set(sig);
      // Normal: exponent 1..0x7ffe and the integer bit set.
      f.get(e).i32(1).op(Op.i32Sub).i32(EXP_NORMAL_MAX).op(Op.i32GeU);
      f.get(sig).i64(0).op(Op.i64GeS).op(Op.i32Or);
      this.refuseIf(f);
    }
    // The reversed forms swap the operands first; a difference is the sum with y negated.
    if (operation !== 'multiply') {
      f.get('op')
        .i32(operation === 'add' ? OP_SUBR : OP_DIVR)
        .op(Op.i32Eq)
        .begin(Op.if, 'if');
      this.swapOperands(f);
      w.end();
    }
    if (operation === 'add') {
      f.get('op').i32(OP_ADD).op(Op.i32Ne).begin(Op.if, 'if');
      f.get('sy').i32(1).op(Op.i32Xor).set(f.l('sy'));
      w.end();
      this.sum(f);
    } else if (operation === 'multiply') this.product(f);
    else this.quotient(f);
    // Round s:g (exponent e, sign sx) into register pd.
    this.roundNearest(f, 'pd');
    this.finishRounded(f);
    return f;
  }

  /**
   * After a rounded result (X87's finishFast): FIP and FOP, the pop when `pop` is set, C1 and PE from `status`,
   * then ES and B; 0 for done. The function keeps the status and control words in locals `sw` and `cw`.
   */
  private finishRounded(f: Fn): void {
    const w = f.w;
    this.pointers(f);
    f.get('pop').begin(Op.if, 'if');
    this.pop(f);
    w.end();
    // The new status word: C1 and PE from `status`, then ES and B (X87State.updateSummary).
    f.get('sw').i32(~FSW_C1).op(Op.i32And).get(f.l('status')).op(Op.i32Or).tee(f.l('sw'));
    f.get('cw').i32(-1).op(Op.i32Xor).op(Op.i32And).i32(FSW_EXCEPTIONS).op(Op.i32And);
    w.begin(Op.if, 'if');
    f.get('sw')
      .i32(FSW_ES | FSW_B)
      .op(Op.i32Or)
      .set(f.l('sw'));
    w.else();
    f.get('sw')
      .i32(~(FSW_ES | FSW_B))
      .op(Op.i32And)
      .set(f.l('sw'));
    w.end();
    this.setWord(f, X87_WORD_SW, () => f.get('sw'));
    w.i32(0);
  }

  /** Loads the status and control words into locals `sw` and `cw`; refuses while an exception is pending. */
  private readWords(f: Fn): void {
    this.word(f, X87_WORD_SW);
    f.w.tee(f.l('sw')).i32(FSW_ES).op(Op.i32And);
    this.refuseIf(f);
    this.word(f, X87_WORD_CW);
    f.set('cw');
  }

  private swapOperands(f: Fn): void {
    for (const [a, b2, tmp] of [
      ['sx', 'sy', 't'],
      ['ex', 'ey', 't'],
      ['x', 'y', 'u'],
    ] as const) {
      f.get(a).set(f.l(tmp));
      f.get(b2).set(f.l(a));
      f.get(tmp).set(f.l(b2));
    }
  }

  /**
   * x + y into s:g with exponent e and sign sx (addWords): x becomes the larger magnitude, y is shifted right
   * to its exponent into s (the bits that stay in 64) and g (the next 32, bit 0 sticky for any below).
   */
  private sum(f: Fn): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    f.get('ey').get(L('ex')).op(Op.i32GtU);
    f.get('ey').get(L('ex')).op(Op.i32Eq).get(L('y')).get(L('x')).op(Op.i64GtU).op(Op.i32And);
    w.op(Op.i32Or).begin(Op.if, 'if');
    this.swapOperands(f);
    w.end();
    // t: the shift.
    f.get('ex').get(L('ey')).op(Op.i32Sub).set(L('t'));
    f.get('t').i32(32).op(Op.i32LtU).begin(Op.if, 'if');
    f.get('y').get(L('t')).op(Op.i64ExtendI32U).op(Op.i64ShrU).set(L('s'));
    // The bits shifted out, at the top of g (none for a shift of 0: y << 32 has a zero low word).
    f.get('y')
      .i32(32)
      .get(L('t'))
      .op(Op.i32Sub)
      .op(Op.i64ExtendI32U)
      .op(Op.i64Shl)
      .op(Op.i32WrapI64)
      .set(L('g'));
    w.else();
    f.get('t').i32(96).op(Op.i32LtU).begin(Op.if, 'if');
    f.get('y').get(L('t')).op(Op.i64ExtendI32U).op(Op.i64ShrU).i64(0);
    f.get('t').i32(64).op(Op.i32LtU).op(Op.select).set(L('s'));
    // g: bits shift-32.. of y; sticky when any bit below them is set.
    f.get('y').get(L('t')).i32(32).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64ShrU).op(Op.i32WrapI64);
    f.get('y')
      .i64(1)
      .get(L('t'))
      .i32(32)
      .op(Op.i32Sub)
      .op(Op.i64ExtendI32U)
      .op(Op.i64Shl)
      .i64(1)
      .op(Op.i64Sub);
    w.op(Op.i64And).i64(0).op(Op.i64Ne).op(Op.i32Or).set(L('g'));
    w.else();
    w.i64(0).set(L('s')).i32(1).set(L('g'));
    w.end().end();
    f.get('ex').set(L('e'));
    f.get('sx').get(L('sy')).op(Op.i32Eq).begin(Op.if, 'if');
    f.get('x').get(L('s')).op(Op.i64Add).tee(L('s')).get(L('x')).op(Op.i64LtU).begin(Op.if, 'if');
    // Carry out of bit 63: one place right, the bit leaving g kept as sticky.
    f.get('g').i32(1).op(Op.i32ShrU).get(L('g')).i32(1).op(Op.i32And).op(Op.i32Or);
    f.get('s').op(Op.i32WrapI64).i32(31).op(Op.i32Shl).op(Op.i32Or).set(L('g'));
    f.get('s').i64(1).op(Op.i64ShrU).i64(J_BIT).op(Op.i64Or).set(L('s'));
    f.get('e').i32(1).op(Op.i32Add).set(L('e'));
    w.end();
    w.else();
    // x·2^32 - (s·2^32 + g): g's two's complement, and a borrow from s when g is not zero.
    f.get('x').get(L('s')).op(Op.i64Sub).get(L('g')).i32(0).op(Op.i32Ne).op(Op.i64ExtendI32U).op(Op.i64Sub);
    f.set('s');
    w.i32(0).get(L('g')).op(Op.i32Sub).set(L('g'));
    // An exact zero takes its sign from the rounding mode: the general path.
    f.get('s').op(Op.i64Eqz).get(L('g')).op(Op.i32Eqz).op(Op.i32And);
    this.refuseIf(f);
    for (let round = 0; round < 2; round++) {
      f.get('s').i64(32).op(Op.i64ShrU).op(Op.i64Eqz).begin(Op.if, 'if');
      f.get('s').i64(32).op(Op.i64Shl).get(L('g')).op(Op.i64ExtendI32U).op(Op.i64Or).set(L('s'));
      w.i32(0).set(L('g'));
      f.get('e').i32(32).op(Op.i32Sub).set(L('e'));
      w.end();
    }
    // Fewer than 32 leading zeros now: shift them out, g's top bits following.
    f.get('s').op(Op.i64Clz).op(Op.i32WrapI64).tee(L('t')).begin(Op.if, 'if');
    f.get('s').get(L('t')).op(Op.i64ExtendI32U).op(Op.i64Shl);
    f.get('g').op(Op.i64ExtendI32U).i32(32).get(L('t')).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64ShrU);
    w.op(Op.i64Or).set(L('s'));
    f.get('g').get(L('t')).op(Op.i32Shl).set(L('g'));
    f.get('e').get(L('t')).op(Op.i32Sub).set(L('e'));
    w.end();
    w.end();
  }

  /** x × y into s:g, exponent e, sign sx (mulWords): the 128-bit product from four 32×32 products. */
  private product(f: Fn): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    const low = (v: string) => f.get(v).i64(0xffffffffn).op(Op.i64And);
    const high = (v: string) => f.get(v).i64(32).op(Op.i64ShrU);
    // into = one 32-bit half of x times one of y (exact in 64 bits).
    const product = (xHigh: boolean, yHigh: boolean, into: string) => {
      if (xHigh) high('x');
      else low('x');
      if (yHigh) high('y');
      else low('y');
      w.op(Op.i64Mul).set(L(into));
    };
    f.get('sx').get(L('sy')).op(Op.i32Xor).set(L('sx'));
    f.get('ex')
      .get(L('ey'))
      .op(Op.i32Add)
      .i32(EXT_BIAS - 1)
      .op(Op.i32Sub)
      .set(L('e'));
    product(false, false, 'u');
    product(false, true, 's');
    product(true, false, 'v');
    product(true, true, 'x');
    // y = the middle column (below 3·2^32); u = the low 64 bits, s = the high 64.
    high('u');
    low('s');
    w.op(Op.i64Add);
    low('v');
    w.op(Op.i64Add).set(L('y'));
    f.get('y').i64(32).op(Op.i64Shl);
    low('u');
    w.op(Op.i64Or).set(L('u'));
    f.get('x');
    high('s');
    w.op(Op.i64Add);
    high('v');
    w.op(Op.i64Add);
    high('y');
    w.op(Op.i64Add).set(L('s'));
    // The product of two significands in [1, 2) is in [1, 4): at most one bit to normalize.
    f.get('s').i64(0).op(Op.i64GeS).begin(Op.if, 'if');
    f.get('s').i64(1).op(Op.i64Shl).get(L('u')).i64(63).op(Op.i64ShrU).op(Op.i64Or).set(L('s'));
    f.get('u').i64(1).op(Op.i64Shl).set(L('u'));
    f.get('e').i32(1).op(Op.i32Sub).set(L('e'));
    w.end();
    high('u');
    w.op(Op.i32WrapI64);
    f.get('u').op(Op.i32WrapI64).i32(0).op(Op.i32Ne).op(Op.i32Or).set(L('g'));
  }

  /**
   * x / y into s:g, exponent e, sign sx (divWords): Q = floor(x·2^65 / y) in two digits from double estimates
   * with one reciprocal, qa = floor(x·2^33 / y) into u and qb = floor(R·2^32 / y) into v for the remainder
   * R = x·2^33 - qa·y (exact in 64 bits: below y). An estimate within 2^-16 of an integer (an exact quotient,
   * or a floor that may be off by one; fast-path.ts says why the others are exact) takes the long division.
   */
  private quotient(f: Fn): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    const digit = (into: string) => {
      w.op(Op.f64Mul).tee(L('est')).op(Op.f64Floor).set(L('q'));
      f.get('est').get(L('q')).op(Op.f64Sub).tee(L('est')).f64(CLEAR).op(Op.f64Lt);
      f.get('est')
        .f64(1 - CLEAR)
        .op(Op.f64Gt)
        .op(Op.i32Or);
      w.brIf('exact');
      // Below 2^34: the signed conversion (one instruction) is exact.
      f.get('q').op(Op.i64TruncF64S).set(L(into));
    };
    f.get('sx').get(L('sy')).op(Op.i32Xor).set(L('sx'));
    f.get('ex').get(L('ey')).op(Op.i32Sub).i32(EXT_BIAS).op(Op.i32Add).set(L('e'));
    w.begin(Op.block, 'quotient').begin(Op.block, 'exact');
    w.f64(2 ** 33);
    f.get('y').op(Op.f64ConvertI64U).op(Op.f64Div).set(L('rec'));
    f.get('x').op(Op.f64ConvertI64U).get(L('rec'));
    digit('u');
    f.get('x').i64(33).op(Op.i64Shl).get(L('u')).get(L('y')).op(Op.i64Mul).op(Op.i64Sub);
    w.op(Op.f64ConvertI64U).get(L('rec')).op(Op.f64Mul).f64(0.5);
    digit('v');
    f.get('u')
      .i64(2n ** 33n)
      .op(Op.i64LtU)
      .begin(Op.if, 'if');
    // qa has 33 bits: x < y, the quotient is below 1.
    f.get('e').i32(1).op(Op.i32Sub).set(L('e'));
    f.get('u').i64(31).op(Op.i64Shl).get(L('v')).i64(1).op(Op.i64ShrU).op(Op.i64Or).set(L('s'));
    f.get('v').i64(31).op(Op.i64Shl).op(Op.i32WrapI64).i32(1).op(Op.i32Or).set(L('g'));
    w.else();
    f.get('u').i64(30).op(Op.i64Shl).get(L('v')).i64(2).op(Op.i64ShrU).op(Op.i64Or).set(L('s'));
    f.get('v').i64(30).op(Op.i64Shl).op(Op.i32WrapI64).i32(1).op(Op.i32Or).set(L('g'));
    w.end();
    w.br('quotient').end();
    this.longDivide(f);
    w.end();
  }

  /**
   * x / y into s:g by restoring division, one bit at a time from the quotient's leading one (the first bit
   * when x >= y, else the second) down to 96 bits; the remainder left makes g's sticky bit.
   */
  private longDivide(f: Fn): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    // u: the remainder, t: bits still to produce.
    w.i64(0).set(L('s')).i32(0).set(L('g')).i32(96).set(L('t'));
    f.get('x').set(L('u'));
    f.get('x').get(L('y')).op(Op.i64GeU).begin(Op.if, 'if');
    f.get('x').get(L('y')).op(Op.i64Sub).set(L('u'));
    w.i32(1).set(L('g')).i32(95).set(L('t'));
    w.else();
    f.get('e').i32(1).op(Op.i32Sub).set(L('e'));
    w.end();
    w.begin(Op.loop, 'bit');
    // The doubled remainder is at least y when it carried out of bit 63 or compares so.
    f.get('u').i64(63).op(Op.i64ShrU).op(Op.i32WrapI64).set(L('status'));
    f.get('u').i64(1).op(Op.i64Shl).tee(L('u')).get(L('y')).op(Op.i64GeU).get(L('status')).op(Op.i32Or);
    w.tee(L('status')).begin(Op.if, 'if');
    f.get('u').get(L('y')).op(Op.i64Sub).set(L('u'));
    w.end();
    f.get('s')
      .i64(1)
      .op(Op.i64Shl)
      .get(L('g'))
      .i32(31)
      .op(Op.i32ShrU)
      .op(Op.i64ExtendI32U)
      .op(Op.i64Or)
      .set(L('s'));
    f.get('g').i32(1).op(Op.i32Shl).get(L('status')).op(Op.i32Or).set(L('g'));
    f.get('t').i32(1).op(Op.i32Sub).tee(L('t')).brIf('bit');
    w.end();
    f.get('g').get(L('u')).i64(0).op(Op.i64Ne).op(Op.i32Or).set(L('g'));
  }

  /** Rounds s:g (sign sx, exponent e) to 64 bits, to nearest, into register `p`; sets `status` (roundToRegister). */
  private roundNearest(f: Fn, p: string): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    f.get('e').i32(1).op(Op.i32LtS);
    this.refuseIf(f);
    w.i32(0).set(L('status'));
    f.get('g').begin(Op.if, 'if');
    w.i32(FSW_PE).set(L('status'));
    // Above half, or exactly half with the last kept bit odd: up.
    f.get('g')
      .i32(0x80000000 | 0)
      .op(Op.i32GtU);
    f.get('g')
      .i32(0x80000000 | 0)
      .op(Op.i32Eq)
      .get(L('s'))
      .op(Op.i32WrapI64)
      .i32(1)
      .op(Op.i32And)
      .op(Op.i32And);
    w.op(Op.i32Or).begin(Op.if, 'if');
    w.i32(FSW_PE | FSW_C1).set(L('status'));
    f.get('s').i64(1).op(Op.i64Add).tee(L('s')).op(Op.i64Eqz).begin(Op.if, 'if');
    w.i64(J_BIT).set(L('s'));
    f.get('e').i32(1).op(Op.i32Add).set(L('e'));
    w.end().end().end();
    f.get('e').i32(EXP_NORMAL_MAX).op(Op.i32GtS);
    this.refuseIf(f);
    this.writeReg(f, p, 'sx', 'e', 's');
  }

  loadRegister(): Fn {
    const f = new Fn(['i', 'fop', 'fip'], ['p', 'src']);
    this.pushSlot(f);
    this.phys(f, 'i');
    f.set('src');
    this.getEmpty(f, 'src');
    this.refuseIf(f);
    this.pushFrom(f, 'src');
    return f;
  }

  /** Copies register `from` into `p` (see `pushSlot`), the new ST(0); 0 for done. */
  private pushFrom(f: Fn, from: string): void {
    this.copyReg(f, 'p', from);
    this.setWord(f, X87_WORD_TOP, () => f.get('p'));
    this.finishExact(f);
    f.w.i32(0);
  }

  exchange(): Fn {
    const f = new Fn(['i', 'fop', 'fip'], ['p0', 'pi', 'scratch']);
    this.refuseWhilePending(f);
    this.word(f, X87_WORD_TOP);
    f.set('p0');
    this.phys(f, 'i');
    f.set('pi');
    this.getEmpty(f, 'p0');
    this.getEmpty(f, 'pi');
    f.w.op(Op.i32Or);
    this.refuseIf(f);
    f.w.i32(X87_SCRATCH).set(f.l('scratch'));
    this.copyReg(f, 'scratch', 'p0');
    this.copyReg(f, 'p0', 'pi');
    this.copyReg(f, 'pi', 'scratch');
    this.finishExact(f);
    f.w.i32(0);
    return f;
  }

  storeRegister(): Fn {
    const f = new Fn(['i', 'pop', 'fop', 'fip'], ['p0', 'pi']);
    this.refuseWhilePending(f);
    this.word(f, X87_WORD_TOP);
    f.set('p0');
    this.phys(f, 'i');
    f.set('pi');
    this.getEmpty(f, 'p0');
    this.refuseIf(f);
    this.copyReg(f, 'pi', 'p0');
    f.get('pop').begin(Op.if, 'if');
    this.pop(f);
    f.w.end();
    this.finishExact(f);
    f.w.i32(0);
    return f;
  }

  loadConstant(): Fn {
    const f = new Fn(['i', 'fop', 'fip'], ['p', 'sign', 'exp'], ['sig']);
    const w = f.w;
    this.pushSlot(f);
    // FLD1: 1.0; FLDZ: +0.
    w.i32(0).set(f.l('sign'));
    f.get('i').op(Op.i32Eqz).begin(Op.if, 'if');
    w.i32(EXT_BIAS).set(f.l('exp')).i64(J_BIT).set(f.l('sig'));
    w.else();
    w.i32(0).set(f.l('exp')).i64(0).set(f.l('sig'));
    w.end();
    this.writeReg(f, 'p', 'sign', 'exp', 'sig');
    this.setWord(f, X87_WORD_TOP, () => f.get('p'));
    this.finishExact(f);
    w.i32(0);
    return f;
  }

  /** p = the register a push writes; refuses when it is not empty or an exception is pending. */
  private pushSlot(f: Fn): void {
    this.refuseWhilePending(f);
    this.word(f, X87_WORD_TOP);
    f.w.i32(7).op(Op.i32Add).i32(7).op(Op.i32And).set(f.l('p'));
    this.getEmpty(f, 'p');
    f.w.op(Op.i32Eqz);
    this.refuseIf(f);
  }

  changeSign(): Fn {
    const f = new Fn(['i', 'fop', 'fip'], ['p']);
    const w = f.w;
    this.refuseWhilePending(f);
    this.word(f, X87_WORD_TOP);
    f.set('p');
    this.getEmpty(f, 'p');
    this.refuseIf(f);
    f.get('p');
    // FCHS flips the sign, FABS clears it.
    this.getSign(f, 'p');
    w.i32(1).op(Op.i32Xor).i32(0);
    f.get('i')
      .op(Op.i32Eqz)
      .op(Op.select)
      .mem(Op.i32Store8, this.base + X87_SIGN_AT);
    this.finishExact(f);
    w.i32(0);
    return f;
  }

  decode(): Fn {
    const f = new Fn(['kind', 'lo', 'hi', 'se'], ['p', 'sign', 'exp', 'e'], ['sig']);
    const w = f.w;
    const L = (n: string) => f.l(n);
    w.i32(X87_SCRATCH).set(L('p'));
    w.i32(0).set(L('exp')).i64(0).set(L('sig'));
    w.begin(Op.block, 'decoded');
    f.get('kind').i32(DECODE_INT32).op(Op.i32Eq).begin(Op.if, 'if');
    f.get('lo').i32(31).op(Op.i32ShrU).set(L('sign'));
    f.get('lo').begin(Op.if, 'if');
    // |lo| shifted up to bit 31, its exponent from the shift.
    w.i32(0).get(L('lo')).op(Op.i32Sub).get(L('lo')).get(L('sign')).op(Op.select).tee(L('lo'));
    w.op(Op.i32Clz).set(L('e'));
    f.get('lo').get(L('e')).op(Op.i32Shl).op(Op.i64ExtendI32U).i64(32).op(Op.i64Shl).set(L('sig'));
    w.i32(EXT_BIAS + 31)
      .get(L('e'))
      .op(Op.i32Sub)
      .set(L('exp'));
    w.end();
    w.br('decoded').end();
    f.get('kind').i32(DECODE_EXTENDED).op(Op.i32Eq).begin(Op.if, 'if');
    // FLD m80fp pushes any bit pattern as it is.
    f.get('se').i32(15).op(Op.i32ShrU).i32(1).op(Op.i32And).set(L('sign'));
    f.get('se').i32(0x7fff).op(Op.i32And).set(L('exp'));
    f.get('hi').op(Op.i64ExtendI32U).i64(32).op(Op.i64Shl).get(L('lo')).op(Op.i64ExtendI32U).op(Op.i64Or);
    w.set(L('sig')).br('decoded').end();
    // Single or double: the sign, exponent and fraction fields (a single's in lo).
    f.get('kind').i32(DECODE_SINGLE).op(Op.i32Eq).begin(Op.if, 'if');
    f.get('lo').set(L('hi'));
    f.get('hi').i32(23).op(Op.i32ShrU).i32(0xff).op(Op.i32And).set(L('e'));
    f.get('hi').i32(0x7fffff).op(Op.i32And).op(Op.i64ExtendI32U).i64(40).op(Op.i64Shl).set(L('sig'));
    w.i32(0xff).set(L('se'));
    w.i32(EXT_BIAS - 127).set(L('exp'));
    w.else();
    f.get('hi').i32(20).op(Op.i32ShrU).i32(0x7ff).op(Op.i32And).set(L('e'));
    f.get('hi').i32(0xfffff).op(Op.i32And).op(Op.i64ExtendI32U).i64(43).op(Op.i64Shl);
    f.get('lo').op(Op.i64ExtendI32U).i64(11).op(Op.i64Shl).op(Op.i64Or).set(L('sig'));
    w.i32(0x7ff).set(L('se'));
    w.i32(EXT_BIAS - 1023).set(L('exp'));
    w.end();
    f.get('hi').i32(31).op(Op.i32ShrU).set(L('sign'));
    // Infinities and NaNs (the largest exponent) and denormals go the general way; zero keeps its sign.
    f.get('e').get(L('se')).op(Op.i32Eq);
    this.refuseIf(f);
    f.get('e').op(Op.i32Eqz).begin(Op.if, 'if');
    f.get('sig').i64(0).op(Op.i64Ne);
    this.refuseIf(f);
    w.i32(0).set(L('exp')).br('decoded').end();
    f.get('exp').get(L('e')).op(Op.i32Add).set(L('exp'));
    f.get('sig').i64(J_BIT).op(Op.i64Or).set(L('sig'));
    w.end();
    this.writeReg(f, 'p', 'sign', 'exp', 'sig');
    w.i32(0);
    return f;
  }

  push(): Fn {
    const f = new Fn(['fop', 'fip'], ['p', 'scratch']);
    this.pushSlot(f);
    f.w.i32(X87_SCRATCH).set(f.l('scratch'));
    this.pushFrom(f, 'scratch');
    return f;
  }

  /**
   * FST/FSTP m32fp and m64fp of a normal or zero ST(0) whose rounded value is normal in the format
   * (memory-fast.ts's encodeSingle/encodeDouble, to nearest only), and FSTP m80fp of any value: the image
   * goes to X87_WORD_OUT (low dword, high dword, sign and exponent), which the region writes.
   */
  store(): Fn {
    const f = new Fn(
      ['kind', 'pop', 'fop', 'fip'],
      ['p', 'sign', 'exp', 'e', 'status', 'max', 'frac', 'sw', 'cw'],
      ['sig', 'm', 'half'],
    );
    const w = f.w;
    const L = (n: string) => f.l(n);
    const out = (slot: number, value: () => void) => this.setWord(f, X87_WORD_OUT + slot, value);
    this.readWords(f);
    this.word(f, X87_WORD_TOP);
    f.set('p');
    this.getEmpty(f, 'p');
    this.refuseIf(f);
    this.getSign(f, 'p');
    f.set('sign');
    this.getExp(f, 'p');
    f.set('exp');
    this.getSig(f, 'p');
    f.set('sig');
    w.i32(0).set(L('status'));
    w.begin(Op.block, 'stored');
    f.get('kind').i32(STORE_EXTENDED).op(Op.i32Eq).begin(Op.if, 'if');
    out(0, () => f.get('sig').op(Op.i32WrapI64));
    out(1, () => f.get('sig').i64(32).op(Op.i64ShrU).op(Op.i32WrapI64));
    out(2, () => f.get('sign').i32(15).op(Op.i32Shl).get(L('exp')).op(Op.i32Or));
    w.br('stored').end();
    f.get('cw').i32(FCW_RC).op(Op.i32And);
    this.refuseIf(f);
    f.get('exp').op(Op.i32Eqz).begin(Op.if, 'if');
    f.get('sig').i64(0).op(Op.i64Ne);
    this.refuseIf(f);
    w.i64(0).set(L('m')).i32(0).set(L('e'));
    w.else();
    // The format: its exponent bias and largest exponent, and `frac` significand bits dropped (11 or 40), the
    // first of which weighs `half`.
    const format = (bias: number, max: number, dropped: number) => {
      f.get('exp')
        .i32(EXT_BIAS - bias)
        .op(Op.i32Sub)
        .set(L('e'));
      w.i32(max).set(L('max')).i32(dropped).set(L('frac'));
    };
    f.get('kind').i32(STORE_DOUBLE).op(Op.i32Eq).begin(Op.if, 'if');
    format(1023, 0x7fe, 11);
    w.else();
    format(127, 0xfe, 40);
    w.end();
    w.i64(1).get(L('frac')).i32(1).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64Shl).set(L('half'));
    f.get('e').i32(1).op(Op.i32LtS).get(L('e')).get(L('max')).op(Op.i32GtS).op(Op.i32Or);
    f.get('sig').i64(0).op(Op.i64GeS).op(Op.i32Or);
    this.refuseIf(f);
    // m: the fraction without the integer bit; sig: the bits dropped.
    f.get('sig').get(L('frac')).op(Op.i64ExtendI32U).op(Op.i64ShrU);
    w.i64(1).i32(63).get(L('frac')).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64Shl).i64(1).op(Op.i64Sub);
    w.op(Op.i64And).set(L('m'));
    f.get('sig').get(L('half')).i64(1).op(Op.i64Shl).i64(1).op(Op.i64Sub).op(Op.i64And).tee(L('sig'));
    w.op(Op.i64Eqz).op(Op.i32Eqz).begin(Op.if, 'if');
    w.i32(FSW_PE).set(L('status'));
    f.get('sig').get(L('half')).op(Op.i64GtU);
    f.get('sig').get(L('half')).op(Op.i64Eq).get(L('m')).op(Op.i32WrapI64).i32(1).op(Op.i32And).op(Op.i32And);
    w.op(Op.i32Or).begin(Op.if, 'if');
    w.i32(FSW_PE | FSW_C1).set(L('status'));
    // Rounding up may carry into the exponent field: one past the largest exponent refuses (overflow).
    f.get('m').i64(1).op(Op.i64Add).set(L('m'));
    f.get('m').i64(1).i32(63).get(L('frac')).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64Shl).op(Op.i64Eq);
    w.begin(Op.if, 'if');
    w.i64(0).set(L('m'));
    f.get('e').i32(1).op(Op.i32Add).tee(L('e')).get(L('max')).op(Op.i32GtS);
    this.refuseIf(f);
    w.end().end().end();
    w.end();
    f.get('kind').i32(STORE_DOUBLE).op(Op.i32Eq).begin(Op.if, 'if');
    out(0, () => f.get('m').op(Op.i32WrapI64));
    out(1, () => {
      f.get('sign').i32(31).op(Op.i32Shl).get(L('e')).i32(20).op(Op.i32Shl).op(Op.i32Or);
      f.get('m').i64(32).op(Op.i64ShrU).op(Op.i32WrapI64).op(Op.i32Or);
    });
    w.else();
    out(0, () => {
      f.get('sign').i32(31).op(Op.i32Shl).get(L('e')).i32(23).op(Op.i32Shl).op(Op.i32Or);
      f.get('m').op(Op.i32WrapI64).op(Op.i32Or);
    });
    out(1, () => w.i32(0));
    w.end();
    w.end();
    this.finishRounded(f);
    return f;
  }
}

/**
 * How a region runs an escape instruction with these functions: read a memory operand (`load`: `size` bytes,
 * 2 being an m16int, sign-extended) and `decode` it, call `call` with `args` then FOP and FIP, and write what a
 * store leaves in X87_WORD_OUT (`storeSize` bytes). A memory form sets FDP to the operand's address.
 */
export interface X87Plan {
  readonly load: { readonly kind: number; readonly size: number } | null;
  readonly call: X87Function;
  readonly args: readonly number[];
  readonly storeSize: number;
}

/** The plan for opcode D8..DF with `modrm`, or null when the region must run it through `step`. */
export function x87Plan(opcode: number, modrm: number): X87Plan | null {
  const reg = (modrm >>> 3) & 7;
  const i = modrm & 7;
  const plain = (call: X87Function, ...args: number[]): X87Plan => ({ load: null, call, args, storeSize: 0 });
  const load = (kind: number, size: number, call: X87Function, ...args: number[]): X87Plan => ({
    load: { kind, size },
    call,
    args,
    storeSize: 0,
  });
  const store = (kind: number, size: number, pop: boolean): X87Plan => ({
    load: null,
    call: 'store',
    args: [kind, pop ? 1 : 0],
    storeSize: size,
  });
  const isCompare = reg === 2 || reg === 3;
  const arith = (op: number): X87Function => (op === OP_MUL ? 'multiply' : op >= OP_DIV ? 'divide' : 'add');
  if (modrm < 0xc0) {
    switch (opcode) {
      case 0xd8:
        return isCompare ? null : load(DECODE_SINGLE, 4, arith(reg), reg, 0, X87_SCRATCH, 0);
      case 0xdc:
        return isCompare ? null : load(DECODE_DOUBLE, 8, arith(reg), reg, 0, X87_SCRATCH, 0);
      case 0xda:
        return isCompare ? null : load(DECODE_INT32, 4, arith(reg), reg, 0, X87_SCRATCH, 0);
      case 0xde:
        return isCompare ? null : load(DECODE_INT32, 2, arith(reg), reg, 0, X87_SCRATCH, 0);
      case 0xd9:
        if (reg === 0) return load(DECODE_SINGLE, 4, 'push');
        return isCompare ? store(STORE_SINGLE, 4, reg === 3) : null;
      case 0xdd:
        if (reg === 0) return load(DECODE_DOUBLE, 8, 'push');
        return isCompare ? store(STORE_DOUBLE, 8, reg === 3) : null;
      case 0xdb:
        if (reg === 0) return load(DECODE_INT32, 4, 'push');
        if (reg === 5) return load(DECODE_EXTENDED, 10, 'push');
        return reg === 7 ? store(STORE_EXTENDED, 10, true) : null;
      case 0xdf:
        return reg === 0 ? load(DECODE_INT32, 2, 'push') : null;
      default:
        return null;
    }
  }
  switch (opcode) {
    case 0xd8:
      return isCompare ? null : plain(arith(reg), reg, 0, i, 0);
    case 0xdc:
    case 0xde:
      // ST(i) = ST(i) op ST(0): the reg field names the reversed operation (4<->5, 6<->7) in this form.
      if (isCompare) return null;
      return plain(arith(reg), reg < 4 ? reg : reg ^ 1, i, 0, opcode === 0xde ? 1 : 0);
    case 0xd9:
      if (reg === 0) return plain('loadRegister', i);
      if (reg === 1) return plain('exchange', i);
      if (modrm === 0xe0 || modrm === 0xe1) return plain('changeSign', i);
      if (modrm === 0xe8 || modrm === 0xee) return plain('loadConstant', i);
      return null;
    case 0xdd:
      return reg === 2 || reg === 3 ? plain('storeRegister', i, reg === 3 ? 1 : 0) : null;
    default:
      return null;
  }
}
