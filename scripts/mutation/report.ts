/**
 * Reading a mutation run: Stryker's JSON report (the mutation-testing-report-schema) and an exercise's
 * list of equivalent mutants, turned into the figures `npm run mutation` prints and verify checks.
 *
 * Pure: everything here works on the data it is given.
 *
 * @module
 */

/**
 * A mutant that cannot change what the solution does, as an exercise lists it in
 * `solutions/<chapter>/<exercise>/equivalent-mutants.json`. It matches every mutant of that file, line,
 * mutator and replacement.
 */
export interface EquivalentMutant {
  /** The solution file, relative to the solution's folder: `raft.ts`. */
  readonly file: string;
  /** The 1-based line the mutant starts on. */
  readonly line: number;
  /** The 1-based column it starts at: needed only when two mutants of one line look the same. */
  readonly column?: number;
  /** Stryker's mutator name: `StringLiteral`, `ConditionalExpression`, ... */
  readonly mutator: string;
  /** The code the mutant replaced, as `npm run mutation` prints it: needed only when column is not enough. */
  readonly original?: string;
  /** The mutated code, exactly as Stryker reports it. */
  readonly replacement: string;
  /** Why no test can tell this mutant from the solution. */
  readonly reason: string;
}

/** What became of one mutant, in the words of Stryker's report. */
export type MutantStatus =
  'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

/** One mutant of a run, with the code it replaced. */
export interface Mutant {
  /** The mutated file, relative to the repository root. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  /** The code the mutant replaced, on one line. */
  readonly original: string;
  readonly replacement: string;
  readonly status: MutantStatus;
  /** How many tests ran to completion against it, when the report says. */
  readonly testsCompleted?: number;
}

/** The part of Stryker's JSON report read here. */
export interface StrykerReport {
  readonly files: Readonly<
    Record<
      string,
      {
        readonly source: string;
        readonly mutants: ReadonlyArray<{
          readonly mutatorName: string;
          readonly replacement?: string;
          readonly status: MutantStatus;
          readonly testsCompleted?: number;
          readonly location: {
            readonly start: { readonly line: number; readonly column: number };
            readonly end: { readonly line: number; readonly column: number };
          };
        }>;
      }
    >
  >;
}

/** An equivalent-mutant entry and the mutants it matched. */
export interface EquivalentMatch {
  readonly entry: EquivalentMutant;
  readonly mutants: readonly Mutant[];
}

/** The figures of one run. Counts cover every mutant; the score leaves the equivalent ones out. */
export interface MutationSummary {
  readonly total: number;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly timeout: number;
  /** Mutants that did not compile or crashed the run: neither detected nor missed. */
  readonly errors: number;
  /** Entries that matched at least one mutant, none of them killed. */
  readonly equivalent: readonly EquivalentMatch[];
  /** Entries that match no mutant (the code moved or changed): they need updating. */
  readonly stale: readonly EquivalentMutant[];
  /** Entries that match a mutant the tests detect: the mutant was not equivalent after all. */
  readonly detectedEquivalents: readonly EquivalentMatch[];
  /**
   * Mutants reported as survived although no test ran to completion against them: no evidence either way
   * (a static mutant that stops the module from loading looks like this, stryker-mutator/stryker-js#6213).
   * They are listed and left out of the score.
   */
  readonly unmeasured: readonly Mutant[];
  /** Surviving and uncovered mutants that are not marked equivalent: what the tests do not check yet. */
  readonly survivors: readonly Mutant[];
  /** Detected over detected plus missed, among the mutants not marked equivalent; `null` when there are none. */
  readonly scorePercent: number | null;
}

const detected: ReadonlySet<MutantStatus> = new Set(['Killed', 'Timeout']);
const missed: ReadonlySet<MutantStatus> = new Set(['Survived', 'NoCoverage']);

/** Every mutant of a report, in file and line order. `root` is the folder Stryker ran in, as a prefix to strip. */
export function mutantsOf(report: StrykerReport, root: string): Mutant[] {
  const mutants: Mutant[] = [];
  for (const [fileName, file] of Object.entries(report.files)) {
    const relative = toRelative(fileName, root);
    const lines = file.source.split('\n');
    for (const mutant of file.mutants) {
      mutants.push({
        file: relative,
        line: mutant.location.start.line,
        column: mutant.location.start.column,
        mutator: mutant.mutatorName,
        original: oneLine(textAt(lines, mutant.location.start, mutant.location.end)),
        replacement: oneLine(mutant.replacement ?? ''),
        status: mutant.status,
        ...(mutant.testsCompleted === undefined ? {} : { testsCompleted: mutant.testsCompleted }),
      });
    }
  }
  return mutants.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.mutator.localeCompare(b.mutator),
  );
}

