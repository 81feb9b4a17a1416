import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { repositoryRoot } from './exercises.ts';
import { catches, judgedMistakeFor } from './judge-early.ts';

const mistake = 'solutions/01-message-passing/03-reliable-delivery/mistakes/ack-only-new.patch';
const alternative =
  'solutions/01-message-passing/03-reliable-delivery/alternatives/sequence-numbers-cumulative-acks.patch';
const testFile = path.join(repositoryRoot, 'exercises/01-message-passing/03-reliable-delivery/reliable-link.test.ts');

describe('judgedMistakeFor', () => {
  test('finds the mistake named for the test file’s exercise, with its phrase in lower case and a marker in the folder', () => {
    const other = 'solutions/01-message-passing/01-echo/mistakes/empty-text-is-missing.patch';
    const judged = judgedMistakeFor('/tmp/markers', testFile, [other, mistake].join(path.delimiter));
    expect(judged?.phrase).toBe('still retransmitting');
    expect(path.dirname(judged!.marker)).toBe('/tmp/markers');
  });

  test('names nothing for a test file of another exercise, or when no patch is named', () => {
    const elsewhere = path.join(repositoryRoot, 'exercises/01-message-passing/04-rpc-retries/counter.test.ts');
    expect(judgedMistakeFor('/tmp/markers', elsewhere, mistake)).toBeUndefined();
    expect(judgedMistakeFor('/tmp/markers', testFile, '')).toBeUndefined();
  });

  test('never judges an alternative solution early: it has no Breaks phrase, so every test runs', () => {
    expect(judgedMistakeFor('/tmp/markers', testFile, alternative)).toBeUndefined();
  });
});

describe('catches', () => {
  test('a failure that names the phrase, in any case, catches the mistake', () => {
    expect(catches(['Error: n1 is STILL RETRANSMITTING message 3 at t=900 ms'], 'still retransmitting')).toBe(true);
  });

  test('a failure that names something else does not', () => {
    expect(catches(['Error: n2 delivered message 3 twice'], 'still retransmitting')).toBe(false);
  });

  test('a failure in vitest’s own words does not, even with the phrase: the judge rejects it, so the later tests must run', () => {
    expect(
      catches(
        ['AssertionError: expected 3 to be 2 // Object.is equality', 'still retransmitting'],
        'still retransmitting',
      ),
    ).toBe(false);
  });
});
