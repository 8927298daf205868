// Syscall numbers checked against the host's <asm/unistd_32.h>; the argument table checked for coverage
// (one entry per assigned number, nothing else) and register-count limits.

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sc from './syscalls.js';
import { cMacroNames, cMacros, hostCUnavailable, runC, withC } from './testing/host-c.js';

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
        if (kind === 'off64:lo' && name !== '_llseek') expect(args[i + 1], name).toBe('off64:hi');
        if (kind === 'off64:hi' && name === '_llseek') expect(args[i + 1], name).toBe('off64:lo');
        if (kind === 'u64:lo') expect(args[i + 1], name).toBe('u64:hi');
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

/** Why the strace cross-check cannot run here, or null. */
function straceUnavailable(): string | null {
  if (hostCUnavailable !== null) return hostCUnavailable;
  const v = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  return v.status === 0 ? null : 'strace is not installed';
}
const noStrace = straceUnavailable();

/**
 * strace's own i386 table, independent of ours: a static 32-bit program with no libc issues every syscall
 * number through int $0x80 (with arguments that are no valid socketcall/ipc sub-call, so those print as
 * themselves); strace injects ENOSYS so none of them runs (execve gets bad pointers and fails
 * with EFAULT; exit_group ends the program), and with raw=all prints each call with as many arguments as
 * its table says the syscall takes.
 */
function straceArgCounts(): Map<string, number> {
  const src = `void _start(void) {
  for (long nr = 0; nr < ${sc.NR_syscalls}; nr++) {
    long r;
    if (nr == ${sc.__NR_exit} || nr == ${sc.__NR_exit_group}) continue;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(0x11111111), "c"(0x22222222), "d"(0x33333333), "S"(0x44444444), "D"(0x55555555) : "memory");
  }
  for (;;) __asm__ volatile("int $0x80" :: "a"(${sc.__NR_exit_group}), "b"(0));
}
`;
  return withC(src, ['-nostdlib', '-static', '-fno-pic', '-O1'], (binary, dir) => {
    const log = join(dir, 'strace.log');
    spawnSync('strace', ['-o', log, '-e', 'raw=all', '-e', 'inject=!execve,exit_group:error=ENOSYS', binary]);
    const counts = new Map<string, number>();
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const m = /^(\w+)\((.*?)\)\s+=/.exec(line);
      if (m && !counts.has(m[1])) counts.set(m[1], m[2].trim() === '' ? 0 : m[2].split(',').length);
    }
    return counts;
  });
}

describe.skipIf(noStrace !== null)(`argument counts against strace's i386 table ${noStrace ?? ''}`, () => {
  it('gives every implemented syscall as many arguments as strace decodes', () => {
    const counts = straceArgCounts();
    expect(counts.size).toBeGreaterThan(400);
    // vm86: the kernel's is SYSCALL_DEFINE2(vm86, cmd, arg); strace keeps the 5 of an older interface.
    const differing = ['vm86'];
    for (const [nr, name] of Object.entries(sc.SYSCALL_NAMES)) {
      if (sc.SYSCALLS_NI.includes(name) || differing.includes(name) || Number(nr) === sc.__NR_exit) continue;
      expect(sc.SYSCALL_ARGS[name].length, name).toBe(counts.get(name));
    }
  });
});

/** Our kinds as strace prints the arguments: each low/high register pair as one 64-bit argument. */
function printedKinds(kinds: readonly sc.SyscallArgKind[]): string[] {
  return kinds.filter((k) => k !== 'off64:hi' && k !== 'u64:hi').map((k) => k.replace(/:lo$/, ''));
}

/** A static 32-bit program, no libc, that issues every syscall number once with `value` in every register. */
function everySyscallProgram(value: string): string {
  return `static const char probe[4096] = "/kmos-probe";
void _start(void) {
  long v = ${value};
  for (long nr = 0; nr < ${sc.NR_syscalls}; nr++) {
    long r;
    if (nr == ${sc.__NR_exit} || nr == ${sc.__NR_exit_group} || nr == ${sc.__NR_execve} || nr == ${sc.__NR_execveat}) continue;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(v), "c"(v), "d"(v), "S"(v), "D"(v) : "memory");
  }
  for (;;) __asm__ volatile("int $0x80" :: "a"(${sc.__NR_exit_group}), "b"(0));
}
`;
}

