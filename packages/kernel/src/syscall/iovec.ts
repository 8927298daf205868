/**
 * struct iovec arrays (readv, writev, sendmsg, recvmsg): decoding one from user memory, and gathering or
 * scattering bytes through one. Layer: kernel syscall.
 */
import type { UserPtr } from '@kmos/abi-driver';
import { EINVAL, iovecLayout } from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { copyFromUser, copyToUser } from '../mm/usercopy.js';
import type { Thread } from '../proc/thread.js';
import { readUser } from './user-args.js';

/** Linux's UIO_MAXIOV: the most iovecs one call takes. */
export const UIO_MAXIOV = 1024;

export interface Iovec {
  readonly base: number;
  readonly len: number;
}

/** `count` iovecs at `ptr`; EINVAL past UIO_MAXIOV or when the lengths add up past INT_MAX. */
export function readIovecs(t: Thread, ptr: number, count: number): Iovec[] {
  if (count > UIO_MAXIOV) throw new KernelError(EINVAL);
  const size = iovecLayout.sizeBytes;
  const v = readUser(t, ptr, count * size);
  const out: Iovec[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = v.getUint32(i * size + iovecLayout.fields.iov_len.offset, true);
    total += len;
    if (len > 0x7fffffff || total > 0x7fffffff) throw new KernelError(EINVAL);
    out.push({ base: v.getUint32(i * size + iovecLayout.fields.iov_base.offset, true), len });
  }
  return out;
}

export function iovecsLength(iovecs: readonly Iovec[]): number {
  let total = 0;
  for (const v of iovecs) total += v.len;
  return total;
}

/** The bytes the iovecs name, in order, in one buffer (EFAULT as usercopy gives it). */
export function gatherFromUser(t: Thread, iovecs: readonly Iovec[]): Uint8Array {
  const out = new Uint8Array(iovecsLength(iovecs));
  let at = 0;
  for (const v of iovecs) {
    if (v.len === 0) continue;
    copyFromUser(t.process.mm, v.base as UserPtr, out.subarray(at, at + v.len));
    at += v.len;
  }
  return out;
}

/** Spreads `data` over the iovecs in order. */
export function scatterToUser(t: Thread, iovecs: readonly Iovec[], data: Uint8Array): void {
  let at = 0;
  for (const v of iovecs) {
    if (at >= data.length) return;
    const n = Math.min(v.len, data.length - at);
    if (n > 0) copyToUser(t.process.mm, v.base as UserPtr, data.subarray(at, at + n));
    at += n;
  }
}
