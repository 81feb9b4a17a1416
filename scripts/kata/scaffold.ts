/**
 * `kata new <chapter>/<number> <name>`: a new exercise, laid out the way docs/authoring-exercises.md
 * describes, so that an author starts from the convention instead of copying another exercise.
 *
 * `npm run kata -- new 05/06 membership` writes:
 *
 * ```text
 * exercises/05-consensus/06-membership/exercise.json       the manifest: membership.ts is the learner's
 * exercises/05-consensus/06-membership/README.md           the spec, with the sections the guide asks for
 * exercises/05-consensus/06-membership/HINTS.md            "## Hint 1", "## Hint 2"
 * exercises/05-consensus/06-membership/protocol.ts         given code: the messages
 * exercises/05-consensus/06-membership/membership.ts       the stub: compiles, every handler a todo(...)
 * exercises/05-consensus/06-membership/membership.test.ts  a story, spec sections, a seed sweep with a checker
 * solutions/05-consensus/06-membership/membership.ts       a placeholder solution that passes those tests
 * solutions/05-consensus/06-membership/NOTES.md            why it works, classic mistakes, discussion
 * solutions/05-consensus/06-membership/mistakes/README.md  how to add a mistake (npm run mistake -- new)
 * solutions/05-consensus/06-membership/alternatives/README.md  how to add a second correct design
 * ```
 *
 * The placeholder protocol is a request and its reply (`membership` → `membership_ok`, the value sent
 * back), so that the whole pipeline runs from the first minute: the tests fail on the stub and pass on
 * the solution. The author replaces all of it. The chapter folder must exist; nothing is overwritten.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from '../lib/exercises.ts';

/** What an exercise is called, in each of the forms the files need. */
export interface ExerciseNames {
  /** The chapter's folder, e.g. `05-consensus`. */
  readonly chapter: string;
  /** The exercise's folder, e.g. `06-membership`. */
  readonly folder: string;
  /** The kebab-case name, e.g. `membership`: the learner file is `<name>.ts`. */
  readonly name: string;
  /** The number a reader sees, e.g. `5.6`. */
  readonly number: string;
  /** The title, e.g. `Membership`. */
  readonly title: string;
  /** The node factory, e.g. `createMembershipNode`. */
  readonly factory: string;
  /** The message types' prefix, e.g. `Membership` (`MembershipRequest`, `MembershipReply`). */
  readonly pascal: string;
  /** The request's `type`, e.g. `membership` (the reply's is `membership_ok`). */
  readonly messageType: string;
}

/** A scaffold that cannot be written: a sentence that says why and what to do. */
export class ScaffoldError extends Error {}

/**
 * Works out the names of exercise `position` (`05/06`) called `name` (`membership`) in the workshop at
 * `root`. The chapter is the one folder `exercises/<NN>-*`.
 *
 * @throws ScaffoldError when the position or the name is malformed, or the chapter folder is missing.
 */
export function exerciseNames(root: string, position: string, name: string): ExerciseNames {
  const match = /^(\d{1,2})[/.](\d{1,2})$/.exec(position);
  if (match === null)
    throw new ScaffoldError(`"${position}" is not an exercise position: write <chapter>/<number>, e.g. 05/06.`);
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new ScaffoldError(
      `"${name}" is not a file name in kebab-case, e.g. membership or log-compaction: it names the learner's file, <name>.ts.`,
    );
  }
  const chapterNumber = match[1]!.padStart(2, '0');
  const exerciseNumber = match[2]!.padStart(2, '0');
  const exercisesRoot = path.join(root, 'exercises');
  const chapters = existsSync(exercisesRoot)
    ? readdirSync(exercisesRoot, { withFileTypes: true }).filter(
        (entry) => entry.isDirectory() && entry.name.startsWith(`${chapterNumber}-`),
      )
    : [];
  if (chapters.length !== 1) {
    throw new ScaffoldError(
      chapters.length === 0
        ? `There is no chapter ${chapterNumber}: create exercises/${chapterNumber}-<topic>/ with its README.md first, then run this again.`
        : `Several folders are chapter ${chapterNumber}: ${chapters.map((entry) => entry.name).join(', ')}. Keep one.`,
    );
  }
  const words = name.split('-');
  const pascal = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return {
    chapter: chapters[0]!.name,
    folder: `${exerciseNumber}-${name}`,
    name,
    number: `${Number(chapterNumber)}.${Number(exerciseNumber)}`,
    title: [words[0]![0]!.toUpperCase() + words[0]!.slice(1), ...words.slice(1)].join(' '),
    factory: `create${pascal}Node`,
    pascal,
    messageType: words.join('_'),
  };
}

