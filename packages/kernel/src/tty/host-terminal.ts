/**
 * The host terminal as the driver below a kmOS tty, for `kmos run` when stdin and stdout are terminals:
 * the host terminal goes into raw mode (no host echo, no host line editing, ^C is a byte), bytes from
 * process.stdin feed the tty's line discipline, output goes to host fd 1, the window size is the host's and
 * a host resize is a SIGWINCH for the foreground group. `restore` puts the host terminal back as it was; it
 * also runs from process 'exit', so a panic or an exception cannot leave the user's shell in raw mode.
 * Layer: kernel host bridge (only `kmos run` uses it), below tty.ts.
 */
import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';
import { Tty, type WinSize } from './tty.js';

/** A terminal that reports no size (0x0): Linux leaves winsize zero too, and programs fall back to 80x24. */
const NO_SIZE = 0;

export interface HostTerminalOptions {
  /** Sends `signo` to the processes of group `pgid`. */
  readonly signalGroup: (pgid: number, signo: number) => void;
  /** The first foreground group; run-program sets the real one once the first process exists. */
  readonly pgid: number;
}

export interface HostTerminal {
  readonly tty: Tty;
  /** Leaves raw mode and stops reading the host's stdin; idempotent. */
  restore(): void;
}

/** True when `kmos run` should put its program on a kmOS tty: stdin and stdout are host terminals. */
export function hostHasTerminal(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

export function hostWinsize(): WinSize {
  return {
    ws_row: process.stdout.rows ?? NO_SIZE,
    ws_col: process.stdout.columns ?? NO_SIZE,
    ws_xpixel: NO_SIZE,
    ws_ypixel: NO_SIZE,
  };
}

/** One turn of the event loop: its poll phase hands over the input that reached stdin before (onData). */
function hostTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Writes all of `bytes` to host fd 1, retrying while a non-blocking terminal is full. */
function writeHost(bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done, bytes.length - done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

/**
 * Node's raw mode (libuv's UV_TTY_MODE_RAW) keeps the host's OPOST|ONLCR, so the host would turn the
 * kmOS discipline's \r\n into \r\r\n and add \r where a program turned OPOST off. stty (coreutils, on
 * every Linux host) turns host output processing off; setRawMode(false) restores the termios libuv saved
 * before, which undoes this too. Without stty the output only gains invisible carriage returns.
 */
function hostOutputUnprocessed(): void {
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}

export function attachHostTerminal(options: HostTerminalOptions): HostTerminal {
  const tty = new Tty({
    driver: { write: writeHost, inputSettled: hostTurn },
    signalGroup: options.signalGroup,
    winsize: hostWinsize(),
    pgid: options.pgid,
  });
  const stdin = process.stdin;
  const onData = (chunk: Buffer) => tty.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
  const onResize = () => tty.resize(hostWinsize());
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdin.off('data', onData);
    process.stdout.off('resize', onResize);
    process.off('exit', restore);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  };
  stdin.setRawMode(true);
  hostOutputUnprocessed();
  stdin.on('data', onData);
  stdin.resume();
  process.stdout.on('resize', onResize);
  process.on('exit', restore);
  return { tty, restore };
}
