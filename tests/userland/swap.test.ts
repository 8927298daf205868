// Swap (issue 6): on an 8 MiB kmOS machine with a 48 MiB swap file, a program that touches 16 MiB — twice
// the RAM — with a pseudo-random pattern, reads it back in shuffled order, forks, and has parent and child
// check it (the child rewriting half) prints exactly what it prints natively, where nothing is swapped: the
// host is the oracle for every checksum. A kmOS-only program checks that /proc/meminfo's Swap figures,
// /proc/<pid>/status's VmSwap, /proc/vmstat and /proc/swaps move as pages go out and are unmapped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runNative, runOnKmos } from './run-both.js';

const RAM_MIB = 8;
const SWAP_MIB = 48;
const out = mkdtempSync(join(tmpdir(), 'kmos-swap-'));
const config = join(out, 'small-with-swap.json');

beforeAll(() => {
  execFileSync(
    'make',
    ['-s', `OUT=${out}`, `${out}/tests/swap-checksum.static`, `${out}/kernel-tests/swap-meminfo`],
    { cwd: join(repoRoot, 'userland'), stdio: 'pipe' },
  );
  const machine = {
    machine: { memoryMiB: RAM_MIB },
    memory: { swap: { file: 'swap.img', sizeMiB: SWAP_MIB } },
  };
  writeFileSync(config, JSON.stringify(machine));
}, 120_000);

describe('swap', () => {
  it('a program touching twice the RAM computes the checksums it computes natively', () => {
    const program = join(out, 'tests/swap-checksum.static');
    const args = [String(2 * RAM_MIB)];
    const native = runNative(program, args);
    expect(native.status).toBe(0);
    expect(native.stdout).toMatch(/parent: checksum [0-9a-f]{16}, 0 of 4096 pages wrong/);
    expect(runOnKmos(program, args, '', config)).toEqual(native);
  }, 300_000);

  it('shows pages going to swap in /proc/meminfo, /proc/self/status and /proc/swaps', () => {
    const r = runOnKmos(join(out, 'kernel-tests/swap-meminfo'), [String(2 * RAM_MIB)], '', config);
    expect(r.status).toBe(0);
    const kb = SWAP_MIB * 1024 - 4; // the first page is the swap header
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 9)).toEqual([
      `SwapTotal: ${kb} kB, SwapFree at start: all`,
      'SwapFree fell: yes',
      'VmSwap rose: yes',
      'SwapFree + VmSwap <= SwapTotal: yes',
      'pages wrong: 0',
      'pswpout and pswpin counted: yes',
      'slots freed by munmap: yes',
      'SwapTotal - SwapFree == VmSwap after munmap: yes',
      'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority',
    ]);
    const swapFile = join(out, 'swap.img');
    expect(lines[9]).toMatch(new RegExp(`^${swapFile} +file\\t${kb}\\t\\t\\d+\\t\\t-2$`));
  }, 300_000);
});
