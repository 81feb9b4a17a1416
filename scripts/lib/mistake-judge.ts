/**
 * Whether a known mistake's run shows what the course promises: some test fails, in domain words, and a
 * failure message names the property the mistake breaks (its `Breaks:` phrase). `npm run verify` and
 * `npm run mistake -- test` judge with this one function, so the two never disagree.
 *
 * @module
 */
import { bareAssertionText } from './failure-wording.ts';
import type { Mistake } from './mistakes.ts';
import type { VitestRun } from './vitest-run.ts';

/** The first `count` lines of `text`. */
export function firstLines(text: string, count: number): string {
  return text.split('\n').slice(0, count).join('\n');
}

/** `[true, undefined]` when the tests catch `mistake` and name what it breaks; else `[false, why]`. */
export function judgeMistake(mistake: Mistake, run: VitestRun): [boolean, string | undefined] {
  const failed = run.tests.filter((test) => test.status === 'failed');
  if (run.brokenFiles.length > 0)
    return [false, `the tests did not run: ${firstLines(run.brokenFiles[0]!.message, 10)}`];
  if (failed.length === 0)
    return [false, `every test passes with this mistake: it is a hole in the course. (${mistake.description ?? ''})`];
  if (mistake.breaks === null) return [false, 'no "Breaks:" line to look for'];
  for (const test of failed) {
    const bare = test.failureMessages.map(bareAssertionText).find((text) => text !== null);
    if (bare !== undefined) {
      return [
        false,
        `${test.name} fails with vitest's own text "${bare}": assert with check or checkEqual from ` +
          "'#harness/testing', so the failure says what broke in domain words",
      ];
    }
  }
  const phrase = mistake.breaks.toLowerCase();
  const naming = failed.filter((test) =>
    test.failureMessages.some((message) => message.toLowerCase().includes(phrase)),
  );
  if (naming.length === 0) {
    const sample = failed
      .slice(0, 3)
      .map((test) => `${test.name}: ${firstLines(test.failureMessages[0] ?? '', 2)}`)
      .join('\n');
    return [
      false,
      `${failed.length} test(s) fail, but no failure message contains "${mistake.breaks}". They say:\n${sample}`,
    ];
  }
  return [true, undefined];
}
