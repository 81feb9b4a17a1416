/**
 * The error every history importer throws on malformed input.
 *
 * @module
 */

/**
 * Malformed history input. The message starts with `line N:` so a person can find the culprit; `line` is
 * the same number (from 1).
 */
export class HistoryParseError extends Error {
  /** The line (from 1) where the problem is. */
  readonly line: number;

  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'HistoryParseError';
    this.line = line;
  }
}
