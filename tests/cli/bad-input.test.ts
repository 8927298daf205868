// Bad input to `kmos` (issue 4): one clear line on stderr naming the file and field or the plugin, no stack
// trace unless --debug, exit status 2. The oracle for each message is the input the test wrote.
import { ABI_VERSION } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { folderWith, kmos } from './run-kmos.js';

function expectOneLineError(result: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.status).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

/** A config naming `cpu` in the arch slot; the other slots keep their defaults. */
function configWithCpu(cpu: string): string {
  return JSON.stringify({ machine: { cpu } }, null, 2);
}

/** A plugin module file for the arch slot, declaring what the test wants. */
function archModule(manifest: Record<string, unknown>): string {
  return `export default ${JSON.stringify(manifest)};\n`;
}

describe('kmos with a bad config', () => {
  it('names line and column of malformed JSON', () => {
    const dir = folderWith({ 'bad.json': '{\n  "machine": {\n    "memoryMiB": 64,\n  }\n}\n' });
    const result = kmos(['boot', '--config', 'bad.json'], dir);
    // The stray "}" after the trailing comma is on line 4, column 3.
    expectOneLineError(result, /^kmos: bad\.json: line 4, column 3: not valid JSON: unexpected token/);
  });

  it('names the field a schema violation is in, with its line', () => {
    const dir = folderWith({ 'c.json': '{\n  "machine": {\n    "memoryMiB": "lots"\n  }\n}\n' });
    expectOneLineError(
      kmos(['config', 'validate', 'c.json'], dir),
      /^kmos: c\.json: machine\.memoryMiB \(line 3\): must be an integer$/,
    );
  });

  it('names an unknown field', () => {
    const dir = folderWith({ 'c.json': '{ "memory": { "objets": "@kmos/mm-slub" } }' });
    expectOneLineError(
      kmos(['config', 'validate', 'c.json'], dir),
      /^kmos: c\.json: memory\.objets \(line 1\): is not a known field$/,
    );
  });

  it('names a value outside an enum and the values allowed', () => {
    const dir = folderWith({ 'c.json': '{ "machine": { "console": "teletype" } }' });
    expectOneLineError(
      kmos(['boot', '-c', 'c.json'], dir),
      /machine\.console \(line 1\): must be one of "serial", "vga"$/,
    );
  });

  it('names a malformed plugin reference', () => {
    const dir = folderWith({ 'c.json': '{ "drivers": [["@kmos/drivers-ide"]] }' });
    expectOneLineError(
      kmos(['boot', '-c', 'c.json'], dir),
      /drivers\[0\] \(line 1\): must be a plugin name or \[name, options\]$/,
    );
  });

  it('names a swap file that holds something else, and leaves it alone', () => {
    const dir = folderWith({
      'c.json': '{ "memory": {\n  "swap": { "file": "notes.txt", "sizeMiB": 4 } } }',
      'notes.txt': 'keep me',
    });
    expectOneLineError(
      kmos(['boot', '-c', 'c.json'], dir),
      /^kmos: c\.json: memory\.swap\.file \(line 2\): .*notes\.txt is not a swap area \(no mkswap signature\); not overwriting it$/,
    );
  });

  it('names a swap area too large for swap entries', () => {
    const dir = folderWith({ 'c.json': '{ "memory": { "swap": { "file": "s", "sizeMiB": 8192 } } }' });
    expectOneLineError(
      kmos(['config', 'validate', 'c.json'], dir),
      /^kmos: c\.json: memory\.swap\.sizeMiB \(line 1\): must be <= 4096$/,
    );
  });

  it('names a config file that does not exist', () => {
    expectOneLineError(
      kmos(['boot', '--config', 'no-such-config.json'], folderWith({})),
      /^kmos: no-such-config\.json: no such file$/,
    );
  });
});

describe('kmos with a bad plugin', () => {
  it('refuses an unknown plugin, naming it and where the config names it', () => {
    const dir = folderWith({ 'c.json': configWithCpu('@kmos/cpu-z80') });
    expectOneLineError(
      kmos(['boot', '-c', 'c.json'], dir),
      /^kmos: Refused plugin @kmos\/cpu-z80 \(machine\.cpu in c\.json, line 3\): no package of that name is installed/,
    );
  });

  it('refuses a plugin of the wrong kind', () => {
    const dir = folderWith({
      'c.json': configWithCpu('./console.mjs'),
      'console.mjs': archModule({ kind: 'console', name: 'c', version: '1.0.0', abi: '^1.0.0' }),
    });
    expectOneLineError(
      kmos(['boot', '-c', 'c.json'], dir),
      /it is a console plugin, and this place in the config needs an arch plugin\.$/,
    );
  });

  it('refuses a plugin built for an incompatible ABI', () => {
    const dir = folderWith({
      'c.json': configWithCpu('./future.mjs'),
      'future.mjs': archModule({
        kind: 'arch',
        name: 'future-cpu',
        version: '9.0.0',
        abi: '^2.0.0',
        modelName: 'x',
      }),
    });
    expectOneLineError(
      kmos(['boot', '-c', 'c.json'], dir),
      new RegExp(
        `Refused plugin \\./future\\.mjs .*: it was built for driver ABI \\^2\\.0\\.0, which does not include this kernel's ABI ${ABI_VERSION.replace(/\./g, '\\.')}\\.$`,
      ),
    );
  });

  it('refuses a plugin missing a required member', () => {
    const dir = folderWith({
      'c.json': configWithCpu('./incomplete.mjs'),
      'incomplete.mjs': archModule({
        kind: 'arch',
        name: 'incomplete',
        version: '1.0.0',
        abi: '^1.0.0',
        modelName: 'x',
      }),
    });
    expectOneLineError(
      kmos(['boot', '-c', 'c.json'], dir),
      /it lacks the member "createCpu" \(a function\) that every arch plugin has\.$/,
    );
  });

  it('shows the stack trace under --debug', () => {
    const dir = folderWith({ 'c.json': configWithCpu('@kmos/cpu-z80') });
    const result = kmos(['boot', '-c', 'c.json', '--debug'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^\s+at /m);
  });
});

describe('kmos usage errors', () => {
  it('exits 2 on an unknown command', () => {
    const result = kmos(['frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('exits 2 when boot lacks --config', () => {
    const result = kmos(['boot']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/required option '-c, --config <file>' not specified/);
  });

  it('exits 0 for --help and --version', () => {
    expect(kmos(['--help'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/Usage: kmos/) });
    expect(kmos(['--version'])).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(new RegExp(`driver ABI ${ABI_VERSION}`)),
    });
  });
});

describe('kmos run --strace', () => {
  it('prints each syscall with decoded arguments and results, and the program is unaffected', () => {
    const r = kmos(['run', '--strace', '/bin/busybox', 'echo', 'traced']);
    expect(r.stdout).toBe('traced\n');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^\[pid 1\] write\(1, "traced\\n", 7\) = 7$/m);
    expect(r.stderr).toMatch(/^\[pid 1\] exit_group\(0\) = \?$/m);
  });
});

describe('kmos run with a program that cannot run', () => {
  it('says why as a shell would, with 127 for a missing program and 126 for one that cannot be executed', () => {
    const missing = kmos(['run', '/no/such/program']);
    expect(missing).toMatchObject({
      status: 127,
      stderr: 'kmos: /no/such/program: No such file or directory\n',
    });
    const notElf = kmos(['run', '/etc/hostname']);
    expect(notElf.status).toBe(126);
    expect(notElf.stderr).toMatch(/^kmos: \/etc\/hostname: (Permission denied|Exec format error)\n$/);
  });
});
