// ioctl.ts against the UAPI headers (asm/termios.h, which brings asm/termbits.h and asm/ioctls.h), and the
// default termios, TIOCGPTN and TIOCSWINSZ/TIOCGWINSZ against a pseudo-terminal of the running kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ioctl from './ioctl.js';
import { termiosLayout, winsizeLayout } from './structs.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { hostCUnavailable, runC } from './testing/host-c.js';

describeAgainstHeaders('ioctl', ioctl, [
  { includes: ['asm/termios.h'], skip: ['N_TTY'] },
  { includes: ['linux/tty.h'], only: ['N_TTY'] },
]);

describe('ioctl encoding', () => {
  it('splits a request into direction, type, number and size', () => {
    expect(ioctl._IOC_DIR(ioctl.TIOCGPTN)).toBe(ioctl._IOC_READ);
    expect(ioctl._IOC_TYPE(ioctl.TIOCGPTN)).toBe(0x54);
    expect(ioctl._IOC_NR(ioctl.TIOCGPTN)).toBe(0x30);
    expect(ioctl._IOC_SIZE(ioctl.TCGETS2)).toBe(44);
    expect(ioctl.TTY_STD_TERMIOS.c_cc.length).toBe(ioctl.NCCS);
  });
});

function ptyProgram(): string {
  const t = termiosLayout.fields;
  const w = winsizeLayout.fields;
  return `#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
static unsigned get32(const unsigned char *b, int o) { unsigned v; memcpy(&v, b + o, 4); return v; }
int main(void) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) || unlockpt(m)) { printf("error 1\\n"); return 0; }
  int s = open(ptsname(m), O_RDWR | O_NOCTTY);
  unsigned n = 0; ioctl(m, ${ioctl.TIOCGPTN}u, &n);
  printf("ptn %u\\nptsname %s\\n", n, ptsname(m));
  unsigned char t[${termiosLayout.sizeBytes}];
  printf("tcgets %d\\n", ioctl(s, ${ioctl.TCGETS}, t));
  printf("iflag %u\\noflag %u\\ncflag %u\\nlflag %u\\nline %u\\ncc", get32(t, ${t.c_iflag.offset}), get32(t, ${t.c_oflag.offset}),
         get32(t, ${t.c_cflag.offset}), get32(t, ${t.c_lflag.offset}), t[${t.c_line.offset}]);
  for (int i = 0; i < ${t.c_cc.sizeBytes}; i++) printf(" %u", t[${t.c_cc.offset} + i]);
  unsigned char ws[${winsizeLayout.sizeBytes}] = {0};
  unsigned short rows = 24, cols = 80;
  memcpy(ws + ${w.ws_row.offset}, &rows, 2); memcpy(ws + ${w.ws_col.offset}, &cols, 2);
  ioctl(m, ${ioctl.TIOCSWINSZ}, ws);
  struct winsize got; ioctl(s, TIOCGWINSZ, &got);
  printf("\\nws %u %u\\n", got.ws_row, got.ws_col);
  return 0;
}
`;
}

describe.skipIf(hostCUnavailable !== null)(
  `a pseudo-terminal of the running kernel ${hostCUnavailable ?? ''}`,
  () => {
    const k: Record<string, string> = {};
    beforeAll(() => {
      for (const line of runC(ptyProgram()).trim().split('\n')) {
        const [key, ...v] = line.split(' ');
        k[key] = v.join(' ');
      }
    });
    it('numbers the pty as TIOCGPTN reports', () => {
      expect(k.error).toBeUndefined();
      expect(k.ptsname).toBe(`/dev/pts/${k.ptn}`);
    });
    it('starts with the standard termios (a pty slave drops HUPCL)', (ctx) => {
      if (k.error !== undefined) ctx.skip('this host cannot open a pseudo-terminal (/dev/ptmx)');
      const std = ioctl.TTY_STD_TERMIOS;
      expect(Number(k.tcgets)).toBe(0);
      expect(Number(k.iflag)).toBe(std.c_iflag);
      expect(Number(k.oflag)).toBe(std.c_oflag);
      expect(Number(k.cflag)).toBe(std.c_cflag & ~ioctl.HUPCL);
      expect(Number(k.lflag)).toBe(std.c_lflag);
      expect(Number(k.line)).toBe(std.c_line);
      expect(k.cc.split(' ').map(Number)).toEqual([...std.c_cc]);
    });
    it('passes the window size from master to slave through our winsize offsets', (ctx) => {
      if (k.error !== undefined) ctx.skip('this host cannot open a pseudo-terminal (/dev/ptmx)');
      expect(k.ws).toBe('24 80');
    });
  },
);
