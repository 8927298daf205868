// What the tests/tty suites share: running a command on a host pseudo-terminal through pty-run.py (python3's
// pty module), `kmos run` on one, and the reason to skip when the host lacks busybox (i386), python3 or a
// built CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const kmosMain = join(repoRoot, 'apps/cli/dist/main.js');
export const harness = fileURLToPath(new URL('./pty-run.py', import.meta.url));
export const BUSYBOX = '/bin/busybox';
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

export const skipReason = !isI386Elf(BUSYBOX)
  ? `${BUSYBOX} is not an i386 ELF binary`
  : !hasPython3()
    ? 'python3 (with its pty module) is not installed'
    : !existsSync(kmosMain)
      ? 'apps/cli is not built'
      : null;

export interface PtyRun {
  readonly output: string;
  readonly exit: number | null;
  readonly signal: number;
  readonly secondsAfterInput: number;
}

/** One step: [regex to wait for (or '<raw>'), keys to type (or '<winsize ROWS COLS>'), delay in seconds]. */
export type PtyStep = readonly [string, string, number?];

/** Runs `argv` on a 100x30 pty, typing each step's keys once its output appeared (see pty-run.py). */
export function onHostPty(argv: readonly string[], steps: readonly PtyStep[], timeout = 60): PtyRun {
  const out = execFileSync('python3', [harness, JSON.stringify({ argv, steps, timeout })], {
    encoding: 'latin1',
    timeout: (timeout + 30) * 1000,
  });
  return JSON.parse(out) as PtyRun;
}

/** `kmos run ARGS` on a pty. */
export function onPty(args: readonly string[], steps: readonly PtyStep[], timeout = 60): PtyRun {
  return onHostPty([process.execPath, kmosMain, 'run', ...args], steps, timeout);
}
