import { describe, expect, it } from 'vitest';
import schema from '../../schema/kmos-config.schema.json' with { type: 'json' };
import { ConfigError } from '../errors.js';
import { parseConfigText } from './load-config.js';

type SchemaNode = { type?: string; default?: unknown; properties?: Record<string, SchemaNode> };

/** Every default the schema declares, by dotted path: the oracle for what parsing must fill in. */
function schemaDefaults(node: SchemaNode, path: string[] = []): [string, unknown][] {
  const own: [string, unknown][] = path.length && 'default' in node ? [[path.join('.'), node.default]] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([k, v]) => schemaDefaults(v, [...path, k]));
  return [...own, ...children];
}

function valueAt(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], object);
}

describe('parseConfigText', () => {
  it('fills in every default the schema declares, for an empty config', () => {
    const { config } = parseConfigText('{}', 'empty.json');
    for (const [path, value] of schemaDefaults(schema as SchemaNode)) {
      const actual = valueAt(config, path);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        expect(actual, path).toMatchObject(value as object);
      } else {
        expect(actual, path).toEqual(value);
      }
    }
  });

  it('keeps what the config says over defaults', () => {
    const { config } = parseConfigText('{ "machine": { "memoryMiB": 16 }, "drivers": ["./x.js"] }', 'c.json');
    expect(config.machine.memoryMiB).toBe(16);
    expect(config.machine.cpu).toBe('@kmos/cpu-i386');
    expect(config.drivers).toEqual(['./x.js']);
  });

  it('accepts plugins with options and refuses other shapes', () => {
    const ok = parseConfigText(
      '{ "drivers": [["@kmos/drivers-ide", { "channels": ["primary"] }]] }',
      'c.json',
    );
    expect(ok.config.drivers).toEqual([['@kmos/drivers-ide', { channels: ['primary'] }]]);
    expect(() => parseConfigText('{ "drivers": [42] }', 'c.json')).toThrow(ConfigError);
    expect(() => parseConfigText('{ "drivers": [["a", {}, "b"]] }', 'c.json')).toThrow(/drivers\[0\]/);
  });

  it('refuses a top-level value that is not an object', () => {
    expect(() => parseConfigText('[]', 'c.json')).toThrow(/c\.json: \(top level\).*: must be an object/);
  });
});