/**
 * Run everySyscallProgram(value) under strace with ENOSYS injected (nothing runs; execve and execveat are
 * left out since strace lets them through) and return each syscall's printed arguments.
 */
function straceEverySyscall(value: string, straceFlags: readonly string[]): Map<string, string[]> {
  return withC(everySyscallProgram(value), ['-nostdlib', '-static', '-fno-pic', '-O1'], (binary, dir) => {
    const log = join(dir, 'strace.log');
    const stdin = openSync('/dev/null', 'r');
    try {
      const args = [...straceFlags, '-o', log, '-e', 'inject=!execve,exit_group:error=ENOSYS', binary];
      spawnSync('strace', args, { stdio: [stdin, 'ignore', 'ignore'] });
    } finally {
      closeSync(stdin);
    }
    const calls = new Map<string, string[]>();
    for (const line of readFileSync(log, 'utf8').split('\n').slice(1)) {
      const m = /^(\w+)\((.*)\)\s+= /.exec(line);
      if (m && !calls.has(m[1])) calls.set(m[1], splitArgs(m[2]));
    }
    return calls;
  });
}

/** Split strace's printed argument list at top-level commas (not inside quotes, braces or brackets). */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    cur += ch;
    if (quoted) {
      if (ch === '\\') cur += text[++i] ?? '';
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur.slice(0, -1).trim());
      cur = '';
    }
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

describe.skipIf(noStrace !== null)(
  `string and buffer arguments against strace's decoding ${noStrace ?? ''}`,
  () => {
    it('marks as path/str exactly the arguments strace prints as strings, and buf:in its byte buffers', () => {
      // strace decodes these conditionally on the other arguments, which here are all the same pointer:
      const conditional = [
        'mount 2', // the filesystem type is ignored (and not printed) with MS_MOVE among the flags
        'sethostname 0', // printed only when the length fits __NEW_UTS_LEN
        'setdomainname 0',
        'setxattr 2', // the value is printed only when the size is sane
        'lsetxattr 2',
        'fsetxattr 2',
        'fsconfig 2', // the key is unused for this command
      ];
      // Every register points at the string "/kmos-probe".
      const calls = straceEverySyscall('(long)probe', ['-s', '16']);
      expect(calls.size).toBeGreaterThan(400);
      for (const [name, printed] of calls) {
        const kinds = sc.SYSCALL_ARGS[name];
        if (kinds === undefined) continue;
        printed.forEach((arg, i) => {
          if (conditional.includes(`${name} ${i}`)) return;
          const isString = arg === '"/kmos-probe"';
          const isBuffer = arg.startsWith('"/kmos-probe\\0');
          expect(isString, `${name} argument ${i}: strace prints ${arg}, ours is ${kinds[i]}`).toBe(
            kinds[i] === 'path' || kinds[i] === 'str',
          );
          expect(isBuffer, `${name} argument ${i}: strace prints ${arg}, ours is ${kinds[i]}`).toBe(
            kinds[i] === 'buf:in',
          );
        });
      }
    });
  },
);

describe.skipIf(noStrace !== null)(`descriptor arguments against strace -y ${noStrace ?? ''}`, () => {
  it('marks as fd/dirfd exactly the arguments strace decorates with a path', () => {
    const plainNumbers = [
      'close_range 0', // the bounds of a range, printed as numbers
      'close_range 1',
      'pidfd_getfd 1', // a descriptor number in the other process
    ];
    // Every register holds 0, and stdin is /dev/null: strace -y prints a descriptor as 0</dev/null>.
    const calls = straceEverySyscall('0', ['-y']);
    expect(calls.size).toBeGreaterThan(400);
    for (const [name, printed] of calls) {
      if (sc.SYSCALL_ARGS[name] === undefined) continue;
      const kinds = printedKinds(sc.SYSCALL_ARGS[name]);
      printed.forEach((arg, i) => {
        if (plainNumbers.includes(`${name} ${i}`)) return;
        expect(arg.startsWith('0<'), `${name} argument ${i}: strace prints ${arg}, ours is ${kinds[i]}`).toBe(
          kinds[i] === 'fd' || kinds[i] === 'dirfd',
        );
      });
    }
  });
});

