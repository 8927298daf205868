/**
 * `kmos boot --config FILE`: compose the machine the config describes and start it. Until the kernel can run
 * init, this ends with the kernel's own panic saying what is missing. Layer: CLI.
 */
import { boot, loadConfigFile, startInit } from '@kmos/kernel';
import { type CliIo, userPath } from '../cli-io.js';
import { pluginSearchDirs } from '../plugin-search.js';

export interface BootFlags {
  readonly config: string;
  readonly quiet?: boolean;
}

export async function bootCommand(flags: BootFlags, io: CliIo): Promise<number> {
  const loaded = loadConfigFile(userPath(io, flags.config), flags.config);
  const machine = await boot(loaded, { searchDirs: pluginSearchDirs(io), echo: !flags.quiet });
  try {
    return await startInit(machine);
  } finally {
    machine.console.close();
  }
}
