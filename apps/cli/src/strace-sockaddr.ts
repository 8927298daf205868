/**
 * Socket addresses as strace(1) prints them: `{sa_family=AF_INET, sin_port=htons(80),
 * sin_addr=inet_addr("127.0.0.1")}`, sockaddr_in6 with inet_pton's text, AF_UNIX paths (abstract ones
 * after "@"), netlink port and groups, and any other family (or a short address) as its raw sa_data.
 * Layer: CLI (`kmos run --strace`).
 */
import { AF_INET, AF_INET6, AF_NETLINK, AF_UNIX } from '@kmos/abi-linux';
import { NAMED_KINDS } from './strace-symbols.js';

/** Bytes strace reads of an address at most (sizeof(struct sockaddr_storage)). */
export const SOCKADDR_MAX = 128;
const SOCKADDR_IN_BYTES = 16;
const SIN6_LEN_RFC2133 = 24;
const SOCKADDR_IN6_BYTES = 28;
const SOCKADDR_NL_BYTES = 12;

/** `bytes` (the address's first `bytes.length` bytes, as many as its length says) as strace shows it. */
export function formatSockaddr(bytes: Uint8Array, quote: (s: string) => string): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const family = bytes.length >= 2 ? v.getUint16(0, true) : -1;
  const name = `sa_family=${NAMED_KINDS['domain:socket']?.(family) ?? family}`;
  const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  if (family === AF_UNIX) {
    const path = bytes.subarray(2);
    if (path.length === 0) return `{${name}}`;
    if (path[0] === 0) return `{${name}, sun_path=@${quote(latin1(path.subarray(1)))}}`;
    const end = path.indexOf(0);
    return `{${name}, sun_path=${quote(latin1(end < 0 ? path : path.subarray(0, end)))}}`;
  }
  if (family === AF_INET && bytes.length >= SOCKADDR_IN_BYTES) {
    const ip = Array.from(bytes.subarray(4, 8)).join('.');
    return `{${name}, sin_port=htons(${v.getUint16(2, false)}), sin_addr=inet_addr("${ip}")}`;
  }
  if (family === AF_INET6 && bytes.length >= SIN6_LEN_RFC2133) {
    const scope = bytes.length >= SOCKADDR_IN6_BYTES ? `, sin6_scope_id=${v.getUint32(24, true)}` : '';
    const address = `inet_pton(AF_INET6, "${ipv6Text(bytes.subarray(8, 24))}", &sin6_addr)`;
    return `{${name}, sin6_port=htons(${v.getUint16(2, false)}), sin6_flowinfo=htonl(${v.getUint32(4, false)}), ${address}${scope}}`;
  }
  if (family === AF_NETLINK && bytes.length >= SOCKADDR_NL_BYTES) {
    const groups = v.getUint32(8, true).toString(16).padStart(8, '0');
    return `{${name}, nl_pid=${v.getInt32(4, true)}, nl_groups=${groups}}`;
  }
  return `{${name}, sa_data=${quote(latin1(bytes.subarray(2)))}}`;
}

/** An IPv6 address as inet_ntop writes it: the longest zero run as "::", IPv4-mapped ones dotted. */
export function ipv6Text(address: Uint8Array): string {
  const words = Array.from({ length: 8 }, (_, i) => (address[i * 2] << 8) | address[i * 2 + 1]);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  if (best.length < 2) best = { start: -1, length: 0 };
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (best.start >= 0 && i >= best.start && i < best.start + best.length) {
      if (i === best.start) text += ':';
      continue;
    }
    if (i !== 0) text += ':';
    // An IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends in dotted quads.
    if (i === 6 && best.start === 0 && (best.length === 6 || (best.length === 5 && words[5] === 0xffff)))
      return text + Array.from(address.subarray(12)).join('.');
    text += words[i].toString(16);
  }
  return best.start >= 0 && best.start + best.length === 8 ? `${text}:` : text;
}
