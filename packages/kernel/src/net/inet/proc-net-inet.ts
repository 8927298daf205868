/**
 * /proc/net/tcp, udp, tcp6 and udp6 in Linux's formats (tcp4_seq_show, udp4_seq_show and their IPv6
 * twins, read for their columns), which netstat, ss's fallback and lsof parse: one line per socket with
 * its addresses, state, queues, owner and inode (IPv4 lines padded to a fixed width, IPv6 ones not).
 * Timers are idle (loopback has none); kernel pointers print as zeros, as Linux shows them under
 * kptr_restrict.
 * Layer: kernel net (AF_INET, AF_INET6).
 */
import { AF_INET6 } from '@kmos/abi-linux';
import { hexFieldUpper } from '../../hex-field.js';
import { type InetAddress, procNetAddress } from './inet-address.js';

/** include/net/tcp_states.h: the states a table shows (UDP uses ESTABLISHED and CLOSE). */
export const TCP_ESTABLISHED = 0x01;
export const TCP_FIN_WAIT2 = 0x05;
export const TCP_CLOSE = 0x07;
export const TCP_CLOSE_WAIT = 0x08;
export const TCP_LISTEN = 0x0a;

/** One socket's row. */
export interface ProcNetEntry {
  readonly local: InetAddress;
  readonly remote: InetAddress;
  readonly state: number;
  /** Bytes sent and not yet acknowledged (always 0 on loopback, where delivery is the acknowledgement). */
  readonly txQueue: number;
  /** Unread bytes (TCP), memory held by queued datagrams (UDP), or connections awaiting accept (listener). */
  readonly rxQueue: number;
  readonly uid: number;
  readonly inode: number;
}

/** A socket that can describe itself for the table (null: not in Linux's lookup tables, so not shown). */
export interface ProcNetListed {
  procNetEntry(): ProcNetEntry | null;
}

const TCP_HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const UDP_HEADER =
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops';
const IPV6_HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
/** seq_setwidth's widths for the IPv4 tables: TMPSZ - 1 for TCP, 127 for UDP (IPv6 lines are unpadded). */
const TCP_WIDTH = 149;
const UDP_WIDTH = 127;
const KERNEL_POINTER = '0000000000000000';
/** jiffies_to_clock_t of a fresh connection's RTO (200 ms) and delayed-ACK timeout, and a listener's 1 s. */
const RTO_TICKS = 20;
const LISTEN_RTO_TICKS = 100;
const ATO_TICKS = 4;
const INITIAL_CWND = 10;

export function tcpTable(family: number, sockets: Iterable<ProcNetListed>): string {
  const wide = family === AF_INET6;
  const width = wide ? 0 : TCP_WIDTH;
  const lines = [wide ? IPV6_HEADER : TCP_HEADER.padEnd(width)];
  let slot = 0;
  for (const socket of sockets) {
    const e = socket.procNetEntry();
    if (e === null) continue;
    const listening = e.state === TCP_LISTEN;
    // rto, ato, quick-ack and ping-pong bits, cwnd, and ssthresh (-1 in slow start; a listener's fastopen queue)
    const tail = listening
      ? `${LISTEN_RTO_TICKS} 0 0 ${INITIAL_CWND} 0`
      : `${RTO_TICKS} ${ATO_TICKS} 0 ${INITIAL_CWND} -1`;
    lines.push(`${common(slot++, 4, e, wide)} ${e.inode} 1 ${KERNEL_POINTER} ${tail}`.padEnd(width));
  }
  return `${lines.join('\n')}\n`;
}

export function udpTable(family: number, sockets: Iterable<ProcNetListed>): string {
  const wide = family === AF_INET6;
  const width = wide ? 0 : UDP_WIDTH;
  const lines = [wide ? `${IPV6_HEADER} ref pointer drops` : UDP_HEADER.padEnd(width)];
  let slot = 0;
  for (const socket of sockets) {
    const e = socket.procNetEntry();
    if (e === null) continue;
    // ref 2: the file's and the hash table's; drops 0.
    lines.push(`${common(slot++, 5, e, wide)} ${e.inode} 2 ${KERNEL_POINTER} 0`.padEnd(width));
  }
  return `${lines.join('\n')}\n`;
}

/** The columns both tables share, through `timeout`'s place (which each fills with 0). */
function common(slot: number, slotWidth: number, e: ProcNetEntry, wide: boolean): string {
  const queues = `${hexFieldUpper(e.txQueue, 8)}:${hexFieldUpper(e.rxQueue, 8)}`;
  const timer = '00:00000000 00000000';
  return `${String(slot).padStart(slotWidth)}: ${procNetAddress(e.local, wide)} ${procNetAddress(e.remote, wide)} ${hexFieldUpper(e.state, 2)} ${queues} ${timer} ${String(e.uid).padStart(5)} ${String(0).padStart(8)}`;
}
