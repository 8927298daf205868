/**
 * The route family's answers (NETLINK_ROUTE, Linux's rtnetlink, read for its message layouts): a link
 * dump or lookup (RTM_GETLINK), an address dump (RTM_GETADDR) and a route dump (RTM_GETROUTE) describing
 * the loopback interface — what getifaddrs(3), if_nameindex(3), `ip link`, `ip addr` and `ip route` ask.
 * Other requests are answered with an EOPNOTSUPP error message, as rtnetlink answers a type nobody
 * handles (neighbours, rules, route changes are not modelled). Datagrams fall as Linux's skbs do: a dump's messages in one (they are few and small), its
 * NLMSG_DONE in the next (netlink_dump puts it in the skb of the dump call that finds nothing more); a
 * lookup's answer in one and its acknowledgement in another.
 * Layer: kernel net (AF_NETLINK).
 */
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  EINVAL,
  ENODEV,
  EOPNOTSUPP,
  ICMPV6_ROUTER_PREF_MEDIUM,
  IF_OPER_UNKNOWN,
  IFA_ADDRESS,
  IFA_CACHEINFO,
  IFA_F_PERMANENT,
  IFA_FLAGS,
  IFA_LABEL,
  IFA_LOCAL,
  IFF_LOWER_UP,
  IFLA_ADDRESS,
  IFLA_BROADCAST,
  IFLA_CARRIER,
  IFLA_GROUP,
  IFLA_IFNAME,
  IFLA_LINKMODE,
  IFLA_MTU,
  IFLA_OPERSTATE,
  IFLA_PROMISCUITY,
  IFLA_QDISC,
  IFLA_STATS,
  IFLA_STATS64,
  IFLA_TXQLEN,
  NLM_F_ACK,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  RTA_DST,
  RTA_OIF,
  RTA_PREF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_TABLE,
  RTM_BASE,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_UNICAST,
  RTPROT_KERNEL,
} from '@kmos/abi-linux';
import { INTERFACES, LOOPBACK_INTERFACE, type NetInterface, type TrafficCounter } from '../interfaces.js';

/** sizeof(struct ifinfomsg), sizeof(struct ifaddrmsg), sizeof(struct rtmsg). */
const IFINFOMSG_BYTES = 16;
const IFADDRMSG_BYTES = 8;
const RTMSG_BYTES = 12;
/** struct rtnl_link_stats has 24 u32 counters; rtnl_link_stats64 25 u64 ones. */
const LINK_STATS_COUNTERS = 24;
const LINK_STATS64_COUNTERS = 25;
/** ifa_cacheinfo's lifetimes for a permanent address. */
const INFINITY_LIFE_TIME = 0xffffffff;

/** Builds netlink messages: a header, a fixed part, attributes, each padded to 4 bytes. */
class MessageWriter {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  private used = 0;
  private start = 0;

  begin(type: number, flags: number, seq: number, portid: number): this {
    this.start = this.used;
    this.reserve(NLMSG_HDRLEN);
    this.view.setUint16(this.start + 4, type, true);
    this.view.setUint16(this.start + 6, flags, true);
    this.view.setUint32(this.start + 8, seq, true);
    this.view.setUint32(this.start + 12, portid, true);
    return this;
  }

