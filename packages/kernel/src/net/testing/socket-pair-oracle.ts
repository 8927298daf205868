/**
 * Test support: a connected pair of sockets against the host's. The same random sequence of non-blocking
 * sends, receives (plain or MSG_PEEK), FIONREAD, poll, shutdowns and closes runs on a host pair (through a
 * python3 child, which calls the host kernel directly) and on a kmOS pair; each family's test says how the
 * pair is made on both sides and compares the results. Messages stay small enough that no send buffer
 * fills (Linux and kmOS account buffer space differently). Layer: kernel net tests only.
 */
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
} from '@kmos/abi-linux';
import fc from 'fast-check';
import { outcome } from '../../fs/testing/vfs-fixture.js';
import type { Socket, SocketCaller } from '../socket.js';

type End = 0 | 1;
export type SocketOp =
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

/** Sequences of 1 to 30 operations. */
export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 30 });

const POLL_BITS = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM | POLLRDHUP;

/** `make_pair(kind)` in `pairPython` returns the two connected host sockets; `kind` is the test's, as JSON. */
function hostScript(pairPython: string): string {
  return `
import os, sys, json, fcntl, termios, select, array, errno, socket
${pairPython}
def run(kind, ops):
  pair = make_pair(kind)
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
}

/** One python3 for a test file: a sequence per line in, its results per line out. */
export class HostSocketPairs {
  private readonly child;
  private readonly replies;

  constructor(pairPython: string) {
    this.child = spawn('python3', ['-c', hostScript(pairPython)], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.replies = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async run(kind: unknown, ops: readonly SocketOp[]): Promise<unknown[]> {
    this.child.stdin.write(`${JSON.stringify({ kind, ops })}\n`);
    const reply = await this.replies.next();
    if (reply.done) throw new Error('python3 socket oracle exited');
    return JSON.parse(reply.value);
  }

  close(): void {
    this.child.stdin.end();
  }
}

const CREDS = { pid: 1, uid: 0, gid: 0 };
export const TEST_CALLER = { ctx: null, creds: CREDS, messageCreds: CREDS } as unknown as SocketCaller;

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Runs `ops` on a kmOS pair as the host script does (every call non-blocking); closes what is left. */
export async function runOnKmos(pair: (Socket | null)[], ops: readonly SocketOp[]): Promise<unknown[]> {
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
          return await s.send(request, TEST_CALLER);
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
  return out;
}
