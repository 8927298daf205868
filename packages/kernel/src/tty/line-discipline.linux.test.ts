// The line discipline against the host's own N_TTY: each case types the same keys, with the same termios,
// into a fresh pseudo-terminal of the running Linux kernel (through a python3 child: openpty, tcsetattr,
// keys written to the master) and into a LineDiscipline; the echo the master sees and the successive
// reads of the slave (until it has nothing more) must agree byte for byte. Skipped without python3 or
// off Linux. Signals are left out: the pty here has no foreground group, so Linux sends none.
import { spawnSync } from 'node:child_process';
import {
  ECHO,
  ECHOCTL,
  ECHOE,
  ECHOKE,
  ECHONL,
  ICANON,
  ICRNL,
  IGNCR,
  INLCR,
  ISTRIP,
  NOFLSH,
  VMIN,
} from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { defaultTermios, LineDiscipline } from './line-discipline.js';

const PYTHON = `
import json, os, pty, sys, termios, time, fcntl
results = []
for case in json.loads(sys.stdin.read()):
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[0] = case['iflag']; attrs[1] = case['oflag']; attrs[3] = case['lflag']
    for i, v in case['cc'].items():
        attrs[6][int(i)] = v if int(i) in (termios.VMIN, termios.VTIME) else bytes([v])
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    os.write(master, case['keys'].encode('latin-1'))
    time.sleep(0.15)
    fcntl.fcntl(slave, fcntl.F_SETFL, os.O_NONBLOCK)
    fcntl.fcntl(master, fcntl.F_SETFL, os.O_NONBLOCK)
    reads = []
    while len(reads) < 20:
        try:
            reads.append(os.read(slave, 4096).decode('latin-1'))
        except BlockingIOError:
            break
    try:
        echo = os.read(master, 65536).decode('latin-1')
    except BlockingIOError:
        echo = ''
    results.append({'reads': reads, 'echo': echo})
    os.close(master); os.close(slave)
print(json.dumps(results))
`;

interface Case {
  readonly name: string;
  readonly keys: string;
  readonly change?: { iflag?: number; lflagOff?: number; lflagOn?: number; cc?: Record<number, number> };
}

const std = defaultTermios();
const CASES: Case[] = [
  { name: 'a line ended by CR (ICRNL)', keys: 'hello\r' },
  { name: 'two lines and a partial one', keys: 'ab\ncd\nef' },
  { name: 'erase with ECHOE', keys: 'abx\x7fc\n' },
  { name: 'erase of a ^A shown as two columns', keys: 'a\x01\x7f\n' },
  { name: 'erase at the start of a line', keys: '\x7f\x7fz\n' },
  { name: 'erase without ECHOE', keys: 'ab\x7f\n', change: { lflagOff: ECHOE } },
  { name: 'kill with ECHOKE', keys: 'abc\x15xy\n' },
  { name: 'kill without ECHOKE', keys: 'abc\x15x\n', change: { lflagOff: ECHOKE } },
  { name: 'word erase', keys: 'echo foo  \x17bar\n' },
  { name: 'word erase over punctuation', keys: 'cd /usr/lib/\x17\n' },
  { name: 'EOF after text and at a line start', keys: 'abc\x04\x04' },
  { name: 'ECHONL without ECHO', keys: 'secret\r', change: { lflagOff: ECHO, lflagOn: ECHONL } },
  { name: 'control characters without ECHOCTL', keys: 'a\x01\n', change: { lflagOff: ECHOCTL } },
  { name: 'IGNCR', keys: 'a\rb\n', change: { iflag: std.c_iflag | IGNCR } },
  { name: 'no ICRNL', keys: 'a\rb\n', change: { iflag: std.c_iflag & ~ICRNL } },
  { name: 'INLCR, raw', keys: 'x\n', change: { iflag: std.c_iflag | INLCR, lflagOff: ICANON } },
  { name: 'ISTRIP', keys: '\xe1\n', change: { iflag: std.c_iflag | ISTRIP } },
  { name: 'raw with echo, VMIN 1', keys: 'a\x7f\x15\r', change: { lflagOff: ICANON, cc: { [VMIN]: 1 } } },
  { name: '^C echoed and flushing', keys: 'half\x03rest\n' },
  { name: '^\\ with NOFLSH', keys: 'abc\x1c\n', change: { lflagOn: NOFLSH } },
];

function onLinux(cases: readonly Case[]): { reads: string[]; echo: string }[] | null {
  if (process.platform !== 'linux') return null;
  const input = cases.map((c) => {
    const lflag = (std.c_lflag & ~(c.change?.lflagOff ?? 0)) | (c.change?.lflagOn ?? 0);
    return {
      keys: c.keys,
      iflag: c.change?.iflag ?? std.c_iflag,
      oflag: std.c_oflag,
      lflag,
      cc: c.change?.cc ?? {},
    };
  });
  const r = spawnSync('python3', ['-c', PYTHON], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.status === 0 ? JSON.parse(r.stdout) : null;
}

function onKmos(c: Case): { reads: string[]; echo: string } {
  const t = defaultTermios();
  if (c.change?.iflag !== undefined) t.c_iflag = c.change.iflag;
  t.c_lflag = (t.c_lflag & ~(c.change?.lflagOff ?? 0)) | (c.change?.lflagOn ?? 0);
  for (const [i, v] of Object.entries(c.change?.cc ?? {})) t.c_cc[Number(i)] = v;
  let echo = '';
  const ld = new LineDiscipline(t, {
    echo: (b) => (echo += Buffer.from(b).toString('latin1')),
    signal: () => {},
  });
  ld.receive(Buffer.from(c.keys, 'latin1'));
  const reads: string[] = [];
  const buf = new Uint8Array(4096);
  for (let n = ld.read(buf); n !== null && reads.length < 20; n = ld.read(buf)) {
    reads.push(Buffer.from(buf.subarray(0, n)).toString('latin1'));
  }
  return { reads, echo };
}

const linux = onLinux(CASES);

describe.skipIf(linux === null)('the line discipline against Linux N_TTY (a host pty)', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    expect(onKmos(CASES[i])).toEqual(linux?.[i]);
  });
});
