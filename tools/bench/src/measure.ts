/**
 * Timing: run a workload until the JIT has settled, then time many short rounds. Rounds are timed in CPU
 * time of this process (user + system; the main thread only waits while a worker runs), not wall time, so
 * being descheduled on a busy machine does not count. The figure is the best round, with the median beside
 * it to show how noisy the run was. Layer: the bench tool.
 */

/** A workload runs `ops` operations and returns a number the caller keeps (so nothing is optimised away). */
export type Workload = (ops: number) => number;

export interface Throughput {
  /** The best round. */
  readonly opsPerSec: number;
  readonly nsPerOp: number;
  readonly medianOpsPerSec: number;
}

const WARMUP_MS = 150;
const ROUNDS = 15;
const ROUND_MS = 40;

let sink = 0;

/** CPU milliseconds this process has used; `process.cpuUsage` counts microseconds over all threads. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Ops per round: whole multiples of `quantum` (the workloads' stream length, so every round replays the
 * same operations and the best round is not merely the cheapest stretch of the stream), about ROUND_MS.
 */
function calibrate(workload: Workload, quantum: number): number {
  let ops = quantum;
  const start = cpuMs();
  for (;;) {
    const t = cpuMs();
    sink += workload(ops);
    const ms = cpuMs() - t;
    if (cpuMs() - start > WARMUP_MS && ms > 5) {
      return Math.max(1, Math.round((ops * ROUND_MS) / ms / quantum)) * quantum;
    }
    ops *= 2;
  }
}

export function measure(workload: Workload, quantum: number): Throughput {
  const ops = calibrate(workload, quantum);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = cpuMs();
    sink += workload(ops);
    rates.push(ops / ((cpuMs() - t) / 1000));
  }
  rates.sort((a, b) => a - b);
  const opsPerSec = rates[ROUNDS - 1];
  if (sink === Number.MIN_VALUE) console.log(sink);
  return { opsPerSec, nsPerOp: 1e9 / opsPerSec, medianOpsPerSec: rates[ROUNDS >> 1] };
}
