/**
 * `npm run check-history -- <file> [--format jepsen-log|edn|json] [--model <model>]`
 * `npm run check-history -- --convert edn|edn-vector|porcupine <file> [--out <file>]`
 *
 * Checks a recorded history for linearizability and says so in words, or converts it for another
 * checker. The format and model are detected from the file when it is unambiguous. Exit codes: 0
 * linearizable (or converted), 1 not linearizable, 2 unknown (budget spent: not a pass), 64 usage
 * error, 65 malformed history or no operations found, 66 unreadable file, 70 internal error (a bug in
 * this tool), 73 an output file that cannot be written (the last five as in BSD's sysexits). Exit 1 is
 * only ever a verdict: nothing else ends with it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  casRegisterModel,
  checkLinearizability,
  counterModel,
  formatCheckResult,
  kvModel,
  ModelStepError,
  multiRegisterModel,
  mutexModel,
  registerModel,
  setModel,
  type CheckResult,
  type Model,
} from '#harness/check';
import { ednCaveats, writeJepsenEdn, writePorcupineJson } from '#harness/check/export';
import {
  detectEdnModel,
  detectFormat,
  detectJsonModel,
  hasEdnOperations,
  HistoryParseError,
  isEdnModelName,
  parseEdnHistory,
  parseJepsenLog,
  parseJsonHistory,
  type HistoryFormat,
} from '#harness/check/import';
import { renderEvidenceHtml } from '../harness/check/linearizability/index.ts';
import type { History } from '../harness/history.ts';

/** Exit codes. */
export const EXIT = {
  ok: 0,
  illegal: 1,
  unknown: 2,
  usage: 64,
  dataError: 65,
  noInput: 66,
  internal: 70,
  cannotWrite: 73,
} as const;

const USAGE = `Usage: npm run check-history -- <file> [--format <format>] [--model <model>] [options]
       npm run check-history -- --convert <to> <file> [--format <format>] [--model <model>] [--out <file>]
Checks a history for linearizability, or converts it for another checker.
  --format jepsen-log   Jepsen log lines for a cas-register ("INFO  jepsen.util - 7  :invoke  :write  3")
           edn          Jepsen/Knossos op maps ({:process 3, :type :invoke, :f :cas, :value [1 2]}),
                        one per line or in one vector
           json         a JSON array of operations, as in harness/history.ts
           (detected from the file when left out)
  --model  register | cas-register | mutex | multi-register | kv | counter | set
           (detected from the operations when left out; jepsen-log needs cas-register;
           edn needs register, cas-register, mutex, multi-register or kv)
  --max-steps N         search budget in steps (default 5,000,000)
  --timeout-ms N        search budget in wall-clock milliseconds (default: none)
  --html <out.html>     also write the evidence as a standalone HTML page
  --convert <to>        write the history instead of checking it: edn (one op map per line, as Jepsen's
                        history.edn), edn-vector (one vector, as Knossos's data files) or porcupine
                        (Porcupine's Operation structs as JSON)
  --out <file>          where --convert writes (default: standard output)
Exit codes: 0 linearizable (or converted), 1 not linearizable, 2 unknown (the budget ran out: NOT a pass),
64 usage error, 65 malformed history or no operations found, 66 unreadable file, 70 internal error,
73 an output file that cannot be written.
`;

type AnyModel = Model<unknown, unknown, unknown>;

const MODELS: Readonly<Record<string, AnyModel>> = {
  register: registerModel as AnyModel,
  'cas-register': casRegisterModel as AnyModel,
  mutex: mutexModel as AnyModel,
  'multi-register': multiRegisterModel as AnyModel,
  kv: kvModel as AnyModel,
  counter: counterModel as AnyModel,
  set: setModel as AnyModel,
};

const FORMATS: readonly HistoryFormat[] = ['jepsen-log', 'edn', 'json'];
const CONVERSIONS = ['edn', 'edn-vector', 'porcupine'] as const;
type Conversion = (typeof CONVERSIONS)[number];

/** Where the CLI writes; tests pass their own. */
export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

interface Request {
  readonly file: string;
  readonly format: HistoryFormat | undefined;
  readonly modelName: string | undefined;
  readonly maxSteps: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly htmlPath: string | undefined;
  readonly convert: Conversion | undefined;
  readonly outPath: string | undefined;
}

/** A request whose format and model are known. */
interface Resolved {
  readonly format: HistoryFormat;
  readonly modelName: string;
  readonly detected: boolean;
}

