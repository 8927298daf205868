/**
 * Checks the undefined-flags table by evaluating its C expressions (their syntax is also valid JavaScript)
 * for cases worked out by hand from the SDM pages the rules cite: what a generated program keeps is
 * exactly what the manual defines.
 */
import { describe, expect, it } from 'vitest';
import { definedBitsExpr, destUndefinedExpr, UNDEFINED_RULES } from './undefined-flags.js';

const C_NAMES: Record<string, number> = {
  CF: 0x001,
  PF: 0x004,
  AF: 0x010,
  ZF: 0x040,
  SF: 0x080,
  OF: 0x800,
  FSW_C0: 0x100,
  FSW_C1: 0x200,
  FSW_C2: 0x400,
  FSW_C3: 0x4000,
  FSW_ALL: 0xffff,
};
const STATUS_FLAGS = 0x8d5;

/** Evaluates a generated C expression with the given values of count, bits and src. */
function evaluate(expression: string, vars: { count?: number; bits?: number; src?: number }): number {
  const names = { ...C_NAMES, STATUS_FLAGS, count: 0, bits: 32, src: 1, ...vars };
  const fn = new Function(...Object.keys(names), `return (${expression});`);
  return fn(...Object.values(names)) as number;
}

const defined = (op: string, vars: { count?: number; bits?: number; src?: number } = {}): number =>
  evaluate(definedBitsExpr(op, 'eflags', 'STATUS_FLAGS'), vars);

describe('undefined-flags', () => {
  it('keeps every flag of fully defined instructions', () => {
    for (const op of ['add', 'adc', 'sub', 'sbb', 'cmp', 'neg', 'inc', 'dec', 'cmpxchg', 'xadd']) {
      expect(defined(op)).toBe(STATUS_FLAGS);
    }
  });

  it('masks AF of the logical instructions and SF ZF AF PF of multiplication', () => {
    expect(defined('xor')).toBe(STATUS_FLAGS & ~C_NAMES.AF);
    expect(defined('imul')).toBe(C_NAMES.CF | C_NAMES.OF);
    expect(defined('div')).toBe(0);
  });

  it('follows the count for shifts: nothing at 0, OF only at 1, CF at or past the width for shl/shr', () => {
    expect(defined('shl', { count: 0, bits: 8 })).toBe(STATUS_FLAGS);
    expect(defined('shl', { count: 1, bits: 8 })).toBe(STATUS_FLAGS & ~C_NAMES.AF);
    expect(defined('shl', { count: 2, bits: 8 })).toBe(STATUS_FLAGS & ~(C_NAMES.AF | C_NAMES.OF));
    expect(defined('shr', { count: 8, bits: 8 })).toBe(
      STATUS_FLAGS & ~(C_NAMES.AF | C_NAMES.OF | C_NAMES.CF),
    );
    expect(defined('sar', { count: 8, bits: 8 })).toBe(STATUS_FLAGS & ~(C_NAMES.AF | C_NAMES.OF));
    expect(defined('rcl', { count: 9, bits: 8 })).toBe(STATUS_FLAGS & ~C_NAMES.OF);
  });

  it('leaves shld/shrd results undefined only past the operand size', () => {
    expect(evaluate(destUndefinedExpr('shld'), { count: 16, bits: 16 })).toBe(false);
    expect(evaluate(destUndefinedExpr('shld'), { count: 17, bits: 16 })).toBe(true);
    expect(defined('shrd', { count: 17, bits: 16 })).toBe(0);
    expect(evaluate(destUndefinedExpr('bsf'), { src: 0 })).toBe(true);
    expect(evaluate(destUndefinedExpr('add'), {})).toBe(0);
  });

  it('masks C0 C2 C3 after x87 arithmetic but keeps C2 of fsin and every bit of fcom', () => {
    const fsw = (op: string): number => evaluate(definedBitsExpr(op, 'fsw', 'FSW_ALL'), {});
    expect(fsw('fadd')).toBe(0xffff & ~(C_NAMES.FSW_C0 | C_NAMES.FSW_C2 | C_NAMES.FSW_C3));
    expect(fsw('fsin')).toBe(0xffff & ~(C_NAMES.FSW_C0 | C_NAMES.FSW_C3));
    expect(fsw('fcom')).toBe(0xffff);
  });

  it('cites the SDM for every rule', () => {
    for (const rule of UNDEFINED_RULES) expect(rule.sdm).toMatch(/^Vol\. 2[ABC]?[ ,]/);
  });
});
