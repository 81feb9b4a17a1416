/**
 * Telling a history file's format and model from its contents, where that is unambiguous.
 *
 * @module
 */

import { EdnKeyword, EdnMap } from './edn.ts';
import { readEdnHistoryForms } from './ednHistory.ts';
import type { EdnModelName } from './ednCodecs.ts';

/** The file formats `check-history` reads. */
export type HistoryFormat = 'jepsen-log' | 'edn' | 'json';

/**
 * The format of a history file, or undefined when the text does not say:
 * - `jepsen-log` when a line holds Jepsen's logger name (`jepsen.util - `);
 * - `json` when it starts with `[` and the first element is a JSON object (`{"`) or the array is empty;
 * - `edn` when it starts (after comments) with `{`, or `[` followed by an op map with keyword keys (`{:`).
 */
export function detectFormat(text: string): HistoryFormat | undefined {
  if (text.includes('jepsen.util - ')) return 'jepsen-log';
  const start = text.replace(/^(\s|,|;[^\n]*\n?)*/, '');
  if (start.startsWith('{')) return 'edn';
  if (/^\[\s*\]\s*$/.test(start)) return 'json';
  if (/^\[\s*\{\s*"/.test(start)) return 'json';
  if (/^\[\s*\{\s*:/.test(start)) return 'edn';
  return undefined;
}

/** Which model each set of `:f`s belongs to, most specific first. */
const MODEL_BY_FUNCTIONS: readonly { readonly model: EdnModelName; readonly functions: readonly string[] }[] = [
  { model: 'register', functions: ['read', 'write'] },
  { model: 'cas-register', functions: ['read', 'write', 'cas'] },
  { model: 'mutex', functions: ['acquire', 'release'] },
  { model: 'multi-register', functions: ['txn'] },
  { model: 'kv', functions: ['get', 'put', 'append'] },
];

/** The model whose operations are exactly (a subset of) `functions`, or undefined when none or several fit. */
export function modelOfFunctions(functions: ReadonlySet<string>): EdnModelName | undefined {
  if (functions.size === 0) return undefined;
  const fits = MODEL_BY_FUNCTIONS.find(({ functions: known }) => [...functions].every((f) => known.includes(f)));
  return fits?.model;
}

/**
 * The model an EDN history is written for, from the `:f`s of its client op maps: `:read`/`:write` alone
 * is a register, with `:cas` a cas-register, `:acquire`/`:release` a mutex, `:txn` a multi-register,
 * `:get`/`:put`/`:append` a kv store. Undefined when the `:f`s fit no model.
 *
 * @throws HistoryParseError naming the line and column, when the text is not EDN.
 */
export function detectEdnModel(text: string): EdnModelName | undefined {
  const forms = readEdnHistoryForms(text);
  const functions = new Set<string>();
  for (const { value } of forms) {
    if (!(value instanceof EdnMap) || value.get(':process') instanceof EdnKeyword) continue;
    const f = value.get(':f');
    if (f instanceof EdnKeyword) functions.add(f.name);
  }
  return modelOfFunctions(functions);
}

/** Does the EDN text hold at least one op map? Empty files and files of other forms hold none. */
export function hasEdnOperations(text: string): boolean {
  return readEdnHistoryForms(text).some(({ value }) => value instanceof EdnMap);
}

/** The model a JSON history is written for, from its inputs' `f`s; undefined when they fit no single model. */
export function detectJsonModel(history: readonly { readonly input: unknown }[]): string | undefined {
  const functions = new Set<string>();
  for (const { input } of history) {
    const f = (input as { f?: unknown } | null)?.f;
    if (typeof f === 'string') functions.add(f);
  }
  if (
    functions.size > 0 &&
    [...functions].every((f) => f === 'increment' || f === 'read') &&
    functions.has('increment')
  )
    return 'counter';
  if (functions.size > 0 && [...functions].every((f) => f === 'add' || f === 'read') && functions.has('add'))
    return 'set';
  return modelOfFunctions(functions);
}