class UsageError extends Error {}

/** A history that does not fit what was asked of it. */
class DataError extends Error {}

/** An output file that cannot be written (its folder is missing, or it is not writable). */
class WriteError extends Error {}

/** Input that holds no operation at all: checking it would say "linearizable" about nothing. */
function noOperations(why: string): DataError {
  return new DataError(
    `no operations found: ${why}. Nothing was checked; is it the right file, and the right --format?`,
  );
}

function nonNegativeInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} needs a non-negative integer, got "${text}"`);
  return Number(text);
}

function parseRequest(argv: readonly string[]): Request {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        model: { type: 'string' },
        'max-steps': { type: 'string' },
        'timeout-ms': { type: 'string' },
        html: { type: 'string' },
        convert: { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`expected one history file, got ${positionals.length}`);
  const { format, model, convert } = values;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (model !== undefined && MODELS[model] === undefined)
    throw new UsageError(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
  if (convert !== undefined && !(CONVERSIONS as readonly string[]).includes(convert))
    throw new UsageError(`--convert must be one of ${CONVERSIONS.join(', ')}`);
  if (values.out !== undefined && convert === undefined) throw new UsageError('--out goes with --convert');
  if (format !== undefined && model !== undefined) checkFits(format as HistoryFormat, model);
  return {
    file: positionals[0]!,
    format: format as HistoryFormat | undefined,
    modelName: model,
    maxSteps: nonNegativeInteger('--max-steps', values['max-steps']),
    timeoutMs: nonNegativeInteger('--timeout-ms', values['timeout-ms']),
    htmlPath: values.html,
    convert: convert as Conversion | undefined,
    outPath: values.out,
  };
}

/** Refuses a model the format cannot hold. */
function checkFits(format: HistoryFormat, model: string): void {
  if (format === 'jepsen-log' && model !== 'cas-register')
    throw new UsageError('the jepsen-log format holds cas-register histories: use --model cas-register');
  if (format === 'edn' && !isEdnModelName(model))
    throw new UsageError('the edn format holds register, cas-register, mutex, multi-register or kv histories');
}

/** The format and model: as given, or detected from the text. */
function resolve(request: Request, text: string): Resolved {
  if (text.trim() === '') throw noOperations('the file is empty');
  const format = request.format ?? detectFormat(text);
  if (format === undefined)
    throw new UsageError(`cannot tell the format of ${request.file}: give --format jepsen-log, edn or json`);
  let modelName = request.modelName;
  if (modelName === undefined) {
    modelName = detectModel(format, text);
    if (modelName === undefined && format === 'edn' && !hasEdnOperations(text))
      throw noOperations('it holds no EDN op map ({:process 0, :type :invoke, :f :read, ...})');
    if (modelName === undefined && format === 'json' && parseJsonHistory(text).length === 0)
      throw noOperations('it is an empty JSON array');
    if (modelName === undefined)
      throw new UsageError(`cannot tell which model ${request.file} is written for: give --model`);
  }
  checkFits(format, modelName);
  return { format, modelName, detected: request.format === undefined || request.modelName === undefined };
}

function detectModel(format: HistoryFormat, text: string): string | undefined {
  if (format === 'jepsen-log') return 'cas-register';
  // Both parse first, so that malformed input is reported with its position (exit 65).
  if (format === 'edn') return detectEdnModel(text);
  return detectJsonModel(parseJsonHistory(text));
}

function parse(resolved: Resolved, text: string): History<unknown, unknown> {
  const history = parseAs(resolved, text);
  if (history.length === 0) {
    const expected =
      resolved.format === 'jepsen-log'
        ? 'no line reads as a Jepsen log operation ("INFO  jepsen.util - 7  :invoke  :write  3")'
        : resolved.format === 'edn'
          ? 'it holds no EDN op map ({:process 0, :type :invoke, :f :read, ...})'
          : 'it is an empty JSON array';
    throw noOperations(expected);
  }
  return history;
}

function parseAs(resolved: Resolved, text: string): History<unknown, unknown> {
  switch (resolved.format) {
    case 'jepsen-log':
      return parseJepsenLog(text) as History<unknown, unknown>;
    case 'edn':
      return parseEdnHistory(text, resolved.modelName as Parameters<typeof parseEdnHistory>[1]);
    default:
      return parseJsonHistory(text);
  }
}

/** `1 operation`, `3 operations`. */
function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

const VERDICT_WORDS = { ok: 'linearizable', illegal: 'not linearizable', unknown: 'unknown' } as const;

function report(
  request: Request,
  resolved: Resolved,
  result: CheckResult<unknown, unknown, unknown>,
  elapsedMs: number,
): string {
  const { stats } = result;
  const lines = [
    `${request.file}: ${VERDICT_WORDS[result.verdict]}`,
    `  ${resolved.format}, model ${resolved.modelName}${resolved.detected ? ' (detected)' : ''}; ${countOf(stats.operationsChecked, 'operation')} checked` +
      (stats.operationsDropped > 0 ? ` (${countOf(stats.operationsDropped, 'failed operation')} dropped)` : '') +
      ` in ${countOf(stats.partitions, 'part')}`,
    `  took ${elapsedMs.toFixed(1)} ms, ${countOf(stats.steps, 'search step')}`,
  ];
  if (result.verdict === 'unknown') lines.push(`  ${result.reason}.`);
  if (result.verdict === 'illegal') {
    const explanation = formatCheckResult(result).split('\n').slice(1);
    lines.push(...explanation.map((line) => `  ${line}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes an output file, or says in words why it cannot. */
