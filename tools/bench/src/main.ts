/**
 * `pnpm bench <suite> [--json]`: runs a suite's jobs, each in a fresh worker thread, and prints its report as
 * tables (or JSON with --json). Timings never fail anything: the exit status is about usage only. The same
 * file is the worker's entry: a worker runs the one job named in its workerData. Layer: the bench tool.
 */
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { formatReport } from './report.js';
import { SUITES } from './suites/index.js';

interface JobRequest {
  readonly suite: string;
  readonly job: string;
}

function usage(): string {
  const suites = [...SUITES.values()].map((s) => `  ${s.name.padEnd(8)} ${s.description}`).join('\n');
  return `usage: pnpm bench <suite> [--json]\n\nsuites:\n${suites}\n`;
}

function runInWorker(request: JobRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: request });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench job ${request.suite}/${request.job} exited with ${code}`));
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  const suite = SUITES.get(positionals[0] ?? '');
  if (values.help || !suite || positionals.length !== 1) {
    process.stderr.write(usage());
    return values.help ? 0 : 2;
  }
  const results = new Map<string, unknown>();
  for (const job of suite.jobs) {
    if (!values.json) process.stderr.write(`  ${suite.name}: ${job}...\n`);
    results.set(job, await runInWorker({ suite: suite.name, job }));
  }
  const report = suite.report(results);
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}

if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  const request = workerData as JobRequest;
  parentPort!.postMessage(SUITES.get(request.suite)!.runJob(request.job));
}
