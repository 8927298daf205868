// prctl.ts against the UAPI <linux/prctl.h> and <linux/personality.h>, and TASK_COMM_LEN against the
// running kernel (PR_GET_NAME fills exactly that many bytes, NUL included, for a long name).
import { describe, expect, it } from 'vitest';
import * as prctl from './prctl.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { hostCUnavailable, runC } from './testing/host-c.js';

const names = Object.keys(prctl);
const prH = names.filter((n) => n.startsWith('PR_'));

describeAgainstHeaders(
  'prctl',
  prctl,
  [
    { includes: ['linux/prctl.h'], only: prH },
    { includes: ['linux/personality.h'], skip: [...prH] },
  ],
  {
    TASK_COMM_LEN: 'kernel-internal (include/linux/sched.h); checked against the running kernel below',
    PERSONALITY_QUERY: 'personality(2) manual; checked against the running kernel below',
  },
);

describe.skipIf(hostCUnavailable !== null)(
  `process control on the running kernel ${hostCUnavailable ?? ''}`,
  () => {
    it('truncates comm names to TASK_COMM_LEN - 1 characters and answers a personality query', () => {
      const src = `#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/personality.h>
int main(void) {
  char name[64] = {0};
  prctl(${prctl.PR_SET_NAME}, "abcdefghijklmnopqrstuvwxyz");
  prctl(${prctl.PR_GET_NAME}, name);
  printf("%zu %d\\n", strlen(name) + 1, personality(${prctl.PERSONALITY_QUERY}u) == personality(${prctl.PERSONALITY_QUERY}u));
  return 0;
}
`;
      expect(runC(src)).toBe(`${prctl.TASK_COMM_LEN} 1\n`);
    });
  },
);
