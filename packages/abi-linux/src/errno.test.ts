// errno checked against the host: every number against <errno.h> (Linux UAPI), every message against
// glibc's strerror(), and the name table against the exported constants.
import { describe, expect, it } from 'vitest';
import * as errno from './errno.js';
import { cMacroNames, hostCUnavailable, runC } from './testing/host-c.js';

const names = Object.values(errno.ERRNO_NAMES);

describe('errno tables', () => {
  it('covers EPERM=1 through EHWPOISON=133 with only 41 and 58 unassigned', () => {
    const numbers = Object.keys(errno.ERRNO_NAMES).map(Number);
    expect(numbers.length).toBe(131);
    expect(errno.EPERM).toBe(1);
    expect(errno.EHWPOISON).toBe(133);
    expect(numbers).not.toContain(41);
    expect(numbers).not.toContain(58);
  });
  it('names each number after the constant of that value', () => {
    const consts = errno as unknown as Record<string, number>;
    for (const [num, name] of Object.entries(errno.ERRNO_NAMES)) expect(consts[name]).toBe(Number(num));
  });
  it('answers lookups like glibc', () => {
    expect(errno.errnoName(errno.EFAULT)).toBe('EFAULT');
    expect(errno.errnoName(41)).toBeNull();
    expect(errno.strerror(41)).toBe('Unknown error 41');
  });
});

describe.skipIf(hostCUnavailable !== null)(`errno against the host headers ${hostCUnavailable ?? ''}`, () => {
  it('has the value and strerror() text of every name', () => {
    const aliases = ['EWOULDBLOCK', 'EDEADLOCK', 'ENOTSUP'];
    const all = [...names, ...aliases];
    const src = `#include <errno.h>\n#include <stdio.h>\n#include <string.h>\nint main(void) {\n${all
      .map((n) => `  printf("%s\\t%d\\t%s\\n", "${n}", ${n}, strerror(${n}));`)
      .join('\n')}\n  printf("unknown\\t41\\t%s\\n", strerror(41));\n  return 0;\n}\n`;
    const consts = errno as unknown as Record<string, number>;
    for (const line of runC(src).trim().split('\n')) {
      const [name, num, msg] = line.split('\t');
      if (name === 'unknown') {
        expect(errno.strerror(41)).toBe(msg);
        continue;
      }
      expect(consts[name], name).toBe(Number(num));
      expect(errno.strerror(Number(num)), name).toBe(msg);
    }
  });
  it('lists every E* name the headers define', () => {
    const consts = errno as unknown as Record<string, number>;
    for (const n of cMacroNames(['errno.h'], /^E[A-Z0-9]+$/)) expect(consts[n], n).toBeTypeOf('number');
  });
});
