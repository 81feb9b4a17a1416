/**
 * The error every history importer throws on malformed input.
 *
 * @module
 */

/**
 * Malformed history input. The message starts with `line N:` (or `line N, column M:` when the importer
 * knows the column) so a person can find the culprit; `line` and `column` are the same numbers (from 1).
 */
export class HistoryParseError extends Error {
  /** The line (from 1) where the problem is. */
  readonly line: number;
  /** The column (from 1) where the problem is, when known. */
  readonly column: number | undefined;
  constructor(line: number, problem: string, column?: number) {
    super(`line ${line}${column === undefined ? '' : `, column ${column}`}: ${problem}`);
    this.name = 'HistoryParseError';
    this.line = line;
    this.column = column;
  }
}
