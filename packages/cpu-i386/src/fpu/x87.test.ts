/**
 * Oracle test of the x87 unit: the host CPU runs testdata/x87-oracle.c natively (every instruction form over
 * pseudo-random states: zeros, denormals, infinities, NaNs, unsupported formats, extremes, all precision and
 * rounding modes, some unmasked exceptions, empty and full stacks) and the X87 class must produce the same
 * status word, tag word, ST(0..2), memory result, EFLAGS and AX, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { compareAll, runOracle } from './testdata/x87-oracle-run.js';

describe('x87 against the host FPU', () => {
  const results = compareAll(runOracle());
  it('covers every stub of the oracle', () => {
    expect(results.length).toBeGreaterThan(100);
  });
  for (const r of results) {
    it(`${r.name} (${r.cases} cases)`, () => {
      if (r.mismatchCount > 0) {
        throw new Error(`${r.mismatchCount}/${r.cases} mismatches in ${r.name}:\n${r.mismatches.join('\n')}`);
      }
    });
  }
});
