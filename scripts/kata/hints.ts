/**
 * Hints, one at a time: `HINTS.md` holds `## Hint 1`, `## Hint 2`, ... sections; `.kata/hints.json`
 * remembers how many of each exercise's hints the learner has seen.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';
import { kataPaths, readJson, writeJson } from './state.ts';

/** One `## Hint N` section. */
export interface Hint {
  readonly number: number;
  /** The heading's text, e.g. `Hint 2` or `Hint 2: the sender`. */
  readonly heading: string;
  /** The section's markdown, without its heading, trimmed. */
  readonly body: string;
}

/** The `## Hint N` sections of a HINTS.md, in order. Other sections (an introduction) are left out. */
export function parseHints(markdown: string): Hint[] {
  const hints: Hint[] = [];
  let current: { number: number; heading: string; lines: string[] } | null = null;
  let inFence = false;
  const finish = () => {
    if (current !== null)
      hints.push({ number: current.number, heading: current.heading, body: current.lines.join('\n').trim() });
    current = null;
  };
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^##\s+(Hint\s+(\d+)\b.*?)\s*$/i.exec(line);
    if (heading !== null) {
      finish();
      current = { number: Number(heading[2]), heading: heading[1]!, lines: [] };
    } else if (!inFence && /^#{1,2}\s/.test(line)) {
      finish();
    } else {
      (current as { lines: string[] } | null)?.lines.push(line);
    }
  }
  finish();
  return hints;
}

/** The hints of `exercise`, or `null` when it has no HINTS.md. */
export function readHints(root: string, exercise: Exercise): Hint[] | null {
  const file = path.join(root, exercise.directory, 'HINTS.md');
  return existsSync(file) ? parseHints(readFileSync(file, 'utf8')) : null;
}

/** How many hints of each exercise (by id) the learner has seen. */
export function hintsSeen(root: string): Readonly<Record<string, number>> {
  return readJson<Record<string, number>>(kataPaths(root).hints, {});
}

/** What {@link revealNextHint} found. */
export type HintOutcome =
  | { readonly kind: 'hint'; readonly hint: Hint; readonly position: number; readonly count: number }
  | { readonly kind: 'no-more'; readonly count: number }
  | { readonly kind: 'no-hints' };

/** Reveals the next unseen hint of `exercise` and remembers that it was seen. */
export function revealNextHint(root: string, exercise: Exercise): HintOutcome {
  const hints = readHints(root, exercise);
  if (hints === null || hints.length === 0) return { kind: 'no-hints' };
  const seen = hintsSeen(root);
  const already = Math.min(seen[exercise.id] ?? 0, hints.length);
  if (already >= hints.length) return { kind: 'no-more', count: hints.length };
  writeJson(kataPaths(root).hints, { ...seen, [exercise.id]: already + 1 });
  return { kind: 'hint', hint: hints[already]!, position: already + 1, count: hints.length };
}

/** The text to print for a {@link HintOutcome}. `again` says how to see the next one, e.g. "press h". */
export function describeHintOutcome(
  outcome: HintOutcome,
  exerciseTitle: string,
  hintsFile: string,
  again: string,
): string {
  switch (outcome.kind) {
    case 'no-hints':
      return `${exerciseTitle} has no hints yet (no ${hintsFile}). Re-read its README, or ask someone.`;
    case 'no-more':
      return `You have seen all ${outcome.count} hints for ${exerciseTitle}. They are all in ${hintsFile}.`;
    case 'hint': {
      const left = outcome.count - outcome.position;
      const footer =
        left > 0
          ? `(${left} more ${left === 1 ? 'hint' : 'hints'}: try again first, then ${again}.)`
          : '(That was the last hint.)';
      const subtitle = outcome.hint.heading.replace(/^Hint\s+\d+\s*[:.—-]?\s*/i, '');
      const title = `Hint ${outcome.position} of ${outcome.count} for ${exerciseTitle}${subtitle === '' ? '' : `: ${subtitle}`}`;
      return `${title}\n\n${outcome.hint.body}\n\n${footer}`;
    }
  }
}

/**
 * The hints of `exercise` the learner has already seen, shown again (`kata hint --again`); reveals
 * nothing new. `next` says how to see the next one.
 */
export function describeSeenHints(
  root: string,
  exercise: Exercise,
  exerciseTitle: string,
  hintsFile: string,
  next: string,
): string {
  const hints = readHints(root, exercise);
  if (hints === null || hints.length === 0)
    return describeHintOutcome({ kind: 'no-hints' }, exerciseTitle, hintsFile, next);
  const seen = Math.min(hintsSeen(root)[exercise.id] ?? 0, hints.length);
  if (seen === 0) return `You have not seen a hint for ${exerciseTitle} yet. The first: ${next}.`;
  const shown = hints.slice(0, seen).map((hint, index) => {
    const subtitle = hint.heading.replace(/^Hint\s+\d+\s*[:.—-]?\s*/i, '');
    return `Hint ${index + 1} of ${hints.length} for ${exerciseTitle}${subtitle === '' ? '' : `: ${subtitle}`}\n\n${hint.body}`;
  });
  const left = hints.length - seen;
  const footer = left > 0 ? `(${left} more ${left === 1 ? 'hint' : 'hints'}: ${next}.)` : '(That is every hint.)';
  return [...shown, footer].join('\n\n');
}
