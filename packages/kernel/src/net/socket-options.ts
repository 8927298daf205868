/**
 * The SOL_SOCKET options every family answers the same way (sock_setsockopt/sock_getsockopt's generic
 * part): buffer sizes (doubled, clamped as Linux does), receive and send timeouts in both struct timeval
 * widths, low-water marks, SO_LINGER, and the boolean options a program may set and read back. A family
 * answers its own options first (SO_TYPE, SO_ERROR, SO_PEERCRED, ...) and hands the rest here.
 * Layer: kernel net.
 */
import {
  EDOM,
  EINVAL,
  ENOPROTOOPT,
  SO_BROADCAST,
  SO_DEBUG,
  SO_DONTROUTE,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_OOBINLINE,
  SO_RCVBUF,
  SO_RCVLOWAT,
  SO_RCVTIMEO_NEW,
  SO_RCVTIMEO_OLD,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SO_SNDLOWAT,
  SO_SNDTIMEO_NEW,
  SO_SNDTIMEO_OLD,
} from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';

/** net.core.wmem_default/wmem_max and rmem_*: Linux's defaults on a machine of any size. */
export const BUFFER_DEFAULT = 212992;
const BUFFER_MAX = 212992;
const SOCK_MIN_SNDBUF = 4608;
const SOCK_MIN_RCVBUF = 2304;

/** Boolean options kept and reported; what they mean is the family's business (or nobody's). */
const KEPT_INT_OPTIONS = new Set([
  SO_DEBUG,
  SO_REUSEADDR,
  SO_DONTROUTE,
  SO_BROADCAST,
  SO_KEEPALIVE,
  SO_OOBINLINE,
  SO_REUSEPORT,
]);

export class CommonOptions {
  sndbuf = BUFFER_DEFAULT;
  rcvbuf = BUFFER_DEFAULT;
  /** SO_RCVTIMEO and SO_SNDTIMEO in nanoseconds; 0 waits for ever. */
  receiveTimeoutNs = 0;
  sendTimeoutNs = 0;
  private readonly kept = new Map<number, Uint8Array>();

  /** Whether boolean option `name` (SO_REUSEADDR, ...) is set. */
  flag(name: number): boolean {
    const v = this.kept.get(name);
    return v !== undefined && v[0] !== 0;
  }

  /** getsockopt of a generic option; ENOPROTOOPT for one no family knows. */
  get(name: number): Uint8Array {
    switch (name) {
      case SO_SNDBUF:
        return int(this.sndbuf);
      case SO_RCVBUF:
        return int(this.rcvbuf);
      case SO_RCVTIMEO_OLD:
      case SO_SNDTIMEO_OLD:
      case SO_RCVTIMEO_NEW:
      case SO_SNDTIMEO_NEW:
        return timeval(
          isReceiveTimeout(name) ? this.receiveTimeoutNs : this.sendTimeoutNs,
          isNewTimeval(name),
        );
      case SO_RCVLOWAT:
      case SO_SNDLOWAT:
        return this.kept.get(name) ?? int(1);
      case SO_LINGER:
        return this.kept.get(name) ?? new Uint8Array(8);
      default:
        if (!KEPT_INT_OPTIONS.has(name)) throw new KernelError(ENOPROTOOPT);
        return this.kept.get(name) ?? int(0);
    }
  }

  /** setsockopt of a generic option; ENOPROTOOPT for one no family knows. */
  set(name: number, value: Uint8Array): void {
    switch (name) {
      case SO_RCVTIMEO_OLD:
      case SO_SNDTIMEO_OLD:
      case SO_RCVTIMEO_NEW:
      case SO_SNDTIMEO_NEW: {
        const ns = timevalNs(value, isNewTimeval(name));
        if (isReceiveTimeout(name)) this.receiveTimeoutNs = ns;
        else this.sendTimeoutNs = ns;
        return;
      }
      case SO_LINGER:
        if (value.length < 8) throw new KernelError(EINVAL);
        this.kept.set(name, value.slice(0, 8));
        return;
    }
    const v = optionInt(value);
    switch (name) {
      case SO_SNDBUF:
        this.sndbuf = Math.max(Math.min(v >>> 0, BUFFER_MAX) * 2, SOCK_MIN_SNDBUF);
        return;
      case SO_RCVBUF:
        this.rcvbuf = Math.max(Math.min(v >>> 0, BUFFER_MAX) * 2, SOCK_MIN_RCVBUF);
        return;
      case SO_RCVLOWAT:
      case SO_SNDLOWAT:
        this.kept.set(name, int(v < 0 ? 0x7fffffff : v || 1));
        return;
      default:
        if (!KEPT_INT_OPTIONS.has(name)) throw new KernelError(ENOPROTOOPT);
        this.kept.set(name, int(v ? 1 : 0));
    }
  }
}

/** An int option's value: EINVAL when shorter than an int. */
export function optionInt(value: Uint8Array): number {
  if (value.length < 4) throw new KernelError(EINVAL, 'option length');
  return new DataView(value.buffer, value.byteOffset).getInt32(0, true);
}

/** An int option's bytes. */
export function int(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  return out;
}

function isReceiveTimeout(name: number): boolean {
  return name === SO_RCVTIMEO_OLD || name === SO_RCVTIMEO_NEW;
}

/** SO_*TIMEO_NEW take a 64-bit struct timeval (__kernel_sock_timeval); _OLD the 32-bit one. */
function isNewTimeval(name: number): boolean {
  return name === SO_RCVTIMEO_NEW || name === SO_SNDTIMEO_NEW;
}

function timeval(ns: number, wide: boolean): Uint8Array {
  const out = new Uint8Array(wide ? 16 : 8);
  const v = new DataView(out.buffer);
  const sec = Math.floor(ns / 1e9);
  const usec = Math.floor((ns % 1e9) / 1e3);
  if (wide) {
    v.setBigInt64(0, BigInt(sec), true);
    v.setBigInt64(8, BigInt(usec), true);
  } else {
    v.setInt32(0, sec, true);
    v.setInt32(4, usec, true);
  }
  return out;
}

/** A timeout's struct timeval in nanoseconds: EINVAL when short, EDOM for usec out of range, 0 when negative. */
function timevalNs(value: Uint8Array, wide: boolean): number {
  if (value.length < (wide ? 16 : 8)) throw new KernelError(EINVAL, 'timeval length');
  const v = new DataView(value.buffer, value.byteOffset);
  const sec = wide ? Number(v.getBigInt64(0, true)) : v.getInt32(0, true);
  const usec = wide ? Number(v.getBigInt64(8, true)) : v.getInt32(4, true);
  if (usec < 0 || usec >= 1_000_000) throw new KernelError(EDOM);
  if (sec < 0) return 0;
  return sec * 1e9 + usec * 1e3;
}
