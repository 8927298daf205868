/**
 * The kmOS line discipline: Linux's N_TTY (drivers/tty/n_tty.c) over one termios, with no I/O of its own.
 * Bytes from the terminal's keyboard go in through `receive`; what a read(2) may take comes out of `read`;
 * bytes a program writes go through `processOutput`. Echo and signals leave through the hooks the tty gives.
 *
 * How it works: `receive` runs each byte through input processing (ISTRIP, IGNCR, ICRNL, INLCR), then ISIG
 * (VINTR, VQUIT, VSUSP raise SIGINT, SIGQUIT, SIGTSTP for the foreground group and flush the input unless
 * NOFLSH), then either canonical editing or the raw queue. In canonical mode (ICANON) the line being edited
 * is `editing`; VERASE, VWERASE (with IEXTEN) and VKILL edit it, and a newline, VEOL, VEOL2 or VEOF moves it
 * to `lines`, where read(2) takes at most one line per call (VEOF adds no byte; at the start of a line it
 * makes an empty line, which read(2) returns as 0, end of file). In non-canonical mode bytes go to `raw` and
 * read(2) returns once VMIN bytes are there (VMIN=0: at once, maybe with 0). Echo (ECHO, ECHOE, ECHOK,
 * ECHOKE, ECHONL, ECHOCTL) goes through output processing, as Linux's echo buffer does, and is committed at
 * the end of each `receive` batch; a signal's flush drops the batch's uncommitted echo, as Linux does.
 * Not modelled: VTIME's timer (VTIME>0 behaves as VMIN=max(VMIN,1) without a timeout), IXON flow control
 * (VSTART and VSTOP are swallowed without stopping output), VLNEXT, VREPRINT, VDISCARD, PARMRK, column
 * tracking for tabs (an erased tab moves back one column).
 * Layer: kernel tty; tty.ts owns one discipline per terminal, tty-file.ts is the open file above it.
 */
import {
  ECHO,
  ECHOCTL,
  ECHOE,
  ECHOK,
  ECHOKE,
  ECHONL,
  ICANON,
  ICRNL,
  IEXTEN,
  IGNCR,
  INLCR,
  ISIG,
  ISTRIP,
  IUTF8,
  IXON,
  NCCS,
  NOFLSH,
  OCRNL,
  ONLCR,
  OPOST,
  SIGINT,
  SIGQUIT,
  SIGTSTP,
  TTY_STD_TERMIOS,
  VEOF,
  VEOL,
  VEOL2,
  VERASE,
  VINTR,
  VKILL,
  VMIN,
  VQUIT,
  VSTART,
  VSTOP,
  VSUSP,
  VTIME,
  VWERASE,
} from '@kmos/abi-linux';

/** The kernel's struct termios, decoded. */
export interface Termios {
  c_iflag: number;
  c_oflag: number;
  c_cflag: number;
  c_lflag: number;
  c_line: number;
  readonly c_cc: Uint8Array;
}

/** Where the discipline's side effects go: the tty writes echo to the terminal and signals the foreground group. */
export interface DisciplineHooks {
  echo(bytes: Uint8Array): void;
  signal(signo: number): void;
}

/** A c_cc entry of 0 is disabled (_POSIX_VDISABLE on Linux). */
const _POSIX_VDISABLE = 0;
/** Linux's N_TTY_BUF_SIZE: a canonical line holds at most this many bytes less one (room for the newline). */
const N_TTY_BUF_SIZE = 4096;
const NL = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const BS = 0x08;
const SPACE = 0x20;
const DEL = 0x7f;
/** ECHOCTL shows a control character c as '^' followed by c XOR 0x40 (^C for 0x03, ^? for DEL). */
const CARET = 0x5e;
const CTRL_FLIP = 0x40;
const ERASE_ONE = Uint8Array.of(BS, SPACE, BS);

export function defaultTermios(): Termios {
  const { c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc } = TTY_STD_TERMIOS;
  return { c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc: Uint8Array.from(c_cc.slice(0, NCCS)) };
}

export function copyTermios(t: Termios): Termios {
  return { ...t, c_cc: t.c_cc.slice() };
}

