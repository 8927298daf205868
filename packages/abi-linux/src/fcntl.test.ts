// fcntl.ts against the UAPI headers (asm/fcntl.h through linux/fcntl.h, linux/fs.h) and glibc's access modes.
import { describe, expect, it } from 'vitest';
import * as fcntl from './fcntl.js';
import { describeAgainstHeaders } from './testing/constants.js';

const accessModes = ['F_OK', 'X_OK', 'W_OK', 'R_OK'];
/** Spellings only glibc's <fcntl.h> has. */
const glibcOnly = ['O_ASYNC', 'O_RSYNC'];
const memfdH = ['MFD_CLOEXEC', 'MFD_ALLOW_SEALING', 'MFD_HUGETLB'];
const closeRangeH = ['CLOSE_RANGE_UNSHARE', 'CLOSE_RANGE_CLOEXEC'];
const fadviseH = Object.keys(fcntl).filter((n) => n.startsWith('POSIX_FADV_'));
const rwfH = Object.keys(fcntl).filter((n) => n.startsWith('RWF_'));
const fallocH = Object.keys(fcntl).filter((n) => n.startsWith('FALLOC_FL_'));
const fsH = [
  'RENAME_NOREPLACE',
  'RENAME_EXCHANGE',
  'RENAME_WHITEOUT',
  'SEEK_SET',
  'SEEK_CUR',
  'SEEK_END',
  'SEEK_DATA',
  'SEEK_HOLE',
  'SYNC_FILE_RANGE_WAIT_BEFORE',
  'SYNC_FILE_RANGE_WRITE',
  'SYNC_FILE_RANGE_WAIT_AFTER',
];

describe('fcntl flags', () => {
  it('keeps the i386 O_LARGEFILE and the *at() directory fd', () => {
    expect(fcntl.O_LARGEFILE).toBe(0o100000);
    expect(fcntl.AT_FDCWD).toBe(-100);
  });
});

describeAgainstHeaders('fcntl', fcntl, [
  {
    includes: ['linux/fcntl.h'],
    skip: [...accessModes, ...fsH, ...rwfH, ...fallocH, ...glibcOnly, ...memfdH, ...closeRangeH, ...fadviseH],
  },
  { includes: ['linux/fadvise.h'], only: fadviseH },
  { includes: ['linux/close_range.h'], only: closeRangeH },
  { includes: ['linux/memfd.h'], only: memfdH },
  { includes: ['fcntl.h'], only: glibcOnly },
  { includes: ['linux/fs.h'], only: [...fsH, ...rwfH] },
  { includes: ['linux/falloc.h'], only: fallocH },
  { includes: ['unistd.h'], only: accessModes },
]);
