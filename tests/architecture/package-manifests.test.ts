// Every publishable package is ready to publish on its own (issue 4): ESM built by tsup with declarations,
// explicit exports, the files it ships, a license, a README and public access; plugins say they are plugins.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PLUGIN_FOLDER = /^(cpu|mm|drivers|fs|console)-/;

const publishable = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name)))
  .filter((folder) => existsSync(join(root, folder, 'package.json')));

describe.each(publishable)('%s', (folder) => {
  const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));

  it('has the fields publishing needs', () => {
    expect(manifest.name).toBe(`@kmos/${folder.split('/')[1]}`);
    expect(manifest.type).toBe('module');
    expect(manifest.license).toBeTruthy();
    expect(manifest.types ?? manifest.exports?.['.']?.types).toMatch(/^\.\/dist\/.*\.d\.ts$/);
    expect(manifest.exports?.['.']).toBeTruthy();
    expect(manifest.files).toContain('dist');
    expect(manifest.publishConfig?.access).toBe('public');
    expect(manifest.scripts?.build).toBe('tsup');
    expect(existsSync(join(root, folder, 'README.md')), 'README.md').toBe(true);
  });

  it.runIf(PLUGIN_FOLDER.test(folder.split('/')[1]!))(
    'carries the kmos-plugin keyword, so `kmos plugins` finds it',
    () => {
      expect(manifest.keywords).toContain('kmos-plugin');
    },
  );
});
