/**
 * Checks the comparison rules of documented-accuracy.ts on hand-written lines in the programs' format: what
 * TRANSCENDENTAL_ACCURACY accepts is exactly SDM vol. 1, 8.3.10's 1 ulp and a C1 that follows the rounding,
 * on the eight transcendental forms; and a failure message still names the first line the rule rejects.
 */
import { describe, expect, it } from 'vitest';
import { describeDifference } from './differential.js';
import { BIT_FOR_BIT, TRANSCENDENTAL_ACCURACY, withinOneUlp } from './documented-accuracy.js';

// fptan(1) as this host computes it (...2dc6, rounded up: C1 set) and correctly rounded (...2dc5, C1 clear).
const FPTAN_HOST =
  'fptan cw=037f a=3fff:8000000000000000 -> r0=3fff:8000000000000000 r1=3fff:c75922e5f71d2dc6 sw=3220';
const FPTAN_1ULP =
  'fptan cw=037f a=3fff:8000000000000000 -> r0=3fff:8000000000000000 r1=3fff:c75922e5f71d2dc5 sw=3020';
const FPTAN_2ULP =
  'fptan cw=037f a=3fff:8000000000000000 -> r0=3fff:8000000000000000 r1=3fff:c75922e5f71d2dc4 sw=3020';
const FSINCOS_HOST =
  'fsincos cw=037f a=3fff:8000000000000000 -> r0=3ffe:8a51407da8345c92 r1=3ffe:d76aa47848677021 sw=3220';
const FSQRT_HOST = 'fsqrt cw=037f a=4000:8000000000000000 -> r0=3fff:b504f333f9de6484 sw=3820';

const accepts = (host: string, emulated: string): boolean => TRANSCENDENTAL_ACCURACY.accepts(host, emulated);

