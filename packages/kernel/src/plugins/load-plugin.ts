/**
 * Loading one plugin named in the config: resolve it, import it, check it, validate its options. Errors name
 * the package, where the config names it, and why it was refused. Layer: kernel plugins.
 */
import { pathToFileURL } from 'node:url';
import type { Plugin, PluginKind, PluginOptions } from '@kmos/abi-driver';
import type { PluginRef } from '../config/types.js';
import { PluginRefusedError } from '../errors.js';
import { checkOptions, checkPlugin } from './check-plugin.js';
import { isPathSpec, resolvePlugin } from './resolve-plugin.js';

export interface LoadedPlugin<P extends Plugin = Plugin> {
  readonly plugin: P;
  readonly options: PluginOptions;
  /** Where the module came from. */
  readonly entry: string;
}

export interface PluginSearch {
  /** Folders whose node_modules are searched, in order; relative paths resolve from the first. */
  readonly baseDirs: readonly string[];
}

export function splitRef(ref: PluginRef): { spec: string; options: PluginOptions } {
  return typeof ref === 'string' ? { spec: ref, options: {} } : { spec: ref[0], options: ref[1] };
}

/** `where` says where the config names the plugin (`memory.objects in default.json, line 7`). */
export async function loadPlugin<K extends PluginKind>(
  ref: PluginRef,
  kind: K,
  search: PluginSearch,
  where: string,
): Promise<LoadedPlugin<Extract<Plugin, { kind: K }>>> {
  const { spec, options } = splitRef(ref);
  const label = `${spec} (${where})`;
  const resolved = resolvePlugin(spec, search.baseDirs);
  if (!resolved) {
    const reason = isPathSpec(spec)
      ? 'no plugin module is at that path'
      : 'no package of that name is installed where the config or kmos can see it';
    throw new PluginRefusedError(label, reason);
  }
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolved.entry).href);
  } catch (error) {
    throw new PluginRefusedError(label, `its module failed to load (${(error as Error).message})`);
  }
  const plugin = checkPlugin(module.default ?? module.plugin, kind, label) as Extract<Plugin, { kind: K }>;
  return { plugin, options: checkOptions(plugin, options, label), entry: resolved.entry };
}
