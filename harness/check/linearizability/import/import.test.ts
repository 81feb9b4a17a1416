import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { casRegisterModel, checkLinearizability, kvModel, registerModel, type Model } from '../index.ts';
import { EdnKeyword, EdnMap, EdnSymbol, parseEdn } from './edn.ts';
import { parseEdnKvHistory } from './ednHistory.ts';
import { parseJepsenLog } from './jepsenLog.ts';
import { parseJsonHistory } from './json.ts';
import { HistoryParseError } from './parseError.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** Runs `parse` and returns the HistoryParseError it throws. */
function parseErrorOf(parse: () => unknown): HistoryParseError {
  try {
    parse();
  } catch (error) {
    if (error instanceof HistoryParseError) return error;
    throw error;
  }
  throw new Error('expected a HistoryParseError, but parsing succeeded');
}

describe('EDN reader', () => {
  it('reads the values Jepsen histories use', () => {
    const map = parseEdn(
      '{:process 3, :type :invoke, :f :cas, :value [1 -4], :key "a\\"b\\n\\u0041", :x nil, :y true, :z foo}',
    );
    expect(map).toBeInstanceOf(EdnMap);
    if (!(map instanceof EdnMap)) return;
    expect(map.get(':process')).toBe(3);
    expect(map.get(':type')).toEqual(new EdnKeyword('invoke'));
    expect(map.get(':value')).toEqual([1, -4]);
    expect(map.get(':key')).toBe('a"b\nA');
    expect(map.get(':x')).toBeNull();
    expect(map.get(':y')).toBe(true);
    expect(map.get(':z')).toEqual(new EdnSymbol('foo'));
    expect(parseEdn('#{1 2} ; comment')).toEqual([1, 2]);
    expect(parseEdn('(:r 12N)')).toEqual([new EdnKeyword('r'), 12]);
  });

  it('names the column of a syntax error', () => {
    expect(() => parseEdn('{:a "unterminated}')).toThrow(/column 5: string not closed/);
    expect(() => parseEdn('[1 2')).toThrow(/missing '\]'/);
    expect(() => parseEdn('{:a}')).toThrow(/even number of forms/);
    expect(() => parseEdn('#inst "2020"')).toThrow(/tagged literals/);
    expect(() => parseEdn('1 2')).toThrow(/unexpected text after the value/);
    expect(() => parseEdn('['.repeat(500))).toThrow(/nesting deeper than 100/);
  });
});