describe('TRANSCENDENTAL_ACCURACY', () => {
  it('accepts a result 1 ulp away with C1 following the rounding', () => {
    expect(accepts(FPTAN_HOST, FPTAN_1ULP)).toBe(true);
    expect(accepts(FPTAN_1ULP, FPTAN_HOST)).toBe(true);
    expect(accepts(FSINCOS_HOST, FSINCOS_HOST.replace('5c92', '5c93').replace('7021', '7020'))).toBe(true);
  });

  it('rejects a result 2 ulp away', () => {
    expect(accepts(FPTAN_HOST, FPTAN_2ULP)).toBe(false);
    expect(accepts(FSINCOS_HOST, FSINCOS_HOST.replace('5c92', '5c90'))).toBe(false);
  });

  it('counts ulps across a binade boundary as adjacent 80-bit values', () => {
    expect(withinOneUlp('3ffe:ffffffffffffffff', '3fff:8000000000000000')).toBe(true);
    expect(withinOneUlp('3fff:8000000000000000', '3ffe:ffffffffffffffff')).toBe(true);
    expect(withinOneUlp('3ffe:fffffffffffffffe', '3fff:8000000000000000')).toBe(false);
    expect(withinOneUlp('3ffe:ffffffffffffffff', '3fff:8000000000000001')).toBe(false);
    expect(withinOneUlp('3ffd:ffffffffffffffff', '3fff:8000000000000000')).toBe(false);
  });

  it('counts denormals in the ulps of the smallest normal, so neighbours on the number line are adjacent', () => {
    expect(withinOneUlp('0001:8000000000000000', '0000:7fffffffffffffff')).toBe(true);
    expect(withinOneUlp('0000:0000000000000002', '0000:0000000000000001')).toBe(true);
    expect(withinOneUlp('0000:0000000000000040', '0000:000000000000003f')).toBe(true);
    expect(withinOneUlp('0000:0000000000000003', '0000:0000000000000001')).toBe(false);
    expect(withinOneUlp('0001:8000000000000001', '0000:7fffffffffffffff')).toBe(false);
  });

  it('rejects any difference of class or sign', () => {
    // zero vs smallest denormal, pseudo-denormal vs normal, inf vs largest normal, NaN payloads, unnormal vs
    // normal, opposite signs
    expect(withinOneUlp('0000:0000000000000000', '0000:0000000000000001')).toBe(false);
    expect(withinOneUlp('0000:8000000000000000', '0001:8000000000000000')).toBe(false);
    expect(withinOneUlp('7fff:8000000000000000', '7ffe:ffffffffffffffff')).toBe(false);
    expect(withinOneUlp('ffff:c000000000000000', 'ffff:c000000000000001')).toBe(false);
    expect(withinOneUlp('3fff:4000000000000000', '3fff:4000000000000001')).toBe(false);
    expect(withinOneUlp('3fff:8000000000000000', 'bfff:8000000000000000')).toBe(false);
    const zero = 'fsin cw=037f a=0000:0000000000000001 -> r0=0000:0000000000000001 sw=3a32';
    expect(accepts(zero, zero.replace('r0=0000:0000000000000001', 'r0=0000:0000000000000003'))).toBe(false);
  });

  it('rejects a C1 difference on a line that is not a transcendental', () => {
    expect(accepts(FSQRT_HOST, FSQRT_HOST.replace('sw=3820', 'sw=3a20'))).toBe(false);
    expect(accepts(FSQRT_HOST, FSQRT_HOST.replace('6484', '6485'))).toBe(false);
    // The form is the whole label: an fsin-like prefix does not count.
    const fsinx = FPTAN_HOST.replace('fptan', 'fsinx');
    expect(accepts(fsinx, FPTAN_1ULP.replace('fptan', 'fsinx'))).toBe(false);
  });

  it('rejects a difference in any other field of a transcendental line', () => {
    // another status bit (PE, C2, TOP), fptan's exact 1.0, an input
    expect(accepts(FPTAN_HOST, FPTAN_HOST.replace('sw=3220', 'sw=3200'))).toBe(false);
    expect(accepts(FPTAN_HOST, FPTAN_HOST.replace('sw=3220', 'sw=3620'))).toBe(false);
    expect(accepts(FPTAN_HOST, FPTAN_HOST.replace('sw=3220', 'sw=3a20'))).toBe(false);
    expect(
      accepts(FPTAN_HOST, FPTAN_HOST.replace('r0=3fff:8000000000000000', 'r0=3fff:8000000000000001')),
    ).toBe(false);
    expect(
      accepts(FPTAN_HOST, FPTAN_1ULP.replace('a=3fff:8000000000000000', 'a=3fff:8000000000000001')),
    ).toBe(false);
    expect(accepts(FPTAN_HOST, `${FPTAN_1ULP} f=000`)).toBe(false);
  });

  it('gives no latitude where the result is not a rounded approximation (PE clear, or SF set)', () => {
    const exact = 'fsin cw=037f a=0000:0000000000000000 -> r0=0000:0000000000000000 sw=3800';
    expect(accepts(exact, exact.replace('sw=3800', 'sw=3a00'))).toBe(false);
    const outOfRange = 'fsin cw=037f a=403e:8000000000000000 -> r0=403e:8000000000000000 sw=3c00';
    expect(
      accepts(outOfRange, outOfRange.replace('r0=403e:8000000000000000', 'r0=403e:8000000000000001')),
    ).toBe(false);
    const stackFault = FPTAN_HOST.replace('sw=3220', 'sw=3261');
    expect(accepts(stackFault, FPTAN_1ULP.replace('sw=3020', 'sw=3061'))).toBe(false);
  });

  it('BIT_FOR_BIT accepts only the same text', () => {
    expect(BIT_FOR_BIT.accepts(FPTAN_HOST, FPTAN_HOST)).toBe(true);
    expect(BIT_FOR_BIT.accepts(FPTAN_HOST, FPTAN_1ULP)).toBe(false);
  });
});

describe('describeDifference with a rule', () => {
  it('passes an output whose only differences the rule accepts', () => {
    const host = `${FSQRT_HOST}\n${FPTAN_HOST}\nend lines=00000002\n`;
    const emulated = `${FSQRT_HOST}\n${FPTAN_1ULP}\nend lines=00000002\n`;
    expect(describeDifference(host, emulated, TRANSCENDENTAL_ACCURACY)).toBeNull();
    expect(describeDifference(host, emulated)).toContain(`emulated: ${FPTAN_1ULP}`);
  });

  it('names the first line the rule rejects, not the first that differs', () => {
    const host = `${FPTAN_HOST}\n${FSINCOS_HOST}\n${FPTAN_HOST}\nend lines=00000003\n`;
    const emulated = `${FPTAN_1ULP}\n${FSINCOS_HOST}\n${FPTAN_2ULP}\nend lines=00000003\n`;
    const report = describeDifference(host, emulated, TRANSCENDENTAL_ACCURACY) ?? '';
    expect(report).toContain('first difference at line 3 of 5; 1 lines differ beyond the rule');
    expect(report).toContain('(1 more within it)');
    expect(report).toContain(`  previous: ${FSINCOS_HOST}`);
    expect(report).toContain(`  emulated: ${FPTAN_2ULP}`);
  });
});
