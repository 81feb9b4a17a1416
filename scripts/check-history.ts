/**
 * `npm run check-history -- <file> --format jepsen-log|edn|json --model cas-register|kv|register|counter|set`
 *
 * Checks a recorded history for linearizability and says so in words. Exit codes: 0 linearizable,
 * 1 not linearizable, 2 unknown (budget spent: not a pass), 64 usage error, 65 malformed history,
 * 66 unreadable file (the last three as in BSD's sysexits).
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  casRegisterModel,
  checkLinearizability,
  counterModel,
  formatCheckResult,
  kvModel,
  ModelStepError,
  registerModel,
  setModel,
  type CheckResult,
  type Model,
} from '#harness/check';
import { HistoryParseError, parseEdnKvHistory, parseJepsenLog, parseJsonHistory } from '#harness/check/import';
import { renderEvidenceHtml } from '../harness/check/linearizability/index.ts';
import type { History } from '../harness/history.ts';

/** Exit codes. */
export const EXIT = { ok: 0, illegal: 1, unknown: 2, usage: 64, dataError: 65, noInput: 66 } as const;

const USAGE = `Usage: npm run check-history -- <file> --format <format> --model <model> [options]

Checks a history for linearizability.

  --format jepsen-log   Jepsen log lines for a cas-register ("INFO  jepsen.util - 7  :invoke  :write  3")
           edn          Jepsen/Knossos op maps for a kv store, one per line ({:process 3, :type :ok, ...})
           json         a JSON array of operations, as in harness/history.ts
  --model  cas-register | kv | register | counter | set
           (jepsen-log needs cas-register; edn needs kv; json works with any)
  --max-steps N         search budget in steps (default 5,000,000)
  --timeout-ms N        search budget in wall-clock milliseconds (default: none)
  --html <out.html>     also write the evidence as a standalone HTML page

Exit codes: 0 linearizable, 1 not linearizable, 2 unknown (the budget ran out: NOT a pass),
64 usage error, 65 malformed history, 66 unreadable file.
`;

type AnyModel = Model<unknown, unknown, unknown>;

const MODELS: Readonly<Record<string, AnyModel>> = {
  'cas-register': casRegisterModel as AnyModel,
  kv: kvModel as AnyModel,
  register: registerModel as AnyModel,
  counter: counterModel as AnyModel,
  set: setModel as AnyModel,
};

/** Which model each file format's histories are written for; json fits any. */
const FORMATS: Readonly<Record<string, { parse: (text: string) => History<unknown, unknown>; model?: string }>> = {
  'jepsen-log': { parse: parseJepsenLog as (text: string) => History<unknown, unknown>, model: 'cas-register' },
  edn: { parse: parseEdnKvHistory as (text: string) => History<unknown, unknown>, model: 'kv' },
  json: { parse: parseJsonHistory },
};

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
  readonly format: string;
  readonly modelName: string;
  readonly maxSteps: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly htmlPath: string | undefined;
}

class UsageError extends Error {}

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
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`expected one history file, got ${positionals.length}`);
  const { format, model } = values;
  if (format === undefined || FORMATS[format] === undefined)
    throw new UsageError(`--format must be one of ${Object.keys(FORMATS).join(', ')}`);
  if (model === undefined || MODELS[model] === undefined)
    throw new UsageError(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
  const requiredModel = FORMATS[format]?.model;
  if (requiredModel !== undefined && requiredModel !== model) {
    throw new UsageError(`the ${format} format holds ${requiredModel} histories: use --model ${requiredModel}`);
  }
  return {
    file: positionals[0]!,
    format,
    modelName: model,
    maxSteps: nonNegativeInteger('--max-steps', values['max-steps']),
    timeoutMs: nonNegativeInteger('--timeout-ms', values['timeout-ms']),
    htmlPath: values.html,
  };
}

/** `1 operation`, `3 operations`. */
function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

const VERDICT_WORDS = { ok: 'linearizable', illegal: 'not linearizable', unknown: 'unknown' } as const;

function report(request: Request, result: CheckResult<unknown, unknown, unknown>, elapsedMs: number): string {
  const { stats } = result;
  const lines = [
    `${request.file}: ${VERDICT_WORDS[result.verdict]}`,
    `  model ${request.modelName}; ${countOf(stats.operationsChecked, 'operation')} checked` +
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

/** The file's text, or undefined when it cannot be read. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
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
  try {
    const text = readText(request.file);
    if (text === undefined) {
      output.err(`check-history: cannot read ${request.file}\n`);
      return EXIT.noInput;
    }
    const history = FORMATS[request.format]!.parse(text);
    const model = MODELS[request.modelName]!;
    const startMs = performance.now(); // a CLI outside any simulation: real time is what the user wants here
    const result = checkLinearizability(model, history, { maxSteps: request.maxSteps, timeoutMs: request.timeoutMs });
    output.out(report(request, result, performance.now() - startMs));
    if (request.htmlPath !== undefined) {
      writeFileSync(request.htmlPath, renderEvidenceHtml({ title: basename(request.file), model, history, result }));
      output.out(`  evidence written to ${request.htmlPath}\n`);
    }
    return EXIT[result.verdict];
  } catch (error) {
    // Malformed input, or input the model cannot read: the data's fault, not the checker's.
    if (!(error instanceof HistoryParseError) && !(error instanceof ModelStepError)) throw error;
    output.err(`check-history: ${request.file}: ${error.message}\n`);
    return EXIT.dataError;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
