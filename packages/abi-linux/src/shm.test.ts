// shm.ts against the UAPI <linux/shm.h> and glibc's <sys/shm.h> (SHM_DEST, SHM_LOCKED, SHMLBA).
import * as shm from './shm.js';
import { describeAgainstHeaders } from './testing/constants.js';

const glibcOnly = ['SHM_DEST', 'SHM_LOCKED', 'SHMLBA'];

describeAgainstHeaders('shm', shm, [
  { includes: ['linux/shm.h'], skip: glibcOnly },
  { includes: ['sys/shm.h'], only: glibcOnly },
]);
