/**
 * `kmos plugins`: every plugin package visible from some folders — packages in the node_modules above them
 * whose package.json carries the keyword `kmos-plugin` — with what it declares and whether this kernel
 * accepts it. Layer: kernel plugins.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PLUGIN_KINDS, type PluginKind } from '@kmos/abi-driver';
import { PluginRefusedError } from '../errors.js';
import { checkPlugin } from './check-plugin.js';
import { resolvePlugin } from './resolve-plugin.js';

export const PLUGIN_KEYWORD = 'kmos-plugin';

export interface DiscoveredPlugin {
  readonly name: string;
  readonly version: string;
  readonly kind: string;
  readonly abi: string;
  readonly accepted: boolean;
  /** Why it is refused; empty when accepted. */
  readonly reason: string;
  readonly packageDir: string;
}

export async function discoverPlugins(fromDirs: readonly string[]): Promise<DiscoveredPlugin[]> {
  const found = new Map<string, string>();
  for (const from of fromDirs) {
    for (const dir of packageDirsAbove(from)) {
      const name = pluginPackageName(dir);
      if (name && !found.has(name)) found.set(name, dir);
    }
  }
  const result: DiscoveredPlugin[] = [];
  for (const [name, dir] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    result.push(await inspect(name, dir));
  }
  return result;
}

async function inspect(name: string, packageDir: string): Promise<DiscoveredPlugin> {
  const base = { name, version: '?', kind: '?', abi: '?', packageDir };
  const resolved = resolvePlugin(packageDir, [packageDir]);
  if (!resolved) return { ...base, accepted: false, reason: 'its entry module is missing (not built?)' };
  let candidate: Record<string, unknown>;
  try {
    const module = await import(pathToFileURL(resolved.entry).href);
    candidate = (module.default ?? module.plugin ?? {}) as Record<string, unknown>;
  } catch (error) {
    return { ...base, accepted: false, reason: `its module failed to load (${(error as Error).message})` };
  }
  const declared = {
    ...base,
    version: String(candidate.version ?? '?'),
    kind: String(candidate.kind ?? '?'),
    abi: String(candidate.abi ?? '?'),
  };
  const kind = (PLUGIN_KINDS as readonly string[]).includes(declared.kind)
    ? (declared.kind as PluginKind)
    : 'driver';
  try {
    checkPlugin(candidate, kind, name);
    return { ...declared, accepted: true, reason: '' };
  } catch (error) {
    if (!(error instanceof PluginRefusedError)) throw error;
    return { ...declared, accepted: false, reason: error.reason };
  }
}

/** Package folders in every node_modules from `from` up to the filesystem root, scoped packages included. */
function* packageDirsAbove(from: string): Generator<string> {
  let dir = resolve(from);
  for (;;) {
    const modules = join(dir, 'node_modules');
    if (existsSync(modules)) yield* packageDirsIn(modules);
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

function* packageDirsIn(modules: string): Generator<string> {
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(path, { withFileTypes: true })) yield join(path, scoped.name);
    } else {
      yield path;
    }
  }
}

function pluginPackageName(dir: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: string;
      keywords?: string[];
    };
    return manifest.keywords?.includes(PLUGIN_KEYWORD) && manifest.name ? manifest.name : null;
  } catch {
    return null;
  }
}
