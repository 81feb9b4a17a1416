import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExercises, repositoryRoot } from './exercises.ts';
import { applyMistake, findMistakes, MistakeDoesNotApply, readMistake, writeMistakePatch } from './mistakes.ts';

const SOLUTION = [
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'export const ZERO = 0;',
  '',
].join('\n');
const MISTAKEN = SOLUTION.replace('return a + b;', 'return a - b; // the mistake');
const PREAMBLE =
  'Known mistake: subtracts instead of adding, because the\nminus key is next to the plus key.\n\nBreaks: "the sum is wrong"';

/** A workshop folder with one solution and, optionally, one mistake patch. */
function workshop(patch?: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kata-mistakes-'));
  mkdirSync(path.join(root, 'solutions', '01-math', '01-add', 'mistakes'), { recursive: true });
  writeFileSync(path.join(root, 'solutions', '01-math', '01-add', 'add.ts'), SOLUTION);
  if (patch !== undefined)
    writeFileSync(path.join(root, 'solutions', '01-math', '01-add', 'mistakes', 'minus.patch'), patch);
  return root;
}

describe('known mistakes as patches', () => {
  it('a patch written from a mistaken file gives that file back, and carries its preamble', () => {
    const root = workshop(writeMistakePatch(PREAMBLE, [{ name: 'add.ts', solution: SOLUTION, mistaken: MISTAKEN }]));
    const [mistake] = findMistakes(root, path.join('solutions', '01-math', '01-add'));
    expect(mistake?.name).toBe('minus');
    expect(mistake?.breaks).toBe('the sum is wrong');
    expect(mistake?.description).toBe('subtracts instead of adding, because the minus key is next to the plus key.');
    expect(applyMistake(root, mistake!)).toEqual([
      { file: path.join('solutions', '01-math', '01-add', 'add.ts'), text: MISTAKEN },
    ]);
  });

  it('the patch holds only the changed lines and their context, as a unified diff git can read', () => {
    const patch = writeMistakePatch(PREAMBLE, [{ name: 'add.ts', solution: SOLUTION, mistaken: MISTAKEN }]);
    expect(patch).toContain('--- a/add.ts\n+++ b/add.ts\n@@ -1,5 +1,5 @@\n');
    expect(patch).toContain('-  return a + b;\n+  return a - b; // the mistake\n');
    expect(patch.startsWith('Known mistake:')).toBe(true);
  });

  it('a patch the solution has moved away from fails, naming the mistake and the hunk that no longer fits', () => {
    const root = workshop(writeMistakePatch(PREAMBLE, [{ name: 'add.ts', solution: SOLUTION, mistaken: MISTAKEN }]));
    writeFileSync(
      path.join(root, 'solutions', '01-math', '01-add', 'add.ts'),
      SOLUTION.replace('return a + b;', 'return b + a;'),
    );
    const mistake = readMistake(root, path.join('solutions', '01-math', '01-add', 'mistakes', 'minus.patch'));
    expect(() => applyMistake(root, mistake)).toThrow(MistakeDoesNotApply);
    expect(() => applyMistake(root, mistake)).toThrow(
      /minus\.patch no longer applies.*hunk 1 of 1[\s\S]*return a \+ b;/,
    );
  });

  it('a patch that changes nothing is refused', () => {
    const root = workshop(`${PREAMBLE}\n`);
    const mistake = readMistake(root, path.join('solutions', '01-math', '01-add', 'mistakes', 'minus.patch'));
    expect(() => applyMistake(root, mistake)).toThrow(/changes nothing/);
  });

  it('every committed mistake applies to its solution and names what it breaks', () => {
    const mistakes = findExercises(repositoryRoot).flatMap((exercise) => exercise.mistakes);
    expect(mistakes.length).toBeGreaterThan(0);
    for (const mistake of mistakes) {
      expect(mistake.breaks, `${mistake.file} has no "Breaks:" line`).not.toBeNull();
      expect(() => applyMistake(repositoryRoot, mistake), mistake.file).not.toThrow();
    }
  });
});
