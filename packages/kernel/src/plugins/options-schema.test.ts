// checkOptions compiles plugins' option schemas without checking them against the JSON Schema meta-schema
// (that check cost ~150 ms of every start); this is that check, done once here for the plugins kmOS ships.
import { plugin as cpuI386 } from '@kmos/cpu-i386';
import { Ajv2020 } from 'ajv/dist/2020.js';
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
