import { describe, expect, it } from 'vitest';
import { NotImplementedError, todo } from '../exercise.ts';
import { check, checkEqual, CheckFailed, checkThrows } from './assertions.ts';

describe('the domain assertions', () => {
  it('check and checkEqual throw the test sentence, checkEqual with what was found', () => {
    expect(() => check(true, 'fine')).not.toThrow();
    expect(() => check(false, 'the counter should read 6')).toThrow(new CheckFailed('the counter should read 6'));
    expect(() => checkEqual({ a: [1] }, { a: [1] }, 'same')).not.toThrow();
    expect(() => checkEqual(15, 6, 'the counter should read 6')).toThrow('the counter should read 6; found 15');
  });

  it('checkThrows passes when the action is refused, and fails with the sentence when it is not', () => {
    expect(() =>
      checkThrows(() => {
        throw new RangeError('b1 is already a backend');
      }, 'add(b1) twice must throw'),
    ).not.toThrow();
    expect(() => checkThrows(() => 'added', 'add(b1) twice must throw')).toThrow(
      new CheckFailed('add(b1) twice must throw'),
    );
  });

  it("checkThrows does not take a stub's todo(...) for a refusal: the learner sees what to write", () => {
    const stub = (): never => todo('add a backend', 'exercises/07-load-balancing/01-round-robin/README.md');
    expect(() => checkThrows(stub, 'add(b1) twice must throw')).toThrow(NotImplementedError);
  });
});
