// random.ts against the UAPI <linux/random.h>.
import * as random from './random.js';
import { describeAgainstHeaders } from './testing/constants.js';

describeAgainstHeaders('random', random, [{ includes: ['linux/random.h'] }]);
