// clock.ts against the UAPI <linux/time.h> and <linux/timerfd.h>.
import * as clock from './clock.js';
import { describeAgainstHeaders } from './testing/constants.js';

const tfd = ['TFD_TIMER_ABSTIME', 'TFD_TIMER_CANCEL_ON_SET', 'TFD_CLOEXEC', 'TFD_NONBLOCK'];

describeAgainstHeaders(
  'clock',
  clock,
  [
    { includes: ['linux/time.h'], skip: tfd },
    { includes: ['linux/timerfd.h'], only: tfd },
  ],
  { NSEC_PER_SEC: 'a definition, not a header fact (include/vdso/time64.h is kernel-internal)' },
);
