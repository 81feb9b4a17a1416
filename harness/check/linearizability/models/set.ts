/**
 * A grow-only set that clients add to and read in full.
 *
 * @module
 */

import type { Model, StepResult } from '../model.ts';

/** An element of the set. */
export type SetElement = number | string;

/** What a client asks the set: `{ f: 'add', element: 3 }` or `{ f: 'read' }`. */
export type SetInput = { readonly f: 'add'; readonly element: SetElement } | { readonly f: 'read' };

/** What the set answers: a read carries every element, in any order; an add carries nothing (`{}`). */
export interface SetOutput {
  readonly elements?: readonly SetElement[];
}

/** The set's elements, sorted (numbers first, then strings) so that equal sets are equal arrays. */
export type SetState = readonly SetElement[];

function compareElements(a: SetElement, b: SetElement): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameElements(state: SetState, elements: readonly SetElement[]): boolean {
  if (elements.length !== state.length) return false;
  const sorted = [...elements].sort(compareElements);
  return sorted.every((element, index) => element === state[index]);
}

function stepSet(state: SetState, input: SetInput, output: SetOutput | undefined): StepResult<SetState> {
  switch (input.f) {
    case 'add':
      if (state.includes(input.element)) return { ok: true, state };
      return { ok: true, state: [...state, input.element].sort(compareElements) };
    case 'read':
      if (output === undefined) return { ok: true, state };
      if (output.elements === undefined)
        throw new Error('a completed read must list the elements in `output.elements`');
      return sameElements(state, output.elements) ? { ok: true, state } : { ok: false };
    default:
      throw new Error(`unknown set operation ${JSON.stringify(input)}`);
  }
}

function describeElements(elements: readonly SetElement[]): string {
  return `{${elements.map((element) => JSON.stringify(element)).join(', ')}}`;
}

/**
 * A set, initially empty. Adding an element already present changes nothing. A read must return exactly
 * the current elements, in any order; a read listing an element twice is illegal (a set has no
 * duplicates).
 */
export const setModel: Model<SetState, SetInput, SetOutput> = {
  name: 'set',
  init: () => [],
  step: stepSet,
  describeOperation: (input, output) => {
    if (input.f === 'add') return `add(${JSON.stringify(input.element)})`;
    return output?.elements === undefined
      ? 'read() → ? (outcome unknown)'
      : `read() → ${describeElements(output.elements)}`;
  },
  describeState: describeElements,
};
