// inotify.ts against the UAPI <linux/inotify.h>.
import * as inotify from './inotify.js';
import { describeAgainstHeaders } from './testing/constants.js';

describeAgainstHeaders('inotify', inotify, [{ includes: ['linux/inotify.h'] }]);
