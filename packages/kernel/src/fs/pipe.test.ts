// Pipes against Linux pipes: the same random sequence of non-blocking writes, reads, FIONREAD, poll and
// closes runs on a real pipe2(O_NONBLOCK) of the host (through a python3 child, which calls the host kernel
// directly) and on kmOS's Pipe; byte counts, bytes, errnos and readiness must agree. Plus blocking
// behaviour (WouldBlock and wake-ups), which a non-blocking host pipe cannot show, checked against the rules.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PhysicalMemory } from '@kmos/abi-driver';
import {
  EFAULT,
  FIONREAD,
  O_NONBLOCK,
  O_RDONLY,
  O_WRONLY,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
} from '@kmos/abi-linux';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { KernelError } from '../kernel-error.js';
import { ROOT_CREDENTIALS } from './credentials.js';
import type { OpenFile } from './open-file.js';
import { Pipe, type PipeFile, type PipeUserMemory } from './pipe.js';
import { createTestMemory, PageKmalloc } from './testing/page-kmalloc.js';
import { outcome } from './testing/vfs-fixture.js';
import { Vfs } from './vfs.js';
import { isWouldBlock, WouldBlock } from './would-block.js';

type PipeOp =
  | { k: 'write'; n: number; seed: number }
  | { k: 'read'; n: number }
  | { k: 'fionread' }
  | { k: 'poll' }
  | { k: 'closeWriter' }
  | { k: 'closeReader' };

const sizeArb = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.integer({ min: 4000, max: 4200 }),
  fc.constantFrom(4095, 4096, 4097, 8192, 65536, 65537),
  fc.integer({ min: 0, max: 70000 }),
);

const pipeOpArb: fc.Arbitrary<PipeOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('write' as const),
      n: sizeArb,
      seed: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('read' as const), n: sizeArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fionread' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('poll' as const) }) },
  { weight: 1, arbitrary: fc.constantFrom({ k: 'closeWriter' as const }, { k: 'closeReader' as const }) },
);

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

const POLL_BITS = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;

const HOST_PIPE = `
import os, sys, json, fcntl, termios, select, array, errno
def run(ops):
  r, w = os.pipe2(os.O_NONBLOCK)
  out = []
  for op in ops:
      k = op['k']
      try:
          if k == 'write':
              if w is None: out.append('closed'); continue
              cycle = bytes(((i * 31 + op['seed']) & 255) for i in range(256))
              out.append(os.write(w, (cycle * (op['n'] // 256 + 1))[:op['n']]))
          elif k == 'read':
              if r is None: out.append('closed'); continue
              out.append(os.read(r, op['n']).hex())
          elif k == 'fionread':
              fd = r if r is not None else w
              if fd is None: out.append('closed'); continue
              buf = array.array('i', [0]); fcntl.ioctl(fd, termios.FIONREAD, buf); out.append(buf[0])
          elif k == 'poll':
              res = []
              for fd in (r, w):
                  if fd is None: res.append(None); continue
                  p = select.poll(); p.register(fd, select.POLLIN | select.POLLOUT | select.POLLRDNORM | select.POLLWRNORM); ev = p.poll(0)
                  res.append((ev[0][1] if ev else 0) & ${POLL_BITS})
              out.append(res)
          elif k == 'closeWriter':
              if w is None: out.append('closed'); continue
              os.close(w); w = None; out.append('ok')
          elif k == 'closeReader':
              if r is None: out.append('closed'); continue
              os.close(r); r = None; out.append('ok')
      except OSError as e:
          out.append(errno.errorcode[e.errno])
  for fd in (r, w):
    if fd is not None: os.close(fd)
  return out
for line in sys.stdin:
    print(json.dumps(run(json.loads(line))), flush=True)
`;

// One python3 for the whole file (it starts slowly): a sequence per line in, its results per line out.
const host = spawn('python3', ['-c', HOST_PIPE], { stdio: ['pipe', 'pipe', 'inherit'] });
const replies = createInterface({ input: host.stdout })[Symbol.asyncIterator]();
afterAll(() => void host.stdin.end());

async function onHostPipe(ops: PipeOp[]): Promise<unknown[]> {
  host.stdin.write(`${JSON.stringify(ops)}\n`);
  const reply = await replies.next();
  if (reply.done) throw new Error('python3 pipe oracle exited');
  return JSON.parse(reply.value);
}

