/**
 * Importers: histories recorded elsewhere, read into the workshop's {@link History} shape so that
 * `checkLinearizability` (in `harness/check`) can check them.
 *
 * - {@link parseEdnHistory}: Jepsen/Knossos EDN op maps (one per line, or one vector) for the register,
 *   cas-register, mutex, multi-register and kv models; {@link parseEdnKvHistory} and
 *   {@link parseEdnRegisterHistory} are its typed forms.
 * - {@link parseJepsenLog}: Jepsen's log lines of a cas-register test.
 * - {@link parseJsonHistory}: the workshop's own JSON form.
 * - {@link detectFormat}, {@link detectEdnModel}, {@link detectJsonModel}: which of these a file is.
 *
 * Each throws a {@link HistoryParseError} that names the line (and, for EDN, the column) and what was
 * expected. `npm run check-history` checks a file from the command line.
 *
 * @module
 */

export type { History } from '../../../history.ts';
export { HistoryParseError } from './parseError.ts';
export { parseJepsenLog } from './jepsenLog.ts';
export { parseEdnHistory, parseEdnKvHistory, parseEdnRegisterHistory } from './ednHistory.ts';
export { isEdnModelName, type EdnModelName } from './ednCodecs.ts';
export { detectEdnModel, detectFormat, detectJsonModel, hasEdnOperations, type HistoryFormat } from './detect.ts';
export { parseJsonHistory } from './json.ts';
