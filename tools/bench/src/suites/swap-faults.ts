/**
 * The swap part of `pnpm bench mm`: userland/bench/swap.c touches twice the RAM of a small kmOS machine with
 * a swap file, under `kmos run --realtime`, and reports the cost per page of a fault that must write a page
 * out, and of one that reads a page back in (writing another out); natively the same passes are plain faults
 * and reads, the baseline. Layer: the bench tool.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from '../report.js';
import { type PageFaultResult, parseFigures } from './page-faults.js';
import { buildBenchPrograms, kmosMain } from './userland-programs.js';

const RAM_MIB = 16;
const SWAP_MIB = 64;

export function swapFaultJob(): PageFaultResult {
  const program = join(buildBenchPrograms(), 'swap');
  const dir = mkdtempSync(join(tmpdir(), 'kmos-bench-swap-'));
  try {
    const config = join(dir, 'swap.json');
    writeFileSync(
      config,
      JSON.stringify({
        machine: { memoryMiB: RAM_MIB },
        memory: { swap: { file: 'swap.img', sizeMiB: SWAP_MIB } },
      }),
    );
    const args = [String(RAM_MIB)];
    const native = spawnSync(program, args, { encoding: 'utf8' });
    const kmos = spawnSync(
      process.execPath,
      [kmosMain, 'run', '--realtime', '--config', config, program, ...args],
      {
        encoding: 'utf8',
        timeout: 600_000,
      },
    );
    if (native.status !== 0 || kmos.status !== 0)
      throw new Error(`swap failed: ${native.stderr}${kmos.stderr}`);
    const n = parseFigures(native.stdout);
    const k = parseFigures(kmos.stdout);
    return Object.fromEntries(Object.keys(n).map((name) => [name, { native: n[name]!, kmos: k[name]! }]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function swapFaultTable(result: PageFaultResult): Table {
  return {
    title: `Swap: ${2 * RAM_MIB} MiB touched on a ${RAM_MIB} MiB kmOS machine with a ${SWAP_MIB} MiB swap file (kmos run --realtime)`,
    columns: ['measure', 'unit', 'native (no swap)', 'kmOS', 'slowdown (x)'],
    rows: Object.entries(result).map(([name, r]) => [
      name,
      r.native.unit,
      r.native.value,
      r.kmos.value,
      r.kmos.value / r.native.value,
    ]),
    notes: [
      'swap-out-fault: first touch once RAM is full (a zeroed page in, another page written out).',
      'swap-in-fault: a read of a swapped page (read back in, another page written out). Per page, averaged.',
    ],
  };
}
