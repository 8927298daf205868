/**
 * Internet socket addresses and the loopback network kmOS has: 127.0.0.0/8 and ::1 on `lo`, and nothing
 * else to route to. An address is kept in IPv6 form (IPv4 as ::ffff:a.b.c.d, as Linux's dual-stack sockets
 * see it), so one port table and one matching rule serve AF_INET and AF_INET6 sockets; each family reads
 * and writes its own sockaddr (struct sockaddr_in: 16 bytes, sockaddr_in6: 28).
 * Layer: kernel net (AF_INET, AF_INET6).
 */
import { AF_INET, AF_INET6, AF_UNSPEC, EAFNOSUPPORT, EINVAL } from '@kmos/abi-linux';
import { hexFieldUpper } from '../../hex-field.js';
import { KernelError } from '../../kernel-error.js';

/** An IPv6 address as 32 lowercase hex digits: one string, so addresses compare with ===. */
export type Ip = string;

export interface InetAddress {
  readonly ip: Ip;
  readonly port: number;
}

/** sizeof(struct sockaddr_in) and sizeof(struct sockaddr_in6); SIN6_LEN_RFC2133 (no scope id) is the least. */
export const SOCKADDR_IN_BYTES = 16;
const SOCKADDR_IN6_BYTES = 28;
const SIN6_LEN_RFC2133 = 24;

const V4_MAPPED_PREFIX = '00000000000000000000ffff';

/** The IPv4 address `n` (0x7f000001 is 127.0.0.1) as an IPv4-mapped IPv6 address. */
export function v4(n: number): Ip {
  return V4_MAPPED_PREFIX + (n >>> 0).toString(16).padStart(8, '0');
}

export function isV4(ip: Ip): boolean {
  return ip.startsWith(V4_MAPPED_PREFIX);
}

export const ANY4 = v4(0);
export const LOOPBACK4 = v4(0x7f000001);
export const ANY6: Ip = '0'.repeat(32);
export const LOOPBACK6: Ip = `${'0'.repeat(31)}1`;

/** The unbound address of a socket of `family`. */
export function unbound(family: number): InetAddress {
  return { ip: family === AF_INET ? ANY4 : ANY6, port: 0 };
}

export function isAny(ip: Ip): boolean {
  return ip === ANY4 || ip === ANY6;
}

/** Whether `raw` is an AF_UNSPEC address (connect's way to dissolve an association). */
export function isUnspecified(raw: Uint8Array): boolean {
  return raw.length >= 2 && (raw[0] | (raw[1] << 8)) === AF_UNSPEC;
}

/**
 * The address in `raw` as a socket of `family` takes it. AF_INET: a sockaddr_in (EINVAL when shorter;
 * AF_UNSPEC with 0.0.0.0 reads as AF_INET, as Linux's bind allows). AF_INET6: a sockaddr_in6 of at least
 * 24 bytes, or, where `v4Too` (UDP's connect and sendto), a sockaddr_in as its mapped address.
 * EAFNOSUPPORT for another family.
 */
export function parseInetAddress(raw: Uint8Array, family: number, v4Too = false): InetAddress {
  const sent = raw.length >= 2 ? raw[0] | (raw[1] << 8) : -1;
  if (family === AF_INET6 && !(v4Too && sent === AF_INET)) {
    if (raw.length < SIN6_LEN_RFC2133) throw new KernelError(EINVAL, 'sockaddr_in6 length');
    if (sent !== AF_INET6) throw new KernelError(EAFNOSUPPORT, `address family ${sent}`);
    const ip = Array.from(raw.subarray(8, 24), (b) => b.toString(16).padStart(2, '0')).join('');
    return { ip, port: (raw[2] << 8) | raw[3] };
  }
  if (raw.length < SOCKADDR_IN_BYTES) throw new KernelError(EINVAL, 'sockaddr_in length');
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const n = v.getUint32(4, false);
  if (sent !== AF_INET && !(sent === AF_UNSPEC && n === 0))
    throw new KernelError(EAFNOSUPPORT, `address family ${sent}`);
  return { ip: v4(n), port: v.getUint16(2, false) };
}

/** `a` as a sockaddr of `family` (an AF_INET socket only ever holds IPv4 addresses). */
export function inetAddressBytes(a: InetAddress, family: number): Uint8Array {
  if (family === AF_INET) {
    const out = new Uint8Array(SOCKADDR_IN_BYTES);
    const v = new DataView(out.buffer);
    v.setUint16(0, AF_INET, true);
    v.setUint16(2, a.port, false);
    v.setUint32(4, Number.parseInt(a.ip.slice(24), 16), false);
    return out;
  }
  const out = new Uint8Array(SOCKADDR_IN6_BYTES);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_INET6, true);
  v.setUint16(2, a.port, false);
  for (let i = 0; i < 16; i++) out[8 + i] = Number.parseInt(a.ip.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Addresses of this host: the loopback networks. */
export function isLocal(ip: Ip): boolean {
  return ip === LOOPBACK6 || (isV4(ip) && ip.slice(24, 26) === '7f');
}

/** Where a packet to `ip` goes: the unspecified address means this host (Linux connects it to loopback). */
export function routeTo(ip: Ip): Ip {
  if (ip === ANY4) return LOOPBACK4;
  return ip === ANY6 ? LOOPBACK6 : ip;
}

/**
 * `ip:port` in /proc/net/tcp's form (tcp6's with `wide`): the address as 32-bit words, each in memory
 * order, then the port, in hex.
 */
export function procNetAddress(a: InetAddress, wide: boolean): string {
  const words = wide ? [0, 1, 2, 3] : [3];
  const hex = words.map((w) => {
    const word = a.ip.slice(w * 8, w * 8 + 8);
    return (word.slice(6, 8) + word.slice(4, 6) + word.slice(2, 4) + word.slice(0, 2)).toUpperCase();
  });
  return `${hex.join('')}:${hexFieldUpper(a.port, 4)}`;
}