const userMem = () => {
  const cells = new Map<number, Uint8Array>();
  return {
    copyIn: () => {},
    copyOut: (ptr: number, from: Uint8Array) => void cells.set(ptr, from.slice()),
    cells,
  };
};

async function onKmosPipe(ops: PipeOp[], kmalloc: PageKmalloc): Promise<unknown[]> {
  const vfs = new Vfs({
    clock: () => ({ sec: 0, nsec: 0 }),
    pipeMemory: { objects: kmalloc, memory: kmalloc.memory },
  });
  const ends = vfs.pipe(ROOT_CREDENTIALS, O_NONBLOCK) as [OpenFile | null, OpenFile | null];
  const out: unknown[] = [];
  for (const op of ops) {
    const [r, w] = ends;
    const result = await outcome(async () => {
      switch (op.k) {
        case 'write':
          return w ? await w.write(pattern(op.n, op.seed)) : 'closed';
        case 'read': {
          if (!r) return 'closed';
          const buf = new Uint8Array(op.n);
          const n = (await r.read(buf)) as number;
          return Buffer.from(buf.subarray(0, n)).toString('hex');
        }
        case 'fionread': {
          const end = r ?? w;
          if (!end) return 'closed';
          const mem = userMem();
          await end.ioctl(FIONREAD, 0x1000, mem);
          return Buffer.from(mem.cells.get(0x1000) as Uint8Array).readInt32LE(0);
        }
        case 'poll':
          return [r ? r.poll() : null, w ? w.poll() : null];
        case 'closeWriter':
        case 'closeReader': {
          const at = op.k === 'closeWriter' ? 1 : 0;
          const end = ends[at];
          if (!end) return 'closed';
          await end.close();
          ends[at] = null;
          return 'ok';
        }
      }
    });
    out.push(result.ok ? result.value : result.errno);
    const pipe = ((ends[0] ?? ends[1]) as PipeFile | null)?.pipe;
    if (pipe) expect(kmalloc.liveObjects).toBe(pipe.pagesHeld);
  }
  for (const end of ends) await end?.close();
  expect(kmalloc.liveObjects).toBe(0);
  return out;
}