/** The files of a new exercise, by path relative to the workshop's root. */
export function scaffoldFiles(names: ExerciseNames): ReadonlyMap<string, string> {
  const exercise = path.join('exercises', names.chapter, names.folder);
  const solution = path.join('solutions', names.chapter, names.folder);
  return new Map([
    [path.join(exercise, MANIFEST_FILE), `${JSON.stringify({ learnerFiles: [`${names.name}.ts`] })}\n`],
    [path.join(exercise, 'README.md'), readme(names)],
    [path.join(exercise, 'HINTS.md'), hints(names)],
    [path.join(exercise, 'protocol.ts'), protocol(names)],
    [path.join(exercise, `${names.name}.ts`), stub(names)],
    [path.join(exercise, `${names.name}.test.ts`), tests(names)],
    [path.join(solution, `${names.name}.ts`), solutionFile(names)],
    [path.join(solution, 'NOTES.md'), notes(names)],
    [path.join(solution, 'mistakes', 'README.md'), mistakesNote(names)],
    [path.join(solution, 'alternatives', 'README.md'), alternativesNote(names)],
  ]);
}

/**
 * Writes exercise `position` called `name` into the workshop at `root`; returns the files written,
 * relative to `root`.
 *
 * @throws ScaffoldError, before writing anything, when the chapter is missing or the exercise (or
 *   another one with the same number) exists already.
 */
export function scaffoldExercise(root: string, position: string, name: string): string[] {
  const names = exerciseNames(root, position, name);
  const number = names.folder.slice(0, 3);
  for (const top of ['exercises', 'solutions']) {
    const chapterFolder = path.join(root, top, names.chapter);
    const taken = existsSync(chapterFolder)
      ? readdirSync(chapterFolder).filter((entry) => entry.startsWith(number))
      : [];
    if (taken.length > 0) {
      throw new ScaffoldError(
        `${path.join(top, names.chapter, taken[0]!)} exists already: nothing was written. Pick another number, or edit that exercise.`,
      );
    }
  }
  const files = scaffoldFiles(names);
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content, { flag: 'wx' });
  }
  return [...files.keys()];
}

// ─────────────────────────────── the templates ───────────────────────────────
// Text in [brackets] is for the author to replace.

