/**
 * Turns Ajv's validation errors into the one sentence a user needs: which field, what is wrong with it.
 * Layer: kernel config.
 */
import type { ErrorObject } from 'ajv';

export interface FieldProblem {
  /** JSON pointer of the offending field. */
  readonly pointer: string;
  readonly problem: string;
}

export function describeSchemaErrors(errors: readonly ErrorObject[]): FieldProblem {
  // A plugin reference fails both branches of its oneOf; the branches' own errors only confuse.
  const oneOf = errors.find((e) => e.keyword === 'oneOf');
  if (oneOf) return { pointer: oneOf.instancePath, problem: 'must be a plugin name or [name, options]' };
  const first = errors[0];
  if (!first) return { pointer: '', problem: 'is invalid' };
  return { pointer: pointerOf(first), problem: problemOf(first) };
}

function pointerOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${String(error.params.additionalProperty)}`;
  }
  if (error.keyword === 'required') return `${error.instancePath}/${String(error.params.missingProperty)}`;
  return error.instancePath;
}

function problemOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return 'is not a known field';
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `must be ${article(String(error.params.type))}`;
    default:
      return error.message ?? 'is invalid';
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
