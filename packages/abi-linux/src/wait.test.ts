// wait.ts against the UAPI <linux/wait.h> and <linux/sched.h>, and the status word against glibc's macros.
import { describe, expect, it } from 'vitest';
import { describeAgainstHeaders } from './testing/constants.js';
import { cValues, hostCUnavailable } from './testing/host-c.js';
import * as wait from './wait.js';

const status = ['WCOREFLAG', 'W_CONTINUED', 'W_STOPPED_MARK'];
const waitH = [
  'WNOHANG',
  'WUNTRACED',
  'WSTOPPED',
  'WEXITED',
  'WCONTINUED',
  'WNOWAIT',
  '__WNOTHREAD',
  '__WALL',
  '__WCLONE',
  'P_ALL',
  'P_PID',
  'P_PGID',
  'P_PIDFD',
];

describeAgainstHeaders('wait', wait, [
  { includes: ['linux/wait.h'], only: waitH },
  { includes: ['linux/sched.h'], skip: [...waitH, ...status] },
  {
    includes: ['sys/wait.h'],
    only: status,
    exprs: { W_CONTINUED: '__W_CONTINUED', W_STOPPED_MARK: 'W_STOPCODE(0)' },
  },
]);

describe.skipIf(hostCUnavailable !== null)(
  `the wait status word against glibc ${hostCUnavailable ?? ''}`,
  () => {
    it('encodes exit, death by signal and stop as WIFEXITED/WTERMSIG/WIFSTOPPED decode them', () => {
      const host = cValues(['sys/wait.h'], {
        exited: `WIFEXITED(${wait.W_EXITCODE(3, 0)}) && WEXITSTATUS(${wait.W_EXITCODE(3, 0)}) == 3`,
        killed: `WIFSIGNALED(${wait.W_TERMSIG_STATUS(11, true)}) && WTERMSIG(${wait.W_TERMSIG_STATUS(11, true)}) == 11 && WCOREDUMP(${wait.W_TERMSIG_STATUS(11, true)})`,
        stopped: `WIFSTOPPED(${wait.W_STOPCODE(19)}) && WSTOPSIG(${wait.W_STOPCODE(19)}) == 19`,
        continued: `WIFCONTINUED(${wait.W_CONTINUED})`,
        exitcode: 'W_EXITCODE(3, 0)',
      });
      expect(host).toEqual({
        exited: 1,
        killed: 1,
        stopped: 1,
        continued: 1,
        exitcode: wait.W_EXITCODE(3, 0),
      });
    });
  },
);
