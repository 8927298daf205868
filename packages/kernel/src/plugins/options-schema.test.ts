// checkOptions compiles plugins' option schemas without checking them against the JSON Schema meta-schema
// (that check cost ~150 ms of every start); this is that check, done once here for the plugins kmOS ships.
import { plugin as cpuI386 } from '@kmos/cpu-i386';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOptions } from './check-plugin.js';

describe("shipped plugins' option schemas", () => {
  it('are valid JSON Schema 2020-12 (@kmos/cpu-i386)', () => {
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validateSchema(cpuI386.optionsSchema!), ajv.errorsText()).toBe(true);
  });

  it('still accept and refuse options (@kmos/cpu-i386)', () => {
    expect(checkOptions(cpuI386, { jitThreshold: 3 }, 'cpu')).toEqual({ jitThreshold: 3 });
    expect(() => checkOptions(cpuI386, { jitThreshold: -1 }, 'cpu')).toThrow(/jitThreshold must be >= 0/);
  });
});

describe('checkOptions without options', () => {
  // Ajv is the oracle: checkOptions answers `{}` from the schema's shape when it can, and must then say what
  // Ajv says (valid, nothing filled in), or refuse where Ajv refuses.
  const property = fc.oneof(
    fc.constant({ type: 'integer', minimum: 0 }),
    fc.constant({ type: 'boolean' }),
    fc.constant({ enum: ['js', 'wasm'] }),
    fc.constant({ type: 'integer', default: 7 }),
    fc.constant({ type: 'object', properties: { inner: { type: 'string', default: 'x' } } }),
    fc.constant(true),
  );
  const schema = fc.record(
    {
      type: fc.constantFrom('object', 'object', 'object', 'array'),
      properties: fc.dictionary(fc.constantFrom('a', 'b', 'c'), property, { maxKeys: 3 }),
      additionalProperties: fc.boolean(),
      required: fc.constantFrom(['a'], ['b', 'c']),
      minProperties: fc.constant(1),
      description: fc.constant('options'),
    },
    { requiredKeys: ['type'] },
  );

  it('agrees with Ajv on every schema shape', () => {
    fc.assert(
      fc.property(schema, (optionsSchema) => {
        const ajv = new Ajv2020({ useDefaults: true, strict: false, validateSchema: false });
        const expected: Record<string, unknown> = {};
        const valid = ajv.compile(optionsSchema)(expected);
        const plugin = { ...cpuI386, optionsSchema };
        if (valid) expect(checkOptions(plugin, {}, 'p')).toEqual(expected);
        else expect(() => checkOptions(plugin, {}, 'p')).toThrow();
      }),
      {
        numRuns: 500,
        examples: [
          [{ type: 'object', properties: { a: { type: 'integer', default: 7 } } }],
          [{ type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'] }],
        ],
      },
    );
  });
});
