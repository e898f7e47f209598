/** Plain-text tables: padded columns, numbers right-aligned, so the output reads well in a terminal or a log. */

export type Cell = string | number;

export function renderTable(headers: readonly string[], rows: readonly Cell[][], indent = '  '): string[] {
  const text = rows.map((row) => row.map(String));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...text.map((row) => (row[column] ?? '').length)),
  );
  const numeric = headers.map((_, column) => rows.every((row) => typeof row[column] !== 'string'));
  const line = (cells: readonly string[], isHeader: boolean): string =>
    indent +
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] && !isHeader ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), ...text.map((row) => line(row, false))];
}

/** Fixed decimals, for ratios and seconds. */
export function fixed(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

/** Thousands separators, for step and row counts. */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
