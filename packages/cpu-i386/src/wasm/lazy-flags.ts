/**
 * Lazy flags in WebAssembly: the kinds of flag-setting operation a region leaves pending (`fk`, with its
 * operands `fa`, `fb` and result `fr`), and the code that computes EFLAGS from them: a function that tests the
 * kind at run time, or one kind's formulas written in place. Layer: arch plugin (cpu-i386); wasm-region.ts
 * writes the kinds, puts `eflags` in every region module and writes the formulas in place where it knows the
 * kind; region-chain.ts puts `eflags` in its own module for the run loop (a chain hands the pending flags on
 * uncomputed).
 */
import { FLAGS_STATUS } from '../constants.js';
import { CodeWriter, I32, Op } from './wasm-encoder.js';

/** Flag kinds in `fk` (0: none pending, EFLAGS is all in `fl`). */
export const K_ADD = 1;
export const K_SUB = 2;
export const K_LOGIC = 3;
export const K_INC = 4;
export const K_DEC = 5;
export const K_SHL = 6;
export const K_SHR = 7;
export const K_SAR = 8;
export const K_IMUL = 9;
export const K_MUL = 10;
/** ADC and SBB: the carry-in is CF in `fl`, which nothing changes while one is pending. */
export const K_ADC = 11;
export const K_SBB = 12;
/** CF in `fa` and OF in `fb`, given by the operation (SHLD, SHRD); AF clear; ZF, SF and PF from the result. */
export const K_GIVEN = 13;

export const EFLAGS_TYPE = { params: [I32, I32, I32, I32, I32], results: [I32] };
/** `eflags`'s locals besides its parameters (CF, OF, AF). */
export const EFLAGS_LOCALS = 3;

let eflagsBody: CodeWriter | null = null;

/**
 * `eflags(fl, fk, fa, fb, fr)`: EFLAGS with the status flags of the pending kind computed. Written once (every
 * region module has a copy; it depends on nothing).
 */
export function eflagsFunction(): CodeWriter {
  eflagsBody ??= writeEflagsFunction();
  return eflagsBody;
}

/** The locals EFLAGS is computed from (the pending flags) and with (CF, OF and AF as they are worked out). */
export interface EflagsLocals {
  readonly fl: number;
  readonly fk: number;
  readonly fa: number;
  readonly fb: number;
  readonly fr: number;
  readonly cf: number;
  readonly of: number;
  readonly af: number;
}

/**
 * Pushes EFLAGS for pending kind `kind`, known where the code is written (0: none pending), computed in place:
 * a region that settles its flags after an operation of a known kind (a rotate after an ADD: hashing code)
 * pays for that kind's formulas only, not for a call that tests every kind in turn.
 */
export function writeKnownEflags(w: CodeWriter, kind: number, l: EflagsLocals): void {
  if (kind === 0) {
    w.get(l.fl);
    return;
  }
  w.i32(0).set(l.cf).i32(0).set(l.of).i32(0).set(l.af);
  const body = KIND_FORMULAS.find(([kinds]) => kinds.includes(kind));
  if (body === undefined) throw new Error(`lazy flags: no formulas for kind ${kind}`);
  body[1](w, l);
  assemble(w, l);
}

function writeEflagsFunction(): CodeWriter {
  const w = new CodeWriter();
  const l: EflagsLocals = { fl: 0, fk: 1, fa: 2, fb: 3, fr: 4, cf: 5, of: 6, af: 7 };
  w.get(l.fk).op(Op.i32Eqz).begin(Op.if, 'if').get(l.fl).op(Op.return).end();
  for (const [kinds, body] of KIND_FORMULAS) {
    if (body === NOTHING) continue;
    for (const k of kinds) w.get(l.fk).i32(k).op(Op.i32Eq);
    for (let i = 1; i < kinds.length; i++) w.op(Op.i32Or);
    w.begin(Op.if, 'if');
    body(w, l);
    w.end();
  }
  assemble(w, l);
  return w;
}

type Formulas = (w: CodeWriter, l: EflagsLocals) => void;
/** A kind that clears CF, OF and AF (LOGIC): nothing to compute. */
const NOTHING: Formulas = () => {};

// OF is the sign of (a ^ b) & (c ^ d): a sum overflowed when both operands' signs differ from the
// result's; a difference when the operands' signs differ and the result's differs from the first's.
function overflow(w: CodeWriter, l: EflagsLocals, a: number, b: number, c: number, d: number): void {
  w.get(a).get(b).op(Op.i32Xor).get(c).get(d).op(Op.i32Xor).op(Op.i32And).i32(31).op(Op.i32ShrU).set(l.of);
}
const addOf = (w: CodeWriter, l: EflagsLocals) => overflow(w, l, l.fa, l.fr, l.fb, l.fr);
const subOf = (w: CodeWriter, l: EflagsLocals) => overflow(w, l, l.fa, l.fb, l.fa, l.fr);
const af = (w: CodeWriter, l: EflagsLocals) =>
  w.get(l.fa).get(l.fb).op(Op.i32Xor).get(l.fr).op(Op.i32Xor).i32(0x10).op(Op.i32And).set(l.af);

