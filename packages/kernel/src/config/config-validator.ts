/**
 * The config schema's validator, compiled at build time (scripts/gen-config-validator.mjs writes
 * src/generated/config-validator.ts) rather than by Ajv at every start, which cost 120-180 ms. It behaves as
 * `new Ajv2020({ useDefaults: true, strict: true }).compile(schema)` did: it fills in defaults and leaves
 * Ajv-shaped `errors` on itself. Layer: kernel config.
 */
import type { ValidateFunction } from 'ajv';
import { validate } from '../generated/config-validator.js';
import type { KmosConfig } from './types.js';

export const validateConfig = validate as ValidateFunction<KmosConfig>;
