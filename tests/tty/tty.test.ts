// `kmos run` on a terminal: the program runs inside a real pseudo-terminal of the host (python3's pty
// module, pty-run.py), so stdin and stdout are terminals and the kmOS tty layer takes over — raw host mode,
// the kmOS line discipline doing echo and line editing, ^C as SIGINT to the foreground process group, the
// window size from the host. The oracle is what a Linux terminal shows for the same keys: the echoed line,
// the \r\n of ONLCR, the ^C of ECHOCTL, and a program killed by SIGINT (status 130).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUSYBOX, harness, kmosMain, onPty, type PtyRun, skipReason } from './pty.js';

describe.skipIf(skipReason !== null)(
  `kmos run on a terminal${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('runs an interactive busybox sh: prompt, echoed command, its output, exit', () => {
      const r = onPty(
        [BUSYBOX, 'sh', '-i'],
        [
          ['[#$] ', 'echo $((6*7))\r'],
          ['42', 'exit\r'],
        ],
      );
      expect(r.signal).toBe(0);
      expect(r.exit).toBe(0);
      expect(r.output).toMatch(/[#$] /);
      expect(r.output).toContain('echo $((6*7))');
      expect(r.output).toContain('\r\n42\r\n');
    });

    it('ends busybox sleep 10 with ^C: SIGINT to the foreground group, exit status 130, echoed as ^C', () => {
      const r = onPty(['--realtime', BUSYBOX, 'sleep', '10'], [['<raw>', '\x03', 1]]);
      // A ^C that reached the host's own line discipline would kill node by SIGINT (signal 2, no exit code).
      expect(r.signal).toBe(0);
      expect(r.exit).toBe(130);
      expect(r.output).toContain('^C');
      expect(r.secondsAfterInput).toBeLessThan(3);
    });

    it('gives the program the host window size and a character device on 0, 1 and 2', () => {
      const r = onPty(
        [BUSYBOX, 'sh', '-c', 'stty size; test -t 0 && test -t 1 && test -t 2 && echo all-ttys'],
        [],
      );
      expect(r.exit).toBe(0);
      expect(r.output).toContain('30 100\r\n');
      expect(r.output).toContain('all-ttys\r\n');
    });

    it('edits the line in the kmOS discipline: erase and kill never reach the program', () => {
      const r = onPty(
        [BUSYBOX, 'sh', '-c', 'echo ready; read line; echo "got [$line]"'],
        [['ready', 'ab\x7fc\x15xyz\x17echo hi\r']],
      );
      expect(r.exit).toBe(0);
      expect(r.output).toContain('got [echo hi]');
    });

    it('reads end of file on ^D at the start of a line, and a line without newline on ^D after text', () => {
      const script = 'echo ready; while read -r l; do echo "[$l]"; done; echo "last [$l]"';
      const r = onPty(
        [BUSYBOX, 'sh', '-c', script],
        [
          ['ready', 'one\r'],
          ['\\[one\\]', 'two\x04'],
          ['two', '\x04'],
        ],
      );
      expect(r.exit).toBe(0);
      expect(r.output).toBe('ready\r\none\r\n[one]\r\ntwolast [two]\r\n');
    });

    it('sends SIGWINCH to the foreground group when the host window is resized, with the new size', () => {
      // The resize comes once `read` waits (a second later): as on Linux, the trap runs and `read` gives up
      // (status 1), so nothing needs typing; a resize that came before `read` would leave it waiting.
      const script = 'trap "stty size" WINCH; echo ready; read x; echo done $?';
      const r = onPty([BUSYBOX, 'sh', '-c', script], [['ready', '<winsize 40 120>', 1]]);
      expect(r.exit).toBe(0);
      expect(r.output).toBe('ready\r\n40 120\r\ndone 1\r\n');
    });

    it('lets an interactive shell give the terminal to its job: ^C stops sleep, the shell reports 130', () => {
      const r = onPty(
        ['--realtime', BUSYBOX, 'sh', '-i'],
        [
          ['[#$] ', 'sleep 10\r'],
          ['', '\x03', 2],
          ['[#$] ', 'echo status=$?\r'],
          ['status=', 'exit\r'],
        ],
      );
      expect(r.exit).toBe(0);
      expect(r.output).toContain('sleep 10\r\n^C');
      expect(r.output).toContain('status=130\r\n');
    });

    it('gives the host terminal back in the mode it was in', () => {
      const kmos = `'${process.execPath}' '${kmosMain}' run ${BUSYBOX}`;
      const script = `a=$(stty -g); ${kmos} true; ${kmos} sh -c 'exit 3'; b=$(stty -g); [ "$a" = "$b" ] && echo same-mode`;
      const spec = { argv: ['sh', '-c', script], steps: [], timeout: 60 };
      const r = JSON.parse(
        execFileSync('python3', [harness, JSON.stringify(spec)], { encoding: 'latin1' }),
      ) as PtyRun;
      expect(r.output).toContain('same-mode');
    });
  },
);
