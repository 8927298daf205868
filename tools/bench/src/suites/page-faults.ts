/**
 * The page-fault part of `pnpm bench mm`: a demand-zero fault, a copy-on-write fault and a fork of a process
 * with 64 MiB touched, measured by userland/bench/page-faults.c itself (CLOCK_MONOTONIC) natively and under
 * `kmos run --realtime` in the same run. The demand-zero fault comes warm (the target's) and cold. Layer: the bench tool.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Cell, Table } from '../report.js';
import { buildBenchPrograms, spawnKmos } from './userland-programs.js';

interface Figure {
  readonly value: number;
  readonly unit: string;
}

export type PageFaultResult = Record<string, { native: Figure; kmos: Figure }>;

const TARGETS: Record<string, string> = { 'demand-zero-fault': '<= 2 us' };

/** The `name value unit` lines a bench program prints. */
export function parseFigures(stdout: string): Record<string, Figure> {
  const figures: Record<string, Figure> = {};
  for (const line of stdout.trim().split('\n')) {
    const [name, value, unit] = line.split(/\s+/);
    if (name && value && unit) figures[name] = { value: Number(value), unit };
  }
  return figures;
}

/**
 * Runs a bench program natively and under `kmos run --realtime` (with `kmosOptions` before the program),
 * pairing the figures each run printed.
 */
export function runFigures(
  name: string,
  args: readonly string[],
  kmosOptions: readonly string[] = [],
): PageFaultResult {
  const program = join(buildBenchPrograms(), name);
  const native = spawnSync(program, args, { encoding: 'utf8' });
  const kmos = spawnKmos(['run', '--realtime', ...kmosOptions, program, ...args], {
    encoding: 'utf8',
    timeout: 1_800_000,
  });
  if (native.status !== 0 || kmos.status !== 0)
    throw new Error(`${name} failed: ${native.stderr}${kmos.stderr}`);
  const n = parseFigures(native.stdout);
  const k = parseFigures(kmos.stdout);
  return Object.fromEntries(Object.keys(n).map((m) => [m, { native: n[m]!, kmos: k[m]! }]));
}

export function pageFaultJob(): PageFaultResult {
  return runFigures('page-faults', []);
}

/** Table rows: each measure with its unit, both figures and the slowdown, then `extra` cells. */
export function comparisonRows(
  result: PageFaultResult,
  extra: (name: string) => Cell[] = () => [],
): Cell[][] {
  return Object.entries(result).map(([name, r]) => [
    name,
    r.native.unit,
    r.native.value,
    r.kmos.value,
    r.kmos.value / r.native.value,
    ...extra(name),
  ]);
}

export function pageFaultTable(result: PageFaultResult): Table {
  return {
    title: 'Page faults and fork: the same static i386 program natively and under `kmos run --realtime`',
    columns: ['measure', 'unit', 'native', 'kmOS', 'slowdown (x)', 'target'],
    rows: comparisonRows(result, (name) => [TARGETS[name] ?? '']),
    notes: [
      '64 MiB of anonymous memory; per-fault figures are the average over its 16,384 pages.',
      'demand-zero-fault: the best of 8 rounds (map, touch, unmap) after the first, as a running system sees it.',
      'demand-zero-fault-cold: the first 64 MiB a fresh process touches; under kmOS it also pays the JIT',
      '  warming up the fault path and the host committing emulated RAM on first use.',
    ],
  };
}
