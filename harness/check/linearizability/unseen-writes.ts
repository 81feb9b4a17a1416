/**
 * A smaller history with the same verdict: the writes whose outcome is unknown and whose value no read
 * returned, left out.
 *
 * @module
 */
import type { History, Operation } from '../../history.ts';

/** How {@link withoutUnseenIndeterminateWrites} reads an operation. */
export interface WrittenAndRead<Input, Output> {
  /** The value an operation writes, or `undefined` when it writes none (a read). */
  readonly written: (input: Input) => unknown;
  /** The value an ok operation read, or `undefined` when it reads none (a write). */
  readonly read: (input: Input, output: Output | undefined) => unknown;
}

/**
 * The history without the writes whose outcome is unknown (`indeterminate`) and whose value no ok read
 * returned. The verdict is the same when every write writes a value of its own, and the search much
 * smaller. Such a write may be taken as never having happened; and a linearisation that does place it
 * can drop it without changing what any read returns, because no read comes right after it (that read
 * would have returned its value, which none did). A run where clients give up on many writes (long
 * delays, pauses) would otherwise leave the checker tens of indeterminate writes to place, and a search
 * too large to finish.
 *
 * Values are compared with `===`; for a store of several keys, make `written` and `read` return a
 * string that holds the key as well, or write values unique across keys.
 */
export function withoutUnseenIndeterminateWrites<Input, Output>(
  history: History<Input, Output>,
  how: WrittenAndRead<Input, Output>,
): Operation<Input, Output>[] {
  const seen = new Set(
    history.flatMap((operation) => {
      if (operation.status !== 'ok') return [];
      const value = how.read(operation.input, operation.output);
      return value === undefined ? [] : [value];
    }),
  );
  return history.filter((operation) => {
    if (operation.status !== 'indeterminate') return true;
    const value = how.written(operation.input);
    return value === undefined || seen.has(value);
  });
}
