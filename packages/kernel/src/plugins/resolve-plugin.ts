/**
 * Finding a plugin's module the way Node finds a package: a name is looked up in the node_modules folders
 * above each base folder (the config file's folder first, then the embedder's, so a third-party package
 * installed next to a config works as well as ours); a relative or absolute path names a folder with a
 * package.json or a module file. The package's `exports` (import/node/default conditions) or `main` picks
 * its entry. Expected absence is a value (null), not an exception. Layer: kernel plugins.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface ResolvedPlugin {
  /** Absolute path of the module to import. */
  readonly entry: string;
  /** The folder of the package, or null for a bare module file. */
  readonly packageDir: string | null;
}

const CONDITIONS = ['import', 'node', 'default'];

export function isPathSpec(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec) || spec === '.' || spec === '..';
}

/** Where the module for `spec` is, searching from each of `baseDirs` in turn; null when nowhere. */
export function resolvePlugin(spec: string, baseDirs: readonly string[]): ResolvedPlugin | null {
  if (isPathSpec(spec)) return resolvePath(resolve(baseDirs[0] ?? '.', spec));
  for (const base of baseDirs) {
    const dir = findPackageDir(spec, base);
    if (dir) return resolvePackage(dir);
  }
  return null;
}

function resolvePath(path: string): ResolvedPlugin | null {
  if (!existsSync(path)) return null;
  if (statSync(path).isDirectory()) return resolvePackage(path);
  return { entry: path, packageDir: null };
}

function findPackageDir(name: string, from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function resolvePackage(dir: string): ResolvedPlugin | null {
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) {
    const index = join(dir, 'index.js');
    return existsSync(index) ? { entry: index, packageDir: null } : null;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; main?: string };
  const target = entryFromExports(manifest.exports) ?? manifest.main ?? 'index.js';
  const entry = join(dir, target);
  return existsSync(entry) ? { entry, packageDir: dir } : null;
}

/** The `.` entry of an `exports` field: a string, a conditions object, or a subpath map with `.`. */
function entryFromExports(exports: unknown): string | null {
  if (typeof exports === 'string') return exports;
  if (!exports || typeof exports !== 'object') return null;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return entryFromExports(map['.']);
  for (const condition of CONDITIONS) {
    if (condition in map) {
      const found = entryFromExports(map[condition]);
      if (found) return found;
    }
  }
  return null;
}
