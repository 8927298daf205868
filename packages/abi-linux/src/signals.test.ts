// Signals checked against the host: numbers, flags and si_code values against the Linux UAPI
// <linux/signal.h> (the kernel's own definitions), the real-time range and strsignal() texts against glibc.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as sig from './signals.js';
import { cValues, hostCUnavailable, runC } from './testing/host-c.js';

const consts = sig as unknown as Record<string, number>;
/** Every exported numeric constant, except the ones the userspace UAPI header does not give as the kernel sees them. */
const kernelView = [
  'SIGRTMIN',
  'SIGRTMAX',
  '_NSIG',
  '_NSIG_BPW',
  '_NSIG_WORDS',
  'SIG_DFL',
  'SIG_IGN',
  'SIG_ERR',
];
const uapiNames = Object.keys(consts).filter((k) => typeof consts[k] === 'number' && !kernelView.includes(k));

describe('signal tables', () => {
  it('names and default actions cover 1..31', () => {
    for (let s = 1; s <= 31; s++) expect(consts[sig.SIGNAL_NAMES[s]]).toBe(s);
    expect(sig.signalDefaultAction(sig.SIGSEGV)).toBe('core');
    expect(sig.signalDefaultAction(sig.SIGCHLD)).toBe('ign');
    expect(sig.signalDefaultAction(sig.SIGTSTP)).toBe('stop');
    expect(sig.signalDefaultAction(sig.SIGCONT)).toBe('cont');
    expect(sig.signalDefaultAction(sig.SIGRTMIN + 3)).toBe('term');
  });
  it('places signals in sigset words as the kernel does', () => {
    expect(sig.sigmaskBit(sig.SIGHUP)).toEqual({ word: 0, bit: 0 });
    expect(sig.sigmaskBit(sig.SIGRTMAX)).toEqual({ word: 1, bit: 31 });
  });
});

describe.skipIf(hostCUnavailable !== null)(
  `signals against the host headers ${hostCUnavailable ?? ''}`,
  () => {
    it('has the UAPI value of every constant', () => {
      const host = cValues(['linux/signal.h'], Object.fromEntries(uapiNames.map((n) => [n, n])));
      for (const n of uapiNames) expect(consts[n], n).toBe(host[n]);
      expect(uapiNames.length).toBeGreaterThan(100);
    });
    it('has the kernel signal range and the dispositions glibc uses', () => {
      const host = cValues(['signal.h'], {
        SIGRTMIN: '__SIGRTMIN',
        SIGRTMAX: '__SIGRTMAX',
        _NSIG: '_NSIG - 1',
        SIG_DFL: '(long)SIG_DFL',
        SIG_IGN: '(long)SIG_IGN',
        SIG_ERR: '(long)SIG_ERR',
      });
      for (const [n, v] of Object.entries(host)) expect(consts[n], n).toBe(v);
      expect(sig._NSIG_WORDS * sig._NSIG_BPW).toBe(sig._NSIG);
    });
    it('describes each signal as strsignal() does', () => {
      const src = `#include <string.h>\n#include <stdio.h>\nint main(void){for(int s=1;s<32;s++)printf("%d\\t%s\\n",s,strsignal(s));return 0;}\n`;
      for (const line of runC(src).trim().split('\n')) {
        const [num, msg] = line.split('\t');
        expect(sig.SIGNAL_MESSAGES[Number(num)], num).toBe(msg);
      }
    });
  },
);

describe.skipIf(hostCUnavailable !== null)(
  `default actions on the running kernel ${hostCUnavailable ?? ''}`,
  () => {
    it('terminates, ignores, stops or continues as signalDefaultAction says', () => {
      // A child resets the signal to SIG_DFL, sends it to itself and, if it survives, exits 0. Core dumps
      // are disabled (RLIMIT_CORE 0), so 'core' and 'term' both show as death by the signal. The child
      // leads a process group of its own, whose parent is outside it in the same session: the group is
      // not orphaned however the test runs, and Linux discards SIGTSTP, SIGTTIN and SIGTTOU sent to an
      // orphaned group (under a backgrounded CI script the test's own group can be one).
      const src = `#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
int main(void) {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  for (int s = 1; s <= ${sig._NSIG}; s++) {
    pid_t pid = fork();
    if (pid == 0) {
      sigset_t all; sigemptyset(&all);
      setpgid(0, 0);
      signal(s, SIG_DFL);
      sigprocmask(SIG_SETMASK, &all, NULL);
      kill(getpid(), s);
      _exit(0);
    }
    int st; waitpid(pid, &st, WUNTRACED);
    const char *what = "other";
    if (WIFSTOPPED(st)) { what = "stop"; kill(pid, SIGKILL); waitpid(pid, &st, 0); }
    else if (WIFSIGNALED(st) && WTERMSIG(st) == s) what = "dies";
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) what = "lives";
    printf("%d %s\\n", s, what);
  }
  return 0;
}
`;
      const observed = Object.fromEntries(
        runC(src)
          .trim()
          .split('\n')
          .map((l) => l.split(' ')),
      );
      const shows = { term: 'dies', core: 'dies', ign: 'lives', cont: 'lives', stop: 'stop' } as const;
      for (let s = 1; s <= sig._NSIG; s++) {
        expect(observed[s], `signal ${s}`).toBe(shows[sig.signalDefaultAction(s)]);
      }
    });
  },
);

/** Why core dumps cannot be observed safely here, or null if they land as a file in the current directory. */
function coreDumpsUnobservable(): string | null {
  if (hostCUnavailable !== null) return hostCUnavailable;
  const pattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
  if (pattern.startsWith('|') || pattern.includes('/'))
    return `core_pattern is ${pattern}, not a file in the cwd`;
  return null;
}
const noCores = coreDumpsUnobservable();

describe.skipIf(noCores !== null)(`core-dumping signals on the running kernel ${noCores ?? ''}`, () => {
  it('dumps core for exactly the signals whose default action is core', () => {
    // As above, with core dumps allowed: WCOREDUMP tells 'core' from 'term'. The cores land in the test's
    // temporary directory and go with it.
    const src = `#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
int main(void) {
  struct rlimit all = {RLIM_INFINITY, RLIM_INFINITY};
  setrlimit(RLIMIT_CORE, &all);
  for (int s = 1; s < ${sig.SIGRTMIN}; s++) {
    pid_t pid = fork();
    if (pid == 0) {
      sigset_t none; sigemptyset(&none);
      signal(s, SIG_DFL);
      sigprocmask(SIG_SETMASK, &none, NULL);
      kill(getpid(), s);
      _exit(0);
    }
    int st; waitpid(pid, &st, WUNTRACED);
    if (WIFSTOPPED(st)) { kill(pid, SIGKILL); waitpid(pid, &st, 0); continue; }
    if (WIFSIGNALED(st)) printf("%d %d\\n", s, WCOREDUMP(st) ? 1 : 0);
  }
  return 0;
}
`;
    for (const line of runC(src).trim().split('\n')) {
      const [s, core] = line.split(' ').map(Number);
      expect(core === 1, `signal ${s}`).toBe(sig.signalDefaultAction(s) === 'core');
    }
  });
});
