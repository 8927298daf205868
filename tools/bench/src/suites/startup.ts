/**
 * `pnpm bench startup`: how long `kmos` takes from process start to exit for a guest that does nothing —
 * `kmos run -- /bin/busybox true`, and `kmos boot` of configs/busybox-on-host.json with a shell as init that
 * reads `poweroff -f` from stdin — beside bare Node start-up (node running an empty script), measured in
 * the same job. Runs alternate between the command and the baseline, so a load change on a shared machine
 * hits both alike; the figure is the median wall time of RUNS runs. Layer: the bench tool.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../report.js';
import type { Suite } from '../suite.js';
import { repoRoot, spawnKmos } from './userland-programs.js';

const RUNS = 21;

interface Command {
  readonly label: string;
  readonly args: readonly string[];
  /** What the guest reads on stdin. */
  readonly input?: string;
}

/** The jobs: what `kmos` is asked to do, each a guest that ends at once. */
const COMMANDS: Record<string, Command> = {
  run: { label: 'kmos run -- /bin/busybox true', args: ['run', '--', '/bin/busybox', 'true'] },
  boot: {
    label: 'kmos boot --config configs/busybox-on-host.json',
    args: ['boot', '--config', join(repoRoot, 'configs/busybox-on-host.json')],
    input: 'poweroff -f\n',
  },
};

interface Timing {
  readonly label: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly nodeMedianMs: number;
}

/**
 * Wall milliseconds of one child process, start to exit: kmos (`kmosArgs`), or node running `script`. A failing
 * run is an error, not a figure.
 */
function timeOnce(run: { kmosArgs: readonly string[] } | { script: string }, input?: string): number {
  const options = { input, encoding: 'utf8', timeout: 60_000 } as const;
  const start = process.hrtime.bigint();
  const r =
    'kmosArgs' in run ? spawnKmos(run.kmosArgs, options) : spawnSync(process.execPath, [run.script], options);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const what = 'kmosArgs' in run ? `kmos ${run.kmosArgs.join(' ')}` : `node ${run.script}`;
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function timeCommand(command: Command): Timing {
  const empty = join(mkdtempSync(join(tmpdir(), 'kmos-bench-')), 'empty.mjs');
  writeFileSync(empty, '');
  // One untimed run of each fills the OS's file cache, so the first timed run is not the outlier.
  timeOnce({ script: empty });
  timeOnce({ kmosArgs: command.args }, command.input);
  const kmos: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    node.push(timeOnce({ script: empty }));
    kmos.push(timeOnce({ kmosArgs: command.args }, command.input));
  }
  return {
    label: command.label,
    runs: RUNS,
    medianMs: median(kmos),
    minMs: Math.min(...kmos),
    nodeMedianMs: median(node),
  };
}

export const startupSuite: Suite = {
  name: 'startup',
  description: 'kmos run / kmos boot of a guest that ends at once, wall time beside bare Node start-up',
  jobs: Object.keys(COMMANDS),
  runJob(job) {
    return timeCommand(COMMANDS[job]!);
  },
  report(results): Report {
    const rows = [...results.values()].map((r) => {
      const t = r as Timing;
      return [t.label, t.runs, t.medianMs, t.minMs, t.nodeMedianMs, t.medianMs - t.nodeMedianMs];
    });
    return {
      suite: 'startup',
      tables: [
        {
          title: 'Start-up: wall time of a whole `kmos` process whose guest ends at once',
          columns: ['command', 'runs', 'median ms', 'min ms', 'bare node ms', 'kmos - node ms'],
          rows,
          notes: [
            'bare node: `node empty.mjs`, run alternately with the command in the same job (the baseline).',
            'boot: busybox sh as init reads "poweroff -f" from stdin; run: a static busybox applet that exits 0.',
          ],
        },
      ],
    };
  },
};