describe('pipes against host pipes', () => {
  it('non-blocking sequences: counts, bytes, errnos, FIONREAD and poll bits as Linux', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pipeOpArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const kmalloc = new PageKmalloc(createTestMemory(32));
        expect(await onKmosPipe(ops, kmalloc)).toEqual(await onHostPipe(ops));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('blocking pipes', () => {
  const setup = () => {
    const kmalloc = new PageKmalloc(createTestMemory(32));
    return new Pipe({ objects: kmalloc, memory: kmalloc.memory });
  };

  it('an empty pipe with a writer makes readers wait, and a write wakes them', () => {
    const pipe = setup();
    pipe.openEnd(true, false);
    pipe.openEnd(false, true);
    const r = pipe.read(new Uint8Array(10), false);
    expect(r).toBeInstanceOf(WouldBlock);
    let woken = 0;
    (r as WouldBlock).queue.add(() => woken++);
    expect(pipe.write(pattern(5, 1), false)).toBe(5);
    expect(woken).toBe(1);
    const buf = new Uint8Array(10);
    expect(pipe.read(buf, false)).toBe(5);
    expect([...buf.subarray(0, 5)]).toEqual([...pattern(5, 1)]);
  });

  it('a full pipe makes a small write wait whole (PIPE_BUF atomicity) and a read wakes it', () => {
    const pipe = setup();
    pipe.openEnd(true, false);
    pipe.openEnd(false, true);
    for (let i = 0; i < 16; i++) expect(pipe.write(pattern(4096, i), false)).toBe(4096);
    const w = pipe.write(pattern(100, 0), false);
    expect(isWouldBlock(w)).toBe(true);
    let woken = 0;
    (w as WouldBlock).queue.add(() => woken++);
    expect(pipe.read(new Uint8Array(4096), false)).toBe(4096);
    expect(woken).toBe(1);
    expect(pipe.write(pattern(100, 0), false)).toBe(100);
  });

  it('the last writer closing wakes readers, who then see end of file', () => {
    const pipe = setup();
    pipe.openEnd(true, false);
    pipe.openEnd(false, true);
    let woken = 0;
    (pipe.read(new Uint8Array(1), false) as WouldBlock).queue.add(() => woken++);
    pipe.closeEnd(false, true);
    expect(woken).toBe(1);
    expect(pipe.read(new Uint8Array(1), false)).toBe(0);
  });
});

describe('read(2) and write(2) on user memory', () => {
  /**
   * A user space of `size` bytes beside the pipe's RAM in which every address from `faultAt` on is EFAULT;
   * a copy moves the bytes before the bad address and then throws, as usercopy does.
   */
  const userSpace = (memory: PhysicalMemory, size: number, faultAt: number) => {
    const bytes = new Uint8Array(size);
    const good = (ptr: number, n: number) => Math.max(0, Math.min(n, faultAt - ptr));
    const mem: PipeUserMemory = {
      copyInToPhys(ptr, phys, n) {
        memory.u8.set(bytes.subarray(ptr, ptr + good(ptr, n)), phys);
        if (good(ptr, n) < n) throw new KernelError(EFAULT);
      },
      copyOutFromPhys(ptr, phys, n) {
        bytes.set(memory.u8.subarray(phys, phys + good(ptr, n)), ptr);
        if (good(ptr, n) < n) throw new KernelError(EFAULT);
      },
    };
    return { bytes, mem };
  };

  it('regression: a bad user page ends the copy, the pages before it move, and EFAULT leaks no pipe page', async () => {
    const kmalloc = new PageKmalloc(createTestMemory(32));
    const pipe = new Pipe({ objects: kmalloc, memory: kmalloc.memory });
    pipe.openEnd(true, true);
    const { bytes, mem } = userSpace(kmalloc.memory, 0x4000, 0x2800);
    const data = pattern(0x4000, 3);
    bytes.set(data);
    // The third pipe page would take user bytes 0x2000..0x3000, which fault at 0x2800: two pages go in.
    expect(pipe.writeFromUser(mem, 0, 0x3000, false)).toBe(0x2000);
    expect(pipe.available).toBe(0x2000);
    expect(kmalloc.liveObjects).toBe(pipe.pagesHeld);
    // Out again to 0x1800: the first page fits before the fault, the second does not and stays in the pipe.
    expect(pipe.readToUser(mem, 0x1800, 0x2000, false)).toBe(0x1000);
    expect(Buffer.compare(bytes.subarray(0x1800, 0x2800), data.subarray(0, 0x1000))).toBe(0);
    expect(pipe.available).toBe(0x1000);
    const efault = { ok: false, errno: 'EFAULT' };
    expect(await outcome(() => pipe.readToUser(mem, 0x2800, 0x100, false))).toEqual(efault);
    expect(await outcome(() => pipe.writeFromUser(mem, 0x2800, 0x100, false))).toEqual(efault);
    expect(pipe.available).toBe(0x1000);
    expect(kmalloc.liveObjects).toBe(pipe.pagesHeld);
    const rest = new Uint8Array(0x1000);
    expect(pipe.read(rest, false)).toBe(0x1000);
    expect(Buffer.compare(rest, data.subarray(0x1000, 0x2000))).toBe(0);
  });
});

describe('FIFOs', () => {
  it('open for reading waits for a writer; O_NONBLOCK write-only open without a reader is ENXIO', async () => {
    const { tmpfsFixture } = await import('./testing/vfs-fixture.js');
    const { vfs, ctx } = tmpfsFixture();
    await vfs.mknod(ctx, null, '/fifo', 0o010644);
    expect(await outcome(() => vfs.open(ctx, null, '/fifo', O_WRONLY | O_NONBLOCK))).toEqual({
      ok: false,
      errno: 'ENXIO',
    });
    const reader = await vfs.open(ctx, null, '/fifo', O_RDONLY);
    expect(reader.openWait()).toBeInstanceOf(WouldBlock);
    const writer = await vfs.open(ctx, null, '/fifo', O_WRONLY);
    expect(reader.openWait()).toBeNull();
    expect(writer.openWait()).toBeNull();
    expect(await writer.write(pattern(3, 9))).toBe(3);
    const buf = new Uint8Array(8);
    expect(await reader.read(buf)).toBe(3);
    await writer.close();
    expect(await reader.read(buf)).toBe(0);
    await reader.close();
  });
});
