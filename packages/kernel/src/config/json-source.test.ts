import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonSource } from './json-source.js';

/** Line and column (1-based) of a byte offset, counted directly from the text: the oracle. */
function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

describe('parseJsonSource', () => {
  it('gives the same data as JSON.parse for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 2);
        expect(parseJsonSource(text).data).toEqual(JSON.parse(text));
      }),
    );
  });

  it('regression: a "__proto__" key is a property, as JSON.parse makes it (seed 39761095)', () => {
    const text = '{"__proto__": null, "a": {"__proto__": {"b": 1}}}';
    const data = parseJsonSource(text).data as Record<string, unknown>;
    expect(data).toEqual(JSON.parse(text));
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });

  it('places a syntax error where the bad character is', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.integer()),
        fc.nat(),
        (object, pick) => {
          const text = JSON.stringify(object, null, 2);
          // Replace one structural character with an "@", which no JSON allows anywhere outside strings.
          const structural = [...text.matchAll(/[{}:,]/g)].map((m) => m.index!);
          const at = structural[pick % structural.length]!;
          const broken = `${text.slice(0, at)}@${text.slice(at + 1)}`;
          const error = (() => {
            try {
              parseJsonSource(broken);
            } catch (e) {
              return e;
            }
          })();
          expect(error).toBeInstanceOf(JsonSyntaxError);
          expect({
            line: (error as JsonSyntaxError).line,
            column: (error as JsonSyntaxError).column,
          }).toEqual(lineColumnOf(broken, at));
        },
      ),
    );
  });

  it('reports unexpected end of input just past the last character', () => {
    const text = '{\n  "a": [1, 2';
    expect(() => parseJsonSource(text)).toThrow(/line 2, column 13: unexpected end of input/);
  });

  it('maps pointers to the lines of their keys', () => {
    const source = parseJsonSource('{\n  "machine": {\n    "memoryMiB": 4\n  }\n}');
    expect(source.positionOf('/machine/memoryMiB')).toEqual({ line: 3, column: 5 });
    expect(source.positionOf('/nothing')).toBeNull();
  });
});
