// Syscall numbers checked against the host's <asm/unistd_32.h>; the argument table checked for coverage
// (one entry per assigned number, nothing else) and register-count limits.
import { describe, expect, it } from 'vitest';
import * as sc from './syscalls.js';
import { cMacroNames, cMacros, hostCUnavailable, runC } from './testing/host-c.js';

const consts = sc as unknown as Record<string, number>;

describe('syscall tables', () => {
  it('starts at restart_syscall and has the well-known numbers', () => {
    expect(sc.__NR_restart_syscall).toBe(0);
    expect(sc.syscallName(20)).toBe('getpid');
    expect(sc.__NR_mmap2).toBe(192);
    expect(sc.syscallName(222)).toBeNull();
    expect(Object.keys(sc.SYSCALL_NAMES).length).toBeGreaterThan(430);
  });
  it('names each number after the __NR_ constant of that value', () => {
    for (const [nr, name] of Object.entries(sc.SYSCALL_NAMES))
      expect(consts[`__NR_${name}`]).toBe(Number(nr));
  });
  it('has argument kinds for exactly the assigned syscalls, at most six registers each', () => {
    const names = Object.values(sc.SYSCALL_NAMES).sort();
    expect(Object.keys(sc.SYSCALL_ARGS).sort()).toEqual(names);
    for (const args of Object.values(sc.SYSCALL_ARGS)) expect(args.length).toBeLessThanOrEqual(6);
    for (const n of sc.SYSCALLS_NI) expect(names).toContain(n);
  });
  it('pairs every buffer with a size and every 64-bit low half with a high half', () => {
    for (const [name, args] of Object.entries(sc.SYSCALL_ARGS)) {
      args.forEach((kind, i) => {
        if (kind === 'buf:in' || kind === 'buf:out') expect(args[i + 1], name).toBe('size');
        if (kind === 'off64:lo') expect(args[i + 1], name).toBe('off64:hi');
      });
    }
  });
});

describe.skipIf(hostCUnavailable !== null)(
  `syscalls against <asm/unistd_32.h> ${hostCUnavailable ?? ''}`,
  () => {
    it('has every __NR_ the header defines, with its value', () => {
      const names = cMacroNames(['asm/unistd_32.h'], /^__NR_/);
      expect(names.length).toBeGreaterThan(430);
      const host = cMacros(['asm/unistd_32.h'], names);
      for (const n of names) expect(consts[n], n).toBe(host[n]);
      expect(Object.keys(sc.SYSCALL_NAMES).length).toBe(names.length);
    });
  },
);

describe.skipIf(hostCUnavailable !== null)(
  `the i386 syscall convention on the running kernel ${hostCUnavailable ?? ''}`,
  () => {
    it('takes the number in eax and arguments in ebx, ecx, edx, ... through int $0x80', () => {
      expect(sc.SYSCALL_ARG_REGISTERS.slice(0, 3)).toEqual(['ebx', 'ecx', 'edx']);
      expect(sc.SYSCALL_NR_REGISTER).toBe('eax');
      // write(1, msg, 3) by hand, then getppid through the same gate; eax carries each result back.
      const src = `#include <stdio.h>
#include <unistd.h>
int main(void) {
  static const char msg[] = "ok\\n";
  long r;
  __asm__ volatile("int $${sc.SYSCALL_VECTOR}" : "=a"(r) : "a"(${sc.__NR_write}), "b"(1), "c"(msg), "d"(3) : "memory");
  fflush(stdout);
  long p;
  __asm__ volatile("int $${sc.SYSCALL_VECTOR}" : "=a"(p) : "a"(${sc.__NR_getppid}) : "memory");
  printf("%ld %d\\n", r, p == getppid());
  return 0;
}
`;
      expect(runC(src)).toBe('ok\n3 1\n');
    });
  },
);
