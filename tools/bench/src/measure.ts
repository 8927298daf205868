/**
 * Timing: run a workload until the JIT has settled, then time several rounds and keep the median, so one
 * garbage collection or a noisy neighbour does not set the figure. Layer: the bench tool.
 */

/** A workload runs `ops` operations and returns a number the caller keeps (so nothing is optimised away). */
export type Workload = (ops: number) => number;

export interface Throughput {
  readonly opsPerSec: number;
  readonly nsPerOp: number;
}

const WARMUP_MS = 150;
const ROUNDS = 7;
const ROUND_MS = 60;

let sink = 0;

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Ops per round sized so a round takes about ROUND_MS. */
function calibrate(workload: Workload): number {
  let ops = 1024;
  const start = process.hrtime.bigint();
  for (;;) {
    const t = process.hrtime.bigint();
    sink += workload(ops);
    const ms = elapsedMs(t);
    // Whole multiples of 1024 ops, so batch workloads run exactly the ops they are credited with.
    if (elapsedMs(start) > WARMUP_MS && ms > 5)
      return Math.max(1, Math.round((ops * ROUND_MS) / ms / 1024)) * 1024;
    ops *= 2;
  }
}

export function measure(workload: Workload): Throughput {
  const ops = calibrate(workload);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = process.hrtime.bigint();
    sink += workload(ops);
    rates.push(ops / (elapsedMs(t) / 1000));
  }
  rates.sort((a, b) => a - b);
  const opsPerSec = rates[ROUNDS >> 1];
  if (sink === Number.MIN_VALUE) console.log(sink);
  return { opsPerSec, nsPerOp: 1e9 / opsPerSec };
}
