/**
 * Knossos histories: hand-written good and bad histories for each model, in both EDN layouts, judged
 * as Knossos judges them (each fixture's comment says why).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkLinearizability, type Model } from '../index.ts';
import { casRegisterModel } from '../models/casRegister.ts';
import { multiRegisterModel } from '../models/multiRegister.ts';
import { mutexModel } from '../models/mutex.ts';
import { registerModel } from '../models/register.ts';
import { detectEdnModel, detectFormat } from './detect.ts';
import type { EdnModelName } from './ednCodecs.ts';
import { parseEdnHistory } from './ednHistory.ts';
import { HistoryParseError } from './parseError.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/knossos/${name}`, import.meta.url), 'utf8');

const MODELS: Readonly<Record<string, Model<unknown, unknown, unknown>>> = {
  register: registerModel as Model<unknown, unknown, unknown>,
  'cas-register': casRegisterModel as Model<unknown, unknown, unknown>,
  mutex: mutexModel as Model<unknown, unknown, unknown>,
  'multi-register': multiRegisterModel as Model<unknown, unknown, unknown>,
};

/** The same op maps in the other layout: a vector becomes one map per line, and back. */
function otherLayout(text: string): string {
  const maps = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith(';') && line.trim() !== '')
    .map((line) => line.trim().replace(/^\[/, '').replace(/\]$/, '').replace(/\]\]$/, ']]'));
  const isVector = text.split('\n').some((line) => line.startsWith('['));
  return isVector ? `${maps.join('\n')}\n` : `[${maps.join('\n ')}]`;
}

function verdictOf(text: string, model: EdnModelName): string {
  return checkLinearizability(MODELS[model]!, parseEdnHistory(text, model)).verdict;
}

describe('Knossos histories, both layouts', () => {
  it.each([
    ['register', 'good', 'ok'],
    ['register', 'bad', 'illegal'],
    ['cas-register', 'good', 'ok'],
    ['cas-register', 'bad', 'illegal'],
    ['mutex', 'good', 'ok'],
    ['mutex', 'bad', 'illegal'],
    ['multi-register', 'good', 'ok'],
    ['multi-register', 'bad', 'illegal'],
  ] as const)('%s-%s.edn is %s, as Knossos says, in either layout', (model, kind, verdict) => {
    const text = fixture(`${model}-${kind}.edn`);
    expect(detectFormat(text)).toBe('edn');
    expect(detectEdnModel(text)).toBe(model);
    expect(verdictOf(text, model)).toBe(verdict);
    const other = otherLayout(text);
    expect(other.startsWith('[')).not.toBe(text.split('\n').some((line) => line.startsWith('[')));
    expect(verdictOf(other, model)).toBe(verdict);
    expect(parseEdnHistory(other, model)).toEqual(parseEdnHistory(text, model));
  });

  it('a crashed process is finished: its number, used again, is a new process', () => {
    const history = parseEdnHistory(fixture('cas-register-good.edn'), 'cas-register');
    expect(history.map((operation) => operation.clientId)).toEqual(['0', '1', '2', '1.1', '3', '0', '4']);
    expect(history[1]).toMatchObject({ status: 'indeterminate', returnMs: null }); // :info
    expect(history[4]).toMatchObject({ status: 'fail' }); // a failed cas did not happen
    expect(history[5]).toMatchObject({ status: 'indeterminate' }); // a read of nil says nothing
    expect(history[6]).toMatchObject({ status: 'indeterminate' }); // never completed
    // Were process 1 one client, its read of 0 would have to follow its write of 1.
    expect(verdictOf(fixture('register-good.edn'), 'register')).toBe('ok');
  });

  it('uses :time in nanoseconds when every op map has it, and positions otherwise', () => {
    const timed = parseEdnHistory(fixture('register-good.edn'), 'register');
    expect(timed[0]).toMatchObject({ callMs: 0, returnMs: 1 });
    const untimed = parseEdnHistory(fixture('register-bad.edn'), 'register');
    expect(untimed[0]).toMatchObject({ callMs: 1, returnMs: 2 });
  });

  it('reads multi-register transactions with keyword, string and integer keys, and :r/:w', () => {
    const history = parseEdnHistory(
      '{:process 0, :type :invoke, :f :txn, :value [[:w :x 1] [:write "y" 2] [:r 3 nil]]}\n' +
        '{:process 0, :type :ok, :f :txn, :value [[:w :x 1] [:write "y" 2] [:r 3 nil]]}',
      'multi-register',
    );
    expect(history[0]).toMatchObject({
      input: {
        f: 'txn',
        ops: [
          { f: 'write', key: 'x', value: 1 },
          { f: 'write', key: 'y', value: 2 },
          { f: 'read', key: '3' },
        ],
      },
      output: { values: [1, 2, null] },
    });
  });
});

describe('malformed Knossos histories name the line and column', () => {
  const errorOf = (text: string, model: EdnModelName): HistoryParseError => {
    try {
      parseEdnHistory(text, model);
    } catch (error) {
      if (error instanceof HistoryParseError) return error;
      throw error;
    }
    throw new Error('expected a HistoryParseError');
  };

  it.each([
    ['[{:process 0, :type :invoke, :f :read}\n {:process 0, :type :ok :f}]', 'register', 2, 2, 'even number of forms'],
    ['[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok', 'register', 2, 24, "missing '}'"],
    ['[{:process 0, :type :invoke, :f :read}', 'register', 1, 39, "missing ']'"],
    ['{:process 0, :type :invoke, :f :read} ]', 'register', 1, 39, "unexpected ']'"],
    [
      '  {:process 0, :type :invoke, :f :cas, :value [1 2]}',
      'register',
      1,
      3,
      'unsupported :f :cas for the register model',
    ],
    ['[{:process 0, :type :invoke, :f :cas, :value 7}]', 'cas-register', 1, 2, 'a cas needs [expected new-value]'],
    ['{:process "a", :type :invoke, :f :acquire}', 'mutex', 1, 1, ':process must be an integer'],
    ['{:process 0, :type :begin, :f :acquire}', 'mutex', 1, 1, 'unknown :type :begin'],
    ['\n\n   {:process 0, :type :ok, :f :release}', 'mutex', 3, 4, 'has no open operation'],
    [
      '{:process 0, :type :invoke, :f :acquire}\n{:process 0, :type :invoke, :f :release}',
      'mutex',
      2,
      1,
      'invokes :release while its :acquire from line 1 has not completed',
    ],
    [
      '{:process 0, :type :invoke, :f :txn, :value [[:read :x nil]]}\n{:process 0, :type :ok, :f :txn, :value [[:read :y 1]]}',
      'multi-register',
      2,
      1,
      'micro-op 0 of the completion is not the one invoked',
    ],
    ['{:process 0, :type :invoke, :f :txn, :value [[:cas :x 1]]}', 'multi-register', 1, 1, "a micro-op's f must be"],
    ['{:process 0, :type :invoke, :f :read, :time "soon"}', 'register', 1, 1, ':time must be a number'],
  ] as const)('%j (%s) fails at line %i, column %i: %s', (text, model, line, column, problem) => {
    const error = errorOf(text, model);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toContain(`line ${line}, column ${column}: `);
    expect(error.message).toContain(problem);
  });
});
