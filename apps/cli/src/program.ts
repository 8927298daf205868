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
    return reportError(error, io, argv.includes('--debug'));
  }
}

function buildProgram(io: CliIo, setStatus: (status: number) => void): Command {
  const program = new Command('kmos')
    .description('kmOS: a UNIX-like operating system on an emulated i386 PC')
    .version(`kmos ${manifest.version} (driver ABI ${ABI_VERSION})`, '-V, --version')
    .option('--debug', 'show stack traces of errors')
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
    .command('plugins')
    .description('list the plugin packages found, and whether this kernel accepts each')
    .option('--json', 'print JSON')
    .action(async (flags) => setStatus(await pluginsCommand(flags, io)));

  for (const command of [program, ...program.commands, ...config.commands]) {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  }
  return program;
}
