// ipc.ts against the UAPI <linux/ipc.h>.
import { describe, expect, it } from 'vitest';
import * as ipc from './ipc.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { cValues, hostCUnavailable } from './testing/host-c.js';

describeAgainstHeaders('ipc', ipc, [{ includes: ['linux/ipc.h'] }]);

describe.skipIf(hostCUnavailable !== null)(`IPCCALL ${hostCUnavailable ?? ''}`, () => {
  it('encodes a versioned call as the header macro does', () => {
    expect(cValues(['linux/ipc.h'], { v: 'IPCCALL(1, SHMAT)' }).v).toBe(ipc.IPCCALL(1, ipc.SHMAT));
  });
});
