/**
 * Reading the config manifest: the file, its JSON, its schema. Every failure is a ConfigError naming the file
 * and the field (as a JS-style path and a line), never a stack trace; defaults from the schema are filled in,
 * so what comes out is complete. Layer: kernel config.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import schema from '../../schema/kmos-config.schema.json' with { type: 'json' };
import { ConfigError } from '../errors.js';
import { validateConfig } from './config-validator.js';
import { pointerToPath } from './json-path.js';
import { type JsonSource, JsonSyntaxError, parseJsonSource } from './json-source.js';
import { describeSchemaErrors } from './schema-errors.js';
import type { KmosConfig, LoadedConfig } from './types.js';

export { schema as configSchema };

/** Loads, parses and validates a config file; messages name it as `shownAs` (the path the user typed). */
export function loadConfigFile(file: string, shownAs = file): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      shownAs,
      '',
      code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(error)})`,
    );
  }
  return { ...parseConfigText(text, shownAs), file: path };
}

/** Parses and validates config text; `file` names it in messages and anchors relative plugin paths. */
export function parseConfigText(text: string, file: string): LoadedConfig {
  let source: JsonSource;
  try {
    source = parseJsonSource(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new ConfigError(
        file,
        `line ${error.line}, column ${error.column}`,
        `not valid JSON: ${error.problem}`,
      );
    }
    throw error;
  }
  const config = structuredClone(source.data);
  if (!validateConfig(config)) {
    const { pointer, problem } = describeSchemaErrors(validateConfig.errors ?? []);
    throw new ConfigError(file, fieldAt(source, pointer), problem);
  }
  return {
    config: config as KmosConfig,
    file: resolve(file),
    lineOf: (pointer) => source.positionOf(pointer)?.line ?? null,
  };
}

/** `machine.memoryMiB (line 4)`: the field as a path and, when it is in the file, its line. */
export function fieldAt(source: Pick<JsonSource, 'positionOf'>, pointer: string): string {
  const position = source.positionOf(pointer) ?? source.positionOf(pointer.replace(/\/[^/]*$/, ''));
  return `${pointerToPath(pointer)}${position ? ` (line ${position.line})` : ''}`;
}
