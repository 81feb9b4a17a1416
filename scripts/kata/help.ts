/**
 * The kata command's help: one block per verb, so `kata help`, `kata --help`, `kata help <verb>` and
 * `kata <verb> --help` all print from the same text.
 *
 * @module
 */

/** The help of one verb: its usage lines, as printed in the overview. */
interface VerbHelp {
  readonly verb: string;
  readonly text: string;
}

const VERBS: readonly VerbHelp[] = [
  {
    verb: 'status',
    text: `  status [--cached]                 progress per exercise (the default verb). Each exercise's tests
                                    run again only when one of its files changed since they last
                                    ran (yours, the tests, given code, the harness); --cached shows
                                    the remembered figures without running anything`,
  },
  {
    verb: 'watch',
    text: `  watch [exercise]                  rerun the exercise's tests on every save (default: the current
                                    one, the first not done). Keys: h next hint, r run again, q quit`,
  },
  {
    verb: 'hint',
    text: `  hint [exercise] [--again]         reveal the next hint, one at a time (default: the current
                                    exercise); --again shows the hints you have seen once more`,
  },
  {
    verb: 'diff',
    text: `  diff <exercise> [--yes]           how the reference solution differs from your file, as a
                                    unified diff (− your lines, + the solution's). A spoiler: asks first`,
  },
  {
    verb: 'reset',
    text: `  reset <exercise>                  restore the stub; your file is saved under .kata/saved/ first`,
  },
  {
    verb: 'carry',
    text: `  carry <exercise>                  start from your own file of the exercise before instead of the
                                    stub's copy of the reference: a three-way merge of your file into
                                    the stub (e.g. carry 05/02 brings your 5.1 into 5.2); your file of
                                    this exercise is saved under .kata/saved/ first`,
  },
  {
    verb: 'replay',
    text: `  replay <exercise> --seed N        rerun the exercise's tests with one seed and show the traces
         [--test <name>]            (only tests whose name matches)
         [--property <seed:path>]   (instead of --seed: replay a shrunk fast-check case, KATA_REPLAY)
         [--trace]                  (write the trace and viewer page of passing runs too)`,
  },
  {
    verb: 'pin',
    text: `  pin <exercise> --seed N           keep a run as a test: writes pinned-seed-N.test.ts into the
                                    exercise's folder, which runs the exercise's own tests with that
                                    seed on every npm test and kata watch
         [--replay <seed:path>]     (instead of --seed: pin one shrunk fast-check case, KATA_REPLAY)`,
  },
  {
    verb: 'bug',
    text: `  bug [exercise] [--yes]            a "find the bug" kata: one known mistake of the exercise (its
                                    solution with one plausible bug) in .kata/bugs/; its tests run and
                                    show the failure. Fix the file and run it again to check. Default:
                                    the kata in progress, or a finished exercise's next one. Before the
                                    exercise is done it asks first (a spoiler)
         [--reveal]                 (what the mistake was: its text and its patch)
         [--test <name>]            (only tests whose name matches)`,
  },
  {
    verb: 'report',
    text: `  report [--cached] [--name <you>]  a progress summary in .kata/report.md and .kata/report.json`,
  },
  {
    verb: 'new',
    text: `  new <NN/MM> <name>                for authors: a new exercise NN/MM whose learner file is <name>.ts,
                                    with README, hints, protocol.ts, stub, tests, solution and notes
                                    (see docs/authoring-exercises.md); the chapter folder must exist`,
  },
  {
    verb: 'maelstrom',
    text: `  maelstrom <exercise> [--solution] write an executable that runs your node (or the reference
                                    solution) as a real process speaking Maelstrom's protocol, and
                                    print the \`maelstrom test\` command (exercises with a maelstrom.ts)`,
  },
  {
    verb: 'cluster',
    text: `  cluster <exercise> [--nodes 3]    run the node as real processes (one per node) behind a router that
         [--solution] [--seed N]    delays, drops and partitions their messages, drive the workload in
         [--time-limit-ms N]        real time (default 5000), check the history, write the trace`,
  },
  {
    verb: 'help',
    text: `  help [verb]                       this text, or one verb's (as does --help after any verb)`,
  },
];

const NAMES = `An exercise can be named 01-message-passing/01-echo, 01/01, 1.1, echo or 01-echo.`;

/** Every verb the command knows. */
export const KNOWN_VERBS: readonly string[] = VERBS.map((entry) => entry.verb);

/** The overview: every verb. */
export function usage(): string {
  return [
    'Usage: npm run kata -- <verb> [exercise] [options]',
    '',
    ...VERBS.map((entry) => entry.text),
    '',
    NAMES,
    'Colours appear on a terminal only; set NO_COLOR=1 to turn them off.',
  ].join('\n');
}

/** The help of one verb, or `null` when there is no such verb. */
export function verbHelp(verb: string): string | null {
  const entry = VERBS.find((candidate) => candidate.verb === verb);
  if (entry === undefined) return null;
  return [`npm run kata -- ${verb}:`, '', entry.text, '', NAMES].join('\n');
}