function readme(n: ExerciseNames): string {
  const folder = `exercises/${n.chapter}/${n.folder}`;
  return `# ${n.number} ${n.title}

[The goal in one or two sentences: what the learner's node does, and the property it keeps.]

## Background

[For someone meeting the idea for the first time: define every term; cite the paper and its section.
One diagram where a picture helps, as a Mermaid block or ASCII.]

\`\`\`text
   client c1                                        node n1
       │──── { type: '${n.messageType}', value } ─────────────▶│  onMessage(ctx, 'c1', message)
       │◀─── { type: '${n.messageType}_ok', value } ──────────│  ctx.reply('c1', message, reply)
\`\`\`

## The API

Edit \`${n.name}.ts\`: it exports \`${n.factory}: NodeFactory\`, which builds one node (the simulator calls
it at boot and after each restart).

\`protocol.ts\` is given, and you do not edit it: it holds the message types, \`${n.pascal}Request\` and
\`${n.pascal}Reply\`. Your node, the reference solution and the tests all import them from there.

| message | from → to | fields | meaning |
| --- | --- | --- | --- |
| \`${n.messageType}\` | client → node | \`value: string\` | [what the request asks] |
| \`${n.messageType}_ok\` | node → client | \`value: string\` | [what the reply says; sent with \`ctx.reply\`] |

## What the tests check

- **Scenario**: [the story, in one line].
- **Replying**: [one line per section of the spec the tests check].
- **Faulty network**: [how many seeds, which faults, and what must hold once they heal].

## Running the tests

\`\`\`sh
npm test -- ${folder}
\`\`\`

While you work, \`npm run kata -- watch ${n.name}\` reruns the tests each time you save, and
\`npm run kata -- hint ${n.name}\` shows the next hint, one at a time.

## How to read a failure

[Run the tests on the untouched stub and show the first failure, trimmed; then explain it line by line,
and show the failure a typical mistake gives.]

Stuck? Run \`npm run kata -- hint ${n.name}\`, or read [HINTS.md](HINTS.md) one hint at a time.
`;
}

function hints(n: ExerciseNames): string {
  return `# Hints for ${n.number} ${n.title}

## Hint 1

[A nudge: where to look, which rule of the spec matters first.]

## Hint 2

[More concrete: the shape of the state, the order of the steps.]

## Hint 3

[Almost the answer, without the code.]
`;
}

function protocol(n: ExerciseNames): string {
  return `/**
 * Exercise ${n.number}'s messages. This file is given: the stub, the solution and the tests all import it.
 *
 * [Placeholder messages, written by \`npm run kata -- new\`: replace them with the exercise's own.]
 */
import type { Message } from '#harness';

/** Client → node: [what the client asks]. Sent with \`ctx.rpc\`. */
export interface ${n.pascal}Request extends Message {
  readonly type: '${n.messageType}';
  readonly value: string;
}

/** Node → client: [what the node answers]. */
export interface ${n.pascal}Reply extends Message {
  readonly type: '${n.messageType}_ok';
  readonly value: string;
}
`;
}

function stub(n: ExerciseNames): string {
  const readmePath = `exercises/${n.chapter}/${n.folder}/README.md`;
  return `/**
 * Exercise ${n.number}: ${n.title}. [What the learner's node does, in a sentence.]
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
// 💡 The messages, ${n.pascal}Request and ${n.pascal}Reply, are in protocol.ts next to this file: import them as
//    you need them.

/** Creates a ${n.title.toLowerCase()} node. The simulator calls this at boot and again after every restart. */
export const ${n.factory}: NodeFactory = () => ({
  // 💡 The parameters start with \`_\` only so the compiler accepts them unused: drop the \`_\` as you use them.
  onMessage(_ctx, _from, _message) {
    // 👉 When \`message.type\` is '${n.messageType}', answer with
    //    ctx.reply(from, message, { type: '${n.messageType}_ok', value: ... }).
    todo("answer a '${n.messageType}' request with a '${n.messageType}_ok' reply", '${readmePath}');
  },
});
`;
}

function solutionFile(n: ExerciseNames): string {
  return `/**
 * Reference solution for exercise ${n.number}: ${n.title}.
 *
 * [Placeholder, written by \`npm run kata -- new\`: it passes the generated tests. Replace it with the
 * real solution, and say here why it works.]
 */
import type { NodeFactory } from '#harness';
import type { ${n.pascal}Reply, ${n.pascal}Request } from './protocol.ts';

/** Creates a ${n.title.toLowerCase()} node. */
export const ${n.factory}: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type !== '${n.messageType}') return;
    const request = message as ${n.pascal}Request;
    const reply: ${n.pascal}Reply = { type: '${n.messageType}_ok', value: request.value };
    ctx.reply(from, request, reply);
  },
});
`;
}

