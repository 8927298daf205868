// sem-msg.ts against the UAPI <linux/sem.h> and <linux/msg.h>.
import * as semMsg from './sem-msg.js';
import { describeAgainstHeaders } from './testing/constants.js';

const names = Object.keys(semMsg);
const msgH = names.filter((n) => n.startsWith('MSG'));

describeAgainstHeaders('sem-msg', semMsg, [
  { includes: ['linux/sem.h'], skip: msgH },
  { includes: ['linux/msg.h'], only: msgH },
]);
