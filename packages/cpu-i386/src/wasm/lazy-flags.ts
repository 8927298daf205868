/**
 * Lazy flags in WebAssembly: the kinds of flag-setting operation a region leaves pending (`fk`, with its
 * operands `fa`, `fb` and result `fr`), and the function that computes EFLAGS from them. Layer: arch plugin
 * (cpu-i386); wasm-region.ts writes the kinds and puts `eflags` in every region module, region-chain.ts puts
 * one in its own module for the run loop (a chain hands the pending flags on uncomputed).
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

function writeEflagsFunction(): CodeWriter {
  const w = new CodeWriter();
  const [FL_, FK_, FA_, FB_, FR_, CF, OF, AF] = [0, 1, 2, 3, 4, 5, 6, 7];
  w.get(FK_).op(Op.i32Eqz).begin(Op.if, 'if').get(FL_).op(Op.return).end();
  const when = (kinds: number[], body: () => void) => {
    for (const k of kinds) w.get(FK_).i32(k).op(Op.i32Eq);
    for (let i = 1; i < kinds.length; i++) w.op(Op.i32Or);
    w.begin(Op.if, 'if');
    body();
    w.end();
  };
  // OF is the sign of (a ^ b) & (c ^ d): a sum overflowed when both operands' signs differ from the
  // result's; a difference when the operands' signs differ and the result's differs from the first's.
  const overflow = (a: number, b: number, c: number, d: number) =>
    w.get(a).get(b).op(Op.i32Xor).get(c).get(d).op(Op.i32Xor).op(Op.i32And).i32(31).op(Op.i32ShrU).set(OF);
  const addOf = () => overflow(FA_, FR_, FB_, FR_);
  const subOf = () => overflow(FA_, FB_, FA_, FR_);
  const af = () => w.get(FA_).get(FB_).op(Op.i32Xor).get(FR_).op(Op.i32Xor).i32(0x10).op(Op.i32And).set(AF);
  // CF of an addition (the result below the first operand) or a subtraction (the first operand below the
  // second); with a carry in (ADC, SBB), equal ones carry too.
  const carry = (x: number, y: number, carryIn: boolean) => {
    if (carryIn)
      w.get(FL_).i32(1).op(Op.i32And).begin(Op.if, 'if').get(x).get(y).op(Op.i32LeU).set(CF).else();
    w.get(x).get(y).op(Op.i32LtU).set(CF);
    if (carryIn) w.end();
  };
  for (const [kind, carryIn, subtract] of [
    [K_ADD, false, false],
    [K_ADC, true, false],
    [K_SUB, false, true],
    [K_SBB, true, true],
  ] as const) {
    when([kind], () => {
      // A sum carried out when it came out below an operand; a difference borrowed when a < b.
      if (subtract) {
        carry(FA_, FB_, carryIn);
        subOf();
      } else {
        carry(FR_, FA_, carryIn);
        addOf();
      }
      af();
    });
  }
  when([K_INC], () => {
    w.get(FL_).i32(1).op(Op.i32And).set(CF);
    addOf();
    af();
  });
  when([K_DEC], () => {
    w.get(FL_).i32(1).op(Op.i32And).set(CF);
    subOf();
    af();
  });
  when([K_SHL], () => {
    w.get(FA_).i32(32).get(FB_).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(CF);
    w.get(FR_).i32(31).op(Op.i32ShrU).get(CF).op(Op.i32Xor).set(OF);
  });
  when([K_SHR], () => {
    w.get(FA_).get(FB_).i32(1).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(CF);
    w.get(FA_).i32(31).op(Op.i32ShrU).set(OF);
  });
  when([K_SAR], () => {
    w.get(FA_).get(FB_).i32(1).op(Op.i32Sub).op(Op.i32ShrS).i32(1).op(Op.i32And).set(CF);
  });
  when([K_GIVEN], () => {
    w.get(FA_).set(CF);
    w.get(FB_).set(OF);
  });
  when([K_MUL], () => {
    w.get(FA_).i32(0).op(Op.i32Ne).tee(CF).set(OF);
  });
  when([K_IMUL], () => {
    w.get(FA_).op(Op.i64ExtendI32S).get(FB_).op(Op.i64ExtendI32S).op(Op.i64Mul);
    w.get(FR_).op(Op.i64ExtendI32S).op(Op.i64Ne).tee(CF).set(OF);
  });
  // (fl & ~status) | CF | PF | AF | ZF | SF | OF
  w.get(FL_).i32(~FLAGS_STATUS).op(Op.i32And);
  w.get(CF).op(Op.i32Or);
  w.get(FR_)
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
  w.get(AF).op(Op.i32Or);
  w.get(FR_).op(Op.i32Eqz).i32(6).op(Op.i32Shl).op(Op.i32Or);
  w.get(FR_).i32(31).op(Op.i32ShrU).i32(7).op(Op.i32Shl).op(Op.i32Or);
  w.get(OF).i32(11).op(Op.i32Shl).op(Op.i32Or);
  return w;
}