function notes(n: ExerciseNames): string {
  return `# Notes on ${n.number} ${n.title}

For instructors: read after the learners have tried the exercise.

## Why the solution works

[The invariant the solution keeps, where it is written in the code, and why each fault the tests inject
cannot break it.]

## The classic mistakes

[One paragraph per known mistake in mistakes/: what the learner wrote, why it looked right, and which
test catches it with which sentence.]

## Discussion questions

1. [A question that takes the idea one step further.]
2. [A question about a trade-off: what would change with another fault model?]
`;
}

function mistakesNote(n: ExerciseNames): string {
  const position = `${n.chapter.slice(0, 2)}/${n.folder.slice(0, 2)}`;
  return `# Known mistakes of ${n.number} ${n.title}

Each known mistake is a patch against ../${n.name}.ts, never a copy of it. Start one with

\`\`\`sh
npm run mistake -- new ${position} <what-goes-wrong>
\`\`\`

edit the file it writes beside the solution, then \`npm run mistake -- save ${position} <what-goes-wrong>\`
and fill in the patch's "Known mistake:" and "Breaks:" lines. \`npm run verify\` wants at least three, each
failing a test whose message contains its "Breaks:" phrase. See docs/authoring-exercises.md.
`;
}

function alternativesNote(n: ExerciseNames): string {
  const position = `${n.chapter.slice(0, 2)}/${n.folder.slice(0, 2)}`;
  return `# Alternative solutions of ${n.number} ${n.title}

An alternative is a second correct design: it makes other choices the README leaves open (a timer style,
a storage layout, how much one message carries). Every test must pass against it, so a test that relies
on one design cannot land. Each is a patch against ../${n.name}.ts. Write it from the README, as a learner
would, not from the tests:

\`\`\`sh
npm run alternative -- new ${position} <the-design>
\`\`\`

edit the file it writes beside the solution, then \`npm run alternative -- save ${position} <the-design>\`
and fill in the patch's "Alternative:" and "Choices:" lines. \`npm run verify\` wants at least one, with
every test green. See docs/authoring-exercises.md.
`;
}

