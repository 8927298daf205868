/**
 * A benchmark suite: named jobs, each run in its own worker thread, and a report built from their results.
 * A fresh worker per job means a fresh V8 isolate: one allocator's type feedback cannot make the JIT's code
 * for another slower, which in the kernel cannot happen either (one allocator per machine). Layer: the bench
 * tool; suites register in suites/index.ts.
 */
import type { Report } from './report.js';

export interface Suite {
  readonly name: string;
  readonly description: string;
  /** The jobs, run one after another (never in parallel: they time themselves). */
  readonly jobs: readonly string[];
  /** Runs one job, in a worker; returns a structured-cloneable result. */
  runJob(job: string): unknown;
  report(results: ReadonlyMap<string, unknown>): Report;
}