  /** Appends `length` zero bytes (padded) and returns their offset, for the caller to fill. */
  reserve(length: number): number {
    const at = this.used;
    const next = at + align(length);
    if (next > this.bytes.length) {
      const grown = new Uint8Array(Math.max(next, this.bytes.length * 2));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.used = next;
    return at;
  }

  u8(at: number, value: number): void {
    this.bytes[at] = value;
  }

  u16(at: number, value: number): void {
    this.view.setUint16(at, value, true);
  }

  u32(at: number, value: number): void {
    this.view.setUint32(at, value >>> 0, true);
  }

  attribute(type: number, data: Uint8Array): void {
    const at = this.reserve(4 + data.length);
    this.u16(at, 4 + data.length);
    this.u16(at + 2, type);
    this.bytes.set(data, at + 4);
  }

  end(): void {
    this.u32(this.start, this.used - this.start);
  }

  take(): Uint8Array {
    return this.bytes.slice(0, this.used);
  }

  get empty(): boolean {
    return this.used === 0;
  }
}

function align(n: number): number {
  return (n + 3) & ~3;
}

function u32Bytes(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setUint32(i * 4, values[i] >>> 0, true);
  return out;
}

function cString(s: string): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** One request message, as read from the sender's buffer. */
interface Request {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  /** The whole message, header included (error answers echo it). */
  readonly raw: Uint8Array;
}

/**
 * The datagrams answering everything in `sent` (several messages may share a send), addressed to
 * `portid`; none when nothing asks for an answer (no NLM_F_REQUEST, or control messages without NLM_F_ACK).
 */
export function answerRoute(sent: Uint8Array, portid: number, loopback: TrafficCounter): Uint8Array[] {
  const out: Uint8Array[] = [];
  const v = new DataView(sent.buffer, sent.byteOffset, sent.length);
  for (let at = 0; at + NLMSG_HDRLEN <= sent.length; ) {
    const length = v.getUint32(at, true);
    if (length < NLMSG_HDRLEN || at + length > sent.length) break;
    const request = {
      type: v.getUint16(at + 4, true),
      flags: v.getUint16(at + 6, true),
      seq: v.getUint32(at + 8, true),
      raw: sent.subarray(at, at + length),
    };
    out.push(...answerOne(request, portid, loopback));
    at += align(length);
  }
  return out;
}

function answerOne(r: Request, portid: number, loopback: TrafficCounter): Uint8Array[] {
  const answers: MessageWriter[] = [];
  const next = () => {
    const w = new MessageWriter();
    answers.push(w);
    return w;
  };
  // netlink_rcv_skb: only requests are answered; control types (below RTM_BASE) are acknowledged.
  if (!(r.flags & NLM_F_REQUEST) || r.type < RTM_BASE) {
    if (r.flags & NLM_F_ACK) acknowledge(next(), r, portid, 0);
    return answers.map((w) => w.take());
  }
  const dump = (r.flags & NLM_F_DUMP) === NLM_F_DUMP;
  const body = r.raw.subarray(NLMSG_HDRLEN);
  let errno = 0;
  if (dump && (r.type === RTM_GETLINK || r.type === RTM_GETADDR || r.type === RTM_GETROUTE)) {
    const batch = next();
    if (r.type === RTM_GETLINK) {
      for (const i of INTERFACES) linkMessage(batch, i, NLM_F_MULTI, r.seq, portid, loopback);
    } else if (r.type === RTM_GETROUTE) {
      const family = body.length > 0 ? body[0] : AF_UNSPEC;
      for (const route of LOOPBACK_ROUTES)
        if (family === AF_UNSPEC || family === route.family) routeMessage(batch, route, r.seq, portid);
    } else {
      const family = body.length > 0 ? body[0] : AF_UNSPEC;
      for (const f of [AF_INET, AF_INET6])
        if (family === AF_UNSPEC || family === f)
          for (const i of INTERFACES) addressMessage(batch, i, f, r.seq, portid);
    }
    done(next(), r.seq, portid);
    return answers.filter((w) => !w.empty).map((w) => w.take());
  }
  if (r.type === RTM_GETLINK) {
    const found = body.length >= IFINFOMSG_BYTES ? lookUpLink(body) : null;
    if (found === null) errno = body.length < IFINFOMSG_BYTES ? EINVAL : ENODEV;
    else linkMessage(next(), found, 0, r.seq, portid, loopback);
  } else {
    errno = EOPNOTSUPP;
  }
  if (errno !== 0 || r.flags & NLM_F_ACK) acknowledge(next(), r, portid, errno);
  return answers.map((w) => w.take());
}

/** The interface a non-dump RTM_GETLINK names: by ifi_index, else by IFLA_IFNAME. */
function lookUpLink(body: Uint8Array): NetInterface | null {
  const v = new DataView(body.buffer, body.byteOffset, body.length);
  const index = v.getInt32(4, true);
  if (index !== 0) return INTERFACES.find((i) => i.index === index) ?? null;
  for (let at = IFINFOMSG_BYTES; at + 4 <= body.length; ) {
    const length = v.getUint16(at, true);
    if (length < 4) break;
    if (v.getUint16(at + 2, true) === IFLA_IFNAME) {
      const name = body.subarray(at + 4, at + length);
      const end = name.indexOf(0);
      const text = String.fromCharCode(...(end < 0 ? name : name.subarray(0, end)));
      return INTERFACES.find((i) => i.name === text) ?? null;
    }
    at += align(length);
  }
  return null;
}

function linkMessage(
  out: MessageWriter,
  i: NetInterface,
  flags: number,
  seq: number,
  portid: number,
  loopback: TrafficCounter,
): void {
  out.begin(RTM_NEWLINK, flags, seq, portid);
  const info = out.reserve(IFINFOMSG_BYTES);
  out.u8(info, AF_UNSPEC);
  out.u16(info + 2, i.hardwareType);
  out.u32(info + 4, i.index);
  out.u32(info + 8, i.flags | IFF_LOWER_UP);
  out.attribute(IFLA_IFNAME, cString(i.name));
  out.attribute(IFLA_TXQLEN, u32Bytes(i.txQueueLength));
  out.attribute(IFLA_OPERSTATE, Uint8Array.of(IF_OPER_UNKNOWN));
  out.attribute(IFLA_LINKMODE, Uint8Array.of(0));
  out.attribute(IFLA_MTU, u32Bytes(i.mtu));
  out.attribute(IFLA_GROUP, u32Bytes(0));
  out.attribute(IFLA_PROMISCUITY, u32Bytes(0));
  out.attribute(IFLA_CARRIER, Uint8Array.of(1));
  out.attribute(IFLA_QDISC, cString('noqueue'));
  // Loopback's hardware address and broadcast address: six zero bytes each.
  out.attribute(IFLA_ADDRESS, new Uint8Array(6));
  out.attribute(IFLA_BROADCAST, new Uint8Array(6));
  // rx_packets, tx_packets, rx_bytes, tx_bytes, then error and drop counters (all zero): loopback
  // receives what it sends.
  const { packets, bytes } = loopback;
  const stats64 = new DataView(new ArrayBuffer(LINK_STATS64_COUNTERS * 8));
  for (const [k, n] of [packets, packets, bytes, bytes].entries())
    stats64.setBigUint64(k * 8, BigInt(n), true);
  out.attribute(IFLA_STATS64, new Uint8Array(stats64.buffer));
  const stats = new Uint32Array(LINK_STATS_COUNTERS);
  stats.set([packets, packets, bytes, bytes]);
  out.attribute(IFLA_STATS, new Uint8Array(stats.buffer));
  out.end();
}

function addressMessage(
  out: MessageWriter,
  i: NetInterface,
  family: number,
  seq: number,
  portid: number,
): void {
  out.begin(RTM_NEWADDR, NLM_F_MULTI, seq, portid);
  const msg = out.reserve(IFADDRMSG_BYTES);
  out.u8(msg, family);
  out.u8(msg + 1, family === AF_INET ? prefixLength(i.netmask) : 128);
  out.u8(msg + 2, IFA_F_PERMANENT);
  out.u8(msg + 3, RT_SCOPE_HOST);
  out.u32(msg + 4, i.index);
  const cacheInfo = u32Bytes(INFINITY_LIFE_TIME, INFINITY_LIFE_TIME, 0, 0);
  if (family === AF_INET) {
    const address = new Uint8Array(4);
    new DataView(address.buffer).setUint32(0, i.ipv4, false);
    out.attribute(IFA_ADDRESS, address);
    out.attribute(IFA_LOCAL, address);
    out.attribute(IFA_LABEL, cString(i.name));
    out.attribute(IFA_FLAGS, u32Bytes(IFA_F_PERMANENT));
    out.attribute(IFA_CACHEINFO, cacheInfo);
  } else {
    // ::1
    const address = new Uint8Array(16);
    address[15] = 1;
    out.attribute(IFA_ADDRESS, address);
    out.attribute(IFA_CACHEINFO, cacheInfo);
    out.attribute(IFA_FLAGS, u32Bytes(IFA_F_PERMANENT));
  }
  out.end();
}

/** A route the kernel made for the loopback interface's addresses. */
interface Route {
  readonly family: number;
  readonly table: number;
  readonly type: number;
  readonly scope: number;
  /** The destination (4 or 16 bytes) and its prefix length. */
  readonly dst: Uint8Array;
  readonly dstLength: number;
  /** IPv4's preferred source; IPv6 routes carry a metric and a router preference instead. */
  readonly prefsrc: Uint8Array | null;
  readonly metric: number | null;
}

const LOOPBACK4 = Uint8Array.of(127, 0, 0, 1);
const LOOPBACK6 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

/**
 * What Linux installs for lo's addresses (fib_add_ifaddr, addrconf): in the local table 127.0.0.0/8 and
 * 127.0.0.1 as local routes and 127.255.255.255 as broadcast, all from 127.0.0.1; for ::1 a main-table route
 * (metric 256) and a local one (metric 0). The main IPv4 table stays empty: `ip route` prints nothing.
 */
const LOOPBACK_ROUTES: readonly Route[] = [
  v4Route(RTN_LOCAL, RT_SCOPE_HOST, [127, 0, 0, 0], 8),
  v4Route(RTN_LOCAL, RT_SCOPE_HOST, [127, 0, 0, 1], 32),
  v4Route(RTN_BROADCAST, RT_SCOPE_LINK, [127, 255, 255, 255], 32),
  { ...v6Route(RT_TABLE_MAIN, RTN_UNICAST), metric: 256 },
  { ...v6Route(RT_TABLE_LOCAL, RTN_LOCAL), metric: 0 },
];

function v4Route(type: number, scope: number, dst: number[], dstLength: number): Route {
  const dstBytes = Uint8Array.from(dst);
  return {
    family: AF_INET,
    table: RT_TABLE_LOCAL,
    type,
    scope,
    dst: dstBytes,
    dstLength,
    prefsrc: LOOPBACK4,
    metric: null,
  };
}

function v6Route(table: number, type: number): Route {
  const scope = RT_SCOPE_UNIVERSE;
  return {
    family: AF_INET6,
    table,
    type,
    scope,
    dst: LOOPBACK6,
    dstLength: 128,
    prefsrc: null,
    metric: null,
  };
}

function routeMessage(out: MessageWriter, route: Route, seq: number, portid: number): void {
  out.begin(RTM_NEWROUTE, NLM_F_MULTI, seq, portid);
  const msg = out.reserve(RTMSG_BYTES);
  out.u8(msg, route.family);
  out.u8(msg + 1, route.dstLength);
  out.u8(msg + 4, route.table);
  out.u8(msg + 5, RTPROT_KERNEL);
  out.u8(msg + 6, route.scope);
  out.u8(msg + 7, route.type);
  out.attribute(RTA_TABLE, u32Bytes(route.table));
  out.attribute(RTA_DST, route.dst);
  if (route.metric !== null) out.attribute(RTA_PRIORITY, u32Bytes(route.metric));
  if (route.prefsrc) out.attribute(RTA_PREFSRC, route.prefsrc);
  out.attribute(RTA_OIF, u32Bytes(LOOPBACK_INTERFACE.index));
  if (route.family === AF_INET6) out.attribute(RTA_PREF, Uint8Array.of(ICMPV6_ROUTER_PREF_MEDIUM));
  out.end();
}

function prefixLength(netmask: number): number {
  let bits = 0;
  for (let m = netmask >>> 0; m & 0x80000000; m = (m << 1) >>> 0) bits++;
  return bits;
}

/** NLMSG_DONE: the end of a dump, carrying its status (0). */
function done(out: MessageWriter, seq: number, portid: number): void {
  out.begin(NLMSG_DONE, NLM_F_MULTI, seq, portid);
  out.u32(out.reserve(4), 0);
  out.end();
}

/**
 * NLMSG_ERROR: struct nlmsgerr (the negative errno, then the request's header). An error echoes the
 * whole request; an acknowledgement (errno 0) only its header, flagged NLM_F_CAPPED.
 */
function acknowledge(out: MessageWriter, r: Request, portid: number, errno: number): void {
  const echoed = errno === 0 ? r.raw.subarray(0, NLMSG_HDRLEN) : r.raw;
  out.begin(NLMSG_ERROR, errno === 0 ? NLM_F_CAPPED : 0, r.seq, portid);
  const at = out.reserve(4 + echoed.length);
  out.u32(at, -errno);
  for (let k = 0; k < echoed.length; k++) out.u8(at + 4 + k, echoed[k]);
  out.end();
}
