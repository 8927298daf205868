// Job control on a terminal: an interactive busybox sh under `kmos run` stops its foreground job with ^Z,
// lists it, resumes it in the background and the foreground, and sees background jobs stopped by SIGTTIN
// (reading the terminal) and SIGTTOU (writing with tostop). The oracle is the same busybox sh on a host pty
// typed the same keys: the screens must be the same, but for the pids `&` prints. --realtime, since on the
// virtual clock a `sleep` would end at once while the shell waits for the keyboard.
import { describe, expect, it } from 'vitest';
import { BUSYBOX, onHostPty, onPty, type PtyRun, type PtyStep, skipReason } from './pty.js';

const PROMPT = '[#$] ';

/** The screen, with the pid `[n] PID` of a background job (host and kmOS number processes differently) masked. */
function screen(r: PtyRun): string {
  return r.output.replace(/(\[\d+\]) \d+\r\n/g, '$1 PID\r\n');
}

function sameAsLinux(steps: readonly PtyStep[]): { native: PtyRun; kmos: PtyRun } {
  const native = onHostPty([BUSYBOX, 'sh', '-i'], steps, 30);
  const kmos = onPty(['--realtime', BUSYBOX, 'sh', '-i'], steps, 30);
  expect(screen(kmos)).toBe(screen(native));
  expect(kmos.exit).toBe(native.exit);
  return { native, kmos };
}

describe.skipIf(skipReason !== null)(
  `job control on a terminal${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('^Z stops sleep; jobs, bg, fg and ^Z again; a stopped job keeps SIGTERM pending; exit twice', () => {
      const { kmos } = sameAsLinux([
        [PROMPT, 'sleep 100\r'],
        ['sleep 100\r\n', '\x1a', 1],
        [`Stopped[\\s\\S]*${PROMPT}`, 'jobs\r', 0.5],
        [PROMPT, 'bg\r', 0.5],
        [PROMPT, 'fg\r', 0.5],
        ['sleep 100\r\n', '\x1a', 1],
        [`Stopped[\\s\\S]*${PROMPT}`, 'kill %1\r', 0.5],
        [PROMPT, 'jobs; echo done\r', 0.5],
        [`done\r\n[\\s\\S]*${PROMPT}`, 'exit\r', 0.5],
        [`stopped jobs[\\s\\S]*${PROMPT}`, 'exit\r', 0.5],
      ]);
      expect(kmos.output).toContain('^Z[1]+  Stopped                    sleep 100\r\n');
      expect(kmos.output).toContain('bg\r\n[1] sleep 100\r\n');
      expect(kmos.exit).toBe(0);
    });

    it('a job resumed with fg finishes its sleep and the shell reports its status', () => {
      sameAsLinux([
        [PROMPT, 'sleep 1\r'],
        ['sleep 1\r\n', '\x1a', 0.3],
        [`Stopped[\\s\\S]*${PROMPT}`, 'fg; echo slept=$?\r', 0.5],
        [`slept=0\r\n[\\s\\S]*${PROMPT}`, 'exit\r', 0.5],
      ]);
    });

    it('a background job that reads the terminal stops with SIGTTIN, and reads once brought to the foreground', () => {
      const { kmos } = sameAsLinux([
        [PROMPT, 'cat &\r'],
        [PROMPT, '\r', 1],
        [`tty input[\\s\\S]*${PROMPT}`, 'fg\r', 0.5],
        ['cat\r\n', 'typed\r', 0.5],
        ['typed\r\ntyped\r\n', '\x04', 0.5],
        [PROMPT, 'exit\r', 0.5],
      ]);
      expect(kmos.output).toContain('Stopped (tty input)');
    });

    it('with stty tostop, a background job that writes to the terminal stops with SIGTTOU', () => {
      const { kmos } = sameAsLinux([
        [PROMPT, 'stty tostop; echo written &\r'],
        [PROMPT, '\r', 1],
        [`tty output[\\s\\S]*${PROMPT}`, 'fg\r', 0.5],
        [`written\r\n[\\s\\S]*${PROMPT}`, 'stty -tostop; exit\r', 0.5],
      ]);
      expect(kmos.output).toContain('Stopped (tty output)');
    });
  },
);
