/**
 * Where the CLI looks for plugin packages besides the config file's folder: the user's folder, then the CLI's
 * own package, which depends on the plugins kmOS ships (so `default.json` works from anywhere). Layer: CLI.
 */
import { fileURLToPath } from 'node:url';
import type { CliIo } from './cli-io.js';

export const CLI_PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export function pluginSearchDirs(io: CliIo): string[] {
  return [io.cwd, CLI_PACKAGE_DIR];
}
