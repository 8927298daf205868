// The kernel's description of the CPU (AT_HWCAP, /proc/cpuinfo) against the CPUID the guest itself runs
// (driver ABI 1.1's Cpu.cpuid). The oracle is the CPU's own instruction, executed in the guest; a native run
// would describe the host's CPU instead. Also /proc/kmos/cpu and `kmos run --stats` show the CPU's counters.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runOnKmos } from './run-both.js';

const out = mkdtempSync(join(tmpdir(), 'kmos-cpuid-'));
const program = join(out, 'kernel-tests/cpuid-hwcap');

beforeAll(() => {
  execFileSync('make', ['-s', `OUT=${out}`, program], { cwd: join(repoRoot, 'userland'), stdio: 'pipe' });
}, 120_000);

/** The longest a schedstat reading can lag (one tick at HZ=100). */
const SCHEDSTAT_TICK_S = 0.01;

describe('the CPU as the kernel describes it', () => {
  it('AT_HWCAP and /proc/cpuinfo agree with the CPUID the guest executes', () => {
    const r = runOnKmos(program, []);
    expect(r.stdout).toBe('cpuinfo and AT_HWCAP agree with cpuid\n');
    expect(r.status).toBe(0);
  });

  it('/proc/kmos/cpu and kmos run --stats show the same counters, adding up to the instruction count, and CPU time', () => {
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'apps/cli/dist/main.js'), 'run', '--stats', program],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status).toBe(0);
    const line = /^kmos: cpu (.*)$/m.exec(r.stderr)?.[1] ?? '';
    const stats = Object.fromEntries(
      line.split(' ').map((kv) => kv.split('=').map((v, i) => (i ? Number(v) : v))),
    );
    const insns = Number(/^kmos: (\d+) instructions/m.exec(r.stderr)?.[1]);
    // CPU time: one thread's (on Linux) cannot exceed the elapsed time it was measured over, up to the
    // granularity of its clock: /proc/thread-self/schedstat's run time is brought up to date only at
    // scheduler ticks and switches, so each reading may lag by up to a tick (10 ms at HZ=100, the coarsest
    // Linux setting); a 2 ms margin failed on a busy host by 3 ms.
    const elapsed = Number(/^kmos: \d+ instructions in ([\d.]+) s/m.exec(r.stderr)?.[1]);
    const cpu = /^kmos: main thread on the CPU ([\d.]+) s \(([\d.]+) MIPS\)$/m.exec(r.stderr);
    expect(cpu).not.toBeNull();
    expect(Number(cpu?.[1])).toBeGreaterThan(0);
    expect(Number(cpu?.[1])).toBeLessThanOrEqual(elapsed + SCHEDSTAT_TICK_S);
    expect(Number(cpu?.[2])).toBeCloseTo(insns / Number(cpu?.[1]) / 1e6, -1);
    expect(Object.keys(stats)).toEqual([
      'decodedBlocks',
      'compiledBlocks',
      'invalidations',
      'regionCalls',
      'chainedCalls',
      'decodedRuns',
      'compiledInsns',
      'interpretedInsns',
      'regionSteps',
      'compilesDeferred',
      'regionEntries',
    ]);
    expect(stats.compiledInsns + stats.interpretedInsns).toBe(insns);
    // Instructions WebAssembly regions ran through the interpreter are among the compiled ones.
    expect(stats.regionSteps).toBeLessThanOrEqual(stats.compiledInsns);
    const proc = runOnKmos('/bin/busybox', ['cat', '/proc/kmos/cpu']);
    expect(proc.stdout).toMatch(
      /^insns \d+\ndecodedBlocks \d+\ncompiledBlocks \d+\ninvalidations \d+\nregionCalls \d+\nchainedCalls \d+\ndecodedRuns \d+\ncompiledInsns \d+\ninterpretedInsns \d+\nregionSteps \d+\ncompilesDeferred \d+\nregionEntries \d+\n$/,
    );
  });
});
