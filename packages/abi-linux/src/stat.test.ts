// stat.ts against the UAPI <linux/stat.h>, glibc's <dirent.h> (DT_*) and <sys/sysmacros.h> (makedev).
import { describe, expect, it } from 'vitest';
import * as stat from './stat.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { cValues, hostCUnavailable } from './testing/host-c.js';

const dt = ['DT_UNKNOWN', 'DT_FIFO', 'DT_CHR', 'DT_DIR', 'DT_BLK', 'DT_REG', 'DT_LNK', 'DT_SOCK', 'DT_WHT'];

describeAgainstHeaders('stat', stat, [
  { includes: ['linux/stat.h'], skip: dt },
  { includes: ['dirent.h'], only: dt },
]);

describe('mode and device helpers', () => {
  it('classify modes and map them to d_type', () => {
    expect(stat.S_ISDIR(stat.S_IFDIR | 0o755)).toBe(true);
    expect(stat.S_ISREG(stat.S_IFDIR)).toBe(false);
    expect(stat.IFTODT(stat.S_IFLNK | 0o777)).toBe(stat.DT_LNK);
    expect(stat.IFTODT(stat.S_IFSOCK)).toBe(stat.DT_SOCK);
  });
  const devs: [number, number][] = [
    [0, 0],
    [8, 1],
    [136, 3],
    [4095, 0xfffff],
    [259, 300000],
  ];
  it('round-trips device numbers', () => {
    for (const [major, minor] of devs)
      expect(stat.new_decode_dev(stat.new_encode_dev(major, minor))).toEqual({ major, minor });
    expect(stat.old_encode_dev(8, 1)).toBe(0x801);
  });
  it.skipIf(hostCUnavailable !== null)('encode devices as glibc makedev does', () => {
    const host = cValues(
      ['sys/sysmacros.h'],
      Object.fromEntries(devs.map(([ma, mi]) => [`${ma}:${mi}`, `makedev(${ma}, ${mi})`])),
    );
    for (const [major, minor] of devs)
      expect(stat.new_encode_dev(major, minor), `${major}:${minor}`).toBe(host[`${major}:${minor}`]);
  });
});
