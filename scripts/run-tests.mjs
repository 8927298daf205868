#!/usr/bin/env node
// `pnpm test`: build every package (turbo, cached), run every vitest project, then print the one plain
// summary line CI reads — `N passed, N failed` — from vitest's JSON report. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const reportPath = 'reports/vitest.json';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false });
  return result.status ?? 1;
}

const built = run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
if (built !== 0) {
  console.error('build failed: no tests were run');
  console.log('0 passed, 1 failed');
  process.exit(built);
}

mkdirSync('reports', { recursive: true });
const status = run('pnpm', [
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportPath}`,
  ...process.argv.slice(2),
]);

let summary = '0 passed, 1 failed';
try {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  // A test file that fails to load has no test results of its own: count it as one failure, not zero.
  const brokenFiles = report.testResults.filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  ).length;
  const failed = report.numFailedTests + brokenFiles;
  summary = `${report.numPassedTests} passed, ${failed} failed`;
  if (report.numPendingTests + report.numTodoTests > 0)
    summary += `, ${report.numPendingTests + report.numTodoTests} skipped`;
} catch {
  console.error(`no test report at ${reportPath}`);
}
console.log(summary);
process.exit(status);
