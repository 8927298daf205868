// TCP and UDP over loopback against Linux's (net/testing/socket-pair-oracle.ts): the same random
// non-blocking sequences run on a host pair and on a kmOS pair, and counts, bytes, errnos, FIONREAD and
// poll bits must agree. A TCP pair is a connection (connect + accept on 127.0.0.1, TCP_NODELAY so Nagle
// holds nothing back): resets, EPIPE, ENOTCONN after both FINs. A UDP pair is two sockets bound on
// 127.0.0.1 and connected to each other: truncation, ECONNREFUSED once the peer is gone. Every kmalloc'd
// byte is freed and every port returned once both ends are closed.
import { AF_INET, SOCK_DGRAM, SOCK_STREAM } from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestMemory, PageKmalloc } from '../../fs/testing/page-kmalloc.js';
import { TrafficCounter } from '../interfaces.js';
import type { Socket } from '../socket.js';
import { HostSocketPairs, opsArb, runOnKmos, TEST_CALLER } from '../testing/socket-pair-oracle.js';
import { inetAddressBytes, LOOPBACK4 } from './inet-address.js';
import { InetPorts, type PortOwner } from './inet-ports.js';
import type { InetEnvironment, InetSocket } from './inet-socket.js';
import { TcpSocket } from './tcp-socket.js';
import { UdpSocket } from './udp-socket.js';

const host = new HostSocketPairs(`
def make_pair(kind):
  if kind == socket.SOCK_STREAM:
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); l.close()
    for x in (c, s): x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return [c, s]
  a = socket.socket(socket.AF_INET, kind); a.bind(('127.0.0.1', 0))
  b = socket.socket(socket.AF_INET, kind); b.bind(('127.0.0.1', 0))
  a.connect(b.getsockname()); b.connect(a.getsockname())
  return [a, b]
`);
afterAll(() => host.close());

const LOOPBACK_ANY_PORT = inetAddressBytes({ ip: LOOPBACK4, port: 0 }, AF_INET);

/** A connection: the connecting socket, then the accepted one. */
function tcpPair(env: InetEnvironment): Socket[] {
  const listener = new TcpSocket(AF_INET, env);
  listener.bind(LOOPBACK_ANY_PORT, TEST_CALLER);
  listener.listen(1, TEST_CALLER);
  const client = new TcpSocket(AF_INET, env);
  if (client.connect(listener.localAddress(), TEST_CALLER, false) !== null) throw new Error('connect waited');
  const accepted = listener.accept(true);
  if (!(accepted instanceof TcpSocket)) throw new Error('nothing to accept');
  listener.release();
  return [client, accepted];
}

function udpPair(env: InetEnvironment): Socket[] {
  const pair = [new UdpSocket(AF_INET, env), new UdpSocket(AF_INET, env)];
  for (const s of pair) s.bind(LOOPBACK_ANY_PORT, TEST_CALLER);
  const [a, b] = pair;
  a.connect(b.localAddress(), TEST_CALLER);
  b.connect(a.localAddress(), TEST_CALLER);
  return pair;
}

describe.each([
  ['TCP connections', SOCK_STREAM, tcpPair],
  ['UDP socket pairs', SOCK_DGRAM, udpPair],
])('%s against host loopback sockets', (_name, kind, makePair) => {
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
        const kmos = await runOnKmos(makePair(env), ops);
        expect(kmalloc.liveObjects).toBe(0);
        expect(env.live.size).toBe(0);
        expect([...env.tcp.all(), ...env.udp.all()]).toEqual([]);
        expect(kmos).toEqual(await host.run(kind, ops));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
