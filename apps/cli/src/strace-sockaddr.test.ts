// ipv6Text against glibc's inet_ntop (through python3's socket module) on addresses that exercise its
// rules: the longest zero run compressed (the first of equals), runs of one left alone, IPv4-mapped and
// IPv4-compatible addresses dotted.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ipv6Text } from './strace-sockaddr.js';

const ADDRESSES = [
  '::',
  '::1',
  '::ffff:127.0.0.1',
  '::0.0.0.2',
  '::ffff:0:1',
  'fe80::1',
  '1:0:0:1:0:0:0:1',
  '1:0:1:0:1:0:1:0',
  '2001:db8::',
  '1::',
  '0:0:1::',
  '1:2:3:4:5:6:7:8',
  'abcd:ef01::2345:0:0',
];

it('writes IPv6 addresses as inet_ntop does', () => {
  const script = `import socket, sys
for a in sys.argv[1:]:
    b = socket.inet_pton(socket.AF_INET6, a)
    print(b.hex(), socket.inet_ntop(socket.AF_INET6, b))`;
  const lines = execFileSync('python3', ['-c', script, ...ADDRESSES], { encoding: 'utf8' })
    .trim()
    .split('\n');
  for (const line of lines) {
    const [hex, text] = line.split(' ');
    expect(ipv6Text(Buffer.from(hex, 'hex'))).toBe(text);
  }
  expect(lines).toHaveLength(ADDRESSES.length);
});
