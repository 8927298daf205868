// The package's public surface: index.ts re-exports every module, and no two modules define one name
// differently (export * would silently drop an ambiguous name; tsc reports it, this test says which).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as abi from './index.js';

const srcDir = fileURLToPath(new URL('.', import.meta.url));
const modules = readdirSync(srcDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts' && f !== 'layout.ts')
  .map((f) => f.replace(/\.ts$/, ''));

describe('index.ts', () => {
  it('re-exports every module', () => {
    const index = readFileSync(`${srcDir}index.ts`, 'utf8');
    for (const m of modules) expect(index, m).toContain(`export * from './${m}.js';`);
  });
  it('exposes every name of every module', async () => {
    const all = abi as unknown as Record<string, unknown>;
    for (const m of modules) {
      const mod = (await import(`./${m}.js`)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) expect(all[name], `${m}.${name}`).toBe(value);
    }
  });
});
