// The terminal as an open file: read blocking and O_NONBLOCK, poll, and the tty ioctls with their structs
// in the kernel's layout (termios 36 bytes, winsize 8), as a Linux program calls them through libc.
import {
  EAGAIN,
  ECHO,
  FIONREAD,
  ICANON,
  new_decode_dev,
  O_NONBLOCK,
  O_RDWR,
  POLLIN,
  S_IFCHR,
  SIGINT,
  SIGWINCH,
  TCGETS,
  TCSETS,
  TCSETSF,
  TIOCGPGRP,
  TIOCGWINSZ,
  TIOCSPGRP,
  TIOCSWINSZ,
  TTY_STD_TERMIOS,
  VMIN,
} from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { isWouldBlock } from '../fs/would-block.js';
import { Tty } from './tty.js';
import { TtyFile } from './tty-file.js';

function setup() {
  const written: number[] = [];
  const signals: [number, number][] = [];
  const tty = new Tty({
    driver: { write: (b) => written.push(...b) },
    signalGroup: (pgid, signo) => signals.push([pgid, signo]),
    winsize: { ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0 },
    pgid: 7,
  });
  const file = new TtyFile(tty, { uid: 1000, gid: 5, minor: 0 });
  const user = new Uint8Array(64);
  const mem = {
    copyIn: (ptr: number, into: Uint8Array) => into.set(user.subarray(ptr, ptr + into.length)),
    copyOut: (ptr: number, from: Uint8Array) => user.set(from, ptr),
  };
  const view = new DataView(user.buffer);
  return { tty, file, mem, user, view, written, signals };
}

describe('TtyFile', () => {
  it('blocks a read until a line is typed, then returns it', () => {
    const { tty, file } = setup();
    const buf = new Uint8Array(16);
    expect(isWouldBlock(file.read(buf))).toBe(true);
    expect(file.poll() & POLLIN).toBe(0);
    tty.receive(new TextEncoder().encode('hi\r'));
    expect(file.poll() & POLLIN).toBe(POLLIN);
    expect(file.read(buf)).toBe(3);
  });

  it('throws EAGAIN for a non-blocking read with nothing typed', () => {
    const { tty } = setup();
    const file = new TtyFile(tty, { uid: 0, gid: 0, minor: 0 }, O_RDWR | O_NONBLOCK);
    expect(() => file.read(new Uint8Array(4))).toThrow(expect.objectContaining({ errno: EAGAIN }));
  });

  it('writes through ONLCR to the driver', () => {
    const { file, written } = setup();
    file.write(new TextEncoder().encode('a\n'));
    expect(written).toEqual([0x61, 0x0d, 0x0a]);
  });

  it('TCGETS gives the kernel default termios in the 36-byte layout; TCSETS changes the discipline', () => {
    const { file, mem, user, view, tty } = setup();
    expect(file.ioctl(TCGETS, 0, mem)).toBe(0);
    expect(view.getUint32(0, true)).toBe(TTY_STD_TERMIOS.c_iflag);
    expect(view.getUint32(12, true)).toBe(TTY_STD_TERMIOS.c_lflag);
    expect([...user.subarray(17, 36)]).toEqual([...TTY_STD_TERMIOS.c_cc]);
    view.setUint32(12, TTY_STD_TERMIOS.c_lflag & ~(ICANON | ECHO), true);
    user[17 + VMIN] = 1;
    expect(file.ioctl(TCSETS, 0, mem)).toBe(0);
    tty.receive(Uint8Array.of(0x71));
    expect(file.read(new Uint8Array(4))).toBe(1);
  });

  it('TCSETSF flushes typed input', () => {
    const { file, mem, tty } = setup();
    tty.receive(new TextEncoder().encode('x\r'));
    file.ioctl(TCGETS, 0, mem);
    file.ioctl(TCSETSF, 0, mem);
    expect(isWouldBlock(file.read(new Uint8Array(4)))).toBe(true);
  });

  it('TIOCGWINSZ/TIOCSWINSZ, with SIGWINCH to the foreground group on a change', () => {
    const { file, mem, view, signals } = setup();
    file.ioctl(TIOCGWINSZ, 8, mem);
    expect([view.getUint16(8, true), view.getUint16(10, true)]).toEqual([24, 80]);
    view.setUint16(8, 50, true);
    file.ioctl(TIOCSWINSZ, 8, mem);
    file.ioctl(TIOCSWINSZ, 8, mem);
    expect(signals).toEqual([[7, SIGWINCH]]);
  });

  it('TIOCGPGRP/TIOCSPGRP: ^C goes to the group set last', () => {
    const { file, mem, view, tty, signals } = setup();
    file.ioctl(TIOCGPGRP, 0, mem);
    expect(view.getInt32(0, true)).toBe(7);
    view.setInt32(0, 9, true);
    file.ioctl(TIOCSPGRP, 0, mem);
    tty.receive(Uint8Array.of(0x03));
    expect(signals).toEqual([[9, SIGINT]]);
  });

  it('FIONREAD counts the bytes of finished lines', () => {
    const { file, mem, view, tty } = setup();
    tty.receive(new TextEncoder().encode('abc\rde'));
    file.ioctl(FIONREAD, 4, mem);
    expect(view.getInt32(4, true)).toBe(4);
  });

  it('is a character device 136:0 (/dev/pts/0), mode 0620', () => {
    const st = setup().file.fstat();
    expect(st.mode).toBe(S_IFCHR | 0o620);
    expect(new_decode_dev(st.rdev)).toEqual({ major: 136, minor: 0 });
  });
});
