// mman.ts against the UAPI <linux/mman.h> (which includes asm/mman.h and the asm-generic files), and the
// page size against the host's sysconf(_SC_PAGESIZE).
import * as mman from './mman.js';
import { describeAgainstHeaders } from './testing/constants.js';

const page = ['PAGE_SIZE', 'PAGE_SHIFT'];
const glibcOnly = ['MAP_ANON', 'MAP_FILE'];
const membarrierH = Object.keys(mman).filter((n) => n.startsWith('MEMBARRIER_'));

describeAgainstHeaders('mman', mman, [
  { includes: ['linux/mman.h'], skip: [...page, ...glibcOnly, ...membarrierH] },
  { includes: ['linux/membarrier.h'], only: membarrierH },
  { includes: ['sys/mman.h'], only: glibcOnly },
  {
    includes: ['unistd.h'],
    only: page,
    exprs: { PAGE_SIZE: 'sysconf(_SC_PAGESIZE)', PAGE_SHIFT: '__builtin_ctz(sysconf(_SC_PAGESIZE))' },
  },
]);
