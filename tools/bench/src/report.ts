/**
 * What a benchmark suite reports: titled tables of cells, printed as aligned text or as JSON. Numbers stay
 * numbers in JSON; the text form rounds them for reading. Layer: the bench tool.
 */

export type Cell = string | number;

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Sentences printed under the table: what the baseline is, how figures were measured. */
  readonly notes?: readonly string[];
}

export interface Report {
  readonly suite: string;
  readonly tables: readonly Table[];
}

function formatCell(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  if (Number.isInteger(cell)) return String(cell);
  return Math.abs(cell) >= 100 ? cell.toFixed(0) : cell.toPrecision(3);
}

/** Columns padded to their widest cell; text left-aligned, numbers right-aligned. */
export function formatTable(table: Table): string {
  const text = table.rows.map((row) => row.map(formatCell));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], raw?: readonly Cell[]) =>
    cells
      .map((c, i) => (typeof raw?.[i] === 'number' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [table.title, line(table.columns), ...text.map((cells, r) => line(cells, table.rows[r]))];
  for (const note of table.notes ?? []) lines.push(`  ${note}`);
  return `${lines.join('\n')}\n`;
}

export function formatReport(report: Report): string {
  return report.tables.map(formatTable).join('\n');
}
