// netlink.ts against the UAPI <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if.h> and friends; SOL_NETLINK
// against glibc's <sys/socket.h>.
import * as netlink from './netlink.js';
import { describeAgainstHeaders } from './testing/constants.js';

describeAgainstHeaders('netlink', netlink, [
  {
    includes: [
      'linux/netlink.h',
      'linux/rtnetlink.h',
      'linux/if.h',
      'linux/if_link.h',
      'linux/if_addr.h',
      'linux/icmpv6.h',
    ],
    skip: ['SOL_NETLINK'],
  },
  { includes: ['sys/socket.h'], only: ['SOL_NETLINK'] },
]);
