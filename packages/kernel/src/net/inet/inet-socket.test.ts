// TCP and UDP over loopback (IPv4 and IPv6) against Linux's (net/testing/socket-pair-oracle.ts): the same random
// non-blocking sequences run on a host pair and on a kmOS pair, and counts, bytes, errnos, FIONREAD and
// poll bits must agree. A TCP pair is a connection (connect + accept on 127.0.0.1, TCP_NODELAY so Nagle
// holds nothing back): resets, EPIPE, ENOTCONN after both FINs. A UDP pair is two sockets bound on
// 127.0.0.1 and connected to each other: truncation, ECONNREFUSED once the peer is gone. Every kmalloc'd
// byte is freed and every port returned once both ends are closed.
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM } from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestMemory, PageKmalloc } from '../../fs/testing/page-kmalloc.js';
import { TrafficCounter } from '../interfaces.js';
import type { Socket } from '../socket.js';
import { HostSocketPairs, opsArb, runOnKmos, TEST_CALLER } from '../testing/socket-pair-oracle.js';
import { inetAddressBytes, LOOPBACK4, LOOPBACK6 } from './inet-address.js';
import { InetPorts, type PortOwner } from './inet-ports.js';
import type { InetEnvironment, InetSocket } from './inet-socket.js';
import { TcpSocket } from './tcp-socket.js';
import { UdpSocket } from './udp-socket.js';

const host = new HostSocketPairs(`
def make_pair(kind):
  family, type_, address = kind
  if type_ == socket.SOCK_STREAM:
    l = socket.socket(family); l.bind((address, 0)); l.listen(1)
    c = socket.socket(family); c.connect(l.getsockname()); s, _ = l.accept(); l.close()
    for x in (c, s): x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return [c, s]
  a = socket.socket(family, type_); a.bind((address, 0))
  b = socket.socket(family, type_); b.bind((address, 0))
  a.connect(b.getsockname()); b.connect(a.getsockname())
  return [a, b]
`);
afterAll(() => host.close());

/** What a pair is: its family and type, and the loopback address its sockets bind to. */
type PairKind = readonly [family: number, type: number, address: string];

function loopbackAnyPort(family: number): Uint8Array {
  return inetAddressBytes({ ip: family === AF_INET ? LOOPBACK4 : LOOPBACK6, port: 0 }, family);
}

/** A connection: the connecting socket, then the accepted one. */
function tcpPair(env: InetEnvironment, family: number): Socket[] {
  const listener = new TcpSocket(family, env);
  listener.bind(loopbackAnyPort(family), TEST_CALLER);
  listener.listen(1, TEST_CALLER);
  const client = new TcpSocket(family, env);
  if (client.connect(listener.localAddress(), TEST_CALLER, false) !== null) throw new Error('connect waited');
  const accepted = listener.accept(true);
  if (!(accepted instanceof TcpSocket)) throw new Error('nothing to accept');
  listener.release();
  return [client, accepted];
}

function udpPair(env: InetEnvironment, family: number): Socket[] {
  const pair = [new UdpSocket(family, env), new UdpSocket(family, env)];
  for (const s of pair) s.bind(loopbackAnyPort(family), TEST_CALLER);
  const [a, b] = pair;
  a.connect(b.localAddress(), TEST_CALLER);
  b.connect(a.localAddress(), TEST_CALLER);
  return pair;
}

const PAIRS: [string, PairKind, typeof tcpPair][] = [
  ['TCP connections on 127.0.0.1', [AF_INET, SOCK_STREAM, '127.0.0.1'], tcpPair],
  ['UDP socket pairs on 127.0.0.1', [AF_INET, SOCK_DGRAM, '127.0.0.1'], udpPair],
  ['TCP connections on ::1', [AF_INET6, SOCK_STREAM, '::1'], tcpPair],
  ['UDP socket pairs on ::1', [AF_INET6, SOCK_DGRAM, '::1'], udpPair],
];

describe.each(PAIRS)('%s against the host', (_name, kind, makePair) => {
  it('non-blocking sequences: counts, bytes, errnos, FIONREAD and poll bits as Linux', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, async (ops) => {
        const kmalloc = new PageKmalloc(createTestMemory(64));
        const env = {
          tcp: new InetPorts<PortOwner>(),
          udp: new InetPorts<PortOwner>(),
          memory: { objects: kmalloc, memory: kmalloc.memory },
          live: new Set<InetSocket>(),
          loopback: new TrafficCounter(),
        };
        const kmos = await runOnKmos(makePair(env, kind[0]), ops);
        expect(kmalloc.liveObjects).toBe(0);
        expect(env.live.size).toBe(0);
        expect([...env.tcp.all(), ...env.udp.all()]).toEqual([]);
        expect(kmos).toEqual(await host.run(kind, ops));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
