// The line discipline against Linux's N_TTY, as termios(3) and drivers/tty/n_tty.c describe it: each
// expectation is what a Linux pseudo-terminal slave shows for the same keys with the same termios.
import {
  ECHO,
  ECHOCTL,
  ECHOE,
  ECHOK,
  ECHOKE,
  ECHONL,
  ICANON,
  ICRNL,
  IGNCR,
  INLCR,
  ISIG,
  ISTRIP,
  NOFLSH,
  ONLCR,
  OPOST,
  SIGINT,
  SIGQUIT,
  SIGTSTP,
  VEOL,
  VMIN,
  VTIME,
} from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { defaultTermios, LineDiscipline, type Termios } from './line-discipline.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(change: (t: Termios) => void = () => {}) {
  const t = defaultTermios();
  change(t);
  const echoed: number[] = [];
  const signals: number[] = [];
  const ld = new LineDiscipline(t, { echo: (b) => echoed.push(...b), signal: (s) => signals.push(s) });
  const read = (n = 100): string | null => {
    const buf = new Uint8Array(n);
    const got = ld.read(buf);
    return got === null ? null : dec(buf.subarray(0, got));
  };
  return {
    ld,
    echo: () => dec(Uint8Array.from(echoed)),
    signals,
    read,
    type: (s: string) => ld.receive(enc(s)),
  };
}

describe('canonical mode (the default termios, as `stty sane`)', () => {
  it('makes a line readable only at the newline, CR mapped to NL by ICRNL, echoed with ONLCR', () => {
    const { type, read, echo } = setup();
    type('ls -l');
    expect(read()).toBeNull();
    type('\r');
    expect(read()).toBe('ls -l\n');
    expect(echo()).toBe('ls -l\r\n');
    expect(read()).toBeNull();
  });

  it('returns at most one line per read, and the rest of a line on the next read', () => {
    const { type, read } = setup();
    type('abcdef\nxy\n');
    expect(read(4)).toBe('abcd');
    expect(read()).toBe('ef\n');
    expect(read()).toBe('xy\n');
  });

  it('erases with VERASE (DEL) and echoes backspace-space-backspace with ECHOE', () => {
    const { type, read, echo } = setup();
    type('abx\x7fc\n');
    expect(read()).toBe('abc\n');
    expect(echo()).toBe('abx\b \bc\r\n');
  });

  it('erases a control character echoed as ^X as two columns', () => {
    const { type, read, echo } = setup();
    type('a\x01\x7f\n');
    expect(read()).toBe('a\n');
    expect(echo()).toBe('a^A\b \b\b \b\r\n');
  });

  it('erases nothing at the start of a line', () => {
    const { type, read, echo } = setup();
    type('\x7f\x7fz\n');
    expect(read()).toBe('z\n');
    expect(echo()).toBe('z\r\n');
  });

  it('echoes the erase character without ECHOE', () => {
    const { type, read, echo } = setup((t) => (t.c_lflag &= ~ECHOE));
    type('ab\x7f\n');
    expect(read()).toBe('a\n');
    expect(echo()).toBe('ab^?\r\n');
  });

  it('kills the line with VKILL (^U), erasing it visually with ECHOKE', () => {
    const { type, read, echo } = setup();
    type('abc\x15xy\n');
    expect(read()).toBe('xy\n');
    expect(echo()).toBe('abc\b \b\b \b\b \bxy\r\n');
  });

  it('kills with the kill character and a newline when ECHOK without ECHOKE', () => {
    const { type, read, echo } = setup((t) => (t.c_lflag &= ~ECHOKE));
    type('abc\x15x\n');
    expect(read()).toBe('x\n');
    expect(echo()).toBe('abc^U\r\nx\r\n');
  });

  it('erases a word with VWERASE (^W): trailing blanks, then the word', () => {
    const { type, read, echo } = setup();
    type('echo foo  \x17bar\n');
    expect(read()).toBe('echo bar\n');
    expect(echo()).toBe(`echo foo  ${'\b \b'.repeat(5)}bar\r\n`);
  });

  it('treats punctuation after a word as part of what ^W erases up to the word', () => {
    const { type, read } = setup();
    type('cd /usr/lib/\x17\n');
    expect(read()).toBe('cd /usr/\n');
  });

  it('delivers the line without a newline on VEOF (^D), and 0 bytes (end of file) at a line start', () => {
    const { type, read, echo } = setup();
    type('abc\x04');
    expect(read()).toBe('abc');
    type('\x04');
    expect(read()).toBe('');
    expect(read()).toBeNull();
    expect(echo()).toBe('abc');
  });

  it('ends a line at VEOL as well', () => {
    const { type, read } = setup((t) => (t.c_cc[VEOL] = 0x3b));
    type('a;b');
    expect(read()).toBe('a;');
  });

  it('echoes only the newline with ECHONL and no ECHO', () => {
    const { type, read, echo } = setup((t) => {
      t.c_lflag = (t.c_lflag & ~ECHO) | ECHONL;
    });
    type('secret\r');
    expect(read()).toBe('secret\n');
    expect(echo()).toBe('\r\n');
  });

  it('echoes control characters raw without ECHOCTL', () => {
    const { type, echo } = setup((t) => (t.c_lflag &= ~ECHOCTL));
    type('\x01');
    expect(echo()).toBe('\x01');
  });

  it('counts only finished lines as readable and available', () => {
    const { ld, type } = setup();
    type('ab\ncd');
    expect(ld.readable).toBe(true);
    expect(ld.available).toBe(3);
  });
});

