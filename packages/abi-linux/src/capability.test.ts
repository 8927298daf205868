// capability.ts against the UAPI <linux/capability.h>.
import * as capability from './capability.js';
import { describeAgainstHeaders } from './testing/constants.js';

describeAgainstHeaders('capability', capability, [{ includes: ['linux/capability.h'] }]);
