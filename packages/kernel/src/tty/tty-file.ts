/**
 * An open terminal (what open("/dev/pts/N") or `kmos run`'s stdio give): read takes what the line
 * discipline has ready (WouldBlock on the tty's queue while nothing is, EAGAIN with O_NONBLOCK), write goes
 * through output processing to the terminal, poll reports the discipline's readiness, and ioctl implements
 * the termios, window size and job control requests. fstat shows a character device, mode 0620, with the
 * numbers of /dev/pts/0 (UNIX98_PTY_SLAVE_MAJOR 136, minor 0): `kmos run`'s terminal is the pseudo-terminal
 * slave a Linux program would get from a terminal emulator, which is what tty(1) and isatty() expect.
 * Layer: kernel tty, an OpenFile over tty.ts; the syscall layer calls it like any file.
 */
import type { MaybePromise } from '@kmos/abi-driver';
import {
  EAGAIN,
  EINVAL,
  FIONREAD,
  NCCS,
  new_encode_dev,
  O_RDWR,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
  S_IFCHR,
  TCFLSH,
  TCGETS,
  TCIFLUSH,
  TCIOFLUSH,
  TCSBRK,
  TCSBRKP,
  TCSETS,
  TCSETSF,
  TCSETSW,
  TCXONC,
  TIOCGPGRP,
  TIOCGSID,
  TIOCGWINSZ,
  TIOCNOTTY,
  TIOCSCTTY,
  TIOCSPGRP,
  TIOCSWINSZ,
  termiosLayout,
  winsizeLayout,
} from '@kmos/abi-linux';
import { fsError } from '../fs/fs-error.js';
import { OpenFile, type Stat, type UserMemory } from '../fs/open-file.js';
import { WouldBlock } from '../fs/would-block.js';
import type { WaitQueue } from '../sched/wait-queue.js';
import type { Termios } from './line-discipline.js';
import type { Tty, WinSize } from './tty.js';
import type { TtySessions } from './tty-sessions.js';

/** UNIX98_PTY_SLAVE_MAJOR (include/linux/major.h): /dev/pts/N are 136:N. */
export const UNIX98_PTY_SLAVE_MAJOR = 136;
/** The terminal's permissions as devpts gives a login's pty: owner read/write, group (tty) write. */
const TTY_MODE = 0o620;
const SIZEOF_INT = 4;
/** Requests a background process may not make without SIGTTOU (tty_check_change in Linux's tty_ioctl). */
const CHANGES_TERMINAL = new Set([TCSETS, TCSETSW, TCSETSF, TCFLSH, TCXONC]);
const TF = termiosLayout.fields;
const WF = winsizeLayout.fields;

export interface TtyFileIdentity {
  readonly uid: number;
  readonly gid: number;
  readonly minor: number;
  /** The node it was opened through when not /dev/pts/<minor> (/dev/tty: 5:0, mode 0666). */
  readonly rdev?: number;
  readonly mode?: number;
}

export class TtyFile extends OpenFile {
  private readonly wouldBlock: WouldBlock;

