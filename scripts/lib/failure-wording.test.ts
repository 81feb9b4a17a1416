import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { check, checkEqual, CheckFailed } from '#harness/testing';
import { bareAssertionText } from './failure-wording.ts';
import { repositoryRoot } from './exercises.ts';

/** Every TypeScript file under `folder`. */
function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    return statSync(file).isDirectory() ? typeScriptFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

describe('exercise failures speak the domain, not vitest', () => {
  test("vitest's equality text is recognised, domain sentences are not", () => {
    expect(bareAssertionText('c1 got no send_ok: expected false to be true')).toBe('expected false to be true');
    expect(bareAssertionText('the counter: expected 15 to be 5 // Object.is equality')).toBe(
      'expected 15 to be 5 // Object.is equality',
    );
    expect(bareAssertionText('expected [ 1, 3 ] to deeply equal [ 1, 3, 6 ]')).not.toBeNull();
    expect(
      bareAssertionText("n1 answered transcript with {}: expected { type: 'transcript_ok', ids: [...] }"),
    ).toBeNull();
    expect(bareAssertionText('after +1, +2 and +3 the counter should read 6; found 15')).toBeNull();
  });

  test('check and checkEqual fail with the sentence and what was found', () => {
    expect(() => check(false, 'every send should be answered')).toThrow(
      new CheckFailed('every send should be answered'),
    );
    expect(() => checkEqual(15, 5, 'the counter should read 5')).toThrow('the counter should read 5; found 15');
    expect(() => checkEqual({ a: [1] }, { a: [1] }, 'same')).not.toThrow();
  });

  test("no exercise test or test support calls vitest's expect: it would append its own equality text", () => {
    const calls: string[] = [];
    for (const file of typeScriptFiles(path.join(repositoryRoot, 'exercises'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        const callee = ts.isCallExpression(node) ? node.expression : undefined;
        const name =
          callee === undefined
            ? undefined
            : ts.isIdentifier(callee)
              ? callee.text
              : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)
                ? callee.expression.text
                : undefined;
        if (name === 'expect') {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          calls.push(`${path.relative(repositoryRoot, file)}:${line + 1}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(
      calls,
      "exercise tests assert with check(condition, message) and checkEqual(actual, expected, message) from '#harness/testing'",
    ).toEqual([]);
  });
});
