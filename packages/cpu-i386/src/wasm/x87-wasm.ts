/**
 * x87 arithmetic, compares and memory formats in WebAssembly: the common cases of the x87 unit's fast paths
 * (fpu/fast-path.ts, fpu/memory-fast.ts) as pure functions on unpacked values (sign and biased exponent,
 * 64-bit significand as an i64), for WebAssembly regions, which keep the x87 registers they use in locals (wasm/x87-stack.ts). Layer:
 * arch plugin (cpu-i386); wasm-region.ts puts these functions in region modules that run x87 code and calls
 * them directly, and asks `x87Plan` how to run each escape instruction.
 *
 * A function returns status -1 when its case does not apply: an operand or result that is neither normal nor zero,
 * a division by zero (a zero result is exact: +0 for an exact zero sum, as rounding is to nearest). The region then runs the
 * instruction through `step`, whose general path decides, so these functions change speed only; the region
 * calls them only when rounding to nearest with the precision exception masked, and with precision control 64
 * or 53 bits (the arithmetic takes which: glibc's libm computes doubles with the x87 set to 53 bits). The arithmetic mirrors fast-path.ts with 64-bit integers:
 * significands as i64, the bits below them in a 32-bit word whose bit 0 is sticky; x87-wasm.test.ts holds it to
 * fast-path.ts and memory-fast.ts on random operands.
 */
import { EXT_BIAS, FSW_C1, FSW_PE } from '../fpu/x87-constants.js';
import { CodeWriter, F64, type FuncType, type FunctionSpec, I32, I64, Op } from './wasm-encoder.js';

/** What a function returns as its status when its case does not apply. */
export const DECLINED = -1;

/** The operation of an x87 arithmetic instruction (the D8 reg field numbering, as fast-path.ts's OP_*). */
const OP_MUL = 1;
const OP_SUB = 4;
const OP_SUBR = 5;
const OP_DIV = 6;
const OP_DIVR = 7;

const EXP_NORMAL_MAX = 0x7ffe;
const J_BIT = 1n << 63n;
/** The significand bits below a 53-bit one, and the first of them (the round bit). */
const LOW_11 = 0x7ff;
const HALF_11 = 0x400;
/** A digit estimate this far from an integer (2^-16) has the exact digit as its floor (fast-path.ts). */
const CLEAR = 1 / 65536;

/** Memory operand formats: what `decode` reads and `encode` writes (m80fp needs neither). */
export const FORMAT_INT = 0;
export const FORMAT_SINGLE = 1;
export const FORMAT_DOUBLE = 2;
export const FORMAT_EXTENDED = 3;
export const FORMAT_INT64 = 4;

/**
 * Values travel as (se, significand): se holds the sign in bit 15 and the biased exponent in bits 0-14, as
 * an m80fp's top word does (a region keeps a register's emptiness in bit 16, which a function ignores).
 */
const SIGN_SHIFT = 15;
const EXP_MASK = 0x7fff;
/**
 * (se, significand) of x and y, and whether precision control is 53 bits (else 64) -> (se, significand, status):
 * x op y.
 */
const ARITH_TYPE: FuncType = { params: [I32, I64, I32, I64, I32], results: [I32, I64, I32] };
/** decode(format, lo, hi) -> (se, significand, status): an m16int/m32int (in lo), m64int, m32fp or m64fp. */
const DECODE_TYPE: FuncType = { params: [I32, I32, I32], results: [I32, I64, I32] };
/** encode(format, se, significand) -> (lo, hi, status): the m32fp or m64fp image, rounded. */
const ENCODE_TYPE: FuncType = { params: [I32, I32, I64], results: [I32, I32, I32] };
/** integer(se, significand, rc, bits) -> (lo, hi, status): FIST's m16int/m32int/m64int in rounding mode rc. */
const INTEGER_TYPE: FuncType = { params: [I32, I64, I32, I32], results: [I32, I32, I32] };
/** compare(x, y) -> CMP_GT, CMP_LT or CMP_EQ (memory-fast.ts's outcomes), or DECLINED. */
const COMPARE_TYPE: FuncType = { params: [I32, I64, I32, I64], results: [I32] };
export const CMP_GT = 0;
export const CMP_LT = 1;
export const CMP_EQ = 2;

/**
 * The functions, with their types. Status: 0, FSW_PE, or FSW_PE | FSW_C1 (inexact, rounded up), or DECLINED.
 * One function per operation: the region knows which it needs, and a smaller function runs faster.
 */
export const X87_FUNCTIONS = {
  add: ARITH_TYPE,
  multiply: ARITH_TYPE,
  divide: ARITH_TYPE,
  decode: DECODE_TYPE,
  encode: ENCODE_TYPE,
  compare: COMPARE_TYPE,
  integer: INTEGER_TYPE,
} as const;
export type X87Function = keyof typeof X87_FUNCTIONS;
export const X87_FUNCTION_NAMES = Object.keys(X87_FUNCTIONS) as X87Function[];

/**
 * Where an inlined function's code goes (`writeInline`): the caller's writer, the first of the caller's locals
 * of each type it may use (INLINE_I32_LOCALS, INLINE_I64_LOCALS, INLINE_F64_LOCALS of them), and the type
 * index of the block that stands for its body, (): results.
 */