/**
 * CF of an addition (the result below the first operand) or a subtraction (the first operand below the
 * second); with a carry in (ADC, SBB), equal ones carry too.
 */
function carry(w: CodeWriter, l: EflagsLocals, x: number, y: number, carryIn: boolean): void {
  if (carryIn)
    w.get(l.fl).i32(1).op(Op.i32And).begin(Op.if, 'if').get(x).get(y).op(Op.i32LeU).set(l.cf).else();
  w.get(x).get(y).op(Op.i32LtU).set(l.cf);
  if (carryIn) w.end();
}

/** Each kind's CF, OF and AF (those a kind leaves alone stay 0). */
const KIND_FORMULAS: readonly (readonly [readonly number[], Formulas])[] = [
  ...(
    [
      [K_ADD, false, false],
      [K_ADC, true, false],
      [K_SUB, false, true],
      [K_SBB, true, true],
    ] as const
  ).map(
    ([kind, carryIn, subtract]) =>
      [
        [kind],
        (w: CodeWriter, l: EflagsLocals) => {
          // A sum carried out when it came out below an operand; a difference borrowed when a < b.
          if (subtract) {
            carry(w, l, l.fa, l.fb, carryIn);
            subOf(w, l);
          } else {
            carry(w, l, l.fr, l.fa, carryIn);
            addOf(w, l);
          }
          af(w, l);
        },
      ] as const,
  ),
  [
    [K_INC],
    (w, l) => {
      w.get(l.fl).i32(1).op(Op.i32And).set(l.cf);
      addOf(w, l);
      af(w, l);
    },
  ],
  [
    [K_DEC],
    (w, l) => {
      w.get(l.fl).i32(1).op(Op.i32And).set(l.cf);
      subOf(w, l);
      af(w, l);
    },
  ],
  [
    [K_SHL],
    (w, l) => {
      w.get(l.fa).i32(32).get(l.fb).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(l.cf);
      w.get(l.fr).i32(31).op(Op.i32ShrU).get(l.cf).op(Op.i32Xor).set(l.of);
    },
  ],
  [
    [K_SHR],
    (w, l) => {
      w.get(l.fa).get(l.fb).i32(1).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(l.cf);
      w.get(l.fa).i32(31).op(Op.i32ShrU).set(l.of);
    },
  ],
  [
    [K_SAR],
    (w, l) => {
      w.get(l.fa).get(l.fb).i32(1).op(Op.i32Sub).op(Op.i32ShrS).i32(1).op(Op.i32And).set(l.cf);
    },
  ],
  [
    [K_GIVEN],
    (w, l) => {
      w.get(l.fa).set(l.cf);
      w.get(l.fb).set(l.of);
    },
  ],
  [
    [K_MUL],
    (w, l) => {
      w.get(l.fa).i32(0).op(Op.i32Ne).tee(l.cf).set(l.of);
    },
  ],
  [
    [K_IMUL],
    (w, l) => {
      w.get(l.fa).op(Op.i64ExtendI32S).get(l.fb).op(Op.i64ExtendI32S).op(Op.i64Mul);
      w.get(l.fr).op(Op.i64ExtendI32S).op(Op.i64Ne).tee(l.cf).set(l.of);
    },
  ],
  [[K_LOGIC], NOTHING],
];

/** Pushes (fl & ~status) | CF | PF | AF | ZF | SF | OF, ZF, SF and PF from the result. */
function assemble(w: CodeWriter, l: EflagsLocals): void {
  w.get(l.fl).i32(~FLAGS_STATUS).op(Op.i32And);
  w.get(l.cf).op(Op.i32Or);
  w.get(l.fr)
    .i32(0xff)
    .op(Op.i32And)
    .op(Op.i32Popcnt)
    .i32(1)
    .op(Op.i32And)
    .i32(1)
    .op(Op.i32Xor)
    .i32(2)
    .op(Op.i32Shl)
    .op(Op.i32Or);
  w.get(l.af).op(Op.i32Or);
  w.get(l.fr).op(Op.i32Eqz).i32(6).op(Op.i32Shl).op(Op.i32Or);
  w.get(l.fr).i32(31).op(Op.i32ShrU).i32(7).op(Op.i32Shl).op(Op.i32Or);
  w.get(l.of).i32(11).op(Op.i32Shl).op(Op.i32Or);
}
