/**
 * How robustly the tests catch each known mistake: the table `npm run mistake -- report` prints.
 *
 * A mistake is caught robustly when a scripted test (a story or a check, which runs the same way every
 * time) fails on it, or when some sweep fails on at least {@link ROBUST_SWEEP_FRACTION} of its seeds. A
 * mistake that only a few seeds of a sweep find is caught by luck: a change of seeds or of swarm
 * settings can lose it. A test counts as a sweep when it wrote a line to the sweep tally
 * (`KATA_SWEEP_TALLY`, see `harness/testing/sweep-tally.ts`).
 *
 * Everything here is pure: it turns test results and tally lines into verdicts and markdown.
 *
 * @module
 */
import type { SweepTally } from '../../harness/testing/sweep-tally.ts';
import type { TestResult } from './vitest-run.ts';

/** A sweep must fail on at least this fraction of its seeds to catch a mistake on its own. */
export const ROBUST_SWEEP_FRACTION = 0.25;

/** What one mistake's run gave: its failing tests and its sweeps' tallies. */
export interface MistakeOutcome {
  /** The exercise, e.g. `05-consensus/03-persistence`. */
  readonly exercise: string;
  readonly mistake: string;
  /** The phrase a failure must name (its `Breaks:` line), or `null`. */
  readonly breaks: string | null;
  /** Every test of the exercise, as it ran against the mistake. */
  readonly tests: readonly TestResult[];
  /** The tally lines the exercise's sweeps wrote during this run. */
  readonly tallies: readonly SweepTally[];
  /** Test files that failed to load or run. */
  readonly brokenFiles: ReadonlyArray<{ readonly file: string; readonly message: string }>;
}

/** A failing sweep: its test and how many of its seeds failed. */
export interface SweepCatch {
  /** The test's full name. */
  readonly test: string;
  readonly seedsPlanned: number;
  /** Fewer than planned when the count stopped early, having seen enough failures. */
  readonly seedsRun: number;
  readonly seedsFailed: number;
}

/** How robustly one mistake is caught. */
export type Verdict = 'scripted' | 'sweep' | 'weak' | 'missed' | 'broken';

/** One row of the report. */
export interface MistakeRow {
  readonly exercise: string;
  readonly mistake: string;
  /** Full names of the failing tests that are not sweeps. */
  readonly scripted: readonly string[];
  /** The failing sweeps, best first. */
  readonly sweeps: readonly SweepCatch[];
  /** The largest fraction of seeds that failed in any sweep of the exercise, or `null` if none ran. */
  readonly bestSweepFraction: number | null;
  /** Whether some failing test's message contains the `Breaks:` phrase. */
  readonly namesBreaks: boolean;
  /**
   * `scripted`: a scripted test fails; `sweep`: no scripted test fails but a sweep fails on at least
   * {@link ROBUST_SWEEP_FRACTION} of its seeds; `weak`: only sweeps below that fail; `missed`: nothing
   * fails; `broken`: the tests did not run.
   */
  readonly verdict: Verdict;
}

/** Judges one mistake's outcome. */
export function judgeOutcome(outcome: MistakeOutcome): MistakeRow {
  const sweepKeys = new Set(outcome.tallies.map((tally) => key(tally.file, tally.test)));
  const failing = outcome.tests.filter((test) => test.status === 'failed');
  const scripted = failing.filter((test) => !sweepKeys.has(key(test.file, test.name))).map((test) => test.name);
  const sweeps = failingSweeps(outcome.tallies);
  const fractions = outcome.tallies.map((tally) => fraction(tally));
  const bestSweepFraction = fractions.length === 0 ? null : Math.max(...fractions);
  const phrase = outcome.breaks?.toLowerCase();
  const namesBreaks =
    phrase !== undefined &&
    failing.some((test) => test.failureMessages.some((message) => message.toLowerCase().includes(phrase)));
  return {
    exercise: outcome.exercise,
    mistake: outcome.mistake,
    scripted,
    sweeps,
    bestSweepFraction,
    namesBreaks,
    verdict: verdictOf(outcome, scripted, bestSweepFraction, failing.length),
  };
}

/** Whether a row needs a scripted scenario aimed at its mistake. */
export function isFlagged(row: MistakeRow): boolean {
  return row.verdict === 'weak' || row.verdict === 'missed' || row.verdict === 'broken';
}