/** Sums up a run, setting aside the mutants that `equivalents` (of the solution in `solutionDirectory`) lists. */
export function summarise(
  mutants: readonly Mutant[],
  equivalents: readonly EquivalentMutant[],
  solutionDirectory: string,
): MutationSummary {
  const matchesOf = (entry: EquivalentMutant) => mutants.filter((mutant) => matches(entry, mutant, solutionDirectory));
  const equivalent: EquivalentMatch[] = [];
  const detectedEquivalents: EquivalentMatch[] = [];
  const stale: EquivalentMutant[] = [];
  const setAside = new Set<Mutant>();
  for (const entry of equivalents) {
    const matched = matchesOf(entry);
    if (matched.length === 0) stale.push(entry);
    else if (matched.some((mutant) => detected.has(mutant.status)))
      detectedEquivalents.push({ entry, mutants: matched });
    else {
      equivalent.push({ entry, mutants: matched });
      for (const mutant of matched) setAside.add(mutant);
    }
  }
  const unmeasured = mutants.filter((mutant) => !setAside.has(mutant) && isUnmeasured(mutant));
  const counted = mutants.filter((mutant) => !setAside.has(mutant) && !isUnmeasured(mutant));
  const found = counted.filter((mutant) => detected.has(mutant.status)).length;
  const survivors = counted.filter((mutant) => missed.has(mutant.status));
  const count = (status: MutantStatus) => mutants.filter((mutant) => mutant.status === status).length;
  return {
    total: mutants.length,
    killed: count('Killed'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    timeout: count('Timeout'),
    errors: count('CompileError') + count('RuntimeError'),
    equivalent,
    stale,
    detectedEquivalents,
    unmeasured,
    survivors,
    scorePercent: found + survivors.length === 0 ? null : (100 * found) / (found + survivors.length),
  };
}

/** Checks the parsed text of an `equivalent-mutants.json`; throws naming `file` and the entry at fault. */
export function parseEquivalents(parsed: unknown, file: string): EquivalentMutant[] {
  if (!Array.isArray(parsed))
    throw new Error(`${file}: expected a JSON array of { file, line, mutator, replacement, reason }.`);
  return parsed.map((entry: unknown, index) => {
    const candidate = entry as Partial<EquivalentMutant> | null;
    const valid =
      typeof candidate?.file === 'string' &&
      Number.isInteger(candidate.line) &&
      typeof candidate.mutator === 'string' &&
      typeof candidate.replacement === 'string' &&
      typeof candidate.reason === 'string' &&
      candidate.reason.trim() !== '' &&
      (candidate.column === undefined || Number.isInteger(candidate.column)) &&
      (candidate.original === undefined || typeof candidate.original === 'string');
    if (!valid)
      throw new Error(
        `${file}: entry ${index} needs a string file, an integer line (and column, if any), strings mutator (and original, if any) and replacement, and a reason.`,
      );
    return candidate as EquivalentMutant;
  });
}

/** `file:line:column  mutator  original → replacement`, the way survivors and equivalents are listed. */
export function describeMutant(mutant: Mutant): string {
  return `${mutant.file}:${mutant.line}:${mutant.column}  ${mutant.mutator}  ${mutant.original} → ${mutant.replacement}`;
}

function isUnmeasured(mutant: Mutant): boolean {
  return mutant.status === 'Survived' && mutant.testsCompleted === 0;
}

function matches(entry: EquivalentMutant, mutant: Mutant, solutionDirectory: string): boolean {
  return (
    joinPath(solutionDirectory, entry.file) === mutant.file &&
    entry.line === mutant.line &&
    (entry.column === undefined || entry.column === mutant.column) &&
    (entry.original === undefined || oneLine(entry.original) === mutant.original) &&
    entry.mutator === mutant.mutator &&
    oneLine(entry.replacement) === mutant.replacement
  );
}

function textAt(
  lines: readonly string[],
  start: { line: number; column: number },
  end: { line: number; column: number },
): string {
  // Lines and columns are 1-based; the end column is exclusive.
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  return [
    (lines[start.line - 1] ?? '').slice(start.column - 1),
    ...middle,
    (lines[end.line - 1] ?? '').slice(0, end.column - 1),
  ].join('\n');
}

/** Whitespace runs become one space, and a long text keeps its first 80 characters. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 77)}...`;
}

function toRelative(fileName: string, root: string): string {
  const normalised = fileName.replace(/\\/g, '/');
  const prefix = root.replace(/\\/g, '/').replace(/\/?$/, '/');
  return normalised.startsWith(prefix) ? normalised.slice(prefix.length) : normalised;
}

function joinPath(directory: string, file: string): string {
  return `${directory.replace(/\\/g, '/').replace(/\/$/, '')}/${file}`;
}
