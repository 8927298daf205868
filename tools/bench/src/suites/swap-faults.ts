/**
 * The swap part of `pnpm bench mm`: userland/bench/swap.c touches twice the RAM of a small kmOS machine with
 * a swap file, under `kmos run --realtime`, and reports the cost per page of a fault that must write a page
 * out, and of one that reads a page back in (writing another out); natively the same passes are plain faults
 * and reads, the baseline. Layer: the bench tool.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from '../report.js';
import { comparisonRows, type PageFaultResult, runFigures } from './page-faults.js';

const RAM_MIB = 16;
const SWAP_MIB = 64;

export function swapFaultJob(): PageFaultResult {
  const dir = mkdtempSync(join(tmpdir(), 'kmos-bench-swap-'));
  try {
    const config = join(dir, 'swap.json');
    const swap = { file: 'swap.img', sizeMiB: SWAP_MIB };
    writeFileSync(config, JSON.stringify({ machine: { memoryMiB: RAM_MIB }, memory: { swap } }));
    return runFigures('swap', [String(RAM_MIB)], ['--config', config]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function swapFaultTable(result: PageFaultResult): Table {
  return {
    title: `Swap: ${2 * RAM_MIB} MiB touched on a ${RAM_MIB} MiB kmOS machine with a ${SWAP_MIB} MiB swap file (kmos run --realtime)`,
    columns: ['measure', 'unit', 'native (no swap)', 'kmOS', 'slowdown (x)'],
    rows: comparisonRows(result),
    notes: [
      'swap-out-fault: first touch once RAM is full (a zeroed page in, another page written out).',
      'swap-in-fault: a read of a swapped page (read back in, another page written out). Per page, averaged.',
    ],
  };
}
