/**
 * A setup file of the `solutions` test project: once a known mistake is judged caught, its exercise's
 * remaining tests are skipped.
 *
 * A mistake is caught when some test fails, in domain words, with a message that names the mistake's
 * `Breaks:` phrase (`./mistake-judge.ts`). Whatever the later tests of its exercise do cannot change that
 * verdict, so running them (sweeps of a hundred seeds, most of them) only costs time. With
 * `KATA_JUDGE_EARLY` naming a folder, a test that fails that way leaves a marker there for its mistake,
 * and every later test of the same exercise, in any test file and any worker, is skipped. Alternative
 * solutions have no `Breaks:` phrase and always run every test; without the variable (`npm run mistake
 * -- report`, which counts every failing sweep, and every ordinary run) nothing is skipped.
 *
 * @module
 */
import { beforeEach } from 'vitest';

// JUDGE_EARLY_VARIABLE of ./judge-early.ts, spelled out so that an ordinary run loads nothing more.
const folder = process.env['KATA_JUDGE_EARLY'];
if (folder !== undefined && folder !== '') {
  // Loaded only here: an ordinary run of the solutions reads no patch.
  const { markerCheck } = await import('./judge-early.ts');
  beforeEach((context) => markerCheck(folder, context));
}
