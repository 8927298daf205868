/**
 * The differential check itself: a group's program is compiled once, run on the host CPU (the oracle) and
 * on the emulated CPU through harness/run-emulated.ts, and the two outputs must be the same text. Each
 * family's *.test.ts calls `defineDifferentialGroups`, which registers two tests per group: "host" checks
 * the oracle ran to completion; "emulated" compares and, on a difference, names the first differing line
 * (which carries the instruction form and its inputs) so the CPU engineer can reproduce it. Lines compare
 * bit for bit unless the group names another `LineRule` (documented-accuracy.ts: only x87-transcendental).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ArchPlugin } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { BIT_FOR_BIT, type LineRule } from './documented-accuracy.js';
import type { Group } from './groups/c-program.js';
import { compileProgram, runNatively } from './harness/native.js';
import { runOnEmulatedCpu } from './harness/run-emulated.js';

const CPU_PACKAGE = '@kmos/cpu-i386';
/** Forms whose first differing line a failure message shows. */
const MAX_FORMS_LISTED = 8;

interface Prepared {
  readonly binary: string;
  readonly hostOutput: string;
}

const prepared = new Map<string, Promise<Prepared>>();

function prepare(group: Group): Promise<Prepared> {
  let promise = prepared.get(group.name);
  if (promise === undefined) {
    promise = (async () => {
      const binary = await compileProgram(group.name, group.source);
      return { binary, hostOutput: await runNatively(binary) };
    })();
    prepared.set(group.name, promise);
  }
  return promise;
}

export async function loadCpuPlugin(): Promise<ArchPlugin> {
  // Imported by name at run time so the host half of the suite works before the CPU package exists.
  const name = CPU_PACKAGE;
  try {
    const module = (await import(/* @vite-ignore */ name)) as { default?: ArchPlugin };
    if (typeof module.default?.createCpu !== 'function') throw new Error('no default export with createCpu');
    return module.default;
  } catch (error) {
    throw new Error(`cannot load ${name} (run \`pnpm --filter ${name} build\`): ${String(error)}`);
  }
}

/** The instruction form of a line: everything before the first " key=". */
function formOf(line: string): string {
  const cut = line.search(/ [a-z0-9]+=/);
  return cut < 0 ? line : line.slice(0, cut);
}

/**
 * A report of how `actual` differs from `expected` under `rule`, or null when every line passes it: the
 * first line the rule rejects with the one before it, then the first rejected line of each further form
 * (different forms are often different bugs), up to MAX_FORMS_LISTED.
 */
export function describeDifference(
  expected: string,
  actual: string,
  rule: LineRule = BIT_FOR_BIT,
): string | null {
  if (expected === actual) return null;
  const want = expected.split('\n');
  const got = actual.split('\n');
  let first = -1;
  let differing = 0;
  let tolerated = 0;
  const firstLineOfForm = new Map<string, number>();
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] === got[i]) continue;
    if (want[i] !== undefined && got[i] !== undefined && rule.accepts(want[i], got[i])) {
      tolerated++;
      continue;
    }
    if (first < 0) first = i;
    differing++;
    const form = want[i] === undefined ? '(past the end)' : formOf(want[i]);
    if (!firstLineOfForm.has(form)) firstLineOfForm.set(form, i);
  }
  if (first < 0) return null;
  const beyond = rule === BIT_FOR_BIT ? '' : ` beyond the rule "${rule.name}" (${tolerated} more within it)`;
  const report = [
    `first difference at line ${first + 1} of ${want.length}; ${differing} lines differ${beyond}`,
    `  previous: ${first > 0 ? want[first - 1] : '(start of output)'}`,
    `  host:     ${want[first] ?? '(end of output)'}`,
    `  emulated: ${got[first] ?? '(end of output)'}`,
    `  forms that differ (${firstLineOfForm.size}): ${[...firstLineOfForm.keys()].join(' | ')}`,
  ];
  for (const line of [...firstLineOfForm.values()].slice(1, MAX_FORMS_LISTED)) {
    report.push(
      `  host:     ${want[line] ?? '(end of output)'}`,
      `  emulated: ${got[line] ?? '(end of output)'}`,
    );
  }
  return report.join('\n');
}

/**
 * Writes both outputs beside the binary (`<group>.host.txt`, `<group>.emulated.txt`) so the whole
 * difference can be read with diff(1); returns the line that says where they are.
 */
function saveOutputs(binary: string, group: Group, host: string, emulated: string): string {
  const base = join(dirname(binary), group.name);
  writeFileSync(`${base}.host.txt`, host);
  writeFileSync(`${base}.emulated.txt`, emulated);
  return `  all of it: diff ${base}.host.txt ${base}.emulated.txt`;
}

async function runEmulated(group: Group, compiler: 'js' | 'wasm'): Promise<void> {
  const { binary, hostOutput } = await prepare(group);
  const plugin = await loadCpuPlugin();
  const result = runOnEmulatedCpu(plugin, new Uint8Array(readFileSync(binary)), undefined, compiler);
  if (!result.ok) {
    const done = result.stdout.split('\n').length - 1;
    const next = hostOutput.split('\n')[done] ?? '(none)';
    const saved = saveOutputs(binary, group, hostOutput, result.stdout);
    throw new Error(`${group.name}: ${result.failure}\n  while running line ${done + 1}: ${next}\n${saved}`);
  }
  const difference = describeDifference(hostOutput, result.stdout, group.lineRule);
  if (difference !== null) {
    const saved = saveOutputs(binary, group, hostOutput, result.stdout);
    throw new Error(`${group.name}: emulated output differs from the host CPU\n${difference}\n${saved}`);
  }
  expect(result.exitCode).toBe(0);
}

export function defineDifferentialGroups(family: string, groups: readonly Group[]): void {
  describe(family, () => {
    for (const group of groups) {
      it(`${group.name}: host CPU runs the program to the end`, async () => {
        const { hostOutput } = await prepare(group);
        const lines = hostOutput.split('\n');
        const last = lines[lines.length - 2];
        expect(last).toMatch(/^end lines=[0-9a-f]{8}$/);
        expect(Number.parseInt(last.slice('end lines='.length), 16)).toBe(lines.length - 2);
        // A second run must print the same: output that depends on stack addresses (ASLR) cannot compare.
        const { binary } = await prepare(group);
        expect(describeDifference(hostOutput, await runNatively(binary))).toBeNull();
      });
      it(`${group.name}: emulated CPU prints what the host CPU prints`, () => runEmulated(group, 'js'));
      it(`${group.name}: emulated CPU with WebAssembly regions prints what the host CPU prints`, () =>
        runEmulated(group, 'wasm'));
    }
  });
}
