// futex.ts against the UAPI <linux/futex.h>.
import * as futex from './futex.js';
import { describeAgainstHeaders } from './testing/constants.js';

describeAgainstHeaders('futex', futex, [{ includes: ['linux/futex.h'] }]);
