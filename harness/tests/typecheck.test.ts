import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { describeTypeProblems, learnerTypeErrors } from '../testing/typecheck.ts';

const root = process.cwd();
const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-typecheck-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** An exercise folder in a temporary directory whose learner's file is `source`. */
function exercise(name: string, source: string): string {
  const directory = path.join(folder, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, 'exercise.json'), JSON.stringify({ learnerFiles: ['node.ts'] }));
  writeFileSync(path.join(directory, 'node.ts'), source);
  return directory;
}

describe("the learner's file is typechecked", () => {
  test('a type error is reported with its file, line and column', () => {
    const harness = path.join(root, 'harness', 'index.ts');
    const directory = exercise(
      'typo',
      [
        `import type { Node, TimerPayload } from '${harness}';`,
        "interface Retry extends TimerPayload { readonly type: 'retry'; readonly id: string }",
        'export const node: Node<Retry> = {',
        '  onMessage() {},',
        '  onTimer(ctx, timer) {',
        '    ctx.log(timer.idd);',
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    const problems = learnerTypeErrors(directory, root);
    expect(problems).toEqual([
      {
        file: path.relative(root, path.join(directory, 'node.ts')),
        line: 6,
        column: 19,
        message: "Property 'idd' does not exist on type 'Retry'.",
        code: 2339,
      },
    ]);
    expect(describeTypeProblems(problems)).toMatch(/node\.ts:6:19 error TS2339: Property 'idd' does not exist/);
    // The second time the answer comes from the cache, the same.
    expect(learnerTypeErrors(directory, root)).toEqual(problems);
  });

  test('the 1.3 stub has none, and a folder without exercise.json is not checked', () => {
    expect(learnerTypeErrors(path.join(root, 'exercises', '01-message-passing', '03-reliable-delivery'), root)).toEqual(
      [],
    );
    expect(learnerTypeErrors(folder, root)).toEqual([]);
  });
});
