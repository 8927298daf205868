// /proc text against Linux's format: fields as fs/proc/task_mmu.c prints them (hex ranges of 8 digits, perms,
// 8-digit offset, major:minor, inode, then the name padded to column 25 + 6 * sizeof(void *) - 1, i.e. the
// name starts at column 49 on i386 — the host's own 64-bit /proc/self/maps puts it at 73 by the same rule).
import { readFileSync } from 'node:fs';
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from './address-space.js';
import { brk, mmap, munmap, setBrkStart, setupStack } from './mmap.js';
import { procMaps, procStatm, procStatusVmLines } from './proc-text.js';
import { ArrayFile } from './testing/file-source.js';
import { newMm, ptr } from './testing/harness.js';
import { copyToUser } from './usercopy.js';

describe('/proc text', () => {
  it('follows the padding rule the host kernel uses for its own maps', () => {
    const line = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .find((l) => l.includes('/'));
    if (line !== undefined && /^[0-9a-f]{12,}-/.test(line))
      expect(line.indexOf('/')).toBe(25 + 6 * 8 - 1 + 1);
  });

  it('prints maps lines, status Vm lines and statm for a file, the heap, shared anonymous memory and the stack', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    const f = new ArrayFile(new Uint8Array(0x3000), '/bin/prog', 5678);
    mmap(
      as,
      0x08048000,
      0x2000,
      PROT_READ | PROT_EXEC,
      MAP_PRIVATE | MAP_FIXED,
      { source: f, readable: true, writable: false },
      0x1000,
    );
    // The program's code, as exec records it: its executable segment's start and file end.
    as.startCode = 0x08048000;
    as.endCode = 0x08049800;
    setBrkStart(as, 0x0804b000);
    brk(as, 0x0804d000);
    mmap(as, 0x40000000, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
    setupStack(as);
    expect(procMaps(as)).toBe(
      [
        '08048000-0804a000 r-xp 00001000 03:01 5678       /bin/prog',
        '0804b000-0804d000 rw-p 00000000 00:00 0          [heap]',
        '40000000-40001000 rw-s 00000000 00:01 0          /dev/zero (deleted)',
        'bffe0000-c0000000 rw-p 00000000 00:00 0          [stack]',
        '',
      ].join('\n'),
    );
    copyToUser(as, ptr(0x0804b000), new Uint8Array(0x1001));
    copyToUser(as, ptr(0x40000000), new Uint8Array(1));
    expect(procStatusVmLines(as)).toBe(
      [
        'VmPeak:\t     148 kB',
        'VmSize:\t     148 kB',
        'VmLck:\t       0 kB',
        'VmPin:\t       0 kB',
        'VmHWM:\t      12 kB',
        'VmRSS:\t      12 kB',
        'RssAnon:\t       8 kB',
        'RssFile:\t       0 kB',
        'RssShmem:\t       4 kB',
        'VmData:\t       8 kB',
        'VmStk:\t     128 kB',
        'VmExe:\t       8 kB',
        'VmLib:\t       0 kB',
        'VmPTE:\t      12 kB',
        'VmSwap:\t       0 kB',
        '',
      ].join('\n'),
    );
    // In pages: size, resident, shared, text, lib, data (heap and stack), dt.
    expect(procStatm(as)).toBe('37 3 1 2 0 34 0\n');
    // The heap goes: VmSize and VmRSS drop, VmPeak and VmHWM keep the most there was.
    munmap(as, 0x0804b000, 0x2000);
    const after = procStatusVmLines(as);
    expect(after).toContain('VmPeak:\t     148 kB\nVmSize:\t     140 kB');
    expect(after).toContain('VmHWM:\t      12 kB\nVmRSS:\t       4 kB');
    as.destroy();
  });
});
