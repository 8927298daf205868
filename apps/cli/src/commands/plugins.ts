/**
 * `kmos plugins`: every plugin package the CLI can see, what it declares, and whether this kernel accepts
 * it (and why not). Layer: CLI.
 */
import { ABI_VERSION } from '@kmos/abi-driver';
import { discoverPlugins } from '@kmos/kernel';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-status.js';
import { pluginSearchDirs } from '../plugin-search.js';
import { formatTable } from '../table.js';

export async function pluginsCommand(flags: { json?: boolean }, io: CliIo): Promise<number> {
  const plugins = await discoverPlugins(pluginSearchDirs(io));
  if (flags.json) {
    io.out(`${JSON.stringify({ abiVersion: ABI_VERSION, plugins }, null, 2)}\n`);
    return EXIT_OK;
  }
  const rows = plugins.map((p) => [p.name, p.kind, p.version, p.abi, p.accepted ? 'yes' : `no: ${p.reason}`]);
  io.out(`kernel driver ABI ${ABI_VERSION}\n`);
  io.out(formatTable(['PACKAGE', 'KIND', 'VERSION', 'ABI', 'ACCEPTED'], rows));
  return EXIT_OK;
}