describe('input processing', () => {
  it('drops CR with IGNCR', () => {
    const { type, read } = setup((t) => (t.c_iflag |= IGNCR));
    type('a\rb\n');
    expect(read()).toBe('ab\n');
  });

  it('keeps CR without ICRNL (it does not end a line)', () => {
    const { type, read, echo } = setup((t) => (t.c_iflag &= ~ICRNL));
    type('a\r');
    expect(read()).toBeNull();
    expect(echo()).toBe('a^M');
  });

  it('maps NL to CR with INLCR', () => {
    const { type, read } = setup((t) => {
      t.c_iflag |= INLCR;
      t.c_lflag &= ~ICANON;
    });
    type('\n');
    expect(read()).toBe('\r');
  });

  it('strips the eighth bit with ISTRIP', () => {
    const { ld, read } = setup((t) => (t.c_iflag |= ISTRIP));
    ld.receive(Uint8Array.of(0xe1, 0x0a));
    expect(read()).toBe('a\n');
  });
});

describe('signals (ISIG)', () => {
  it('sends SIGINT for ^C, echoes ^C and flushes the pending input', () => {
    const { type, read, echo, signals } = setup();
    type('half a line');
    type('\x03');
    expect(signals).toEqual([SIGINT]);
    expect(echo()).toBe('half a line^C');
    type('\n');
    expect(read()).toBe('\n');
  });

  it('drops the echo of its own batch on a flushing signal (Linux clears the uncommitted echo buffer)', () => {
    const { type, echo } = setup();
    type('half\x03rest');
    expect(echo()).toBe('^Crest');
  });

  it('keeps the input with NOFLSH', () => {
    const { type, read, signals } = setup((t) => (t.c_lflag |= NOFLSH));
    type('abc\x1c\n');
    expect(signals).toEqual([SIGQUIT]);
    expect(read()).toBe('abc\n');
  });

  it('sends SIGTSTP for ^Z', () => {
    const { type, signals } = setup();
    type('\x1a');
    expect(signals).toEqual([SIGTSTP]);
  });

  it('passes ^C as a byte without ISIG', () => {
    const { type, read, signals } = setup((t) => {
      t.c_lflag &= ~(ISIG | ICANON | ECHO);
    });
    type('\x03');
    expect(signals).toEqual([]);
    expect(read()).toBe('\x03');
  });
});

describe('non-canonical mode', () => {
  const raw = (vmin: number, vtime: number) =>
    setup((t) => {
      t.c_lflag &= ~(ICANON | ECHO);
      t.c_cc[VMIN] = vmin;
      t.c_cc[VTIME] = vtime;
    });

  it('VMIN=1, VTIME=0: a read waits for one byte and returns what there is', () => {
    const { type, read } = raw(1, 0);
    expect(read()).toBeNull();
    type('ab');
    expect(read()).toBe('ab');
  });

  it('VMIN=3, VTIME=0: a read waits for three bytes (or the buffer size if smaller)', () => {
    const { ld, type, read } = raw(3, 0);
    type('ab');
    expect(read()).toBeNull();
    expect(ld.readable).toBe(false);
    expect(read(2)).toBe('ab');
    type('cde');
    expect(ld.readable).toBe(true);
    expect(read()).toBe('cde');
  });

  it('VMIN=0, VTIME=0: a read never waits and may return 0', () => {
    const { type, read } = raw(0, 0);
    expect(read()).toBe('');
    type('x');
    expect(read()).toBe('x');
  });

  it('does no line editing: DEL and ^U are bytes', () => {
    const { type, read } = raw(1, 0);
    type('a\x7f\x15\r');
    expect(read()).toBe('a\x7f\x15\n');
  });

  it('keeps what was typed in canonical mode readable after leaving it', () => {
    const { ld, type, read } = setup();
    type('abc');
    const t = ld.settings;
    t.c_lflag &= ~ICANON;
    ld.setTermios(t, false);
    expect(read()).toBe('abc');
  });
});

describe('output processing', () => {
  it('turns \\n into \\r\\n with OPOST|ONLCR and leaves bytes alone without OPOST', () => {
    const { ld } = setup();
    expect(dec(ld.processOutput(enc('a\nb\n')))).toBe('a\r\nb\r\n');
    const t = ld.settings;
    t.c_oflag &= ~OPOST;
    ld.setTermios(t, false);
    expect(dec(ld.processOutput(enc('a\n')))).toBe('a\n');
    t.c_oflag = OPOST;
    ld.setTermios(t, false);
    expect(dec(ld.processOutput(enc('a\n')))).toBe('a\n');
    t.c_oflag = OPOST | ONLCR;
  });

  it('flushes input on TCSETSF', () => {
    const { ld, type, read } = setup();
    type('abc\n');
    ld.setTermios(ld.settings, true);
    expect(read()).toBeNull();
  });

  it('keeps ECHOK semantics of the default termios', () => {
    expect(defaultTermios().c_lflag & (ECHOK | ECHOE | ECHOKE | ECHOCTL)).toBe(
      ECHOK | ECHOE | ECHOKE | ECHOCTL,
    );
  });
});
