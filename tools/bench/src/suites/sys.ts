/**
 * `pnpm bench sys`: the cost of the syscall layer, each figure beside the same static i386 program run
 * natively in the same run. The programs (userland/bench/*.c) time themselves with CLOCK_MONOTONIC; under
 * `kmos run --realtime` that clock is the host's, so both runs measure the same thing with the same code.
 * They time rounds (userland/bench/timing.h), as this tool times its own workloads (measure.ts): each prints
 * the steady figure (the best round after a second of warm-up) and a `-cold` one (the first round, start-up
 * and V8's warm-up of the kernel's paths included). The busybox pipeline is timed from outside (whole runs,
 * kmos start-up included). Layer: the bench tool.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Report } from '../report.js';
import type { Suite } from '../suite.js';
import { buildBenchPrograms, spawnKmos } from './userland-programs.js';

const BUSYBOX = '/bin/busybox';
const PIPELINE_RUNS = 200;
const PIPELINE = `i=0; while [ $i -lt ${PIPELINE_RUNS} ]; do seq 1 50 | sort -r | head -n 3 > /dev/null; i=$((i + 1)); done`;

/** Targets from issue 7, for the table's last column. */
const TARGETS: Record<string, string> = {
  getppid: '<= 300 ns',
  'fork-exec-wait': '<= 500 us',
  'pipe-64k': '>= 1000 MiB/s',
  'touch-copy-64m': '<= 150 ms',
  'busybox-pipeline-x200': '<= 3x native',
};

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** The program's result lines, `name value unit` each. */
function parse(stdout: string): Figure[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [name, value, unit] = line.trim().split(/\s+/);
      if (!name || !value || !unit) throw new Error(`unexpected benchmark output: ${JSON.stringify(stdout)}`);
      return { name, value: Number(value), unit };
    });
}

function runProgram(program: string, onKmos: boolean): Figure[] {
  const r = onKmos
    ? spawnKmos(['run', '--realtime', program], {
        encoding: 'utf8',
        timeout: 1_800_000,
      })
    : spawnSync(program, [], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${program} ${onKmos ? 'on kmOS' : 'natively'} failed: ${r.stderr}`);
  return parse(r.stdout);
}

function timePipeline(onKmos: boolean): Figure[] {
  const args = [BUSYBOX, 'sh', '-c', PIPELINE];
  const start = process.hrtime.bigint();
  const r = onKmos
    ? spawnKmos(['run', ...args], { encoding: 'utf8', timeout: 1_800_000 })
    : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`busybox pipeline failed: ${r.stderr}`);
  return [
    { name: 'busybox-pipeline-x200', value: Number(process.hrtime.bigint() - start) / 1e6, unit: 'ms' },
  ];
}

const PROGRAMS = ['getppid', 'fork-exec', 'pipe-throughput', 'touch-copy'];

export const sysSuite: Suite = {
  name: 'sys',
  description:
    'syscall round trip, fork+exec, pipe throughput, page touching, a busybox pipeline: kmOS vs native',
  jobs: [...PROGRAMS, 'busybox-pipeline'],
  runJob(job) {
    if (job === 'busybox-pipeline') return { native: timePipeline(false), kmos: timePipeline(true) };
    const program = join(buildBenchPrograms(), job);
    return { native: runProgram(program, false), kmos: runProgram(program, true) };
  },
  report(results): Report {
    const rows = [...results.values()].flatMap((r) => {
      const { native, kmos } = r as { native: Figure[]; kmos: Figure[] };
      return native.map((n) => {
        const k = kmos.find((f) => f.name === n.name);
        if (k === undefined) throw new Error(`${n.name}: no figure from the kmOS run`);
        const slowdown = n.unit === 'MiB/s' ? n.value / k.value : k.value / n.value;
        return [n.name, n.unit, n.value, k.value, slowdown, TARGETS[n.name] ?? ''];
      });
    });
    return {
      suite: 'sys',
      tables: [
        {
          title: 'Syscall layer: the same static i386 program natively and under `kmos run --realtime`',
          columns: ['benchmark', 'unit', 'native', 'kmOS', 'slowdown (x)', 'target'],
          rows,
          notes: [
            'Programs in userland/bench time themselves with CLOCK_MONOTONIC (the host clock in both runs), in rounds:',
            'the figure is the best round after 1 s of warm-up; -cold is the first round (start-up and JIT warm-up).',
            `busybox-pipeline-x200: ${PIPELINE_RUNS} runs of "seq | sort -r | head" in one busybox sh, timed from outside (kmos start-up included).`,
          ],
        },
      ],
    };
  },
};
