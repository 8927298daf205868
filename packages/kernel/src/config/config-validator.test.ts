// The build-time config validator against its oracle, Ajv compiling the same schema at run time with the
// same options: the same verdict, the same errors and the same filled-in defaults, on the repository's
// configs and on the bad configs tests/cli/bad-input.test.ts feeds the CLI. And the generated file is what
// the generator makes of today's schema, so a schema edit without regeneration fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_AJV_OPTIONS, generateConfigValidator } from '../../scripts/gen-config-validator.mjs';
import { validateConfig } from './config-validator.js';
import { configSchema } from './load-config.js';

const ROOT = new URL('../../../../', import.meta.url);
const GENERATED = new URL('../generated/config-validator.ts', import.meta.url);

const runtimeValidate = new Ajv2020(CONFIG_AJV_OPTIONS).compile(configSchema);

function repositoryConfigs(): [string, unknown][] {
  const files = ['default.json', ...readdirSync(new URL('configs/', ROOT)).map((f) => `configs/${f}`)];
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(new URL(f, ROOT), 'utf8'))]);
}

const BAD_CONFIGS: [string, unknown][] = [
  ['a string memory size', { machine: { memoryMiB: 'lots' } }],
  ['an unknown field', { memory: { objets: '@kmos/mm-slub' } }],
  ['a value outside an enum', { machine: { console: 'teletype' } }],
  ['a malformed plugin reference', { drivers: [['@kmos/drivers-ide']] }],
  ['a swap area too large', { memory: { swap: { file: 's', sizeMiB: 8192 } } }],
  ['a swap area without a file', { memory: { swap: { sizeMiB: 4 } } }],
  ['a negative memory size', { machine: { memoryMiB: -1 } }],
  ['a top level that is not an object', [1, 2]],
  ['an unknown top-level field', { machin: {} }],
  ['init args that are not strings', { init: { path: '/sbin/init', args: [1] } }],
];

/** Runs a validator on a copy, as parseConfigText does, and returns everything a caller can see. */
function outcome(validate: typeof runtimeValidate, data: unknown) {
  const copy = structuredClone(data);
  const valid = validate(copy);
  return { valid, errors: validate.errors ?? null, filled: copy };
}

describe('the generated config validator', () => {
  it('is what the generator makes of the schema today (else: pnpm --filter @kmos/kernel build)', () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(generateConfigValidator());
  });

  it.each(repositoryConfigs())('accepts %s and fills the same defaults as Ajv at run time', (_, data) => {
    const expected = outcome(runtimeValidate, data);
    expect(expected.valid).toBe(true);
    expect(outcome(validateConfig, data)).toEqual(expected);
  });

  it.each(BAD_CONFIGS)('reports %s with the same errors as Ajv at run time', (_, data) => {
    const expected = outcome(runtimeValidate, data);
    expect(expected.valid).toBe(false);
    expect(outcome(validateConfig, data)).toEqual(expected);
  });
});
