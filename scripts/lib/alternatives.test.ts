import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAlternatives, isAlternativeFile, readAlternative } from './alternatives.ts';
import { findExercises, repositoryRoot } from './exercises.ts';
import { applyMistake, writeMistakePatch } from './mistakes.ts';

const SOLUTION = 'export function double(n: number): number {\n  return n * 2;\n}\n';
const ALTERNATIVE = SOLUTION.replace('return n * 2;', 'return n + n;');
const PREAMBLE =
  'Alternative: adds the number to itself.\n\nChoices: addition instead of\nmultiplication; no other change';

function workshop(patch: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kata-alternatives-'));
  const solution = path.join(root, 'solutions', '01-math', '01-double');
  mkdirSync(path.join(solution, 'alternatives'), { recursive: true });
  writeFileSync(path.join(solution, 'double.ts'), SOLUTION);
  writeFileSync(path.join(solution, 'alternatives', 'by-addition.patch'), patch);
  return root;
}

describe('alternative solutions as patches', () => {
  it('are found in the alternatives folder, with their design and choices, and apply as mistakes do', () => {
    const patch = writeMistakePatch(PREAMBLE, [{ name: 'double.ts', solution: SOLUTION, mistaken: ALTERNATIVE }]);
    const root = workshop(patch);
    const [alternative] = findAlternatives(root, path.join('solutions', '01-math', '01-double'));
    expect(alternative?.name).toBe('by-addition');
    expect(alternative?.description).toBe('adds the number to itself.');
    expect(alternative?.choices).toBe('addition instead of multiplication; no other change');
    expect(alternative?.solutionDirectory).toBe(path.join('solutions', '01-math', '01-double'));
    expect(applyMistake(root, alternative!)[0]?.text).toBe(ALTERNATIVE);
    expect(isAlternativeFile(alternative!.file)).toBe(true);
  });

  it('a preamble without its lines reads as null, which verify reports', () => {
    const root = workshop('just some words\n');
    const alternative = readAlternative(
      root,
      path.join('solutions', '01-math', '01-double', 'alternatives', 'by-addition.patch'),
    );
    expect(alternative.description).toBeNull();
    expect(alternative.choices).toBeNull();
  });

  it('a known mistake is not an alternative', () => {
    expect(isAlternativeFile(path.join('solutions', '01-math', '01-double', 'mistakes', 'x.patch'))).toBe(false);
  });

  it('every committed alternative applies to its solution and says what it chooses', () => {
    for (const alternative of findExercises(repositoryRoot).flatMap((exercise) => exercise.alternatives)) {
      expect(alternative.choices, `${alternative.file} has no "Choices:" line`).not.toBeNull();
      expect(() => applyMistake(repositoryRoot, alternative), alternative.file).not.toThrow();
    }
  });
});
