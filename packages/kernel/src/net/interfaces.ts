/**
 * The network interfaces kmOS has — the loopback one, `lo` — and the interface ioctls any socket answers
 * (Linux's dev_ioctl and, on AF_INET sockets, devinet_ioctl): name <-> index, flags, MTU, metric, hardware
 * address, queue length and map; the IPv4 address, netmask, broadcast and destination on AF_INET sockets
 * only (ENOTTY elsewhere); SIOCGIFCONF's list of IPv4 addresses. ifconfig, if_nametoindex and
 * getaddrinfo's scope ids use them. An unknown name is ENODEV.
 * Layer: kernel net.
 */
import {
  AF_INET,
  ARPHRD_LOOPBACK,
  ENODEV,
  ENOTTY,
  IFF_LOOPBACK,
  IFF_RUNNING,
  IFF_UP,
  IFNAMSIZ,
  SIOCGIFADDR,
  SIOCGIFBRDADDR,
  SIOCGIFCONF,
  SIOCGIFDSTADDR,
  SIOCGIFFLAGS,
  SIOCGIFHWADDR,
  SIOCGIFINDEX,
  SIOCGIFMAP,
  SIOCGIFMETRIC,
  SIOCGIFMTU,
  SIOCGIFNAME,
  SIOCGIFNETMASK,
  SIOCGIFTXQLEN,
} from '@kmos/abi-linux';
import type { UserMemory } from '../fs/open-file.js';
import { hexField } from '../hex-field.js';
import { KernelError } from '../kernel-error.js';

/** sizeof(struct ifreq) on i386: the name, then a 16-byte union (a sockaddr, flags, an index, a map). */
const IFREQ_BYTES = 32;
/** sizeof(struct ifconf) on i386: ifc_len, then the buffer pointer. */
const IFCONF_BYTES = 8;

export interface NetInterface {
  readonly name: string;
  readonly index: number;
  readonly flags: number;
  readonly mtu: number;
  readonly txQueueLength: number;
  readonly hardwareType: number;
  /** IPv4 address and netmask, host byte order. */
  readonly ipv4: number;
  readonly netmask: number;
}

export const LOOPBACK_INTERFACE: NetInterface = {
  name: 'lo',
  index: 1,
  flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING,
  mtu: 65536,
  txQueueLength: 1000,
  hardwareType: ARPHRD_LOOPBACK,
  ipv4: 0x7f000001,
  netmask: 0xff000000,
};

export const INTERFACES: readonly NetInterface[] = [LOOPBACK_INTERFACE];

/** Whether `request` is an interface ioctl (the socket layer answers it before the family sees it). */
export function isInterfaceIoctl(request: number): boolean {
  return ANSWERS.has(request) || request === SIOCGIFCONF || request === SIOCGIFNAME;
}

/** Answers an interface ioctl on a socket of `family`: reads the ifreq (or ifconf) at `arg`, writes the answer. */
export function interfaceIoctl(request: number, arg: number, mem: UserMemory, family: number): number {
  if (request === SIOCGIFCONF) return interfaceList(arg, mem);
  const req = new Uint8Array(IFREQ_BYTES);
  mem.copyIn(arg, req);
  const v = new DataView(req.buffer);
  if (request === SIOCGIFNAME) {
    const found = INTERFACES.find((i) => i.index === v.getInt32(IFNAMSIZ, true));
    if (found === undefined) throw new KernelError(ENODEV);
    req.fill(0, 0, IFNAMSIZ);
    writeName(req, found.name);
  } else {
    const found = INTERFACES.find((i) => i.name === readName(req));
    if (found === undefined) throw new KernelError(ENODEV);
    const answer = ANSWERS.get(request);
    if (answer === undefined) throw new KernelError(ENOTTY);
    if (answer.inetOnly && family !== AF_INET) throw new KernelError(ENOTTY);
    req.fill(0, IFNAMSIZ);
    answer.write(new DataView(req.buffer, IFNAMSIZ), found);
  }
  mem.copyOut(arg, req);
  return 0;
}

interface Answer {
  readonly inetOnly: boolean;
  write(union: DataView, i: NetInterface): void;
}

/** A sockaddr_in in the ifreq's union. */
function sockaddrIn(union: DataView, address: number): void {
  union.setUint16(0, AF_INET, true);
  union.setUint32(4, address, false);
}

