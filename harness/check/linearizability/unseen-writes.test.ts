import { describe, expect, test } from 'vitest';
import type { Operation } from '../../history.ts';
import { withoutUnseenIndeterminateWrites } from './unseen-writes.ts';

type Input = { readonly f: 'read' } | { readonly f: 'write'; readonly value: number };
type Output = { readonly value?: number };

function op(id: number, input: Input, status: Operation['status'], output?: Output): Operation<Input, Output> {
  return {
    id,
    clientId: `c${id}`,
    input,
    output,
    status,
    callMs: id,
    returnMs: status === 'indeterminate' ? null : id + 1,
  };
}

const how = {
  written: (input: Input) => (input.f === 'write' ? input.value : undefined),
  read: (input: Input, output: Output | undefined) => (input.f === 'read' ? output?.value : undefined),
};

describe('withoutUnseenIndeterminateWrites', () => {
  test('drops an indeterminate write that no ok read returned, and keeps everything else', () => {
    const history = [
      op(0, { f: 'write', value: 1 }, 'ok', {}),
      op(1, { f: 'write', value: 2 }, 'indeterminate'),
      op(2, { f: 'write', value: 3 }, 'indeterminate'),
      op(3, { f: 'read' }, 'ok', { value: 3 }),
      op(4, { f: 'read' }, 'indeterminate'),
      op(5, { f: 'write', value: 4 }, 'fail'),
    ];
    expect(withoutUnseenIndeterminateWrites(history, how).map((operation) => operation.id)).toEqual([0, 2, 3, 4, 5]);
  });

  test('a value read only by a read whose outcome is unknown does not keep the write', () => {
    const history = [op(0, { f: 'write', value: 7 }, 'indeterminate'), op(1, { f: 'read' }, 'fail', { value: 7 })];
    expect(withoutUnseenIndeterminateWrites(history, how)).toEqual([history[1]]);
  });
});
