/**
 * The `kmos` command line: its commands, flags and help, defined with commander. `runCli` is the whole CLI
 * as a function of arguments and I/O, returning the exit status, so tests drive it without a process.
 * Layer: CLI (apps/ may assemble concrete plugins; the kernel never does).
 */
import { ABI_VERSION } from '@kmos/abi-driver';
import { Command } from 'commander';
import manifest from '../package.json' with { type: 'json' };
import type { CliIo } from './cli-io.js';
import { bootCommand } from './commands/boot.js';
import { configPrintCommand, configValidateCommand } from './commands/config.js';
import { pluginsCommand } from './commands/plugins.js';
import { runCommand } from './commands/run.js';
import { syscallsCommand } from './commands/syscalls.js';
import { reportError } from './exit-status.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = buildProgram(io, (s) => {
    status = s;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    const ownArgs = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    return reportError(error, io, ownArgs.includes('--debug'));
  }
}

function buildProgram(io: CliIo, setStatus: (status: number) => void): Command {
  const program = new Command('kmos')
    .description('kmOS: a UNIX-like operating system on an emulated i386 PC')
    .version(`kmos ${manifest.version} (driver ABI ${ABI_VERSION})`, '-V, --version')
    .option('--debug', 'show stack traces of errors')
    .enablePositionalOptions()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run kmos --help for usage)');

  program
    .command('boot')
    .description('compose the machine described by a config and boot it')
    .requiredOption('-c, --config <file>', 'the config manifest (JSON)')
    .option('-q, --quiet', 'do not echo kernel messages on the console')
    .action(async (flags) => setStatus(await bootCommand(flags, io)));

  const config = program.command('config').description('check and show config manifests');
  config
    .command('validate <file>')
    .description('check a config against the kernel schema')
    .action((file: string) => setStatus(configValidateCommand(file, io)));
  config
    .command('print <file>')
    .description('print a config with every default filled in')
    .action((file: string) => setStatus(configPrintCommand(file, io)));

  program
    .command('run')
    .description('run a Linux i386 program under the kmOS kernel (like qemu-i386)')
    .argument('<program>', 'the program: a host path, or a path in --root')
    .argument('[args...]', 'its arguments')
    .option('-c, --config <file>', 'the config manifest (default: the built-in defaults)')
    .option('--root <dir>', 'host directory to use as the root filesystem (default: /)')
    .option('--strace', 'print every syscall on stderr')
    .option('--clear-env', 'start with an empty environment')
    .option('--env <K=V>', 'set an environment variable (repeatable)', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .option('--realtime', 'guest clocks follow the host clock instead of counted instructions')
    .option('--stats', 'print instructions executed, elapsed and CPU time and MIPS on stderr at the end')
    .passThroughOptions()
    .action(async (programPath: string, args: string[], flags) =>
      setStatus(await runCommand(programPath, args, flags, io)),
    );

  program
    .command('syscalls')
    .description('print the Linux i386 syscall table and what kmOS supports')
    .option('--markdown', 'print docs/syscalls.md')
    .action((flags) => setStatus(syscallsCommand(flags, io)));

  program
    .command('plugins')
    .description('list the plugin packages found, and whether this kernel accepts each')
    .option('--json', 'print JSON')
    .action(async (flags) => setStatus(await pluginsCommand(flags, io)));

  for (const command of [program, ...program.commands, ...config.commands]) {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    // Options are positional (so `kmos run PROG --flag` passes --flag to PROG); every command takes --debug.
    if (command !== program && command !== config) command.option('--debug', 'show stack traces of errors');
  }
  return program;
}
