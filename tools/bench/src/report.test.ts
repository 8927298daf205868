// The text form of a report: each row line reads back as its cells, columns start at the same offset on
// every line, and JSON keeps numbers as numbers. Oracle: parsing the output back, not the formatter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Cell, formatTable, type Table } from './report.js';

const word = fc.stringMatching(/^[a-z][a-z0-9/.-]{0,11}$/);
const cell: fc.Arbitrary<Cell> = fc.oneof(word, fc.integer({ min: 0, max: 1e6 }));

const tableArb = fc.integer({ min: 1, max: 5 }).chain((columns) =>
  fc.record({
    title: word,
    columns: fc.array(word, { minLength: columns, maxLength: columns }),
    rows: fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { maxLength: 6 }),
  }),
);

describe('formatTable', () => {
  it('prints the title, the header and one line per row whose cells read back in order', () => {
    fc.assert(
      fc.property(tableArb, (table: Table) => {
        const lines = formatTable(table).trimEnd().split('\n');
        expect(lines[0]).toBe(table.title);
        expect(lines).toHaveLength(2 + table.rows.length);
        const cells = lines.slice(1).map((line) => line.trim().split(/ {2,}/));
        expect(cells[0]).toEqual(table.columns);
        table.rows.forEach((row, r) => {
          expect(cells[r + 1]).toEqual(row.map(String));
        });
      }),
    );
  });

  it('aligns columns: every column starts at the same offset on every line', () => {
    fc.assert(
      fc.property(tableArb, (table: Table) => {
        const lines = formatTable(table).trimEnd().split('\n').slice(1);
        const widths = table.columns.map((c, i) =>
          Math.max(c.length, ...table.rows.map((r) => String(r[i]).length)),
        );
        for (const line of lines) {
          let offset = 0;
          widths.forEach((width, i) => {
            if (i > 0) expect(line.slice(offset - 2, offset)).toBe('  ');
            expect(line.slice(offset, offset + width).trim()).not.toBe('');
            offset += width + 2;
          });
        }
      }),
    );
  });
});