export interface InlineSite {
  readonly w: CodeWriter;
  readonly i32At: number;
  readonly i64At: number;
  readonly f64At: number;
  readonly blockType: number;
}

/** The label of an inlined body's block: a decline branches out of it with the results a return would give. */
const INLINE_LABEL = 'x87-inline';

/** A function's parameters and locals by name, for readable code. */
class Fn {
  readonly w: CodeWriter;
  private readonly index = new Map<string, number>();

  /**
   * A function of its own, or (`site`) a body written in place in the caller's code: its parameters, taken off
   * the caller's stack, and its locals live in the caller's locals.
   */
  constructor(
    private readonly type: FuncType,
    params: string[],
    private readonly i32: string[],
    private readonly i64: string[] = [],
    private readonly f64: string[] = [],
    private readonly site: InlineSite | null = null,
  ) {
    this.w = site?.w ?? new CodeWriter();
    if (site === null) {
      for (const name of [...params, ...i32, ...i64, ...f64]) this.index.set(name, this.index.size);
      return;
    }
    const next: Record<number, number> = { [I32]: site.i32At, [I64]: site.i64At, [F64]: site.f64At };
    const place = (name: string, type: number) => {
      this.index.set(name, next[type] as number);
      next[type] = (next[type] as number) + 1;
    };
    for (const [i, name] of params.entries()) place(name, type.params[i] as number);
    for (const name of i32) place(name, I32);
    for (const name of i64) place(name, I64);
    for (const name of f64) place(name, F64);
    if (
      (next[I32] as number) - site.i32At > INLINE_I32_LOCALS ||
      (next[I64] as number) - site.i64At > INLINE_I64_LOCALS ||
      (next[F64] as number) - site.f64At > INLINE_F64_LOCALS
    )
      throw new Error('x87 wasm: an inlined function needs more locals than a site lends');
    // The arguments are on the stack, the last on top.
    for (let i = params.length - 1; i >= 0; i--) this.set(params[i] as string);
    this.w.beginTyped(Op.block, INLINE_LABEL, site.blockType);
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

  /** Returns zeros and DECLINED (the last result) when the i32 on the stack is not 0. */
  declineIf(): void {
    this.returnIf(() => {
      const results = this.type.results;
      for (let i = 0; i < results.length - 1; i++) {
        if (results[i] === I64) this.w.i64(0);
        else this.w.i32(0);
      }
      this.w.i32(DECLINED);
    });
  }

  /** Returns what `pushResults` pushes when the i32 on the stack is not 0. */
  returnIf(pushResults: () => void): void {
    this.w.begin(Op.if, 'if');
    this.returnNow(pushResults);
    this.w.end();
  }

  /** Returns what `pushResults` pushes. */
  returnNow(pushResults: () => void): void {
    pushResults();
    if (this.site === null) this.w.op(Op.return);
    else this.w.br(INLINE_LABEL);
  }

  /** Closes an inlined body's block: its results are on the stack. */
  finishInline(): void {
    this.w.end();
  }

  spec(): FunctionSpec {
    return {
      type: this.type,
      locals: this.i32.length,
      locals64: this.i64.length,
      localsF64: this.f64.length,
      body: this.w,
    };
  }
}

/**
 * The functions a region writes in place of a call: the arithmetic and decode, run once or more per x87
 * instruction. As calls they cost the caller its registers (the locals live across a call are spilled and
 * reloaded around it), and V8 inlines none of them.
 */
export const INLINED_X87: ReadonlySet<X87Function> = new Set(['add', 'multiply', 'divide', 'decode']);
/** The locals of each type an inline site lends its body (the arithmetic's: 5 parameters and its locals). */
export const INLINE_I32_LOCALS = 11;
export const INLINE_I64_LOCALS = 5;
export const INLINE_F64_LOCALS = 3;
/** The inline bodies' block type: what every inlined function returns (se, significand, status). */
export const INLINE_BLOCK_TYPE: FuncType = { params: [], results: [I32, I64, I32] };

/** Writes function `name` (one of INLINED_X87) in place at `site`, its arguments on the stack. */
export function writeInline(name: X87Function, site: InlineSite): void {
  const writer = new X87Writer(site);
  const inlined = {
    add: () => writer.add(),
    multiply: () => writer.multiply(),
    divide: () => writer.divide(),
    decode: () => writer.decode(),
  }[name as 'add' | 'multiply' | 'divide' | 'decode'];
  if (!inlined) throw new Error(`x87 wasm: ${name} is not written inline`);
  inlined().finishInline();
}

let written: FunctionSpec[] | null = null;

/** The functions, in X87_FUNCTION_NAMES order (written once: they depend on nothing). */
export function x87Functions(): FunctionSpec[] {
  if (written === null) {
    const b = new X87Writer();
    written = X87_FUNCTION_NAMES.map((name) => b[name]().spec());
  }
  return written;
}

class X87Writer {
  constructor(private readonly site: InlineSite | null = null) {}

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
      ARITH_TYPE,
      ['sex', 'x', 'sey', 'y', 'pc53'],
      ['sx', 'ex', 'sy', 'ey', 'e', 'g', 'status', 't'],
      ['s', 'u', 'v'],
      ['rec', 'est', 'q'],
      this.site,
    );
    for (const [se, sign, e, sig] of [
      ['sex', 'sx', 'ex', 'x'],
      ['sey', 'sy', 'ey', 'y'],
    ] as const) {
      f.get(se).i32(SIGN_SHIFT).op(Op.i32ShrU).i32(1).op(Op.i32And).set(f.l(sign));
      f.get(se).i32(EXP_MASK).op(Op.i32And).set(f.l(e));
      // Normal: exponent 1..0x7ffe and the integer bit set.
      f.get(e).i32(1).op(Op.i32Sub).i32(EXP_NORMAL_MAX).op(Op.i32GeU);
      f.get(sig).i64(0).op(Op.i64GeS).op(Op.i32Or);
    }
    // Either operand not normal: zeros are answered here, anything else declines. This path only returns, so
    // the normal one's code is what it was without it (inlined in regions, a merge here cost cpu-x87 ~12%).
    f.w.op(Op.i32Or).begin(Op.if, 'if');
    this.withZero(f, operation);
    f.w.end();
    if (operation === 'add') this.sum(f);
    else if (operation === 'multiply') this.product(f);
    else this.quotient(f);
    this.roundNearest(f);
    f.get('sx').i32(SIGN_SHIFT).op(Op.i32Shl).get(f.l('e')).op(Op.i32Or).get(f.l('s')).get(f.l('status'));
    return f;
  }

  /**
   * x op y when x or y is not normal (fast-path.ts `withZero`, rounding to nearest): returns when one is a
   * zero and the other a zero or normal, else declines. A product or quotient is a zero (a division by zero
   * declines: ZE); a sum of zeros is -0 only when both are; x + 0 is x when x has no bits below the
   * precision (else it declines: x's rounding is the general path's).
   */
  private withZero(f: Fn, operation: 'add' | 'multiply' | 'divide'): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    const zero = (e: string, sig: string) => f.get(e).op(Op.i32Eqz).get(L(sig)).op(Op.i64Eqz).op(Op.i32And);
    const normal = (e: string, sig: string) => {
      f.get(e).i32(1).op(Op.i32Sub).i32(EXP_NORMAL_MAX).op(Op.i32LtU);
      f.get(sig).i64(0).op(Op.i64GeS).op(Op.i32Eqz).op(Op.i32And);
    };
    const returnZero = (sign: () => void) =>
      f.returnIf(() => {
        sign();
        w.i32(SIGN_SHIFT).op(Op.i32Shl).i64(0).i32(0);
      });
    // Each operand zero or normal, one of them zero.
    zero('ex', 'x');
    normal('ex', 'x');
    w.op(Op.i32Or);
    zero('ey', 'y');
    normal('ey', 'y');
    w.op(Op.i32Or).op(Op.i32And).op(Op.i32Eqz);
    f.declineIf();
    if (operation !== 'add') {
      if (operation === 'divide') {
        f.get('ey').op(Op.i32Eqz);
        f.declineIf();
      }
      w.i32(1);
      returnZero(() => f.get('sx').get(L('sy')).op(Op.i32Xor));
      return;
    }
    f.get('ex').get(L('ey')).op(Op.i32Or).op(Op.i32Eqz);
    returnZero(() => f.get('sx').get(L('sy')).op(Op.i32And));
    // The other operand as it is, exactly: at 64 bits always, at 53 when its low 11 bits are 0.
    for (const [e, se, sig] of [
      ['ey', 'sex', 'x'],
      ['ex', 'sey', 'y'],
    ] as const) {
      f.get(e).op(Op.i32Eqz).begin(Op.if, 'if');
      f.get('pc53').get(L(sig)).op(Op.i32WrapI64).i32(LOW_11).op(Op.i32And).i32(0).op(Op.i32Ne).op(Op.i32And);
      f.declineIf();
      f.returnNow(() => f.get(se).get(L(sig)).i32(0));
      w.end();
    }
    // One of them is a zero, so one of the two returned.
    w.op(Op.unreachable);
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
    // An exact zero is +0 when rounding to nearest, the only mode these fast cases run in (x87-stack.ts OK).
    f.get('s').op(Op.i64Eqz).get(L('g')).op(Op.i32Eqz).op(Op.i32And);
    f.returnIf(() => w.i32(0).i64(0).i32(0));
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
   * The estimates are fast-path.ts's to the bit; what differs is the order, for a shorter chain of latencies
   * from y to v: a digit is truncated straight from its estimate while the test of its fraction runs beside
   * it, the reciprocal's scalings by 2 and 1/2 (exact) are made while x converts, and x and y convert as
   * signed halves, rounded to odd ((v >>> 1) | (v & 1), which a double rounds as it would v / 2: both are
   * at least 2^62), without the unsigned conversion's test of the sign.
   */
  private quotient(f: Fn): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    const half = (v: string) => {
      f.get(v).i64(1).op(Op.i64ShrU).get(L(v)).i64(1).op(Op.i64And).op(Op.i64Or).op(Op.f64ConvertI64S);
    };
    /** The digit into `into` from the estimate on the stack (positive, below 2^63), to 'exact' if unclear. */
    const digit = (into: string) => {
      w.tee(L('est')).i64TruncSatF64S().set(L(into));
      f.get('est').get(L('est')).op(Op.f64Floor).op(Op.f64Sub).tee(L('q')).f64(CLEAR).op(Op.f64Lt);
      f.get('q')
        .f64(1 - CLEAR)
        .op(Op.f64Gt)
        .op(Op.i32Or);
      w.brIf('exact');
    };
    f.get('sx').get(L('sy')).op(Op.i32Xor).set(L('sx'));
    f.get('ex').get(L('ey')).op(Op.i32Sub).i32(EXT_BIAS).op(Op.i32Add).set(L('e'));
    w.begin(Op.block, 'quotient').begin(Op.block, 'exact');
    // rec = 2^33 / y; q holds 2·rec for x's half, and rec becomes rec / 2 for R.
    w.f64(2 ** 32);
    half('y');
    w.op(Op.f64Div).tee(L('rec')).get(L('rec')).op(Op.f64Add).set(L('q'));
    f.get('rec').f64(0.5).op(Op.f64Mul).set(L('rec'));
    half('x');
    f.get('q').op(Op.f64Mul);
    digit('u');
    f.get('x').i64(33).op(Op.i64Shl).get(L('u')).get(L('y')).op(Op.i64Mul).op(Op.i64Sub);
    w.op(Op.f64ConvertI64U).get(L('rec')).op(Op.f64Mul);
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

  /** Rounds s:g (exponent e) to 64 bits, to nearest, setting `status` (fast-path.ts's roundToRegister). */
  private roundNearest(f: Fn): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    f.get('e').i32(1).op(Op.i32LtS);
    f.declineIf();
    w.i32(0).set(L('status'));
    f.get('pc53').begin(Op.if, 'if');
    this.roundNearest53(f);
    w.else();
    f.get('g').begin(Op.if, 'if');
    w.i32(FSW_PE).set(L('status'));
    // Above half, or exactly half with the last kept bit odd: up.
    f.get('g')
      .i32(0x80000000 | 0)
      .op(Op.i32GtU);
    f.get('g')
      .i32(0x80000000 | 0)
      .op(Op.i32Eq);
    f.get('s').op(Op.i32WrapI64).i32(1).op(Op.i32And).op(Op.i32And);
    w.op(Op.i32Or).begin(Op.if, 'if');
    w.i32(FSW_PE | FSW_C1).set(L('status'));
    f.get('s').i64(1).op(Op.i64Add).tee(L('s')).op(Op.i64Eqz).begin(Op.if, 'if');
    w.i64(J_BIT).set(L('s'));
    f.get('e').i32(1).op(Op.i32Add).set(L('e'));
    w.end().end().end();
    w.end();
    f.get('e').i32(EXP_NORMAL_MAX).op(Op.i32GtS);
    f.declineIf();
  }

  /**
   * s:g rounded to 53 bits, to nearest even (precision control 53 bits): the 11 bits below them in s are the
   * round bit and the first sticky ones, g the rest; the result keeps the extended exponent range.
   */
  private roundNearest53(f: Fn): void {
    const w = f.w;
    const L = (n: string) => f.l(n);
    // t: the 11 bits dropped.
    f.get('s').op(Op.i32WrapI64).i32(LOW_11).op(Op.i32And).tee(L('t'));
    f.get('g').op(Op.i32Or).begin(Op.if, 'if');
    w.i32(FSW_PE).set(L('status'));
    f.get('s').i64(~BigInt(LOW_11)).op(Op.i64And).set(L('s'));
    // Above half, or exactly half with the last kept bit odd: up.
    f.get('t').i32(HALF_11).op(Op.i32GtU);
    f.get('t').i32(HALF_11).op(Op.i32Eq);
    f.get('g')
      .get(L('s'))
      .op(Op.i32WrapI64)
      .i32(LOW_11 + 1)
      .op(Op.i32And)
      .op(Op.i32Or)
      .i32(0)
      .op(Op.i32Ne);
    w.op(Op.i32And).op(Op.i32Or).begin(Op.if, 'if');
    w.i32(FSW_PE | FSW_C1).set(L('status'));
    f.get('s')
      .i64(LOW_11 + 1)
      .op(Op.i64Add)
      .tee(L('s'))
      .op(Op.i64Eqz)
      .begin(Op.if, 'if');
    w.i64(J_BIT).set(L('s'));
    f.get('e').i32(1).op(Op.i32Add).set(L('e'));
    w.end().end().end();
  }

  /**
   * An m16int or m32int (FORMAT_INT, in lo, sign-extended), an m64int, or an m32fp (in lo) or m64fp that is
   * normal or zero.
   */
  decode(): Fn {
    const f = new Fn(
      DECODE_TYPE,
      ['format', 'lo', 'hi'],
      ['sign', 'exp', 'e', 'max'],
      ['sig'],
      [],
      this.site,
    );
    const w = f.w;
    const L = (n: string) => f.l(n);
    w.i32(0).set(L('exp')).i64(0).set(L('sig'));
    w.begin(Op.block, 'decoded');
    f.get('format').i32(FORMAT_INT).op(Op.i32Eq).begin(Op.if, 'if');
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
    f.get('format').i32(FORMAT_INT64).op(Op.i32Eq).begin(Op.if, 'if');
    // m64int: the magnitude of hi:lo shifted up to bit 63, its exponent from the shift.
    f.get('hi').i32(31).op(Op.i32ShrU).set(L('sign'));
    f.get('hi').op(Op.i64ExtendI32U).i64(32).op(Op.i64Shl).get(L('lo')).op(Op.i64ExtendI32U).op(Op.i64Or);
    w.tee(L('sig')).op(Op.i64Eqz).op(Op.i32Eqz).begin(Op.if, 'if');
    w.i64(0).get(L('sig')).op(Op.i64Sub).get(L('sig')).get(L('sign')).op(Op.select).tee(L('sig'));
    w.op(Op.i64Clz).op(Op.i32WrapI64).set(L('e'));
    f.get('sig').get(L('e')).op(Op.i64ExtendI32U).op(Op.i64Shl).set(L('sig'));
    w.i32(EXT_BIAS + 63)
      .get(L('e'))
      .op(Op.i32Sub)
      .set(L('exp'));
    w.end();
    w.br('decoded').end();
    // Single or double: the sign, exponent and fraction fields (a single's in lo).
    f.get('format').i32(FORMAT_SINGLE).op(Op.i32Eq).begin(Op.if, 'if');
    f.get('lo').set(L('hi'));
    f.get('hi').i32(23).op(Op.i32ShrU).i32(0xff).op(Op.i32And).set(L('e'));
    f.get('hi').i32(0x7fffff).op(Op.i32And).op(Op.i64ExtendI32U).i64(40).op(Op.i64Shl).set(L('sig'));
    w.i32(0xff)
      .set(L('max'))
      .i32(EXT_BIAS - 127)
      .set(L('exp'));
    w.else();
    f.get('hi').i32(20).op(Op.i32ShrU).i32(0x7ff).op(Op.i32And).set(L('e'));
    f.get('hi').i32(0xfffff).op(Op.i32And).op(Op.i64ExtendI32U).i64(43).op(Op.i64Shl);
    f.get('lo').op(Op.i64ExtendI32U).i64(11).op(Op.i64Shl).op(Op.i64Or).set(L('sig'));
    w.i32(0x7ff)
      .set(L('max'))
      .i32(EXT_BIAS - 1023)
      .set(L('exp'));
    w.end();
    f.get('hi').i32(31).op(Op.i32ShrU).set(L('sign'));
    // Infinities and NaNs (the largest exponent) and denormals go the general way; zero keeps its sign.
    f.get('e').get(L('max')).op(Op.i32Eq);
    f.declineIf();
    f.get('e').op(Op.i32Eqz).begin(Op.if, 'if');
    f.get('sig').i64(0).op(Op.i64Ne);
    f.declineIf();
    w.i32(0).set(L('exp')).br('decoded').end();
    f.get('exp').get(L('e')).op(Op.i32Add).set(L('exp'));
    f.get('sig').i64(J_BIT).op(Op.i64Or).set(L('sig'));
    w.end();
    f.get('sign').i32(SIGN_SHIFT).op(Op.i32Shl).get(L('exp')).op(Op.i32Or).get(L('sig')).i32(0);
    return f;
  }

  /**
   * A zero or normal value as a signed integer of `bits` (16, 32, 64) rounded in mode `rc` (convert.ts's
   * storeInteger): (lo, hi, status), status PE and C1 as it rounded. Anything that would raise IE (out of
   * range, not a number) or is not zero or normal declines.
   */
  integer(): Fn {
    const f = new Fn(
      INTEGER_TYPE,
      ['se', 'sig', 'rc', 'bits'],
      ['sign', 'exp', 'n', 'status', 'up'],
      ['int', 'frac'],
    );
    const w = f.w;
    const L = (n: string) => f.l(n);
    f.get('se').i32(SIGN_SHIFT).op(Op.i32ShrU).i32(1).op(Op.i32And).set(L('sign'));
    f.get('se').i32(EXP_MASK).op(Op.i32And).set(L('exp'));
    w.i32(0).set(L('status'));
    w.begin(Op.block, 'rounded');
    f.get('exp').op(Op.i32Eqz).begin(Op.if, 'if');
    f.get('sig').i64(0).op(Op.i64Ne);
    f.declineIf();
    w.br('rounded').end();
    f.get('exp').i32(1).op(Op.i32Sub).i32(EXP_NORMAL_MAX).op(Op.i32GeU);
    f.get('sig').i64(0).op(Op.i64GeS).op(Op.i32Or);
    f.declineIf();
    // n: how far the integer part sits below bit 63 (a magnitude of 2^64 or more declines).
    w.i32(EXT_BIAS + 63)
      .get(L('exp'))
      .op(Op.i32Sub)
      .tee(L('n'))
      .i32(0)
      .op(Op.i32LtS);
    f.declineIf();
    // int: the integer part; frac: the bits below it, left-aligned (beyond 64 places, any nonzero value under
    // a half will do).
    f.get('n').op(Op.i32Eqz).begin(Op.if, 'if');
    f.get('sig').set(L('int'));
    w.br('rounded').end();
    f.get('n').i32(64).op(Op.i32LtU).begin(Op.if, 'if');
    f.get('sig').get(L('n')).op(Op.i64ExtendI32U).op(Op.i64ShrU).set(L('int'));
    f.get('sig').i32(64).get(L('n')).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64Shl).set(L('frac'));
    w.else();
    w.i64(0).set(L('int'));
    f.get('sig').i64(1).get(L('n')).i32(64).op(Op.i32Eq).op(Op.select).set(L('frac'));
    w.end();
    f.get('frac').op(Op.i64Eqz).brIf('rounded');
    w.i32(FSW_PE).set(L('status'));
    // Up in magnitude: to nearest (above half, or half with the integer odd), up for positive values, down
    // for negative ones, never toward zero.
    f.get('frac').i64(J_BIT).op(Op.i64GtU);
    f.get('frac').i64(J_BIT).op(Op.i64Eq).get(L('int')).op(Op.i32WrapI64).i32(1).op(Op.i32And).op(Op.i32And);
    w.op(Op.i32Or);
    f.get('sign').op(Op.i32Eqz).get(L('sign')).get(L('rc')).i32(2).op(Op.i32Eq).op(Op.select);
    w.i32(0).get(L('rc')).i32(3).op(Op.i32Ne).op(Op.select);
    f.get('rc').op(Op.i32Eqz).op(Op.select).tee(L('up'));
    w.begin(Op.if, 'if');
    w.i32(FSW_PE | FSW_C1).set(L('status'));
    f.get('int').i64(1).op(Op.i64Add).set(L('int'));
    w.end();
    w.end();
    // The magnitude must fit: below 2^(bits-1), or exactly that for a negative value.
    w.i64(1).get(L('bits')).i32(1).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64Shl).tee(L('frac'));
    f.get('int').op(Op.i64GtU);
    f.get('frac').get(L('int')).op(Op.i64Eq).get(L('sign')).op(Op.i32And).op(Op.i32Or);
    w.op(Op.i32Eqz);
    f.declineIf();
    // Negative values as two's complement.
    w.i64(0).get(L('int')).op(Op.i64Sub).get(L('int')).get(L('sign')).op(Op.select).set(L('int'));
    f.get('int').op(Op.i32WrapI64);
    f.get('int').i64(32).op(Op.i64ShrU).op(Op.i32WrapI64);
    f.get('status');
    return f;
  }

  /**
   * x against y when each is zero or normal (memory-fast.ts's compareFinite); any other class declines (a
   * denormal reports DE, a NaN or unsupported format IE: the general path decides).
   */
  compare(): Fn {
    const f = new Fn(COMPARE_TYPE, ['sex', 'x', 'sey', 'y'], ['sx', 'ex', 'sy', 'ey', 'zx', 'zy']);
    const w = f.w;
    const L = (n: string) => f.l(n);
    for (const [se, sign, e, sig, zero] of [
      ['sex', 'sx', 'ex', 'x', 'zx'],
      ['sey', 'sy', 'ey', 'y', 'zy'],
    ] as const) {
      f.get(se).i32(SIGN_SHIFT).op(Op.i32ShrU).i32(1).op(Op.i32And).set(L(sign));
      f.get(se).i32(EXP_MASK).op(Op.i32And).tee(L(e)).op(Op.i32Eqz).tee(L(zero));
      // A zero has a zero significand; anything else must be normal.
      w.begin(Op.if, 'if');
      f.get(sig).i64(0).op(Op.i64Ne);
      f.declineIf();
      w.else();
      f.get(e).i32(1).op(Op.i32Sub).i32(EXP_NORMAL_MAX).op(Op.i32GeU);
      f.get(sig).i64(0).op(Op.i64GeS).op(Op.i32Or);
      f.declineIf();
      w.end();
    }
    // Zeros: equal, or the other's sign decides; then different signs decide.
    f.get('zx').get(L('zy')).op(Op.i32And).begin(Op.if, 'if');
    w.i32(CMP_EQ).op(Op.return);
    w.end();
    for (const [zero, sign, negative, positive] of [
      ['zx', 'sy', CMP_GT, CMP_LT],
      ['zy', 'sx', CMP_LT, CMP_GT],
    ] as const) {
      f.get(zero).begin(Op.if, 'if');
      w.i32(negative).i32(positive).get(L(sign)).op(Op.select).op(Op.return);
      w.end();
    }
    f.get('sx').get(L('sy')).op(Op.i32Ne).begin(Op.if, 'if');
    w.i32(CMP_LT).i32(CMP_GT).get(L('sx')).op(Op.select).op(Op.return);
    w.end();
    // Same sign: the magnitudes (exponent, then significand) decide, reversed for negatives.
    f.get('ex').get(L('ey')).op(Op.i32Eq).get(L('x')).get(L('y')).op(Op.i64Eq).op(Op.i32And);
    w.begin(Op.if, 'if');
    w.i32(CMP_EQ).op(Op.return);
    w.end();
    w.i32(CMP_GT).i32(CMP_LT);
    f.get('ex').get(L('ey')).op(Op.i32GtU);
    f.get('ex').get(L('ey')).op(Op.i32Eq).get(L('x')).get(L('y')).op(Op.i64GtU).op(Op.i32And).op(Op.i32Or);
    f.get('sx').op(Op.i32Eqz).op(Op.i32Eq).op(Op.select);
    return f;
  }

  /**
   * The m32fp or m64fp image of a normal or zero value whose rounded value is normal in the format
   * (memory-fast.ts's encodeSingle/encodeDouble, to nearest): (lo, hi, status), hi 0 for m32fp.
   */
  encode(): Fn {
    const f = new Fn(
      ENCODE_TYPE,
      ['format', 'se', 'sig'],
      ['sign', 'exp', 'e', 'status', 'max', 'frac'],
      ['m', 'half'],
    );
    const w = f.w;
    const L = (n: string) => f.l(n);
    f.get('se').i32(SIGN_SHIFT).op(Op.i32ShrU).i32(1).op(Op.i32And).set(L('sign'));
    f.get('se').i32(EXP_MASK).op(Op.i32And).set(L('exp'));
    w.i32(0).set(L('status'));
    f.get('exp').op(Op.i32Eqz).begin(Op.if, 'if');
    f.get('sig').i64(0).op(Op.i64Ne);
    f.declineIf();
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
    f.get('format').i32(FORMAT_DOUBLE).op(Op.i32Eq).begin(Op.if, 'if');
    format(1023, 0x7fe, 11);
    w.else();
    format(127, 0xfe, 40);
    w.end();
    w.i64(1).get(L('frac')).i32(1).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64Shl).set(L('half'));
    f.get('e').i32(1).op(Op.i32LtS).get(L('e')).get(L('max')).op(Op.i32GtS).op(Op.i32Or);
    f.get('sig').i64(0).op(Op.i64GeS).op(Op.i32Or);
    f.declineIf();
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
    // Rounding up may carry into the exponent field: one past the largest exponent declines (overflow).
    f.get('m').i64(1).op(Op.i64Add).set(L('m'));
    f.get('m').i64(1).i32(63).get(L('frac')).op(Op.i32Sub).op(Op.i64ExtendI32U).op(Op.i64Shl).op(Op.i64Eq);
    w.begin(Op.if, 'if');
    w.i64(0).set(L('m'));
    f.get('e').i32(1).op(Op.i32Add).tee(L('e')).get(L('max')).op(Op.i32GtS);
    f.declineIf();
    w.end().end().end();
    w.end();
    f.get('format').i32(FORMAT_DOUBLE).op(Op.i32Eq).begin(Op.if, 'if');
    f.get('m').op(Op.i32WrapI64);
    f.get('sign').i32(31).op(Op.i32Shl).get(L('e')).i32(20).op(Op.i32Shl).op(Op.i32Or);
    f.get('m').i64(32).op(Op.i64ShrU).op(Op.i32WrapI64).op(Op.i32Or);
    w.get(L('status')).op(Op.return).end();
    f.get('sign').i32(31).op(Op.i32Shl).get(L('e')).i32(23).op(Op.i32Shl).op(Op.i32Or);
    f.get('m').op(Op.i32WrapI64).op(Op.i32Or);
    w.i32(0).get(L('status'));
    return f;
  }
}

