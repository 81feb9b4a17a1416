/**
 * Turning what a learner types into an exercise: `01-message-passing/01-echo`, `01/01`, `1.1`, `echo`,
 * `01-echo`, `reliable`, `exercises/01-message-passing/01-echo/echo.ts` all name one exercise. An
 * unknown or ambiguous name is an error that lists the close matches.
 *
 * Pure: everything here works on the list of exercises it is given.
 *
 * @module
 */
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';

/** The outcome of {@link resolveExercise}. */
export type Resolution =
  { readonly ok: true; readonly exercise: Exercise } | { readonly ok: false; readonly message: string };

/** A folder name split into its number and its words: `01-echo` → `01`, `echo`. */
interface Named {
  readonly name: string;
  readonly number: number;
  readonly slug: string;
}

function split(name: string): Named {
  const match = /^(\d+)-(.*)$/.exec(name);
  return match === null
    ? { name, number: Number.NaN, slug: name }
    : { name, number: Number(match[1]), slug: match[2]! };
}

/**
 * How well `query` names the folder: 0 exactly (its full name, its words, or its number), 1 by a
 * prefix or suffix, 2 by a substring, `null` not at all.
 */
function matchTier(query: string, name: string): 0 | 1 | 2 | null {
  const q = query.toLowerCase();
  const folder = split(name.toLowerCase());
  if (q === folder.name || q === folder.slug || (/^\d+$/.test(q) && Number(q) === folder.number)) return 0;
  if (folder.name.startsWith(q) || folder.slug.startsWith(q) || folder.slug.endsWith(q)) return 1;
  if (folder.slug.includes(q)) return 2;
  return null;
}

/** The items whose name matches `query` at the best tier any of them reaches. */
function bestMatches<T>(query: string, items: readonly T[], nameOf: (item: T) => string): T[] {
  const tiers: T[][] = [[], [], []];
  for (const item of items) {
    const tier = matchTier(query, nameOf(item));
    if (tier !== null) tiers[tier]!.push(item);
  }
  return tiers.find((tier) => tier.length > 0) ?? [];
}

/** Strips what a learner may paste around a name: `./`, `exercises/`, a trailing `/`, a file name. */
export function normaliseQuery(query: string): string[] {
  let text = query.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  text = text.replace(/^exercises\//, '');
  const dotted = /^(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) return [dotted[1]!, dotted[2]!];
  return text
    .split('/')
    .filter((part) => part !== '')
    .slice(0, 2);
}

/** Resolves `query` to exactly one exercise, or explains why it cannot. */
export function resolveExercise(query: string, exercises: readonly Exercise[]): Resolution {
  if (exercises.length === 0) return { ok: false, message: 'There are no exercises under exercises/.' };
  const parts = normaliseQuery(query);
  if (parts.length === 0) return { ok: false, message: `Name an exercise, e.g. ${exampleNames(exercises)}.` };
  const exact = exercises.find((exercise) => exercise.id === parts.join('/'));
  if (exact !== undefined) return { ok: true, exercise: exact };

  let candidates: Exercise[];
  if (parts.length === 2) {
    const chapters = [...new Set(exercises.map((exercise) => exercise.chapter))];
    const chapterMatches = bestMatches(parts[0]!, chapters, (chapter) => chapter);
    candidates = bestMatches(
      parts[1]!,
      exercises.filter((exercise) => chapterMatches.includes(exercise.chapter)),
      exerciseFolder,
    );
  } else {
    candidates = bestMatches(parts[0]!, exercises, exerciseFolder);
    if (candidates.length === 0) {
      const chapter = exercises.find((exercise) => matchTier(parts[0]!, exercise.chapter) === 0)?.chapter;
      if (chapter !== undefined) {
        const inChapter = exercises.filter((exercise) => exercise.chapter === chapter).map((exercise) => exercise.id);
        return { ok: false, message: `"${query}" is a chapter. Name one of its exercises: ${inChapter.join(', ')}.` };
      }
    }
  }
  if (candidates.length === 1) return { ok: true, exercise: candidates[0]! };
  if (candidates.length > 1) {
    return {
      ok: false,
      message:
        `"${query}" matches ${candidates.length} exercises: ${candidates.map((exercise) => exercise.id).join(', ')}. ` +
        `Be more specific, e.g. ${shortestName(candidates[0]!, exercises)}.`,
    };
  }
  const close = closeMatches(parts.join('/'), exercises);
  const suggestion =
    close.length > 0
      ? ` Did you mean ${close.join(' or ')}?`
      : ` The exercises are: ${exercises.map((exercise) => exercise.id).join(', ')}.`;
  return { ok: false, message: `No exercise is called "${query}".${suggestion}` };
}

function exerciseFolder(exercise: Exercise): string {
  return path.basename(exercise.directory);
}

/**
 * The shortest name that resolves to `exercise`: its words (`echo`) when they are unique, else
 * `01/02`, else its full id.
 */
export function shortestName(exercise: Exercise, exercises: readonly Exercise[]): string {
  const folder = split(exerciseFolder(exercise));
  const chapter = split(exercise.chapter);
  const options = [folder.slug, `${pad(chapter.number)}/${pad(folder.number)}`, exercise.id];
  for (const option of options) {
    const resolved = resolveExercise(option, exercises);
    if (resolved.ok && resolved.exercise.id === exercise.id) return option;
  }
  return exercise.id;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function exampleNames(exercises: readonly Exercise[]): string {
  const first = exercises[0]!;
  return `${first.id}, ${shortestName(first, exercises)}`;
}

/** Up to three exercise ids whose name is a few edits away from `query`. */
function closeMatches(query: string, exercises: readonly Exercise[]): string[] {
  const q = query.toLowerCase();
  const scored = exercises.map((exercise) => {
    const folder = split(exerciseFolder(exercise));
    const distance = Math.min(editDistance(q, folder.slug), editDistance(q, folder.name), editDistance(q, exercise.id));
    return { id: exercise.id, distance };
  });
  const limit = Math.max(2, Math.floor(q.length / 3));
  return scored
    .filter((entry) => entry.distance <= limit)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map((entry) => entry.id);
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
