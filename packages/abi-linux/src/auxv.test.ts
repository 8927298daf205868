// auxv.ts against the UAPI <linux/auxvec.h> and <asm/param.h>, and against the auxiliary vector the running
// kernel gives a 32-bit program (read from /proc/self/auxv, which is that vector verbatim).
import { beforeAll, describe, expect, it } from 'vitest';
import * as auxv from './auxv.js';
import { elf32AuxvTLayout } from './structs.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { hostCUnavailable, runC } from './testing/host-c.js';

describeAgainstHeaders(
  'auxv',
  auxv,
  [
    { includes: ['linux/auxvec.h'], skip: ['USER_HZ'] },
    { includes: ['asm/param.h'], only: ['USER_HZ'], exprs: { USER_HZ: 'HZ' } },
  ],
  {
    AT_RANDOM_SIZE:
      'stated in the kernel source (create_elf_tables), checked against the running kernel below',
    AT_RSEQ_FEATURE_SIZE:
      "Linux 6.3, newer than some hosts' headers; checked against the running kernel below",
    AT_RSEQ_ALIGN: 'Linux 6.3, as AT_RSEQ_FEATURE_SIZE',
  },
);

describe('auxv names', () => {
  it('name each constant', () => {
    const consts = auxv as unknown as Record<string, number>;
    for (const [type, name] of Object.entries(auxv.AUXV_NAMES)) expect(consts[name]).toBe(Number(type));
  });
});

describe.skipIf(hostCUnavailable !== null)(
  `the running kernel's auxv for a 32-bit program ${hostCUnavailable ?? ''}`,
  () => {
    const entries: [number, number][] = [];
    let randomGap = 0;
    beforeAll(() => {
      const src = `#include <stdio.h>
#include <sys/auxv.h>
int main(void) {
  unsigned v[2 * 64]; FILE *f = fopen("/proc/self/auxv", "rb");
  size_t n = fread(v, ${elf32AuxvTLayout.sizeBytes}, 64, f);
  for (size_t i = 0; i < n; i++) {
    printf("%u %u\\n", v[2 * i], v[2 * i + 1]);
    if (v[2 * i] == AT_NULL) break;
  }
  printf("random_to_execfn %ld\\n", (long)getauxval(AT_EXECFN) - (long)getauxval(AT_RANDOM));
  return 0;
}
`;
      for (const line of runC(src).trim().split('\n')) {
        const [a, b] = line.split(' ');
        if (a === 'random_to_execfn') randomGap = Number(b);
        else entries.push([Number(a), Number(b)]);
      }
    });
    it('uses only types named here, ending in AT_NULL', () => {
      for (const [type] of entries) expect(auxv.AUXV_NAMES[type], `type ${type}`).toBeDefined();
      expect(entries.at(-1)).toEqual([auxv.AT_NULL, 0]);
    });
    it('passes the page size, clock tick and vDSO entries kmOS must pass too', () => {
      const get = (t: number) => entries.find(([type]) => type === t)?.[1];
      expect(get(auxv.AT_PAGESZ)).toBe(4096);
      expect(get(auxv.AT_CLKTCK)).toBe(auxv.USER_HZ);
      expect(get(auxv.AT_SYSINFO)).toBeTypeOf('number');
      expect(get(auxv.AT_SYSINFO_EHDR)).toBeTypeOf('number');
      // create_elf_tables copies the 16 random bytes, then (if any) the platform strings, below the filename.
      // rseq (Linux 6.3+): a feature size of at least the original 20 bytes, 32-byte alignment.
      if (get(auxv.AT_RSEQ_ALIGN) !== undefined) {
        expect(get(auxv.AT_RSEQ_ALIGN)).toBe(32);
        expect(get(auxv.AT_RSEQ_FEATURE_SIZE)).toBeGreaterThanOrEqual(20);
      }
      expect(Math.abs(randomGap)).toBeGreaterThanOrEqual(auxv.AT_RANDOM_SIZE);
    });
  },
);
