/**
 * The course as the kata command sees it: chapters, their exercises in order, and their titles (the
 * first `# ` heading of each README).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findExercises, type Exercise } from '../lib/exercises.ts';

/** One exercise with the title from its README. */
export interface CourseExercise {
  readonly exercise: Exercise;
  /** e.g. `1.1 Echo`; the folder name when the README is missing. */
  readonly title: string;
}

/** One chapter and its exercises, in order. */
export interface CourseChapter {
  /** The folder name, e.g. `01-message-passing`. */
  readonly id: string;
  /** e.g. `Chapter 01: message passing`; the folder name when the README is missing. */
  readonly title: string;
  readonly exercises: readonly CourseExercise[];
}

/** Every chapter with exercises, in order. */
export interface Course {
  readonly chapters: readonly CourseChapter[];
}

/** Reads the course from `root` (the repository, or a copy of it). */
export function loadCourse(root: string): Course {
  // A learner may have deleted a stub; `kata reset` puts it back, so the course still loads without it.
  const exercises = findExercises(root, { learnerFilesMayBeMissing: true });
  const chapters: CourseChapter[] = [];
  for (const exercise of exercises) {
    let chapter = chapters.at(-1);
    if (chapter === undefined || chapter.id !== exercise.chapter) {
      chapter = {
        id: exercise.chapter,
        title: readTitle(root, path.join('exercises', exercise.chapter)) ?? exercise.chapter,
        exercises: [],
      };
      chapters.push(chapter);
    }
    (chapter.exercises as CourseExercise[]).push({
      exercise,
      title: readTitle(root, exercise.directory) ?? path.basename(exercise.directory),
    });
  }
  return { chapters };
}

/** Every exercise of the course, in order. */
export function allExercises(course: Course): CourseExercise[] {
  return course.chapters.flatMap((chapter) => chapter.exercises);
}

/** The first `# ` heading of `<folder>/README.md`, or `null`. */
function readTitle(root: string, folder: string): string | null {
  const readme = path.join(root, folder, 'README.md');
  if (!existsSync(readme)) return null;
  return firstHeading(readFileSync(readme, 'utf8'));
}

/** The text of the first level-1 heading of a markdown document, or `null`. */
export function firstHeading(markdown: string): string | null {
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const heading = /^# +(.+?)[\s#]*$/.exec(line);
    if (heading !== null) return heading[1]!;
  }
  return null;
}