function writeOutput(path: string, text: string): void {
  const folder = dirname(path);
  if (!existsSync(folder))
    throw new WriteError(`cannot write ${path}: the folder ${folder} does not exist. Create it first.`);
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new WriteError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The file's text, or undefined when it cannot be read. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function convert(to: Conversion, resolved: Resolved, history: History<unknown, unknown>, output: Output): string {
  if (to === 'porcupine') return writePorcupineJson(history);
  if (!isEdnModelName(resolved.modelName))
    throw new UsageError(`Jepsen op maps have no form for ${resolved.modelName} histories; try --convert porcupine`);
  for (const caveat of ednCaveats(history, resolved.modelName)) output.err(`check-history: note: ${caveat}.\n`);
  try {
    return writeJepsenEdn(history, resolved.modelName, { layout: to === 'edn-vector' ? 'vector' : 'lines' });
  } catch (error) {
    // An input of another shape than the model's: the data's fault.
    throw new DataError(
      `not a ${resolved.modelName} history: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function check(request: Request, resolved: Resolved, history: History<unknown, unknown>, output: Output): number {
  const model = MODELS[resolved.modelName]!;
  const startMs = performance.now(); // a CLI outside any simulation: real time is what the user wants here
  const result = checkLinearizability(model, history, { maxSteps: request.maxSteps, timeoutMs: request.timeoutMs });
  output.out(report(request, resolved, result, performance.now() - startMs));
  if (request.htmlPath !== undefined) {
    writeOutput(request.htmlPath, renderEvidenceHtml({ title: basename(request.file), model, history, result }));
    output.out(`  evidence written to ${request.htmlPath}\n`);
  }
  return EXIT[result.verdict];
}

/**
 * Runs the CLI on `argv` (the arguments after the script name) and returns the exit code.
 */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  let request: Request;
  try {
    request = parseRequest(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`check-history: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  for (const path of [request.htmlPath, request.outPath]) {
    if (path !== undefined && !existsSync(dirname(path))) {
      output.err(`check-history: cannot write ${path}: the folder ${dirname(path)} does not exist. Create it first.\n`);
      return EXIT.cannotWrite;
    }
  }
  const text = readText(request.file);
  if (text === undefined) {
    output.err(`check-history: cannot read ${request.file}\n`);
    return EXIT.noInput;
  }
  try {
    const resolved = resolve(request, text);
    const history = parse(resolved, text);
    if (request.convert === undefined) return check(request, resolved, history, output);
    const converted = convert(request.convert, resolved, history, output);
    if (request.outPath === undefined) output.out(converted);
    else writeOutput(request.outPath, converted);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`check-history: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof WriteError) {
      output.err(`check-history: ${error.message}\n`);
      return EXIT.cannotWrite;
    }
    // Malformed input, or input the model cannot read: the data's fault, not the checker's.
    if (error instanceof HistoryParseError || error instanceof ModelStepError || error instanceof DataError) {
      output.err(`check-history: ${request.file}: ${error.message}\n`);
      return EXIT.dataError;
    }
    // Anything else is a bug here, and must not end with exit 1, which means "not linearizable".
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    output.err(
      `check-history: internal error while reading ${request.file} (a bug in check-history, not a verdict on ` +
        `the history; please report it with the file):\n${detail}\n`,
    );
    return EXIT.internal;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
