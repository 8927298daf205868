/**
 * Waiting for several files: poll, ppoll, select (_newselect) and pselect6. Readiness comes from each open
 * file's poll(); the thread sleeps on every file's wait queue at once until one is ready, the timeout passes
 * (guest time) or a signal arrives. Layer: kernel syscall handlers, over fs/open-file.ts.
 */
import {
  EBADF,
  EINVAL,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  pollfdLayout,
} from '@kmos/abi-linux';
import type { OpenFile } from '../../fs/open-file.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Thread } from '../../proc/thread.js';
import { notRestartedAfterHandler, sleepUntil } from '../../sched/sleep.js';
import type { WaitQueue } from '../../sched/wait-queue.js';
import type { SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';
import { readTimespecNs } from './time.js';

const FD_SETSIZE = 1024;
const POLL_ALWAYS = POLLERR | POLLHUP | POLLNVAL;
const SELECT_READ = POLLIN | POLLHUP | POLLERR;
const SELECT_WRITE = POLLOUT | POLLERR;
const SELECT_EXCEPT = POLLPRI;

interface Watched {
  readonly file: OpenFile | null;
  readonly events: number;
}

/** Sleeps until `check()` finds something ready or the deadline passes; returns the final check. */
async function waitReady(
  k: Kernel,
  t: Thread,
  watched: readonly Watched[],
  check: () => number,
  deadlineNs: number | null,
): Promise<number> {
  const first = check();
  if (first > 0 || deadlineNs === 0) return first;
  const queues = watched.map((w) => w.file?.waitQueue).filter((q): q is WaitQueue => !!q);
  await notRestartedAfterHandler(
    sleepUntil(
      t,
      k.clock,
      queues,
      () => check() > 0,
      deadlineNs === null ? null : k.clock.nowNs() + deadlineNs,
    ),
  );
  return check();
}

async function poll(
  k: Kernel,
  t: Thread,
  fdsPtr: number,
  nfds: number,
  timeoutNs: number | null,
): Promise<number> {
  if (nfds > t.process.files.maxFds) throw new KernelError(EINVAL);
  const size = pollfdLayout.sizeBytes;
  const F = pollfdLayout.fields;
  const view = nfds > 0 ? readUser(t, fdsPtr, nfds * size) : new DataView(new ArrayBuffer(0));
  const watched: Watched[] = [];
  for (let i = 0; i < nfds; i++) {
    const fd = view.getInt32(i * size + F.fd.offset, true);
    const events = view.getUint16(i * size + F.events.offset, true);
    watched.push({
      file: fd >= 0 && t.process.files.has(fd) ? t.process.files.get(fd) : null,
      events: fd < 0 ? -1 : events,
    });
  }
  const revents = new Uint16Array(nfds);
  const check = () => {
    let ready = 0;
    watched.forEach((w, i) => {
      if (w.events === -1) revents[i] = 0;
      else revents[i] = w.file ? w.file.poll() & (w.events | POLL_ALWAYS) : POLLNVAL;
      if (revents[i]) ready++;
    });
    return ready;
  };
  const ready = await waitReady(k, t, watched, check, timeoutNs);
  if (nfds > 0) {
    const { bytes, view: out } = struct(nfds * size);
    bytes.set(new Uint8Array(view.buffer, view.byteOffset, nfds * size));
    revents.forEach((r, i) => {
      out.setUint16(i * size + F.revents.offset, r, true);
    });
    writeUser(t, fdsPtr, bytes);
  }
  return ready;
}

function readFdSet(t: Thread, ptr: number, n: number): Uint32Array | null {
  if (ptr === 0) return null;
  const words = Math.ceil(n / 32);
  const v = readUser(t, ptr, words * 4);
  return Uint32Array.from({ length: words }, (_, i) => v.getUint32(i * 4, true));
}

async function select(
  k: Kernel,
  t: Thread,
  n: number,
  rd: number,
  wr: number,
  ex: number,
  timeoutNs: number | null,
): Promise<number> {
  if (signed(n) < 0 || n > FD_SETSIZE) throw new KernelError(EINVAL);
  const sets = [readFdSet(t, rd, n), readFdSet(t, wr, n), readFdSet(t, ex, n)];
  const masks = [SELECT_READ, SELECT_WRITE, SELECT_EXCEPT];
  const watched: Watched[] = [];
  const fds: number[] = [];
  for (let fd = 0; fd < n; fd++) {
    if (!sets.some((s) => s && s[fd >>> 5]! & (1 << (fd & 31)))) continue;
    if (!t.process.files.has(fd)) throw new KernelError(EBADF);
    fds.push(fd);
    watched.push({ file: t.process.files.get(fd), events: 0 });
  }
  const results = sets.map((s) => (s ? new Uint32Array(s.length) : null));
  const check = () => {
    let count = 0;
    for (const r of results) r?.fill(0);
    fds.forEach((fd, i) => {
      const mask = watched[i]!.file!.poll();
      sets.forEach((s, which) => {
        if (s && s[fd >>> 5]! & (1 << (fd & 31)) && mask & masks[which]!) {
          results[which]![fd >>> 5]! |= 1 << (fd & 31);
          count++;
        }
      });
    });
    return count;
  };
  const count = await waitReady(k, t, watched, check, timeoutNs);
  [rd, wr, ex].forEach((ptr, which) => {
    const r = results[which];
    if (ptr !== 0 && r) writeUser(t, ptr, new Uint8Array(r.buffer));
  });
  return count;
}

function timevalNs(t: Thread, ptr: number): number | null {
  if (ptr === 0) return null;
  const v = readUser(t, ptr, 8);
  const sec = v.getInt32(0, true);
  const usec = v.getInt32(4, true);
  if (sec < 0 || usec < 0 || usec >= 1e6) throw new KernelError(EINVAL);
  return sec * 1e9 + usec * 1000;
}

/** A signal mask installed for the duration of ppoll/pselect6/epoll_pwait, restored when it returns. */
export async function withMask<T>(k: Kernel, t: Thread, maskPtr: number, body: () => Promise<T>): Promise<T> {
  if (maskPtr === 0) return body();
  const v = readUser(t, maskPtr, 8);
  const old = { lo: t.sigBlockedLo, hi: t.sigBlockedHi };
  k.signals.setBlocked(t, v.getUint32(0, true), v.getUint32(4, true));
  try {
    return await body();
  } catch (error) {
    // A handler must run with the caller's mask, restored by its sigreturn.
    t.savedSigmask = old;
    throw error;
  } finally {
    if (!t.savedSigmask) k.signals.setBlocked(t, old.lo, old.hi);
  }
}

export function pollSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const msToNs = (ms: number) => (signed(ms) < 0 ? null : signed(ms) * 1e6);
  const tsNs = (t: Thread, ptr: number, time64: boolean) =>
    ptr === 0 ? null : readTimespecNs(t, ptr, time64);
  return {
    poll: { handler: (t, fds, nfds, timeout) => poll(k, t, fds, nfds, msToNs(timeout)) },
    ppoll: {
      handler: (t, fds, nfds, ts, mask) =>
        withMask(k, t, mask, () => poll(k, t, fds, nfds, tsNs(t, ts, false))),
    },
    ppoll_time64: {
      handler: (t, fds, nfds, ts, mask) =>
        withMask(k, t, mask, () => poll(k, t, fds, nfds, tsNs(t, ts, true))),
    },
    _newselect: {
      handler: async (t, n, rd, wr, ex, tv) => {
        const start = k.clock.nowNs();
        const timeout = timevalNs(t, tv);
        const count = await select(k, t, n, rd, wr, ex, timeout);
        if (tv !== 0 && timeout !== null) {
          const left = Math.max(0, timeout - (k.clock.nowNs() - start));
          const { bytes, view } = struct(8);
          view.setInt32(0, Math.floor(left / 1e9), true);
          view.setInt32(4, Math.floor((left % 1e9) / 1000), true);
          writeUser(t, tv, bytes);
        }
        return count;
      },
    },
    pselect6: {
      handler: (t, n, rd, wr, ex, ts, sig) => {
        const mask = sig === 0 ? 0 : readUser(t, sig, 8).getUint32(0, true);
        return withMask(k, t, mask, () => select(k, t, n, rd, wr, ex, tsNs(t, ts, false)));
      },
    },
    pselect6_time64: {
      handler: (t, n, rd, wr, ex, ts, sig) => {
        const mask = sig === 0 ? 0 : readUser(t, sig, 8).getUint32(0, true);
        return withMask(k, t, mask, () => select(k, t, n, rd, wr, ex, tsNs(t, ts, true)));
      },
    },
  };
}
