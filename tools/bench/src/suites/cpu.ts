/**
 * `pnpm bench cpu`: CPU-bound C programs (userland/bench/cpu-int.c: hashing, sorting, string work;
 * cpu-x87.c: a long-double series whose checksum needs the 80-bit significand) run natively and under
 * `kmos run --stats` in the same run. Instructions are the emulated CPU's count of the program (the same
 * binary natively); MIPS are instructions per second of host time, start-up included on both sides.
 * cpu-int runs a second time on configs/interpreter.json (no region compiler: the decoded tier runs
 * everything), for issue 5's interpreter target.
 * Layer: the bench tool.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Report } from '../report.js';
import type { Suite } from '../suite.js';
import { buildBenchPrograms, kmosMain, repoRoot } from './userland-programs.js';

/** Each job: a program of userland/bench, and the config it runs under on kmOS (undefined: the default). */
const JOBS: Record<string, { program: string; config?: string }> = {
  'cpu-int': { program: 'cpu-int' },
  'cpu-x87': { program: 'cpu-x87' },
  'cpu-int (interpreter)': { program: 'cpu-int', config: join(repoRoot, 'configs/interpreter.json') },
};
const REPEATS = 3;

interface CpuResult {
  readonly program: string;
  readonly insns: number;
  readonly nativeSeconds: number;
  readonly kmosSeconds: number;
  readonly sameOutput: boolean;
}

function bestOf<T>(runs: number, run: () => T, key: (t: T) => number): T {
  let best: T | null = null;
  for (let i = 0; i < runs; i++) {
    const r = run();
    if (best === null || key(r) < key(best)) best = r;
  }
  return best!;
}

function runNative(program: string): { seconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(program, [], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${program} failed natively`);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout: r.stdout };
}

function runKmos(program: string, config?: string): { seconds: number; insns: number; stdout: string } {
  const configArgs = config === undefined ? [] : ['--config', config];
  const r = spawnSync(process.execPath, [kmosMain, 'run', '--stats', ...configArgs, program], {
    encoding: 'utf8',
    timeout: 1_800_000,
  });
  const stats = /kmos: (\d+) instructions in ([\d.]+) s/.exec(r.stderr);
  if (r.status !== 0 || !stats) throw new Error(`${program} failed on kmOS: ${r.stderr}`);
  return { seconds: Number(stats[2]), insns: Number(stats[1]), stdout: r.stdout };
}

export const cpuSuite: Suite = {
  name: 'cpu',
  description: 'CPU-bound integer and x87 programs: instructions, MIPS and slowdown versus native',
  jobs: Object.keys(JOBS),
  runJob(job): CpuResult {
    const { program: name, config } = JOBS[job]!;
    const program = join(buildBenchPrograms(), name);
    const native = bestOf(
      REPEATS,
      () => runNative(program),
      (r) => r.seconds,
    );
    const kmos = bestOf(
      REPEATS,
      () => runKmos(program, config),
      (r) => r.seconds,
    );
    return {
      program: job,
      insns: kmos.insns,
      nativeSeconds: native.seconds,
      kmosSeconds: kmos.seconds,
      sameOutput: native.stdout === kmos.stdout,
    };
  },
  report(results): Report {
    const rows = [...results.values()].map((value) => {
      const r = value as CpuResult;
      return [
        r.program,
        r.insns,
        r.insns / r.nativeSeconds / 1e6,
        r.insns / r.kmosSeconds / 1e6,
        r.kmosSeconds / r.nativeSeconds,
        r.sameOutput ? 'yes' : 'NO',
      ];
    });
    return {
      suite: 'cpu',
      tables: [
        {
          title: 'CPU: the same static i386 program natively and under `kmos run`',
          columns: ['program', 'instructions', 'native MIPS', 'kmOS MIPS', 'slowdown (x)', 'same output'],
          rows,
          notes: [
            `Best of ${REPEATS} runs each. Instructions are counted by the emulated CPU; host time includes process start-up`,
            'on both sides (kmOS: boot and exec of the program; natively: exec).',
          ],
        },
      ],
    };
  },
};
