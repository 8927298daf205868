/**
 * IPv4 socket addresses (struct sockaddr_in: family, port and address in network byte order, 8 bytes of
 * zero) and the loopback network kmOS has: 127.0.0.0/8 on `lo`, and nothing else to route to.
 * Layer: kernel net (AF_INET).
 */
import { AF_INET, AF_UNSPEC, EAFNOSUPPORT, EINVAL } from '@kmos/abi-linux';
import { KernelError } from '../../kernel-error.js';

export interface InetAddress {
  /** The IPv4 address as an unsigned 32-bit number (127.0.0.1 is 0x7f000001). */
  readonly ip: number;
  readonly port: number;
}

/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_BYTES = 16;
export const INADDR_ANY = 0;
export const INADDR_LOOPBACK = 0x7f000001;
export const UNBOUND: InetAddress = { ip: INADDR_ANY, port: 0 };

/** Whether `raw` is an AF_UNSPEC address (connect's way to dissolve an association). */
export function isUnspecified(raw: Uint8Array): boolean {
  return raw.length >= 2 && (raw[0] | (raw[1] << 8)) === AF_UNSPEC;
}

/**
 * The address in sockaddr_in bytes: EINVAL when shorter than one, EAFNOSUPPORT for another family
 * (AF_UNSPEC with address 0.0.0.0 reads as AF_INET, as Linux's bind allows).
 */
export function parseInetAddress(raw: Uint8Array): InetAddress {
  if (raw.length < SOCKADDR_IN_BYTES) throw new KernelError(EINVAL, 'sockaddr_in length');
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const family = v.getUint16(0, true);
  const ip = v.getUint32(4, false);
  if (family !== AF_INET && !(family === AF_UNSPEC && ip === INADDR_ANY))
    throw new KernelError(EAFNOSUPPORT, `address family ${family}`);
  return { ip, port: v.getUint16(2, false) };
}

export function inetAddressBytes(a: InetAddress): Uint8Array {
  const out = new Uint8Array(SOCKADDR_IN_BYTES);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, a.port, false);
  v.setUint32(4, a.ip, false);
  return out;
}

/** Addresses of this host: the loopback network. */
export function isLocal(ip: number): boolean {
  return ip >>> 24 === 127;
}

/** Where a packet to `ip` goes: 0.0.0.0 means this host (Linux connects it to loopback). */
export function routeTo(ip: number): number {
  return ip === INADDR_ANY ? INADDR_LOOPBACK : ip;
}

/** `ip:port` in /proc/net/tcp's form: the address's bytes in memory order, then the port, in hex. */
export function procNetAddress(a: InetAddress): string {
  const memoryOrder =
    ((a.ip & 0xff) << 24) | ((a.ip & 0xff00) << 8) | ((a.ip >>> 8) & 0xff00) | (a.ip >>> 24);
  const hex = (n: number, width: number) => (n >>> 0).toString(16).toUpperCase().padStart(width, '0');
  return `${hex(memoryOrder, 8)}:${hex(a.port, 4)}`;
}
