import { describe, expect, test } from 'vitest';
import { allExercises } from './course.ts';
import { editDistance, resolveExercise, shortestName } from './names.ts';
import { fakeCourse } from './test-fixtures.ts';

const exercises = allExercises(fakeCourse()).map((entry) => entry.exercise);

function resolvedId(query: string): string {
  const resolved = resolveExercise(query, exercises);
  if (!resolved.ok) throw new Error(`"${query}" did not resolve: ${resolved.message}`);
  return resolved.exercise.id;
}

function problem(query: string): string {
  const resolved = resolveExercise(query, exercises);
  if (resolved.ok) throw new Error(`"${query}" resolved to ${resolved.exercise.id}, but should not have`);
  return resolved.message;
}

describe('an exercise can be named in every way the README and the status table show', () => {
  test.each([
    ['01-message-passing/01-echo', '01-message-passing/01-echo'],
    ['01/01', '01-message-passing/01-echo'],
    ['1/1', '01-message-passing/01-echo'],
    ['1.1', '01-message-passing/01-echo'],
    ['echo', '01-message-passing/01-echo'],
    ['01-echo', '01-message-passing/01-echo'],
    ['ECHO', '01-message-passing/01-echo'],
    ['exercises/01-message-passing/01-echo/', '01-message-passing/01-echo'],
    ['./exercises/01-message-passing/01-echo/echo.ts', '01-message-passing/01-echo'],
    ['reliable', '01-message-passing/03-reliable-delivery'],
    ['delivery', '01-message-passing/03-reliable-delivery'],
    ['unique', '01-message-passing/02-unique-ids'],
    ['02/02', '02-time-and-clocks/02-vector-clocks'],
    ['clocks/lamport', '02-time-and-clocks/01-lamport'],
    ['2.1', '02-time-and-clocks/01-lamport'],
    ['vector', '02-time-and-clocks/02-vector-clocks'],
  ])('%s names %s', (query, id) => {
    expect(resolvedId(query), `"${query}" should name ${id}`).toBe(id);
  });
});

describe('an unknown or ambiguous name fails with a message that helps', () => {
  test('a number shared by two chapters is ambiguous, and the message lists both and a way out', () => {
    const message = problem('01');
    expect(message, 'lists both exercises numbered 01').toContain('01-message-passing/01-echo');
    expect(message, 'lists both exercises numbered 01').toContain('02-time-and-clocks/01-lamport');
    expect(message, 'suggests a more specific name').toContain('Be more specific, e.g. echo');
  });

  test('a typo suggests the close matches', () => {
    expect(problem('ecoh'), 'suggests echo for ecoh').toContain('Did you mean 01-message-passing/01-echo');
    expect(problem('lamprot'), 'suggests lamport for lamprot').toContain('02-time-and-clocks/01-lamport');
  });

  test('a name matching nothing lists the exercises', () => {
    const message = problem('zzzzzzzzzz');
    expect(message, 'says the name is unknown').toContain('No exercise is called "zzzzzzzzzz"');
    expect(message, 'lists every exercise').toContain('01-message-passing/02-unique-ids');
  });

  test('a chapter is not an exercise: the message lists its exercises', () => {
    expect(problem('01-message-passing'), 'names the chapter').toContain('is a chapter');
    expect(problem('01-message-passing'), 'lists its exercises').toContain('01-message-passing/03-reliable-delivery');
  });

  test('an empty name asks for one, with examples', () => {
    expect(problem('  '), 'asks for a name').toContain('Name an exercise');
  });
});

describe('the shortest name', () => {
  test('is the exercise words when they are unique, and always resolves back', () => {
    for (const exercise of exercises) {
      const short = shortestName(exercise, exercises);
      expect(resolvedId(short), `${short} resolves back to ${exercise.id}`).toBe(exercise.id);
    }
    expect(shortestName(exercises[0]!, exercises), 'echo is short for 01-message-passing/01-echo').toBe('echo');
  });
});

test('edit distance counts insertions, deletions and substitutions', () => {
  expect(editDistance('echo', 'echo'), 'same word').toBe(0);
  expect(editDistance('ecoh', 'echo'), 'two substitutions').toBe(2);
  expect(editDistance('', 'abc'), 'three insertions').toBe(3);
});