describe('Jepsen cas-register log', () => {
  it('imports every line shape: ok, failed cas, nil read, timed-out read, info, unfinished invoke', () => {
    const history = parseJepsenLog(fixture('cas-register-ok.jepsen-log'));
    expect(history).toHaveLength(11);
    const [firstRead, firstWrite, cas] = history;
    expect(firstRead).toEqual({
      id: 0,
      clientId: '0',
      input: { f: 'read' },
      output: { value: null },
      status: 'ok',
      callMs: 2,
      returnMs: 4,
    });
    expect(firstWrite).toMatchObject({ input: { f: 'write', value: 3 }, output: {}, callMs: 3, returnMs: 5 });
    expect(cas).toMatchObject({ input: { f: 'cas', expected: 3, newValue: 4 }, output: { swapped: true } });
    const failedCas = history.find((operation) => operation.input.f === 'cas' && operation.input.expected === 1);
    expect(failedCas).toMatchObject({ status: 'ok', output: { swapped: false }, returnMs: 11 });
    const byClient = (clientId: string) => history.filter((operation) => operation.clientId === clientId);
    expect(byClient('5')[0]).toMatchObject({ status: 'indeterminate', returnMs: null }); // :fail :read :timed-out
    expect(byClient('7')[0]).toMatchObject({ status: 'indeterminate', returnMs: null }); // :info
    expect(byClient('9')[0]).toMatchObject({ status: 'indeterminate', returnMs: null }); // never completed
    expect(history.find((operation) => operation.input.f === 'write' && operation.input.value === 1)).toMatchObject({
      status: 'fail',
    });
    expect(checkLinearizability(casRegisterModel, history).verdict).toBe('ok');
  });

  it('reads the exact etcd test line shapes', () => {
    const history = parseJepsenLog(fixture('etcd-snippet.jepsen-log'));
    expect(
      history.map(({ clientId, input, output, status, callMs, returnMs }) => ({
        clientId,
        input,
        output,
        status,
        callMs,
        returnMs,
      })),
    ).toEqual([
      { clientId: '7', input: { f: 'write', value: 3 }, output: {}, status: 'ok', callMs: 1, returnMs: 4 },
      { clientId: '5', input: { f: 'read' }, output: { value: null }, status: 'ok', callMs: 2, returnMs: 3 },
      {
        clientId: '2',
        input: { f: 'cas', expected: 1, newValue: 4 },
        output: { swapped: false },
        status: 'ok',
        callMs: 5,
        returnMs: 6,
      },
      { clientId: '5', input: { f: 'read' }, output: undefined, status: 'indeterminate', callMs: 7, returnMs: null },
    ]);
    expect(checkLinearizability(casRegisterModel, history).verdict).toBe('ok');
  });

  it('a failed cas must mean the register did not hold the expected value', () => {
    const result = checkLinearizability(
      casRegisterModel,
      parseJepsenLog(fixture('cas-register-failed-cas-lies.jepsen-log')),
    );
    expect(result.verdict).toBe('illegal');
    if (result.verdict !== 'illegal') return;
    expect(result.partitions[0]?.unplaceable.map((operation) => operation.description)).toContain(
      'cas(4 → 2) compare failed',
    );
  });

  it('names the line of a malformed or inconsistent event', () => {
    expect(parseErrorOf(() => parseJepsenLog('junk\nINFO  jepsen.util - 1\t:invoke\t:write\t[1')).message).toMatch(
      /^line 2: cannot read the value/,
    );
    expect(parseErrorOf(() => parseJepsenLog('INFO  jepsen.util - 1\t:invoke\t:frob\t1')).line).toBe(1);
    const completesNothing = parseErrorOf(() => parseJepsenLog('\nINFO  jepsen.util - 4\t:ok\t:read\t1'));
    expect(completesNothing.message).toBe('line 2: process 4 completes :read (:ok) but has no open operation');
    const invokesTwice = parseErrorOf(() =>
      parseJepsenLog('INFO  jepsen.util - 4\t:invoke\t:read\tnil\nINFO  jepsen.util - 4\t:invoke\t:write\t1'),
    );
    expect(invokesTwice.message).toMatch(/^line 2: process 4 invokes :write while its :read from line 1/);
    expect(parseErrorOf(() => parseJepsenLog('INFO  jepsen.util - 4\t:invoke\t:cas\t3')).message).toMatch(
      /a cas needs \[expected new-value\]/,
    );
  });
});

