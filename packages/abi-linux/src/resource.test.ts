// resource.ts against the UAPI <linux/resource.h>.
import { describe, expect, it } from 'vitest';
import * as resource from './resource.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { cValues, hostCUnavailable } from './testing/host-c.js';

describeAgainstHeaders('resource', resource, [{ includes: ['linux/resource.h'] }]);

describe.skipIf(hostCUnavailable !== null)(`RLIM64_INFINITY ${hostCUnavailable ?? ''}`, () => {
  it('is all 64 bits set, as <linux/resource.h> says', () => {
    const host = cValues(['linux/resource.h'], { ok: 'RLIM64_INFINITY == 0xffffffffffffffffULL' });
    expect(host.ok).toBe(1);
    expect(resource.RLIM64_INFINITY).toBe(2n ** 64n - 1n);
  });
});
