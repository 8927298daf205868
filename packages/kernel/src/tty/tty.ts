/**
 * One terminal as the kernel sees it (Linux's struct tty_struct): the line discipline, the window size,
 * the foreground process group and session, and the wait queue that readers and poll sleep on. The device
 * below it is a `TtyDriver`: where output goes (the host terminal under `kmos run`). Input arrives through
 * `receive`; signals for the foreground group leave through `signalGroup`, which the kernel side supplies.
 * Layer: kernel tty; tty-file.ts is the open file above it, host-terminal.ts the host driver below it.
 */
import { SIGWINCH } from '@kmos/abi-linux';
import { WaitQueue } from '../sched/wait-queue.js';
import { defaultTermios, LineDiscipline, type Termios } from './line-discipline.js';
import type { TtySessions } from './tty-sessions.js';

/** The device side of a terminal. */
export interface TtyDriver {
  /** Bytes for the screen, after output processing. */
  write(bytes: Uint8Array): void;
  /**
   * Resolves once every byte that reached the device before the call has gone through `receive` (a host
   * terminal: one turn of the host's event loop, whose poll phase delivers pending input). Absent when
   * input arrives synchronously.
   */
  inputSettled?(): Promise<void>;
}

export interface WinSize {
  ws_row: number;
  ws_col: number;
  ws_xpixel: number;
  ws_ypixel: number;
}

export interface TtyOptions {
  readonly driver: TtyDriver;
  /** Sends `signo` to every process of group `pgid` (the foreground group). */
  readonly signalGroup: (pgid: number, signo: number) => void;
  readonly winsize: WinSize;
  /** The first foreground process group (and session). */
  readonly pgid: number;
}

export class Tty {
  readonly ldisc: LineDiscipline;
  readonly queue = new WaitQueue();
  /** The foreground process group; written by TIOCSPGRP. */
  foregroundPgid: number;
  /** The session this is the controlling terminal of, 0 for none; written by tty-sessions.ts. */
  sessionId: number;
  /** Job control over the processes using it (tty-sessions.ts); null: no checks (a tty with no kernel behind it). */
  sessions: TtySessions | null = null;
  private size: WinSize;

  constructor(private readonly options: TtyOptions) {
    this.size = { ...options.winsize };
    this.foregroundPgid = options.pgid;
    this.sessionId = options.pgid;
    this.ldisc = new LineDiscipline(defaultTermios(), {
      echo: (bytes) => options.driver.write(bytes),
      signal: (signo) => options.signalGroup(this.foregroundPgid, signo),
    });
  }

  /** Keyboard input from the driver: through the discipline, then wake readers and pollers. */
  receive(bytes: Uint8Array): void {
    this.ldisc.receive(bytes);
    this.queue.wakeAll();
  }

  /**
   * A program's write: output processing, then the driver. On Linux a key is echoed when it arrives, so
   * output written after a keystroke follows its echo. Input reaching a host terminal waits in the host's
   * event loop, which the trap loop need not turn between two syscalls (it resumes a thread as soon as its
   * syscall settles); so a write first lets the driver deliver what already arrived, then writes.
   */
  write(bytes: Uint8Array): number | Promise<number> {
    const driver = this.options.driver;
    if (!driver.inputSettled) return this.writeNow(bytes);
    return driver.inputSettled().then(() => this.writeNow(bytes));
  }

  private writeNow(bytes: Uint8Array): number {
    this.options.driver.write(this.ldisc.processOutput(bytes));
    return bytes.length;
  }

  get termios(): Termios {
    return this.ldisc.settings;
  }

  setTermios(next: Termios, flush: boolean): void {
    this.ldisc.setTermios(next, flush);
    this.queue.wakeAll();
  }

  get winsize(): WinSize {
    return { ...this.size };
  }

  /** TIOCSWINSZ or a host resize: a changed size sends SIGWINCH to the foreground group (tty_do_resize). */
  resize(next: WinSize): void {
    const s = this.size;
    const changed =
      s.ws_row !== next.ws_row ||
      s.ws_col !== next.ws_col ||
      s.ws_xpixel !== next.ws_xpixel ||
      s.ws_ypixel !== next.ws_ypixel;
    this.size = { ...next };
    if (changed) this.options.signalGroup(this.foregroundPgid, SIGWINCH);
  }
}
