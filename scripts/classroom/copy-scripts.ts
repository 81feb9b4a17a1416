/**
 * What a learner's copy of the workshop does with each npm script of `package.json`: keep it, replace
 * it by a refusal that says why (it needs the reference solutions, which the copy leaves out), or drop
 * it (a tool for the course's maintainers that a learner has no use for).
 *
 * @module
 */

/** The scripts that need `solutions/`, each with what it would have done: the refusal names it. */
export const REFUSED_SCRIPTS: Readonly<Record<string, string>> = {
  'test:solutions': 'runs the exercise tests against the reference solutions',
  verify: 'checks the course itself: solutions, known mistakes, alternatives, the solution branch',
  bench: "measures the simulator and checkers on the reference solutions' workloads",
  'solution-branch': 'writes a branch where every stub is replaced by its reference solution',
  mistake: 'runs and edits the known mistakes, which are patches against the reference solutions',
  alternative: 'runs and edits the alternative solutions, which are patches against the reference solutions',
  stubs: "rebuilds chapter 5's stubs from the reference solutions",
  'trace-hashes': 'records the trace hash of every simulation the reference solutions run',
  mutation: 'mutates the reference solutions to measure the tests',
  classroom: "is the instructor's tool: student copies, live demos of the known mistakes, the class progress board",
};

/** Scripts a learner's copy leaves out: maintainers' tools that need nothing missing but serve no learner. */
export const DROPPED_SCRIPTS: readonly string[] = ['unused'];

/** The file a refused script runs in the copy (it ships with the copy). */
export const REFUSAL_SCRIPT = 'scripts/not-in-student-copy.ts';

/**
 * The `scripts` of a learner's copy: each refused script runs {@link REFUSAL_SCRIPT} with its name,
 * dropped ones are gone, every other script is kept as it is.
 */
export function studentScripts(scripts: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, command] of Object.entries(scripts)) {
    if (DROPPED_SCRIPTS.includes(name)) continue;
    result[name] = name in REFUSED_SCRIPTS ? `tsx ${REFUSAL_SCRIPT} ${name}` : command;
  }
  return result;
}

/** What a refused script prints: what it does, why it cannot here, and what to run instead. */
export function refusalMessage(script: string): string {
  const what = REFUSED_SCRIPTS[script] ?? 'needs the reference solutions';
  return [
    `npm run ${script} ${what}.`,
    "This is a learner's copy of the workshop: it has no reference solutions (no solutions/ folder), on purpose.",
    "Your instructor's copy has them.",
    '',
    'To check your own work:',
    '  npm test -- exercises/01      the tests of a chapter (or of one exercise, or npm test for all)',
    '  npm run kata                  your progress, and what to do next',
    '  npm run kata -- help          every kata verb (watch, hint, replay, bug, report, ...)',
  ].join('\n');
}