describe('EDN kv op maps', () => {
  it('imports get/put/append with ok, fail, info and nemesis lines', () => {
    const history = parseEdnKvHistory(fixture('kv-ok.edn'));
    expect(history).toHaveLength(9);
    expect(history[0]).toEqual({
      id: 0,
      clientId: '0',
      input: { f: 'put', key: 'x', value: 'a' },
      output: {},
      status: 'ok',
      callMs: 1,
      returnMs: 3,
    });
    expect(history.find((operation) => operation.input.key === '8')).toMatchObject({ output: { value: '' } }); // nil read
    expect(
      history.find((operation) => operation.input.f === 'append' && operation.input.value === '"q"'),
    ).toMatchObject({
      status: 'indeterminate',
    });
    expect(history.find((operation) => operation.input.f === 'put' && operation.input.value === 'never')).toMatchObject(
      { status: 'fail' },
    );
    expect(checkLinearizability(kvModel, history).verdict).toBe('ok');
  });

  it('uses :time when present, and finds the lost append on its key', () => {
    const history = parseEdnKvHistory(fixture('kv-lost-append.edn'));
    expect(history[0]).toMatchObject({ callMs: 1000, returnMs: 2000 }); // from nanoseconds
    const result = checkLinearizability(kvModel, history);
    expect(result.verdict).toBe('illegal');
    if (result.verdict === 'illegal') expect(result.partitions.map((part) => part.label)).toEqual(['key "k"']);
  });

  it('names the line of a malformed op map', () => {
    expect(parseErrorOf(() => parseEdnKvHistory('\n{:process 1, :type :invoke')).message).toMatch(
      /^line 2, column 27: malformed EDN: missing '}'/,
    );
    expect(parseErrorOf(() => parseEdnKvHistory('[1 2]')).message).toMatch(/^line 1, column 2: expected an op map/);
    expect(parseErrorOf(() => parseEdnKvHistory('{:process 1, :type :invoke, :f :cas, :key "k"}')).message).toMatch(
      /unsupported :f :cas/,
    );
    const mixedTimes =
      '{:process 1, :type :invoke, :f :get, :key "k", :time 5}\n{:process 1, :type :ok, :f :get, :key "k", :value nil}';
    expect(parseErrorOf(() => parseEdnKvHistory(mixedTimes)).message).toBe(
      'line 2, column 1: this op map has no :time, but earlier ones do',
    );
    const wrongKey =
      '{:process 1, :type :invoke, :f :get, :key "k"}\n{:process 1, :type :ok, :f :get, :key "j", :value nil}';
    expect(parseErrorOf(() => parseEdnKvHistory(wrongKey)).line).toBe(2);
  });
});

describe('JSON history', () => {
  it('imports the Operation shape and normalises a null output of an indeterminate operation', () => {
    const history = parseJsonHistory(fixture('register-ok.json'));
    expect(history).toHaveLength(5);
    expect(history[2]).toEqual({
      id: 2,
      clientId: 'c',
      input: { f: 'write', value: 2 },
      output: undefined,
      status: 'indeterminate',
      callMs: 11,
      returnMs: null,
    });
    const model = registerModel as Model<unknown, unknown, unknown>;
    expect(checkLinearizability(model, history).verdict).toBe('ok');
    expect(checkLinearizability(model, parseJsonHistory(fixture('register-stale-read.json'))).verdict).toBe('illegal');
  });

  it('names the line of the offending operation', () => {
    const text =
      '[\n  {"id": 0, "clientId": "a", "input": {}, "output": {}, "status": "ok", "callMs": 0, "returnMs": 1},\n' +
      '  {"id": 1, "clientId": "a", "input": {}, "status": "indeterminate", "callMs": 2, "returnMs": 7}\n]';
    expect(parseErrorOf(() => parseJsonHistory(text)).message).toBe(
      'line 3: operation [1]: returnMs must be null when status is "indeterminate", got 7',
    );
    expect(parseErrorOf(() => parseJsonHistory('[\n{"id": 0,}\n]')).message).toMatch(/^line 2: not valid JSON/);
    expect(parseErrorOf(() => parseJsonHistory('{"id": 0}')).message).toMatch(/must be an array/);
    const duplicate =
      '[{"id": 0, "clientId": "a", "input": 1, "output": 1, "status": "ok", "callMs": 0, "returnMs": 1},\n' +
      '{"id": 0, "clientId": "b", "input": 1, "output": 1, "status": "ok", "callMs": 0, "returnMs": 1}]';
    expect(parseErrorOf(() => parseJsonHistory(duplicate)).message).toBe(
      'line 2: operation [1] reuses id 0 of operation [0]',
    );
    const backwards =
      '[{"id": 0, "clientId": "a", "input": 1, "output": 1, "status": "ok", "callMs": 5, "returnMs": 1}]';
    expect(parseErrorOf(() => parseJsonHistory(backwards)).message).toMatch(/returnMs 1 is before callMs 5/);
  });
});
