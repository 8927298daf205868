// The layering rules of docs/architecture.md, checked over every package: what each package.json depends on
// and what each source file imports. Tests (*.test.ts, testing/ folders) may assemble concrete plugins;
// shipped code may not.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

type Layer = 'abi' | 'plugin' | 'kernel' | 'assembly';

/** Which layer a package folder is in, by its name (STYLE.md, "The house"). */
function layerOf(folder: string): Layer {
  if (folder.startsWith('packages/abi-')) return 'abi';
  if (folder === 'packages/kernel') return 'kernel';
  if (folder.startsWith('packages/')) return 'plugin';
  return 'assembly';
}

/** The @kmos packages a package of this layer may use in shipped code. */
function allowed(layer: Layer, dependency: string): boolean {
  switch (layer) {
    case 'abi':
      return false;
    case 'plugin':
    case 'kernel':
      return dependency.startsWith('@kmos/abi-');
    case 'assembly':
      return true;
  }
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packages = ['packages', 'apps', 'tools']
  .filter((group) => statSync(join(root, group), { throwIfNoEntry: false }))
  .flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`))
  .filter((folder) => statSync(join(root, folder, 'package.json'), { throwIfNoEntry: false }));

function manifestOf(folder: string): Manifest {
  return JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as Manifest;
}

function* shippedSources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['testing', 'testdata', 'generated-test'].includes(entry.name)) yield* shippedSources(path);
    } else if (/\.ts$/.test(entry.name) && !/\.(test|bench)\.ts$/.test(entry.name)) {
      yield path;
    }
  }
}

function kmosImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](@kmos\/[\w.-]+)/g)].map(
    (m) => m[1]!,
  );
  return [...new Set(found)];
}

describe.each(packages)('%s', (folder) => {
  const manifest = manifestOf(folder);
  const layer = layerOf(folder);

  it('declares only dependencies its layer allows', () => {
    const deps = { ...manifest.dependencies, ...manifest.peerDependencies };
    const kmos = Object.keys(deps).filter((d) => d.startsWith('@kmos/'));
    const forbidden = kmos.filter((d) => !allowed(layer, d));
    expect(forbidden, `${manifest.name} (${layer} layer) may not depend on ${forbidden.join(', ')}`).toEqual(
      [],
    );
    if (layer === 'abi') expect(Object.keys(deps), 'abi packages import nothing').toEqual([]);
  });

  it('imports in shipped code only what it declares and its layer allows', () => {
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
    const src = join(root, folder, 'src');
    const problems: string[] = [];
    for (const file of statSync(src, { throwIfNoEntry: false }) ? shippedSources(src) : []) {
      for (const imported of kmosImports(file)) {
        if (imported === manifest.name) continue;
        if (!declared.has(imported)) problems.push(`${relative(root, file)} imports undeclared ${imported}`);
        else if (!allowed(layer, imported)) problems.push(`${relative(root, file)} imports ${imported}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the rules themselves', () => {
  it('refuse what docs/architecture.md forbids', () => {
    expect(allowed(layerOf('packages/mm-slub'), '@kmos/mm-buddy')).toBe(false);
    expect(allowed(layerOf('packages/kernel'), '@kmos/cpu-i386')).toBe(false);
    expect(allowed(layerOf('packages/abi-linux'), '@kmos/abi-driver')).toBe(false);
    expect(allowed(layerOf('packages/drivers-ide'), '@kmos/abi-driver')).toBe(true);
    expect(allowed(layerOf('apps/cli'), '@kmos/mm-slub')).toBe(true);
  });
});