function tests(n: ExerciseNames): string {
  const request = `${n.pascal}Request`;
  const reply = `${n.pascal}Reply`;
  return `/**
 * Tests for exercise ${n.number}: ${n.title}. See README.md for what each group checks.
 *
 * Three layers, as in every exercise: a story, the spec section by section, and a sweep over seeds
 * with a checker watching. [Placeholder tests, written by \`npm run kata -- new\`: keep the layers,
 * replace the contents.]
 */
import { describe, test } from 'vitest';
import type { ClientContext, NodeId, RpcResult } from '#harness';
import { cluster, expectRecovered, forEachSwarmSeed, simulate, sweepSeedCount } from '#harness/testing';
import { ${n.factory} } from './${n.name}.ts';
import type { ${reply}, ${request} } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** One request a client sent, and what came back. */
interface Attempt {
  readonly client: NodeId;
  readonly node: NodeId;
  readonly value: string;
  readonly sentAtMs: number;
  readonly result: RpcResult<${reply}>;
}

/** Sends one request with \`ctx.rpc\` and records it in \`log\`. */
async function ask(c: ClientContext, node: NodeId, value: string, log: Attempt[], timeoutMs = 1_000): Promise<Attempt> {
  const sentAtMs = c.now();
  const request: ${request} = { type: '${n.messageType}', value };
  const attempt = { client: c.id, node, value, sentAtMs, result: await c.rpc<${reply}>(node, request, { timeoutMs }) };
  log.push(attempt);
  return attempt;
}

/**
 * The checker: a pure function from what the clients saw to a list of problems, each a sentence in the
 * domain's words. On a faulty network an unanswered request is no problem; a wrong answer always is.
 */
function problemsIn(attempts: readonly Attempt[], network: 'reliable' | 'faulty'): string[] {
  const problems: string[] = [];
  for (const { client, node, value, sentAtMs, result } of attempts) {
    const what = \`\${client}'s ${n.messageType} of \${JSON.stringify(value)} to \${node} (sent t=\${sentAtMs} ms)\`;
    if (!result.ok) {
      if (network === 'reliable') problems.push(\`\${what} got no answer on a reliable network\`);
    } else if (result.reply.type !== '${n.messageType}_ok') {
      problems.push(\`\${what} got back a message of type '\${result.reply.type}' instead of '${n.messageType}_ok'\`);
    } else if (result.reply.value !== value) {
      problems.push(\`\${what} got back \${JSON.stringify(result.reply.value)} instead of its own value\`);
    }
  }
  return problems;
}

/** Fails with the first problems {@link problemsIn} finds, if any. */
function assertAnswered(attempts: readonly Attempt[], network: 'reliable' | 'faulty'): void {
  const problems = problemsIn(attempts, network);
  if (problems.length > 0) throw new Error(problems.slice(0, 3).join('\\n') + (problems.length > 3 ? \`\\n(and \${problems.length - 3} more)\` : ''));
}

// ───────────────────────────── 1. a story ─────────────────────────────

describe('Scenario', () => {
  test('c1 asks n1, and n1 answers', async () => {
    await simulate({ seed: 1, nodes: cluster(1, ${n.factory}) }, async (sim) => {
      const attempts: Attempt[] = [];
      sim.client('c1', async (c) => {
        await ask(c, 'n1', 'hello', attempts);
      });
      if (!(await sim.runUntilClientsDone({ timeoutMs: 5_000 }))) throw new Error('c1 was still waiting for n1 after 5 s of virtual time');
      assertAnswered(attempts, 'reliable');
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

// [One describe per section of the README, named after it; tag each test with the paper's section.]
describe('Replying', () => {
  test('several clients ask several nodes at once, and each gets its own answer', async () => {
    await simulate({ seed: 2, nodes: cluster(3, ${n.factory}) }, async (sim) => {
      const attempts: Attempt[] = [];
      for (const client of ['c1', 'c2']) {
        sim.client(client, async (c) => {
          await Promise.all(sim.nodeIds.map((node) => ask(c, node, \`\${c.id} → \${node}\`, attempts)));
        });
      }
      if (!(await sim.runUntilClientsDone({ timeoutMs: 5_000 }))) throw new Error('the clients were still waiting after 5 s of virtual time');
      assertAnswered(attempts, 'reliable');
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Faulty network', () => {
  const seeds = 20;
  const healAtMs = 2_000;
  const retryMs = 200;
  /** The README's recovery bound: once the faults heal, every request is answered within this. */
  const answeredWithinMs = 2_000;

  test(\`clients that retry get their answers: \${sweepSeedCount(seeds)} seeds, each in its own world of faults\`, async () => {
    await forEachSwarmSeed(
      { count: seeds, swarm: { timeoutMs: retryMs, clusterSizes: { min: 1, max: 5 } }, nodes: (size) => Object.keys(cluster(size!, ${n.factory})), healAtMs },
      async (seed, world) => {
        await simulate({ seed, nodes: cluster(world.nodes, ${n.factory}), faults: world.faults, details: world.details }, async (sim) => {
          const attempts: Attempt[] = [];
          const unanswered = new Set<string>();
          sim.client('c1', async (c) => {
            for (let i = 1; i <= 5; i++) {
              await c.sleep(c.randomInt(0, 300));
              const node = sim.nodeIds[c.randomInt(0, sim.nodeIds.length - 1)]!;
              unanswered.add(\`#\${i} to \${node}\`);
              while (!(await ask(c, node, \`#\${i}\`, attempts, retryMs)).result.ok) await c.sleep(0);
              unanswered.delete(\`#\${i} to \${node}\`);
            }
          });
          await expectRecovered(sim, {
            what: 'every request answered',
            healedAtMs: world.healAtMs,
            withinMs: answeredWithinMs,
            holds: () => sim.clientsDone,
            explain: () => \`still unanswered: \${[...unanswered].join(', ')}\`,
          });
          assertAnswered(attempts, 'faulty');
        });
      },
    );
  });
});
`;
}