/** A memory operand of an escape instruction: its format (FORMAT_*) and size in bytes (2: an m16int). */
export interface X87Memory {
  readonly format: number;
  readonly size: number;
}

/**
 * How a region runs an escape instruction on the registers it keeps (wasm/x87-stack.ts), by kind:
 * - arith: ST(dest) = ST(dest) op y, y being ST(other) or the memory operand; `reverse` swaps the operands
 *   (FSUBR, FDIVR), `negate` flips y's sign (FSUB); `fn` is the function; `pop` pops after.
 * - load: pushes ST(other), the memory operand, or a constant (`constant`: i of D9 E8+i, FLD1 to FLDZ).
 * - store: ST(0) into ST(dest) or the memory operand, popping when `pop` is set.
 * - exchange: FXCH ST(other). sign: FCHS (`other` 0) or FABS (1).
 * - compare: FCOM/FUCOM (FICOM) of ST(0) with ST(other) or memory into C0, C2, C3, popping `pops` times;
 *   comi: FCOMI/FUCOMI(P) of ST(0) with ST(other) into EFLAGS; fnstsw: FNSTSW AX.
 * - fist: FIST/FISTP of ST(0) into the memory operand (m16int, m32int, m64int), in the control word's rounding
 *   mode; fldcw, fnstcw: FLDCW and FNSTCW of the memory operand.
 * - examine: FXAM (glibc's printf and isinf/isnan ask it the class of a double).
 */