describe.skipIf(noStrace !== null)(`symbolic arguments against strace's decoding ${noStrace ?? ''}`, () => {
  it('gives each kind the constant set strace decodes it with', () => {
    // With 1 in every register, strace prints each symbolic argument as the name whose value is 1.
    const expected: Partial<Record<string, string>> = {
      signal: 'SIGHUP',
      clock: 'CLOCK_MONOTONIC',
      resource: 'RLIMIT_FSIZE',
      'how:sigprocmask': 'SIG_UNBLOCK',
      whence: 'SEEK_CUR',
      prot: 'PROT_READ',
      'flags:mmap': 'MAP_SHARED',
      'flags:msync': 'MS_ASYNC',
      'flags:mremap': 'MREMAP_MAYMOVE',
      'advice:madvise': 'MADV_RANDOM',
      'cmd:futex': 'FUTEX_WAKE',
      'cmd:fcntl': 'F_GETFD',
      'flags:wait': 'WNOHANG',
      'flags:getrandom': 'GRND_NONBLOCK',
      'mode:access': 'X_OK',
      'flags:open': 'O_WRONLY',
    };
    const kindOf = new Map(Object.entries(expected).map(([k, token]) => [token, k]));
    // PR_SET_PDEATHSIG (prctl option 1) takes a signal in a general-purpose argument.
    const exceptions = ['prctl 1'];
    const calls = straceEverySyscall('1', []);
    // clone: strace prints its arguments reordered and named (flags=..., child_stack=...).
    calls.delete('clone');
    let seen = 0;
    for (const [name, printed] of calls) {
      if (sc.SYSCALL_ARGS[name] === undefined) continue;
      const kinds = printedKinds(sc.SYSCALL_ARGS[name]);
      printed.forEach((arg, i) => {
        if (exceptions.includes(`${name} ${i}`)) return;
        const want = expected[kinds[i]];
        if (want !== undefined && kinds[i] === 'flags:open' && arg !== want) {
          // dup3 and pipe2 take only some O_ flags; strace decodes 1 there as an unknown O_ bit.
          expect(arg, `${name} argument ${i} (${kinds[i]})`).toMatch(/O_\?\?\?/);
          seen++;
        } else if (want !== undefined) {
          expect(arg, `${name} argument ${i} (${kinds[i]})`).toBe(want);
          seen++;
        }
        const kind = kindOf.get(arg);
        if (kind !== undefined) expect(kinds[i], `${name} argument ${i}: strace prints ${arg}`).toBe(kind);
      });
    }
    expect(seen).toBeGreaterThan(40);
  });
  it('gives the *at() flags the AT_ constant set', () => {
    // With 0x100 in every register, strace prints an AT_ flags argument as AT_SYMLINK_NOFOLLOW (or, where
    // that flag is not accepted, as an unknown AT_ bit) and nothing else that way.
    const calls = straceEverySyscall('0x100', []);
    // statx prints its sync type (AT_STATX_SYNC_AS_STAT, which is 0) too.
    const nofollow = /(^|\|)AT_SYMLINK_NOFOLLOW$/;
    let seen = 0;
    for (const [name, printed] of calls) {
      if (sc.SYSCALL_ARGS[name] === undefined) continue;
      const kinds = printedKinds(sc.SYSCALL_ARGS[name]);
      printed.forEach((arg, i) => {
        if (kinds[i] === 'flags:at') {
          expect(arg, `${name} argument ${i}`).toMatch(/(^|\|)AT_SYMLINK_NOFOLLOW$|AT_\?\?\?/);
          seen++;
        }
        if (nofollow.test(arg))
          expect(kinds[i], `${name} argument ${i}: strace prints ${arg}`).toBe('flags:at');
      });
    }
    expect(seen).toBeGreaterThan(8);
  });
});
