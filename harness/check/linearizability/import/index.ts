/**
 * Importers: histories recorded elsewhere, read into the workshop's {@link History} shape so that
 * `checkLinearizability` (in `harness/check`) can check them.
 *
 * - {@link parseJepsenLog}: a Jepsen `history.edn`/log of a cas-register test.
 * - {@link parseEdnKvHistory}: a Jepsen/Elle-style EDN history of a key-value store.
 * - {@link parseJsonHistory}: the workshop's own JSON form.
 *
 * Each throws a {@link HistoryParseError} that names the line and what was expected. `npm run
 * check-history` checks a file from the command line.
 *
 * @module
 */
export type { History } from '../../../history.ts';
export { HistoryParseError } from './parseError.ts';
export { parseJepsenLog } from './jepsenLog.ts';
export { parseEdnKvHistory } from './ednKv.ts';
export { parseJsonHistory } from './json.ts';
