// The configured swap area: a missing file is created at the configured size and swapped on; an old swap
// file is reformatted; a file that holds anything else is refused with a message naming memory.swap.file,
// and left as it was. The host's blkid (when present) confirms the file kmOS formats is a swap area.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config/load-config.js';
import { ConfigError } from './errors.js';
import type { Kernel } from './kernel.js';
import { MemoryManager } from './mm/address-space.js';
import { testMachine } from './mm/testing/test-machine.js';
import { enableConfiguredSwap } from './swap-setup.js';

function kernelFor(dir: string, swap: object) {
  const loaded = parseConfigText(JSON.stringify({ memory: { swap } }), join(dir, 'k.json'));
  const { memory, pages } = testMachine(4);
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m) } as unknown as Logger;
  const mm = new MemoryManager(memory, pages);
  return { k: { machine: { loaded }, mm, log } as unknown as Kernel, mm, lines };
}

describe('enableConfiguredSwap', () => {
  it('creates a missing swap file at the configured size and swaps it on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmos-swapcfg-'));
    const { k, mm, lines } = kernelFor(dir, { file: 'a.swap', sizeMiB: 2 });
    enableConfiguredSwap(k);
    expect(statSync(join(dir, 'a.swap')).size).toBe(2 << 20);
    expect(mm.swap?.stats()).toMatchObject({ totalPages: 511, freePages: 511 });
    expect(lines).toEqual([
      `Adding 2044k swap on ${join(dir, 'a.swap')}.  Priority:-2 extents:1 across:2044k FS`,
    ]);
    const blkid = ['/usr/sbin/blkid', '/sbin/blkid'].find(existsSync);
    if (blkid)
      expect(execFileSync(blkid, ['-p', join(dir, 'a.swap')], { encoding: 'utf8' })).toMatch(/TYPE="swap"/);
  });

  it('reformats an old swap area to the new size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmos-swapcfg-'));
    enableConfiguredSwap(kernelFor(dir, { file: 'b.swap', sizeMiB: 1 }).k);
    const { k, mm } = kernelFor(dir, { file: 'b.swap', sizeMiB: 3 });
    enableConfiguredSwap(k);
    expect(mm.swap?.stats().totalPages).toBe(767);
  });

  it('refuses a file that is not a swap area, naming the field, and leaves it alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmos-swapcfg-'));
    const precious = join(dir, 'notes.txt');
    writeFileSync(precious, 'not swap');
    const { k, mm } = kernelFor(dir, { file: 'notes.txt', sizeMiB: 1 });
    expect(() => enableConfiguredSwap(k)).toThrow(ConfigError);
    expect(() => enableConfiguredSwap(k)).toThrow(
      /k\.json: memory\.swap\.file \(line 1\): .*notes\.txt is not a swap area/,
    );
    expect(readFileSync(precious, 'utf8')).toBe('not swap');
    expect(mm.swap).toBeNull();
  });
});
