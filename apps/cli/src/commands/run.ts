/**
 * `kmos run [options] -- PROGRAM [ARGS...]`: run one Linux i386 program under the kmOS kernel, like
 * qemu-i386: the host's stdio, the host's environment (unless --clear-env), the host's file tree as root (or
 * --root DIR), and the program's exit status as kmos's own (128 + N when signal N ends it). Layer: CLI.
 */
import { isAbsolute, resolve } from 'node:path';
import { ENOENT, ENOTDIR, strerror } from '@kmos/abi-linux';
import {
  boot,
  formatLine,
  hostExitCode,
  KernelError,
  loadConfigFile,
  parseConfigText,
  runProgram,
} from '@kmos/kernel';
import { type CliIo, userPath } from '../cli-io.js';
import { cpuClock } from '../cpu-clock.js';
import { memoryBeyondRam, memoryLine } from '../memory-use.js';
import { pluginSearchDirs } from '../plugin-search.js';
import { createStraceTracer } from '../strace.js';

/**
 * Without --config, `kmos run` is qemu-user-like: a machine with room for real programs (1 GiB of emulated
 * RAM, allocated lazily by the host), everything else from the schema's defaults.
 */
const RUN_DEFAULTS = '{ "machine": { "memoryMiB": 1024 } }';

/** The statuses a shell gives for a command it cannot find, or finds and cannot execute. */
const EXIT_NOT_FOUND = 127;
const EXIT_CANNOT_EXECUTE = 126;

export interface RunFlags {
  readonly config?: string;
  readonly root?: string;
  readonly strace?: boolean;
  readonly clearEnv?: boolean;
  readonly env?: string[];
  readonly realtime?: boolean;
  /**
   * Print instructions executed, host time, CPU time (cpu-clock.ts), MIPS and the CPU's counters on stderr at
   * the end (for benchmarks).
   */
  readonly stats?: boolean;
}

export async function runCommand(
  program: string,
  args: string[],
  flags: RunFlags,
  io: CliIo,
): Promise<number> {
  const loaded = flags.config
    ? loadConfigFile(userPath(io, flags.config), flags.config)
    : parseConfigText(RUN_DEFAULTS, '(built-in defaults)');
  const machine = await boot(loaded, {
    searchDirs: pluginSearchDirs(io),
    echo: false,
    // The program owns stdout; the kernel's own errors (an OOM kill, a panic's context) go to stderr.
    onMessage: (line) => {
      if (line.level === 'error') io.err(`kmos: ${formatLine(line)}\n`);
    },
  });
  const rootDir = flags.root ? userPath(io, flags.root) : '/';
  // Without --root the guest sees the host's tree, so host paths work as they are; with it, paths are the guest's.
  const path =
    flags.root || isAbsolute(program) || !program.includes('/') ? program : resolve(io.cwd, program);
  const env = flags.clearEnv ? [] : Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  for (const assignment of flags.env ?? []) env.push(assignment);
  const clock = flags.stats ? cpuClock() : null;
  const cpuStarted = clock?.seconds() ?? 0;
  const started = process.hrtime.bigint();
  try {
    const status = await runProgram(machine, {
      path: path.includes('/') ? path : resolve(io.cwd, path),
      argv: [program, ...args],
      env,
      rootDir,
      cwd: flags.root ? '/' : io.cwd,
      realtime: flags.realtime ?? false,
      ...(flags.strace ? { tracer: createStraceTracer(io) } : {}),
    });
    if (flags.stats) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const insns = machine.cpu.insns;
      io.err(
        `kmos: ${insns} instructions in ${seconds.toFixed(3)} s (${(insns / seconds / 1e6).toFixed(1)} MIPS)\n`,
      );
      if (clock !== null) {
        const cpuSeconds = clock.seconds() - cpuStarted;
        io.err(
          `kmos: ${clock.whose} on the CPU ${cpuSeconds.toFixed(3)} s (${(insns / cpuSeconds / 1e6).toFixed(1)} MIPS)\n`,
        );
      }
      io.err(memoryLine(memoryBeyondRam(machine.memory.sizeBytes)));
      // The CPU's own counters (driver ABI 1.1, optional), as /proc/kmos/cpu shows them.
      const counters = Object.entries(machine.cpu.stats?.() ?? {});
      if (counters.length > 0)
        io.err(`kmos: cpu ${counters.map(([name, value]) => `${name}=${value}`).join(' ')}\n`);
    }
    return hostExitCode(status);
  } catch (error) {
    // The program could not be started: say why as a shell would, with a shell's statuses (127, 126).
    if (!(error instanceof KernelError)) throw error;
    io.err(`kmos: ${program}: ${strerror(error.errno)}\n`);
    return error.errno === ENOENT || error.errno === ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
  } finally {
    machine.console.close();
  }
}