const ANSWERS = new Map<number, Answer>([
  [SIOCGIFFLAGS, { inetOnly: false, write: (u, i) => u.setInt16(0, i.flags, true) }],
  [SIOCGIFINDEX, { inetOnly: false, write: (u, i) => u.setInt32(0, i.index, true) }],
  [SIOCGIFMTU, { inetOnly: false, write: (u, i) => u.setInt32(0, i.mtu, true) }],
  [SIOCGIFMETRIC, { inetOnly: false, write: (u) => u.setInt32(0, 0, true) }],
  [SIOCGIFTXQLEN, { inetOnly: false, write: (u, i) => u.setInt32(0, i.txQueueLength, true) }],
  [SIOCGIFMAP, { inetOnly: false, write: () => {} }],
  // A sockaddr whose family is the hardware type; loopback's address is all zeros.
  [SIOCGIFHWADDR, { inetOnly: false, write: (u, i) => u.setUint16(0, i.hardwareType, true) }],
  [SIOCGIFADDR, { inetOnly: true, write: (u, i) => sockaddrIn(u, i.ipv4) }],
  // Not point-to-point: the "destination" is the local address; loopback has no broadcast address.
  [SIOCGIFDSTADDR, { inetOnly: true, write: (u, i) => sockaddrIn(u, i.ipv4) }],
  [SIOCGIFBRDADDR, { inetOnly: true, write: (u) => sockaddrIn(u, 0) }],
  [SIOCGIFNETMASK, { inetOnly: true, write: (u, i) => sockaddrIn(u, i.netmask) }],
]);

/**
 * SIOCGIFCONF: an ifreq (name and sockaddr_in) per IPv4 address, as many as fit in ifc_len; with a null
 * buffer, the length all of them need.
 */
function interfaceList(arg: number, mem: UserMemory): number {
  const conf = new Uint8Array(IFCONF_BYTES);
  mem.copyIn(arg, conf);
  const v = new DataView(conf.buffer);
  const room = v.getInt32(0, true);
  const buffer = v.getUint32(4, true);
  let used = 0;
  for (const i of INTERFACES) {
    if (buffer !== 0) {
      if (used + IFREQ_BYTES > room) break;
      const req = new Uint8Array(IFREQ_BYTES);
      writeName(req, i.name);
      sockaddrIn(new DataView(req.buffer, IFNAMSIZ), i.ipv4);
      mem.copyOut(buffer + used, req);
    }
    used += IFREQ_BYTES;
  }
  v.setInt32(0, used, true);
  mem.copyOut(arg, conf);
  return 0;
}

/** ifr_name, cut at its NUL or, as Linux forces one there, at its last byte. */
function readName(req: Uint8Array): string {
  const name = req.subarray(0, IFNAMSIZ - 1);
  const end = name.indexOf(0);
  return String.fromCharCode(...(end < 0 ? name : name.subarray(0, end)));
}

function writeName(req: Uint8Array, name: string): void {
  for (let k = 0; k < name.length; k++) req[k] = name.charCodeAt(k);
}

/**
 * What crossed an interface. On loopback every packet sent is received, so one count serves both
 * directions; a packet here is a TCP send's piece or a UDP datagram, its bytes the payload's.
 */
export class TrafficCounter {
  packets = 0;
  bytes = 0;

  count(bytes: number): void {
    this.packets++;
    this.bytes += bytes;
  }
}

/** /proc/net/dev (dev_seq_show's columns): receive and transmit counters per interface. */
export function procNetDev(loopback: TrafficCounter): string {
  const lines = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
  ];
  const { bytes, packets } = loopback;
  const pad = (n: number, width: number) => String(n).padStart(width);
  const receive = `${pad(bytes, 7)} ${pad(packets, 7)}    0    0    0     0          0         0`;
  const transmit = `${pad(bytes, 8)} ${pad(packets, 7)}    0    0    0     0       0          0`;
  lines.push(`${LOOPBACK_INTERFACE.name.padStart(6)}: ${receive} ${transmit}`);
  return `${lines.join('\n')}\n`;
}

/** /proc/net/if_inet6 (if6_seq_show): address, index, prefix length, scope (host), flags (permanent), name. */
export function procNetIfInet6(): string {
  const i = LOOPBACK_INTERFACE;
  return `${'0'.repeat(31)}1 ${hexField(i.index, 2)} 80 10 80 ${i.name.padStart(8)}\n`;
}
