// AF_UNIX socket pairs against Linux's: the same random sequence of non-blocking sends, receives (plain or
// MSG_PEEK), FIONREAD, poll, shutdowns and closes runs on a host socketpair (through a python3
// child, which calls the host kernel directly) and on kmOS's UnixSocket pair, for stream, seqpacket and
// datagram pairs; counts, bytes, errnos and readiness must agree. Messages stay small enough that neither
// side's send buffer fills (the two account buffer space differently). Every kmalloc'd byte is freed once
// both ends are closed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  MSG_PEEK,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDHUP,
  POLLRDNORM,
  POLLWRNORM,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestMemory, PageKmalloc } from '../../fs/testing/page-kmalloc.js';
import { outcome } from '../../fs/testing/vfs-fixture.js';
import type { Vfs } from '../../fs/vfs.js';
import type { SocketCaller } from '../socket.js';
import { UnixNamespace } from './unix-namespace.js';
import { UnixSocket } from './unix-socket.js';

type End = 0 | 1;
type SocketOp =
  | { k: 'send'; end: End; n: number; seed: number }
  | { k: 'recv'; end: End; n: number; flags: number }
  | { k: 'fionread'; end: End }
  | { k: 'poll'; end: End }
  | { k: 'shutdown'; end: End; how: 0 | 1 | 2 }
  | { k: 'close'; end: End };

const endArb = fc.constantFrom<End>(0, 1);
const sizeArb = fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 512 }));

const opArb: fc.Arbitrary<SocketOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('send' as const),
      end: endArb,
      n: sizeArb,
      seed: fc.integer({ min: 0, max: 255 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('recv' as const),
      end: endArb,
      // Python answers recv(0) itself, without asking the kernel.
      n: sizeArb.filter((n) => n > 0),
      flags: fc.constantFrom(0, 0, MSG_PEEK),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fionread' as const), end: endArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('poll' as const), end: endArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('shutdown' as const),
      end: endArb,
      how: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('close' as const), end: endArb }) },
);

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

const POLL_BITS = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM | POLLRDHUP;

const HOST_SOCKETS = `
import os, sys, json, fcntl, termios, select, array, errno, socket
def run(kind, ops):
  pair = list(socket.socketpair(socket.AF_UNIX, kind))
  for s in pair: s.setblocking(False)
  out = []
  for op in ops:
      s = pair[op['end']]
      k = op['k']
      if s is None: out.append('closed'); continue
      try:
          if k == 'send':
              cycle = bytes(((i * 31 + op['seed']) & 255) for i in range(256))
              out.append(s.send((cycle * (op['n'] // 256 + 1))[:op['n']], socket.MSG_NOSIGNAL))
          elif k == 'recv':
              data = s.recv(op['n'], op['flags'])
              out.append(data.hex())
          elif k == 'fionread':
              buf = array.array('i', [0]); fcntl.ioctl(s.fileno(), termios.FIONREAD, buf); out.append(buf[0])
          elif k == 'poll':
              p = select.poll(); p.register(s.fileno(), ${POLL_BITS}); ev = p.poll(0)
              out.append((ev[0][1] if ev else 0) & ${POLL_BITS})
          elif k == 'shutdown':
              s.shutdown(op['how']); out.append('ok')
          elif k == 'close':
              s.close(); pair[op['end']] = None; out.append('ok')
      except OSError as e:
          out.append(errno.errorcode[e.errno])
  for s in pair:
    if s is not None: s.close()
  return out
for line in sys.stdin:
    req = json.loads(line)
    print(json.dumps(run(req['kind'], req['ops'])), flush=True)
`;

// One python3 for the whole file: a sequence per line in, its results per line out.
const host = spawn('python3', ['-c', HOST_SOCKETS], { stdio: ['pipe', 'pipe', 'inherit'] });
const replies = createInterface({ input: host.stdout })[Symbol.asyncIterator]();
afterAll(() => void host.stdin.end());

async function onHost(kind: number, ops: SocketOp[]): Promise<unknown[]> {
  host.stdin.write(`${JSON.stringify({ kind, ops })}\n`);
  const reply = await replies.next();
  if (reply.done) throw new Error('python3 socket oracle exited');
  return JSON.parse(reply.value);
}

const CREDS = { pid: 1, uid: 0, gid: 0 };
const CALLER = { ctx: null, creds: CREDS, messageCreds: CREDS } as unknown as SocketCaller;

async function onKmos(kind: number, ops: SocketOp[], kmalloc: PageKmalloc): Promise<unknown[]> {
  const env = {
    names: new UnixNamespace<UnixSocket>({} as Vfs),
    memory: { objects: kmalloc, memory: kmalloc.memory },
    live: new Set<UnixSocket>(),
  };
  const pair: (UnixSocket | null)[] = UnixSocket.pair(kind, env, CREDS);
  const out: unknown[] = [];
  for (const op of ops) {
    const s = pair[op.end];
    if (!s) {
      out.push('closed');
      continue;
    }
    const result = await outcome(async () => {
      switch (op.k) {
        case 'send': {
          const request = {
            data: pattern(op.n, op.seed),
            to: null,
            rights: null,
            creds: null,
            flags: 0,
            nonBlocking: true,
          };
          return await s.send(request, CALLER);
        }
        case 'recv': {
          const buf = new Uint8Array(op.n);
          const got = s.receive(buf, op.flags, true);
          if (!('bytes' in got)) throw new Error('a non-blocking receive waited');
          return Buffer.from(buf.subarray(0, got.bytes)).toString('hex');
        }
        case 'fionread':
          return s.readableBytes;
        case 'poll':
          return s.poll() & POLL_BITS;
        case 'shutdown':
          s.shutdown(op.how);
          return 'ok';
        case 'close':
          s.release();
          pair[op.end] = null;
          return 'ok';
      }
    });
    out.push(result.ok ? result.value : result.errno);
  }
  for (const s of pair) s?.release();
  expect(kmalloc.liveObjects).toBe(0);
  expect(env.live.size).toBe(0);
  return out;
}

describe.each([
  ['stream', SOCK_STREAM],
  ['seqpacket', SOCK_SEQPACKET],
  ['datagram', SOCK_DGRAM],
])('%s socket pairs against host socket pairs', (_name, kind) => {
  it('non-blocking sequences: counts, bytes, errnos, FIONREAD and poll bits as Linux', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const kmalloc = new PageKmalloc(createTestMemory(64));
        expect(await onKmos(kind, ops, kmalloc)).toEqual(await onHost(kind, ops));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
