// AF_UNIX socket pairs against Linux's (net/testing/socket-pair-oracle.ts): random non-blocking sequences
// on a host socketpair and on kmOS's UnixSocket pair, for stream, seqpacket and datagram pairs; counts,
// bytes, errnos and readiness must agree. Every kmalloc'd byte is freed once both ends are closed.
import { SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM } from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestMemory, PageKmalloc } from '../../fs/testing/page-kmalloc.js';
import type { Vfs } from '../../fs/vfs.js';
import { HostSocketPairs, opsArb, runOnKmos, TEST_CALLER } from '../testing/socket-pair-oracle.js';
import { UnixNamespace } from './unix-namespace.js';
import { UnixSocket } from './unix-socket.js';

const host = new HostSocketPairs('def make_pair(kind): return list(socket.socketpair(socket.AF_UNIX, kind))');
afterAll(() => host.close());

describe.each([
  ['stream', SOCK_STREAM],
  ['seqpacket', SOCK_SEQPACKET],
  ['datagram', SOCK_DGRAM],
])('%s socket pairs against host socket pairs', (_name, kind) => {
  it('non-blocking sequences: counts, bytes, errnos, FIONREAD and poll bits as Linux', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, async (ops) => {
        const kmalloc = new PageKmalloc(createTestMemory(64));
        const env = {
          names: new UnixNamespace<UnixSocket>({} as Vfs),
          memory: { objects: kmalloc, memory: kmalloc.memory },
          live: new Set<UnixSocket>(),
        };
        const kmos = await runOnKmos(UnixSocket.pair(kind, env, TEST_CALLER.creds), ops);
        expect(kmalloc.liveObjects).toBe(0);
        expect(env.live.size).toBe(0);
        expect(kmos).toEqual(await host.run(kind, ops));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
