/**
 * JSON parsing that knows where things are: a syntax error names its line and column, and every value's JSON
 * pointer maps to its line, so a schema error can point at the field in the user's file. Layer: kernel config.
 */
import jsonSourceMap from 'json-source-map';

export interface JsonSource {
  readonly data: unknown;
  /** Line and column (1-based) of the value at a JSON pointer (`/machine/memoryMiB`), or null. */
  positionOf(pointer: string): { line: number; column: number } | null;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`line ${line}, column ${column}: ${problem}`);
  }
}

export function parseJsonSource(text: string): JsonSource {
  try {
    const { pointers } = jsonSourceMap.parse(text);
    return {
      // The data comes from JSON.parse: json-source-map assigns keys, so a "__proto__" key would set the
      // object's prototype instead of becoming a property.
      data: JSON.parse(text),
      positionOf(pointer) {
        const at = pointers[pointer]?.key ?? pointers[pointer]?.value;
        return at ? { line: at.line + 1, column: at.column + 1 } : null;
      },
    };
  } catch (error) {
    throw toSyntaxError(text, error as Error);
  }
}

/** The parser reports a byte position or nothing (end of input); turn either into line and column. */
function toSyntaxError(text: string, error: Error): JsonSyntaxError {
  const match = /at position (\d+)/.exec(error.message);
  const pos = match ? Number(match[1]) : text.length;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  const problem = error.message
    .replace(/ in JSON at position \d+/, '')
    .replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
  return new JsonSyntaxError(line, column, problem.charAt(0).toLowerCase() + problem.slice(1));
}