function verdictOf(
  outcome: MistakeOutcome,
  scripted: readonly string[],
  bestSweepFraction: number | null,
  failingCount: number,
): Verdict {
  if (outcome.brokenFiles.length > 0) return 'broken';
  if (scripted.length > 0) return 'scripted';
  if (bestSweepFraction !== null && bestSweepFraction >= ROBUST_SWEEP_FRACTION) return 'sweep';
  return failingCount > 0 ? 'weak' : 'missed';
}

/** The sweeps that failed, one per test (its best tally line), best first. */
function failingSweeps(tallies: readonly SweepTally[]): SweepCatch[] {
  const best = new Map<string, SweepTally>();
  for (const tally of tallies) {
    if (tally.seedsFailed === 0) continue;
    const known = best.get(tally.test);
    if (known === undefined || fraction(tally) > fraction(known)) best.set(tally.test, tally);
  }
  return [...best.values()]
    .sort((a, b) => fraction(b) - fraction(a))
    .map(({ test, seedsPlanned, seedsRun, seedsFailed }) => ({ test, seedsPlanned, seedsRun, seedsFailed }));
}

/** The fraction of the planned seeds that failed: when the count stopped early, at least this much. */
function fraction(tally: Pick<SweepTally, 'seedsPlanned' | 'seedsFailed'>): number {
  return tally.seedsPlanned === 0 ? 0 : tally.seedsFailed / tally.seedsPlanned;
}

/** `12/200`, or `≥50/200` when the count stopped early. */
function seedsText(sweep: SweepCatch): string {
  return `${sweep.seedsRun < sweep.seedsPlanned ? '≥' : ''}${sweep.seedsFailed}/${sweep.seedsPlanned}`;
}

function key(file: string, test: string): string {
  return `${file}\u0000${test}`;
}

const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  scripted: 'ok (scripted)',
  sweep: `ok (sweep ≥ ${percent(ROBUST_SWEEP_FRACTION)})`,
  weak: '**WEAK**',
  missed: '**MISSED**',
  broken: '**BROKEN**',
};

/**
 * The report as markdown: a summary line, one table row per mistake, then the flagged mistakes again
 * with what catches them. Long test names are cut to `nameLength` characters.
 */
export function formatReport(rows: readonly MistakeRow[], options: { readonly nameLength?: number } = {}): string {
  const length = options.nameLength ?? 70;
  const flagged = rows.filter(isFlagged);
  const lines = [
    '# How robustly the tests catch each known mistake',
    '',
    `${mistakeCount(rows.length)}; ${rows.length - flagged.length} caught robustly (a scripted test fails, or a sweep ` +
      `fails on at least ${percent(ROBUST_SWEEP_FRACTION)} of its seeds); ${flagged.length} flagged.`,
    '',
    '| exercise | mistake | scripted tests that fail | failing sweeps (seeds failed) | best sweep | names Breaks | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) =>
      [
        row.exercise,
        row.mistake,
        listCell(
          row.scripted.map((name) => shorten(name, length)),
          3,
        ),
        listCell(
          row.sweeps.map((sweep) => `${shorten(sweep.test, length)}: ${seedsText(sweep)}`),
          3,
        ),
        row.bestSweepFraction === null ? '–' : percent(row.bestSweepFraction),
        row.namesBreaks ? 'yes' : '**no**',
        VERDICT_TEXT[row.verdict],
      ]
        .map(escapeCell)
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
  ];
  if (flagged.length > 0) {
    lines.push('', '## Flagged: caught by no scripted test and by no sweep on a quarter of its seeds', '');
    for (const row of flagged) {
      const sweeps = row.sweeps.map((sweep) => `${sweep.test} (${seedsText(sweep)})`);
      lines.push(
        `- ${row.exercise} ${row.mistake}: ${VERDICT_TEXT[row.verdict]}; ${sweeps.join('; ') || 'no sweep fails'}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

function listCell(items: readonly string[], shown: number): string {
  if (items.length === 0) return '–';
  const more = items.length > shown ? ` (+${items.length - shown} more)` : '';
  return items.slice(0, shown).join('<br>') + more;
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** "1 mistake", "3 mistakes". */
export function mistakeCount(count: number): string {
  return `${count} ${count === 1 ? 'mistake' : 'mistakes'}`;
}
