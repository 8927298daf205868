/**
 * `kmos boot --config FILE`: compose the machine the config describes, mount its root and run its init on
 * the console. A poweroff exits 0; finding no init, or init exiting, is the kernel's panic (exit 1).
 * Layer: CLI.
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
