/**
 * Skipping the tests that cannot change a known mistake's verdict (see `./judge-early-setup.ts`).
 *
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'vitest';
import { repositoryRoot } from './exercises.ts';
import { bareAssertionText } from './failure-wording.ts';
import { readMistake } from './mistakes.ts';
import { MISTAKE_VARIABLE } from './solution-redirect.ts';

/** The folder for the markers of judged mistakes; unset, no test is skipped. */
export const JUDGE_EARLY_VARIABLE = 'KATA_JUDGE_EARLY';

/** A known mistake under judgement: what a failure must name, and the file that says it was named. */
export interface Judged {
  /** The `Breaks:` phrase, in lower case. */
  readonly phrase: string;
  /** The marker file: it exists once a test has caught the mistake. */
  readonly marker: string;
}

const judgedByTestFile = new Map<string, Judged | undefined>();

/** The mistake named for the exercise that holds `testFile`, if it has a `Breaks:` phrase. */
function judgedMistakeOf(folder: string, testFile: string): Judged | undefined {
  // Keyed by the round's patches too: a worker that outlives a round must not judge by the last one's mistake.
  const patches = process.env[MISTAKE_VARIABLE] ?? '';
  const key = `${patches}\n${testFile}`;
  if (!judgedByTestFile.has(key)) judgedByTestFile.set(key, judgedMistakeFor(folder, testFile, patches));
  return judgedByTestFile.get(key);
}

/**
 * The mistake that `patches` (the value of `KATA_MISTAKE`: patch files joined with `path.delimiter`)
 * names for the exercise holding `testFile` (absolute), with its phrase in lower case and its marker in
 * `folder`; `undefined` when it names none there or the patch has no `Breaks:` phrase (an alternative).
 */
export function judgedMistakeFor(folder: string, testFile: string, patches: string): Judged | undefined {
  const relative = path.relative(repositoryRoot, testFile);
  for (const entry of patches.split(path.delimiter)) {
    if (entry === '') continue;
    const mistake = readMistake(repositoryRoot, path.relative(repositoryRoot, path.resolve(repositoryRoot, entry)));
    if (mistake.breaks === null) continue;
    const exerciseDirectory = path.join('exercises', path.relative('solutions', mistake.solutionDirectory));
    if (!relative.startsWith(exerciseDirectory + path.sep)) continue;
    return { phrase: mistake.breaks.toLowerCase(), marker: path.join(folder, encodeURIComponent(mistake.file)) };
  }
  return undefined;
}

/**
 * Whether a test's failure messages catch the mistake as `./mistake-judge.ts` requires: domain words (no
 * bare vitest assertion text), and the phrase (`phrase` in lower case).
 */
export function catches(messages: readonly string[], phrase: string): boolean {
  if (messages.some((message) => bareAssertionText(message) !== null)) return false;
  return messages.some((message) => message.toLowerCase().includes(phrase));
}

/**
 * Run before each test with `folder` from `KATA_JUDGE_EARLY`: skips the test when its exercise's mistake
 * is already caught, else leaves the marker if this test catches it.
 */
export function markerCheck(folder: string, context: TestContext): void {
  const judged = judgedMistakeOf(folder, context.task.file.filepath);
  if (judged === undefined) return;
  if (existsSync(judged.marker)) {
    context.skip('the known mistake is already caught by an earlier test');
    return;
  }
  context.onTestFailed(({ task }) => {
    // The judge reads each error the same way (scripts/lib/mistake-runner.ts, collect).
    const messages = (task.result?.errors ?? []).map((error) => error.stack ?? error.message);
    if (catches(messages, judged.phrase)) writeFileSync(judged.marker, task.name);
  });
}
