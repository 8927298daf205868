// The swap header against the host's util-linux: a header mkswap wrote parses to the size and label mkswap
// reported, and a header formatSwapHeader wrote is identified by blkid as a version-1 swap area with our
// label. Skipped where the host lacks the tools.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSwapHeader, parseSwapHeader } from './swap-header.js';

const tool = (name: string) =>
  ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((d) => join(d, name)).find(existsSync);
const mkswap = tool('mkswap');
const blkid = tool('blkid');
const PAGES = 300;

describe('swap header', () => {
  it.skipIf(!mkswap)('reads what mkswap writes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kmos-swap-')), 'host.swap');
    writeFileSync(file, new Uint8Array(PAGES * 4096));
    execFileSync(mkswap as string, ['-L', 'hostlabel', file], { stdio: 'pipe' });
    const header = parseSwapHeader(readFileSync(file).subarray(0, 4096));
    expect(header).toMatchObject({ version: 1, lastPage: PAGES - 1, badPages: 0, label: 'hostlabel' });
  });

  it.skipIf(!blkid)('writes what blkid recognises as swap', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kmos-swap-')), 'kmos.swap');
    const image = new Uint8Array(PAGES * 4096);
    image.set(formatSwapHeader(PAGES, 'kmoslabel'));
    writeFileSync(file, image);
    const out = execFileSync(blkid as string, ['-p', '-o', 'export', file], { encoding: 'utf8' });
    expect(out).toContain('TYPE=swap');
    expect(out).toContain('VERSION=1');
    expect(out).toContain('LABEL=kmoslabel');
  });

  it('finds no header in a page without the signature', () => {
    expect(parseSwapHeader(new Uint8Array(4096))).toBeNull();
    const page = formatSwapHeader(PAGES);
    page[4095] ^= 1;
    expect(parseSwapHeader(page)).toBeNull();
  });
});
