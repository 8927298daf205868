// socket.ts against the UAPI <linux/net.h> and <asm/socket.h>, and glibc's <sys/socket.h>.
import { describe, expect, it } from 'vitest';
import * as socket from './socket.js';
import * as sc from './syscalls.js';
import { describeAgainstHeaders } from './testing/constants.js';

const names = Object.keys(socket);
const netH = names.filter((n) => n.startsWith('SYS_'));
const asmSocket = names.filter((n) => n.startsWith('SO_') || n === 'SOL_SOCKET');
const ipProtocols = names.filter(
  (n) => n.startsWith('IPPROTO_') || n.startsWith('IP_') || n.startsWith('IPV6_'),
);
const tcpOptions = names.filter((n) => n.startsWith('TCP_'));
const sockios = names.filter((n) => n.startsWith('SIOC'));
const netIf = names.filter((n) => n.startsWith('IFF_') || n === 'IFNAMSIZ');
const arp = names.filter((n) => n.startsWith('ARPHRD_'));

describeAgainstHeaders('socket', socket, [
  { includes: ['linux/net.h'], only: netH },
  { includes: ['asm/socket.h'], only: asmSocket },
  { includes: ['netinet/in.h'], only: ipProtocols },
  { includes: ['netinet/tcp.h'], only: tcpOptions },
  { includes: ['linux/sockios.h'], only: sockios },
  { includes: ['net/if.h'], only: netIf },
  { includes: ['net/if_arp.h'], only: arp },
  {
    includes: ['sys/socket.h'],
    skip: [...netH, ...asmSocket, ...ipProtocols, ...tcpOptions, ...sockios, ...netIf, ...arp],
  },
]);

describe('socketcall', () => {
  it('reads as many arguments as each direct i386 socket syscall takes', () => {
    const direct: Record<number, string> = {
      1: 'socket',
      2: 'bind',
      3: 'connect',
      4: 'listen',
      6: 'getsockname',
      7: 'getpeername',
      8: 'socketpair',
      11: 'sendto',
      12: 'recvfrom',
      13: 'shutdown',
      14: 'setsockopt',
      15: 'getsockopt',
      16: 'sendmsg',
      17: 'recvmsg',
      18: 'accept4',
      19: 'recvmmsg',
      20: 'sendmmsg',
    };
    for (const [call, name] of Object.entries(direct)) {
      expect(socket.SOCKETCALL_NARGS[Number(call)], name).toBe(sc.SYSCALL_ARGS[name].length);
    }
  });
});
