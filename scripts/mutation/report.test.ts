import { describe, expect, it } from 'vitest';
import {
  describeMutant,
  mutantsOf,
  parseEquivalents,
  summarise,
  type EquivalentMutant,
  type MutantStatus,
  type StrykerReport,
} from './report.ts';

const source = [
  'export function greet(name: string): string {',
  "  console.log('greeting');",
  "  return name === '' ? 'hello' : `hello ${name}`;",
  '}',
].join('\n');

function mutant(
  mutatorName: string,
  line: number,
  startColumn: number,
  endColumn: number,
  replacement: string,
  status: MutantStatus,
  testsCompleted = 1,
) {
  return {
    mutatorName,
    replacement,
    status,
    testsCompleted,
    location: { start: { line, column: startColumn }, end: { line, column: endColumn } },
  };
}

const report: StrykerReport = {
  files: {
    '/repo/solutions/01-a/01-b/greet.ts': {
      source,
      mutants: [
        mutant('StringLiteral', 2, 15, 25, '""', 'Survived'),
        mutant('ConditionalExpression', 3, 10, 21, 'true', 'Killed'),
        mutant('StringLiteral', 3, 24, 31, '""', 'Survived'),
        mutant('EqualityOperator', 3, 10, 21, "name !== ''", 'NoCoverage', 0),
        mutant('BlockStatement', 1, 45, 46, '{}', 'Survived', 0),
      ],
    },
  },
};

const logMessage: EquivalentMutant = {
  file: 'greet.ts',
  line: 2,
  mutator: 'StringLiteral',
  replacement: '""',
  reason: 'a log line; no test reads the console',
};

describe('mutation report', () => {
  it('names each mutant by its file relative to the root, its line and the code it replaced', () => {
    const mutants = mutantsOf(report, '/repo');
    expect(mutants.map(describeMutant)).toContain(
      'solutions/01-a/01-b/greet.ts:2:15  StringLiteral  \'greeting\' → ""',
    );
    expect(mutants.map((entry) => entry.line)).toEqual([1, 2, 3, 3, 3]);
  });

  it('scores over the mutants not marked equivalent, and lists the equivalent ones apart', () => {
    const summary = summarise(mutantsOf(report, '/repo'), [logMessage], 'solutions/01-a/01-b');
    expect(summary).toMatchObject({ total: 5, killed: 1, survived: 3, noCoverage: 1, timeout: 0 });
    expect(summary.equivalent.map(({ entry, mutants }) => [entry.reason, mutants.length])).toEqual([
      [logMessage.reason, 1],
    ]);
    // Killed 1; missed: the 'hello' string and the uncovered operator. The block with no completed test is unmeasured.
    expect(summary.survivors.map((entry) => `${entry.line} ${entry.mutator}`)).toEqual([
      '3 EqualityOperator',
      '3 StringLiteral',
    ]);
    expect(summary.unmeasured.map((entry) => entry.mutator)).toEqual(['BlockStatement']);
    expect(summary.scorePercent).toBeCloseTo(100 / 3);
  });

  it('reports an entry that matches no mutant as stale, and one the tests kill as not equivalent', () => {
    const moved = { ...logMessage, line: 7 };
    const killed = { ...logMessage, line: 3, mutator: 'ConditionalExpression', replacement: 'true' };
    const summary = summarise(mutantsOf(report, '/repo'), [moved, killed], 'solutions/01-a/01-b');
    expect(summary.stale).toEqual([moved]);
    expect(summary.detectedEquivalents.map(({ entry }) => entry)).toEqual([killed]);
    expect(summary.equivalent).toEqual([]);
  });

  it('tells two look-alike mutants of one line apart by the column or the original code, when an entry gives them', () => {
    const hello = { ...logMessage, line: 3, reason: 'for the test' };
    expect(
      summarise(mutantsOf(report, '/repo'), [{ ...hello, column: 24 }], 'solutions/01-a/01-b').equivalent,
    ).toHaveLength(1);
    expect(summarise(mutantsOf(report, '/repo'), [{ ...hello, column: 9 }], 'solutions/01-a/01-b').stale).toHaveLength(
      1,
    );
    expect(
      summarise(mutantsOf(report, '/repo'), [{ ...hello, original: "'hello'" }], 'solutions/01-a/01-b').equivalent,
    ).toHaveLength(1);
    expect(
      summarise(mutantsOf(report, '/repo'), [{ ...hello, original: "'hi'" }], 'solutions/01-a/01-b').stale,
    ).toHaveLength(1);
  });

  it('refuses an equivalent entry without a reason, naming the file and the entry', () => {
    expect(() => parseEquivalents([{ ...logMessage, reason: ' ' }], 'x/equivalent-mutants.json')).toThrow(
      /x\/equivalent-mutants.json: entry 0/,
    );
    expect(() => parseEquivalents({}, 'x/equivalent-mutants.json')).toThrow(/JSON array/);
  });
});