function isControl(c: number): boolean {
  return c < SPACE || c === DEL;
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

export class LineDiscipline {
  /** The line being edited (canonical mode). */
  private editing: number[] = [];
  /** Finished lines (canonical mode); an empty one is an end of file. */
  private lines: Uint8Array[] = [];
  /** Bytes for read(2) in non-canonical mode. */
  private raw: number[] = [];
  /** Echo of the current `receive` batch, committed at its end (a signal's flush drops it, as in Linux). */
  private echoPending: number[] = [];

  constructor(
    /** Changed by TCSETS* through `setTermios` only. */
    private termios: Termios,
    private readonly hooks: DisciplineHooks,
  ) {}

  get settings(): Termios {
    return copyTermios(this.termios);
  }

  private get canonical(): boolean {
    return (this.termios.c_lflag & ICANON) !== 0;
  }

  /** TCSETS*: leaving canonical mode makes the edited and finished lines raw bytes (Linux keeps them readable). */
  setTermios(next: Termios, flush: boolean): void {
    const wasCanonical = this.canonical;
    this.termios = copyTermios(next);
    if (flush) {
      this.flushInput();
    } else if (wasCanonical && !this.canonical) {
      for (const line of this.lines) this.raw.push(...line);
      this.raw.push(...this.editing);
      this.lines = [];
      this.editing = [];
    } else if (!wasCanonical && this.canonical) {
      this.editing.push(...this.raw);
      this.raw = [];
    }
  }

  flushInput(): void {
    this.editing = [];
    this.lines = [];
    this.raw = [];
  }

  /** Bytes a read(2) could take now (FIONREAD). */
  get available(): number {
    if (!this.canonical) return this.raw.length;
    return this.lines.reduce((sum, line) => sum + line.length, 0);
  }

  /** Whether a read(2) would return now (poll's POLLIN). */
  get readable(): boolean {
    if (this.canonical) return this.lines.length > 0;
    return this.raw.length >= this.minBytes(Number.MAX_SAFE_INTEGER) && this.raw.length > 0;
  }

  /** read(2): the count taken into `into`, or null when the reader must wait. */
  read(into: Uint8Array): number | null {
    if (into.length === 0) return 0;
    return this.canonical ? this.readLine(into) : this.readRaw(into);
  }

  private readLine(into: Uint8Array): number | null {
    const line = this.lines[0];
    if (!line) return null;
    const n = Math.min(line.length, into.length);
    into.set(line.subarray(0, n));
    if (n === line.length) this.lines.shift();
    else this.lines[0] = line.subarray(n);
    return n;
  }

  /** VMIN bytes, or as many as fit when the buffer is smaller (as n_tty_read); VMIN=0 with VTIME=0 never waits. */
  private minBytes(wanted: number): number {
    const vmin = this.termios.c_cc[VMIN];
    const vtime = this.termios.c_cc[VTIME];
    const min = vtime > 0 ? Math.max(vmin, 1) : vmin;
    return Math.min(min, wanted);
  }

  private readRaw(into: Uint8Array): number | null {
    const min = this.minBytes(into.length);
    if (this.raw.length < min || (min > 0 && this.raw.length === 0)) return null;
    const n = Math.min(this.raw.length, into.length);
    into.set(this.raw.splice(0, n));
    return n;
  }

  /** Bytes typed at the terminal. */
  receive(bytes: Uint8Array): void {
    for (const byte of bytes) this.receiveByte(byte);
    if (this.echoPending.length === 0) return;
    const echo = Uint8Array.from(this.echoPending);
    this.echoPending = [];
    this.hooks.echo(echo);
  }

  private receiveByte(byte: number): void {
    const c = this.inputMap(byte);
    if (c === null) return;
    const signo = this.termios.c_lflag & ISIG ? this.signalFor(c) : 0;
    if (signo !== 0) this.raiseSignal(c, signo);
    else if (this.isFlowControl(c)) return;
    else if (this.canonical) this.receiveCanonical(c);
    else this.receiveRaw(c);
  }

  /** With IXON, VSTART and VSTOP are taken by the discipline (output is not actually stopped here). */
  private isFlowControl(c: number): boolean {
    const { c_iflag, c_cc } = this.termios;
    return (c_iflag & IXON) !== 0 && c !== _POSIX_VDISABLE && (c === c_cc[VSTART] || c === c_cc[VSTOP]);
  }

  /** Input processing: ISTRIP, IGNCR, ICRNL, INLCR; null for a byte that is dropped. */
  private inputMap(byte: number): number | null {
    const iflag = this.termios.c_iflag;
    const c = iflag & ISTRIP ? byte & 0x7f : byte;
    if (c === CR) {
      if (iflag & IGNCR) return null;
      return iflag & ICRNL ? NL : CR;
    }
    if (c === NL && iflag & INLCR) return CR;
    return c;
  }

  private signalFor(c: number): number {
    const cc = this.termios.c_cc;
    if (c === _POSIX_VDISABLE) return 0;
    if (c === cc[VINTR]) return SIGINT;
    if (c === cc[VQUIT]) return SIGQUIT;
    if (c === cc[VSUSP]) return SIGTSTP;
    return 0;
  }

  /** As n_tty's isig: flush input and uncommitted echo unless NOFLSH, signal the foreground group, echo ^C. */
  private raiseSignal(c: number, signo: number): void {
    if (!(this.termios.c_lflag & NOFLSH)) {
      this.flushInput();
      this.echoPending = [];
    }
    this.hooks.signal(signo);
    if (this.termios.c_lflag & ECHO) this.echoChar(c);
  }

  private receiveRaw(c: number): void {
    this.raw.push(c);
    if (this.termios.c_lflag & ECHO) this.echoChar(c);
  }

  private receiveCanonical(c: number): void {
    const { c_cc: cc, c_lflag: lflag } = this.termios;
    const is = (index: number) => cc[index] !== _POSIX_VDISABLE && c === cc[index];
    const editKind = is(VERASE)
      ? 'erase'
      : is(VKILL)
        ? 'kill'
        : lflag & IEXTEN && is(VWERASE)
          ? 'werase'
          : null;
    if (editKind !== null) this.erase(editKind);
    else if (is(VEOF)) this.finishLine(null);
    else if (c === NL || is(VEOL) || (lflag & IEXTEN && is(VEOL2))) this.finishLine(c);
    else this.append(c);
  }

  private append(c: number): void {
    if (this.editing.length >= N_TTY_BUF_SIZE - 1) return;
    this.editing.push(c);
    if (this.termios.c_lflag & ECHO) this.echoChar(c);
  }

  /** A newline, VEOL or VEOF ends the line; VEOF adds no byte and is not echoed. */
  private finishLine(c: number | null): void {
    if (c !== null) this.editing.push(c);
    this.lines.push(Uint8Array.from(this.editing));
    this.editing = [];
    if (c === null) return;
    const lflag = this.termios.c_lflag;
    if (c === NL && lflag & (ECHO | ECHONL)) this.echoOut(Uint8Array.of(NL));
    else if (c !== NL && lflag & ECHO) this.echoChar(c);
  }

  /** VERASE, VWERASE, VKILL on the edited line (n_tty's eraser). */
  private erase(kind: 'erase' | 'werase' | 'kill'): void {
    const { c_lflag: lflag, c_cc: cc } = this.termios;
    if (this.editing.length === 0) return;
    const visualKill = lflag & ECHO && lflag & ECHOK && lflag & ECHOKE && lflag & ECHOE;
    if (kind === 'kill' && !visualKill) {
      this.editing = [];
      if (!(lflag & ECHO)) return;
      this.echoChar(cc[VKILL]);
      if (lflag & ECHOK) this.echoOut(Uint8Array.of(NL));
      return;
    }
    let seenWord = false;
    while (this.editing.length > 0) {
      const c = this.editing[this.editing.length - 1];
      if (kind === 'werase') {
        if (isWordChar(c)) seenWord = true;
        else if (seenWord) break;
      }
      this.dropLastChar();
      this.echoErased(c, kind);
      if (kind === 'erase') break;
    }
  }

  /** Removes the last character; with IUTF8, all of a multi-byte sequence. */
  private dropLastChar(): void {
    const utf8 = (this.termios.c_iflag & IUTF8) !== 0;
    let c = this.editing.pop() ?? 0;
    while (utf8 && (c & 0xc0) === 0x80 && this.editing.length > 0) c = this.editing.pop() ?? 0;
  }

  private echoErased(c: number, kind: 'erase' | 'werase' | 'kill'): void {
    const lflag = this.termios.c_lflag;
    if (!(lflag & ECHO)) return;
    if (!(lflag & ECHOE) && kind === 'erase') {
      this.echoChar(this.termios.c_cc[VERASE]);
      return;
    }
    const columns = lflag & ECHOCTL && isControl(c) && c !== TAB ? 2 : 1;
    for (let i = 0; i < columns; i++) this.echoOut(ERASE_ONE);
  }

  /** Echo of one input character: ^X for control characters with ECHOCTL (not tab or newline). */
  private echoChar(c: number): void {
    if (this.termios.c_lflag & ECHOCTL && isControl(c) && c !== TAB && c !== NL) {
      this.echoOut(Uint8Array.of(CARET, c ^ CTRL_FLIP));
    } else {
      this.echoOut(Uint8Array.of(c));
    }
  }

  private echoOut(bytes: Uint8Array): void {
    this.echoPending.push(...this.processOutput(bytes));
  }

  /** Output processing of bytes a program writes (or the echo): OPOST with ONLCR (\n to \r\n) and OCRNL. */
  processOutput(bytes: Uint8Array): Uint8Array {
    const oflag = this.termios.c_oflag;
    if (!(oflag & OPOST) || !(oflag & (ONLCR | OCRNL))) return bytes;
    const out: number[] = [];
    for (const c of bytes) {
      if (c === NL && oflag & ONLCR) out.push(CR, NL);
      else if (c === CR && oflag & OCRNL) out.push(NL);
      else out.push(c);
    }
    return Uint8Array.from(out);
  }
}