export interface X87Plan {
  readonly kind:
    | 'arith'
    | 'load'
    | 'store'
    | 'exchange'
    | 'sign'
    | 'compare'
    | 'comi'
    | 'fnstsw'
    | 'fist'
    | 'fldcw'
    | 'fnstcw'
    | 'examine';
  readonly fn: 'add' | 'multiply' | 'divide';
  readonly reverse: boolean;
  readonly negate: boolean;
  readonly dest: number;
  readonly other: number;
  readonly constant: number;
  readonly pop: boolean;
  /** How many times a compare pops (FCOMPP: 2). */
  readonly pops: number;
  readonly memory: X87Memory | null;
}

const NO_PLAN: X87Plan = {
  kind: 'load',
  fn: 'add',
  reverse: false,
  negate: false,
  dest: 0,
  other: -1,
  constant: -1,
  pop: false,
  pops: 0,
  memory: null,
};

/** The plan for opcode D8..DF with `modrm`, or null when the region must leave it to the JS compiler. */
export function x87Plan(opcode: number, modrm: number): X87Plan | null {
  const reg = (modrm >>> 3) & 7;
  const i = modrm & 7;
  const isCompare = reg === 2 || reg === 3;
  const plan = (p: Partial<X87Plan>): X87Plan => ({ ...NO_PLAN, ...p });
  /** FADD..FDIVR: `op` in the D8 numbering, y from ST(other) or memory. */
  const arith = (op: number, dest: number, other: number, pop: boolean, memory: X87Memory | null) =>
    plan({
      kind: 'arith',
      fn: op === OP_MUL ? 'multiply' : op >= OP_DIV ? 'divide' : 'add',
      reverse: op === OP_SUBR || op === OP_DIVR,
      negate: op === OP_SUB || op === OP_SUBR,
      dest,
      other,
      pop,
      memory,
    });
  const memory = (format: number, size: number): X87Memory => ({ format, size });
  const compare = (other: number, pops: number, operand: X87Memory | null) =>
    plan({ kind: 'compare', other, pops, memory: operand });
  if (modrm < 0xc0) {
    const load = (format: number, size: number) => plan({ kind: 'load', memory: memory(format, size) });
    const store = (format: number, size: number, pop: boolean) =>
      plan({ kind: 'store', pop, memory: memory(format, size) });
    const fist = (size: number, pop: boolean) =>
      plan({ kind: 'fist', pop, memory: memory(FORMAT_INT, size) });
    switch (opcode) {
      case 0xd8:
        if (isCompare) return compare(-1, reg - 2, memory(FORMAT_SINGLE, 4));
        return arith(reg, 0, -1, false, memory(FORMAT_SINGLE, 4));
      case 0xdc:
        if (isCompare) return compare(-1, reg - 2, memory(FORMAT_DOUBLE, 8));
        return arith(reg, 0, -1, false, memory(FORMAT_DOUBLE, 8));
      case 0xda:
        if (isCompare) return compare(-1, reg - 2, memory(FORMAT_INT, 4));
        return arith(reg, 0, -1, false, memory(FORMAT_INT, 4));
      case 0xde:
        if (isCompare) return compare(-1, reg - 2, memory(FORMAT_INT, 2));
        return arith(reg, 0, -1, false, memory(FORMAT_INT, 2));
      case 0xd9:
        if (reg === 0) return load(FORMAT_SINGLE, 4);
        if (reg === 5) return plan({ kind: 'fldcw', memory: memory(FORMAT_INT, 2) });
        if (reg === 7) return plan({ kind: 'fnstcw', memory: memory(FORMAT_INT, 2) });
        return isCompare ? store(FORMAT_SINGLE, 4, reg === 3) : null;
      case 0xdd:
        if (reg === 0) return load(FORMAT_DOUBLE, 8);
        return isCompare ? store(FORMAT_DOUBLE, 8, reg === 3) : null;
      case 0xdb:
        if (reg === 0) return load(FORMAT_INT, 4);
        if (reg === 5) return load(FORMAT_EXTENDED, 10);
        if (isCompare) return fist(4, reg === 3);
        return reg === 7 ? store(FORMAT_EXTENDED, 10, true) : null;
      case 0xdf:
        if (reg === 0) return load(FORMAT_INT, 2);
        if (reg === 5) return load(FORMAT_INT64, 8);
        if (isCompare) return fist(2, reg === 3);
        return reg === 7 ? fist(8, true) : null;
      default:
        return null;
    }
  }
  switch (opcode) {
    case 0xd8:
      return isCompare ? compare(i, reg - 2, null) : arith(reg, 0, i, false, null);
    case 0xdc:
      return isCompare ? compare(i, reg - 2, null) : arith(reg < 4 ? reg : reg ^ 1, i, 0, false, null);
    case 0xde:
      // FCOMP's alias (DE D0..D7) and FCOMPP (DE D9); DE D8 and DA..DF are #UD.
      if (reg === 2) return compare(i, 1, null);
      if (reg === 3) return modrm === 0xd9 ? compare(1, 2, null) : null;
      // ST(i) = ST(i) op ST(0): the reg field names the reversed operation (4<->5, 6<->7) in this form.
      return arith(reg < 4 ? reg : reg ^ 1, i, 0, true, null);
    case 0xda:
      return modrm === 0xe9 ? compare(1, 2, null) : null; // FUCOMPP
    case 0xdb:
      return reg === 5 || reg === 6 ? plan({ kind: 'comi', other: i }) : null;
    case 0xdf:
      if (modrm === 0xe0) return plan({ kind: 'fnstsw' });
      return reg === 5 || reg === 6 ? plan({ kind: 'comi', other: i, pop: true }) : null;
    case 0xd9:
      if (reg === 0) return plan({ kind: 'load', other: i });
      if (reg === 1) return plan({ kind: 'exchange', other: i });
      if (modrm === 0xe0 || modrm === 0xe1) return plan({ kind: 'sign', other: i });
      if (modrm === 0xe5) return plan({ kind: 'examine' });
      // FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (D9 EF is #UD).
      if (reg === 5 && i !== 7) return plan({ kind: 'load', constant: i });
      return null;
    case 0xdd:
      if (reg === 2 || reg === 3) return plan({ kind: 'store', dest: i, pop: reg === 3 });
      return reg === 4 || reg === 5 ? compare(i, reg - 4, null) : null; // FUCOM, FUCOMP
    default:
      return null;
  }
}
