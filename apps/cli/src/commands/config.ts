/**
 * `kmos config validate FILE` and `kmos config print FILE`: check a config against the kernel's schema, or
 * show it resolved, every default filled in. Layer: CLI.
 */
import { loadConfigFile } from '@kmos/kernel';
import { type CliIo, userPath } from '../cli-io.js';
import { EXIT_OK } from '../exit-status.js';

export function configValidateCommand(file: string, io: CliIo): number {
  loadConfigFile(userPath(io, file), file);
  io.out(`${file}: valid\n`);
  return EXIT_OK;
}

export function configPrintCommand(file: string, io: CliIo): number {
  const { config } = loadConfigFile(userPath(io, file), file);
  io.out(`${JSON.stringify(config, null, 2)}\n`);
  return EXIT_OK;
}