  constructor(
    readonly tty: Tty,
    private readonly identity: TtyFileIdentity,
    flags = O_RDWR,
  ) {
    super(flags, null);
    this.wouldBlock = new WouldBlock(tty.queue);
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock | Promise<never> {
    const denied = this.tty.sessions?.checkRead(this.tty);
    if (denied) return denied;
    const n = this.tty.ldisc.read(into);
    if (n !== null) return n;
    if (this.nonBlocking) throw fsError(EAGAIN);
    return this.wouldBlock;
  }

  protected override writeImpl(from: Uint8Array): number | Promise<number> {
    const denied = this.tty.sessions?.checkWrite(this.tty);
    if (denied) return denied;
    return this.tty.write(from);
  }

  /** The node it was opened through: /dev/tty, or the pseudo-terminal /dev/pts/N. */
  override pathlessName(): string {
    return this.identity.rdev !== undefined ? '/dev/tty' : `/dev/pts/${this.identity.minor}`;
  }

  override poll(): number {
    return (this.tty.ldisc.readable ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
  }

  override get waitQueue(): WaitQueue {
    return this.tty.queue;
  }

  override ioctl(request: number, arg: number, mem: UserMemory): MaybePromise<number> {
    if (CHANGES_TERMINAL.has(request)) {
      const denied = this.tty.sessions?.checkChange(this.tty);
      if (denied) return denied;
    }
    switch (request) {
      case TCGETS:
        mem.copyOut(arg, encodeTermios(this.tty.termios));
        return 0;
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        return this.setTermios(arg, mem, request === TCSETSF);
      case TIOCGWINSZ:
        mem.copyOut(arg, encodeWinsize(this.tty.winsize));
        return 0;
      case TIOCSWINSZ:
        this.tty.resize(decodeWinsize(copyIn(mem, arg, winsizeLayout.sizeBytes)));
        return 0;
      default:
        return this.ioctlJobControl(request, arg, mem);
    }
  }

  /** TCSETSW also waits for output to drain: output is written at once here, so it is TCSETS. */
  private setTermios(arg: number, mem: UserMemory, flush: boolean): number {
    this.tty.setTermios(decodeTermios(copyIn(mem, arg, termiosLayout.sizeBytes)), flush);
    return 0;
  }

  private ioctlJobControl(request: number, arg: number, mem: UserMemory): MaybePromise<number> {
    switch (request) {
      case TIOCGPGRP:
        mem.copyOut(arg, encodeInt(this.sessions?.getForeground(this.tty) ?? this.tty.foregroundPgid));
        return 0;
      case TIOCSPGRP:
        return this.setForeground(decodeInt(copyIn(mem, arg, SIZEOF_INT)));
      case TIOCGSID:
        mem.copyOut(arg, encodeInt(this.sessions?.getSession(this.tty) ?? this.tty.sessionId));
        return 0;
      case TIOCSCTTY:
        return this.sessions?.setControlling(this.tty, this, arg === 1) ?? 0;
      case TIOCNOTTY:
        return this.sessions?.dropControlling(this.tty) ?? 0;
      case FIONREAD:
        mem.copyOut(arg, encodeInt(this.tty.ldisc.available));
        return 0;
      default:
        return this.ioctlLine(request, arg, mem);
    }
  }

  /** tcflush, tcdrain (TCSBRK), tcflow: output is never queued here, so only an input flush does anything. */
  private ioctlLine(request: number, arg: number, mem: UserMemory): MaybePromise<number> {
    switch (request) {
      case TCFLSH:
        if (arg === TCIFLUSH || arg === TCIOFLUSH) this.tty.ldisc.flushInput();
        return 0;
      case TCSBRK:
      case TCSBRKP:
      case TCXONC:
        return 0;
      default:
        return super.ioctl(request, arg, mem);
    }
  }

  private get sessions(): TtySessions | null {
    return this.tty.sessions;
  }

  private setForeground(pgid: number): MaybePromise<number> {
    if (this.sessions) return this.sessions.setForeground(this.tty, pgid);
    if (pgid < 0) throw fsError(EINVAL, 'negative process group');
    this.tty.foregroundPgid = pgid;
    return 0;
  }

  override fstat(): Stat {
    const time = { sec: 0, nsec: 0 };
    return {
      ino: this.identity.minor + 3,
      mode: S_IFCHR | (this.identity.mode ?? TTY_MODE),
      nlink: 1,
      uid: this.identity.uid,
      gid: this.identity.gid,
      rdev: this.identity.rdev ?? new_encode_dev(UNIX98_PTY_SLAVE_MAJOR, this.identity.minor),
      sizeBytes: 0,
      blockSizeBytes: 1024,
      blocks: 0,
      atime: time,
      mtime: time,
      ctime: time,
      dev: 0,
    };
  }

  protected override release(): void {}
}

function copyIn(mem: UserMemory, ptr: number, sizeBytes: number): DataView {
  const bytes = new Uint8Array(sizeBytes);
  mem.copyIn(ptr, bytes);
  return new DataView(bytes.buffer);
}

function encodeInt(value: number): Uint8Array {
  const bytes = new Uint8Array(SIZEOF_INT);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return bytes;
}

function decodeInt(view: DataView): number {
  return view.getInt32(0, true);
}

/** struct termios in the kernel's layout (asm/termbits.h), little-endian. */
export function encodeTermios(t: Termios): Uint8Array {
  const bytes = new Uint8Array(termiosLayout.sizeBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(TF.c_iflag.offset, t.c_iflag >>> 0, true);
  view.setUint32(TF.c_oflag.offset, t.c_oflag >>> 0, true);
  view.setUint32(TF.c_cflag.offset, t.c_cflag >>> 0, true);
  view.setUint32(TF.c_lflag.offset, t.c_lflag >>> 0, true);
  view.setUint8(TF.c_line.offset, t.c_line);
  bytes.set(t.c_cc.subarray(0, NCCS), TF.c_cc.offset);
  return bytes;
}

export function decodeTermios(view: DataView): Termios {
  const ccStart = view.byteOffset + TF.c_cc.offset;
  return {
    c_iflag: view.getUint32(TF.c_iflag.offset, true),
    c_oflag: view.getUint32(TF.c_oflag.offset, true),
    c_cflag: view.getUint32(TF.c_cflag.offset, true),
    c_lflag: view.getUint32(TF.c_lflag.offset, true),
    c_line: view.getUint8(TF.c_line.offset),
    c_cc: new Uint8Array(view.buffer.slice(ccStart, ccStart + NCCS)),
  };
}

function encodeWinsize(w: WinSize): Uint8Array {
  const bytes = new Uint8Array(winsizeLayout.sizeBytes);
  const view = new DataView(bytes.buffer);
  view.setUint16(WF.ws_row.offset, w.ws_row, true);
  view.setUint16(WF.ws_col.offset, w.ws_col, true);
  view.setUint16(WF.ws_xpixel.offset, w.ws_xpixel, true);
  view.setUint16(WF.ws_ypixel.offset, w.ws_ypixel, true);
  return bytes;
}

function decodeWinsize(view: DataView): WinSize {
  return {
    ws_row: view.getUint16(WF.ws_row.offset, true),
    ws_col: view.getUint16(WF.ws_col.offset, true),
    ws_xpixel: view.getUint16(WF.ws_xpixel.offset, true),
    ws_ypixel: view.getUint16(WF.ws_ypixel.offset, true),
  };
}
