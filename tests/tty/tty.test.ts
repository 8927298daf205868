// `kmos run` on a terminal: the program runs inside a real pseudo-terminal of the host (python3's pty
// module, pty-run.py), so stdin and stdout are terminals and the kmOS tty layer takes over — raw host mode,
// the kmOS line discipline doing echo and line editing, ^C as SIGINT to the foreground process group, the
// window size from the host. The oracle is what a Linux terminal shows for the same keys: the echoed line,
// the \r\n of ONLCR, the ^C of ECHOCTL, and a program killed by SIGINT (status 130).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const kmosMain = join(repoRoot, 'apps/cli/dist/main.js');
const harness = fileURLToPath(new URL('./pty-run.py', import.meta.url));
const BUSYBOX = '/bin/busybox';
const EM_386 = 3;
const E_MACHINE_OFFSET = 18;

function isI386Elf(path: string): boolean {
  if (!existsSync(path)) return false;
  const header = new Uint8Array(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  const elf = header[0] === 0x7f && header[1] === 0x45 && header[2] === 0x4c && header[3] === 0x46;
  return elf && (header[E_MACHINE_OFFSET] | (header[E_MACHINE_OFFSET + 1] << 8)) === EM_386;
}

function hasPython3(): boolean {
  return spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
}

const skipReason = !isI386Elf(BUSYBOX)
  ? `${BUSYBOX} is not an i386 ELF binary`
  : !hasPython3()
    ? 'python3 (with its pty module) is not installed'
    : !existsSync(kmosMain)
      ? 'apps/cli is not built'
      : null;

interface PtyRun {
  readonly output: string;
  readonly exit: number | null;
  readonly signal: number;
  readonly secondsAfterInput: number;
}

/**
 * Runs `kmos run ARGS` on a 100x30 pty; each step is [regex to wait for (or '<raw>': until kmos put the
 * terminal in raw mode), keys to type (or '<winsize ROWS COLS>': resize the window), delay in seconds].
 */
function onPty(
  args: readonly string[],
  steps: readonly (readonly [string, string, number?])[],
  timeout = 60,
): PtyRun {
  const spec = { argv: [process.execPath, kmosMain, 'run', ...args], steps, timeout };
  const out = execFileSync('python3', [harness, JSON.stringify(spec)], {
    encoding: 'latin1',
    timeout: (timeout + 30) * 1000,
  });
  return JSON.parse(out) as PtyRun;
}

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
      const script = 'trap "stty size" WINCH; echo ready; read x; echo done';
      const r = onPty(
        [BUSYBOX, 'sh', '-c', script],
        [
          ['ready', '<winsize 40 120>'],
          ['40 120', '\r'],
        ],
      );
      expect(r.exit).toBe(0);
      expect(r.output).toBe('ready\r\n40 120\r\n\r\ndone\r\n');
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
