/**
 * The checks every plugin passes before the kernel uses it: it is a plugin object, of the kind the config
 * slot expects, built for an ABI range that includes this kernel's ABI_VERSION (checked with semver), with
 * every member its kind requires, and with options its schema accepts. A failure is one sentence naming the
 * package and the reason. Layer: kernel plugins.
 */

import { createRequire } from 'node:module';
import {
  ABI_VERSION,
  PLUGIN_KINDS,
  type Plugin,
  type PluginKind,
  type PluginOptions,
} from '@kmos/abi-driver';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import semver from 'semver';
import { pointerToPath } from '../config/json-path.js';
import { describeSchemaErrors } from '../config/schema-errors.js';
import { PluginRefusedError } from '../errors.js';

type MemberType = 'function' | 'string' | 'boolean';

/** What each kind must have beyond the manifest; additions to the ABI add optional members, never rows here. */
const REQUIRED_MEMBERS: Record<PluginKind, Record<string, MemberType>> = {
  arch: { modelName: 'string', createCpu: 'function' },
  'page-allocator': { create: 'function' },
  'object-allocator': { create: 'function' },
  driver: { claim: 'function', probe: 'function' },
  filesystem: { fsType: 'string', needsDevice: 'boolean', mount: 'function' },
  console: { create: 'function' },
};

/**
 * Ajv for plugins' option schemas, made on first use: loading Ajv and checking a schema against the 2020-12
 * meta-schema (which Ajv compiles first) cost ~100 ms and ~150 ms of every `kmos` start. The meta-schema
 * check is off: a plugin's schema is its author's code, and Ajv's compile still throws on what it cannot
 * compile; check-plugin.test.ts checks the schemas of the plugins kmOS ships against the meta-schema.
 */
let optionsAjv: Ajv2020 | null = null;

function getOptionsAjv(): Ajv2020 {
  if (!optionsAjv) {
    // Ajv is CommonJS, so a synchronous require keeps checkOptions synchronous.
    const { Ajv2020: Ajv } = createRequire(import.meta.url)(
      'ajv/dist/2020.js',
    ) as typeof import('ajv/dist/2020.js');
    optionsAjv = new Ajv({ useDefaults: true, strict: false, validateSchema: false });
  }
  return optionsAjv;
}

/** The keywords of an object schema that say nothing about an object without properties. */
const KEYWORDS_VACUOUS_FOR_NO_PROPERTIES = new Set([
  'type',
  'properties',
  'additionalProperties',
  'title',
  'description',
  '$comment',
  '$schema',
  '$id',
]);

/**
 * Whether `{}` passes `schema` and gains nothing from it, seen from the schema's shape alone: an object schema
 * whose only constraints are on properties, none of which has a default. Configs mostly give plugins no
 * options, so a start is spared Ajv's load and compile (55-70 ms). Anything else goes to Ajv.
 */
function acceptsNoOptionsAsTheyAre(schema: object): boolean {
  const s = schema as Record<string, unknown>;
  if (s.type !== 'object') return false;
  if (!Object.keys(s).every((keyword) => KEYWORDS_VACUOUS_FOR_NO_PROPERTIES.has(keyword))) return false;
  const properties = s.properties ?? {};
  if (typeof properties !== 'object' || properties === null) return false;
  return Object.values(properties).every(
    (p) => typeof p === 'boolean' || (typeof p === 'object' && p !== null && !('default' in p)),
  );
}

/** Returns the plugin when it may be used in a slot of `expected` kind; throws PluginRefusedError otherwise. */
export function checkPlugin(candidate: unknown, expected: PluginKind, label: string): Plugin {
  if (!candidate || typeof candidate !== 'object') {
    throw new PluginRefusedError(
      label,
      'it exports no plugin object (a default export with kind, name, version and abi)',
    );
  }
  const plugin = candidate as Record<string, unknown>;
  checkKind(plugin.kind, expected, label);
  checkManifest(plugin, label);
  for (const [member, type] of Object.entries(REQUIRED_MEMBERS[expected])) {
    if (typeof plugin[member] !== type) {
      throw new PluginRefusedError(
        label,
        `it lacks the member "${member}" (a ${type}) that every ${expected} plugin has`,
      );
    }
  }
  return candidate as Plugin;
}

function checkKind(kind: unknown, expected: PluginKind, label: string): void {
  if (typeof kind !== 'string' || !(PLUGIN_KINDS as readonly string[]).includes(kind)) {
    throw new PluginRefusedError(
      label,
      `its kind ${JSON.stringify(kind)} is not one of ${PLUGIN_KINDS.join(', ')}`,
    );
  }
  if (kind !== expected) {
    throw new PluginRefusedError(
      label,
      `it is ${withArticle(kind)} plugin, and this place in the config needs ${withArticle(expected)} plugin`,
    );
  }
}

/** `an arch`, `a console`: kinds read as words in messages. */
function withArticle(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function checkManifest(plugin: Record<string, unknown>, label: string): void {
  if (typeof plugin.name !== 'string' || plugin.name === '') {
    throw new PluginRefusedError(label, 'it has no name');
  }
  if (typeof plugin.version !== 'string' || !semver.valid(plugin.version)) {
    throw new PluginRefusedError(
      label,
      `its version ${JSON.stringify(plugin.version)} is not a semver version`,
    );
  }
  if (typeof plugin.abi !== 'string' || !semver.validRange(plugin.abi)) {
    throw new PluginRefusedError(label, `its abi ${JSON.stringify(plugin.abi)} is not a semver range`);
  }
  if (!semver.satisfies(ABI_VERSION, plugin.abi)) {
    throw new PluginRefusedError(
      label,
      `it was built for driver ABI ${plugin.abi}, which does not include this kernel's ABI ${ABI_VERSION}`,
    );
  }
}

/** Validates (and fills defaults into) a plugin's options against its optionsSchema, when it has one. */
export function checkOptions(plugin: Plugin, options: PluginOptions, label: string): PluginOptions {
  const filled = structuredClone(options) as Record<string, unknown>;
  if (!plugin.optionsSchema) return filled;
  if (Object.keys(filled).length === 0 && acceptsNoOptionsAsTheyAre(plugin.optionsSchema)) return filled;
  const validate = getOptionsAjv().compile(plugin.optionsSchema);
  if (!validate(filled)) {
    const { pointer, problem } = describeSchemaErrors(validate.errors ?? []);
    throw new PluginRefusedError(label, `its option ${pointerToPath(pointer)} ${problem}`);
  }
  return filled;
}
