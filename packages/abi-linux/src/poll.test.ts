// poll.ts against the UAPI <linux/poll.h>, <linux/eventpoll.h> and <linux/signalfd.h>, and glibc's <sys/eventfd.h>.
import * as poll from './poll.js';
import { describeAgainstHeaders } from './testing/constants.js';

const names = Object.keys(poll);
const pollH = names.filter((n) => n.startsWith('POLL'));
const efd = names.filter((n) => n.startsWith('EFD_'));
const sfd = names.filter((n) => n.startsWith('SFD_'));

describeAgainstHeaders('poll', poll, [
  { includes: ['linux/poll.h'], only: pollH },
  { includes: ['linux/eventpoll.h'], skip: [...pollH, ...efd, ...sfd] },
  { includes: ['sys/eventfd.h'], only: efd },
  { includes: ['linux/signalfd.h'], only: sfd },
]);
