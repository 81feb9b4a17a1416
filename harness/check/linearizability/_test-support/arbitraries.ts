/**
 * Random small histories for property tests, from fast-check.
 *
 * Most are simulated on a real (correct) object with each operation taking effect at a random instant
 * inside its interval, so plenty are linearizable; some have one output corrupted, and some have every
 * output drawn at random, so plenty are not. Clients get `fail` and indeterminate operations too.
 *
 * @module
 */

import fc from 'fast-check';
import type { History, Operation, OperationStatus } from '../../../history.ts';

/** A correct sequential object, used to simulate histories. */
export interface RealObject<State, Input, Output> {
  init(): State;
  apply(state: State, input: Input): { readonly state: State; readonly output: Output };
}

interface OperationDraw<Input, Output> {
  readonly client: number;
  readonly input: Input;
  readonly gapMs: number;
  readonly durationMs: number;
  readonly effectPercent: number;
  readonly status: OperationStatus;
  readonly indeterminateTookEffect: boolean;
  readonly randomOutput: Output;
}

type Mode = 'simulated' | 'one-output-corrupted' | 'random-outputs';

interface HistoryDraw<Input, Output> {
  readonly mode: Mode;
  readonly corruptedIndex: number;
  readonly operations: readonly OperationDraw<Input, Output>[];
}

function operationDraw<Input, Output>(
  clients: number,
  input: fc.Arbitrary<Input>,
  output: fc.Arbitrary<Output>,
): fc.Arbitrary<OperationDraw<Input, Output>> {
  return fc.record({
    client: fc.integer({ min: 0, max: clients - 1 }),
    input,
    // Small integer times make equal instants common, which is where real-time rules go wrong.
    gapMs: fc.integer({ min: 0, max: 3 }),
    durationMs: fc.integer({ min: 0, max: 4 }),
    effectPercent: fc.integer({ min: 0, max: 100 }),
    status: fc.constantFrom<OperationStatus>('ok', 'ok', 'ok', 'ok', 'fail', 'indeterminate'),
    indeterminateTookEffect: fc.boolean(),
    randomOutput: output,
  });
}

/**
 * Histories of up to `maxOperations` operations by up to `clients` clients, on `object`.
 * `output` draws a random output; it may carry fields for every kind of operation (models ignore the rest).
 */
export function smallHistories<State, Input, Output>(
  object: RealObject<State, Input, Output>,
  input: fc.Arbitrary<Input>,
  output: fc.Arbitrary<Output>,
  { clients = 3, maxOperations = 7 }: { clients?: number; maxOperations?: number } = {},
): fc.Arbitrary<History<Input, Output>> {
  const draw = fc.record({
    mode: fc.constantFrom<Mode>(
      'simulated',
      'simulated',
      'one-output-corrupted',
      'one-output-corrupted',
      'random-outputs',
    ),
    corruptedIndex: fc.nat(),
    operations: fc.array(operationDraw(clients, input, output), { maxLength: maxOperations }),
  });
  return draw.map((historyDraw) => buildHistory(object, historyDraw, clients));
}

interface Timed {
  readonly callMs: number;
  readonly returnMs: number;
  readonly effectMs: number | undefined;
}

function timeOperations(draws: readonly OperationDraw<unknown, unknown>[], clients: number): Timed[] {
  const cursorsMs = new Array<number>(clients).fill(0);
  return draws.map((draw) => {
    const callMs = cursorsMs[draw.client]! + draw.gapMs;
    const returnMs = callMs + draw.durationMs;
    cursorsMs[draw.client] = returnMs;
    const fraction = draw.effectPercent / 100;
    // An indeterminate operation may take effect well after its client gave up.
    const effectMs =
      draw.status === 'ok'
        ? callMs + draw.durationMs * fraction
        : draw.status === 'indeterminate' && draw.indeterminateTookEffect
          ? callMs + (draw.durationMs + 6) * fraction
          : undefined;
    return { callMs, returnMs, effectMs };
  });
}

function buildHistory<State, Input, Output>(
  object: RealObject<State, Input, Output>,
  historyDraw: HistoryDraw<Input, Output>,
  clients: number,
): History<Input, Output> {
  const { operations: draws, mode } = historyDraw;
  const times = timeOperations(draws, clients);
  const simulated = simulateOutputs(object, draws, times);
  const corrupted = draws.length === 0 ? -1 : historyDraw.corruptedIndex % draws.length;
  const specs = draws.map((draw, sequence): Omit<Operation<Input, Output>, 'id'> => {
    const { callMs, returnMs } = times[sequence]!;
    const base = { clientId: `c${draw.client}`, input: draw.input, status: draw.status, callMs };
    if (draw.status === 'indeterminate') return { ...base, output: undefined, returnMs: null };
    if (draw.status === 'fail') return { ...base, output: undefined, returnMs };
    const useRandom = mode === 'random-outputs' || (mode === 'one-output-corrupted' && sequence === corrupted);
    return { ...base, output: useRandom ? draw.randomOutput : simulated.get(sequence), returnMs };
  });
  return specs
    .map((spec, sequence) => ({ spec, sequence }))
    .sort((a, b) => a.spec.callMs - b.spec.callMs || a.sequence - b.sequence)
    .map(({ spec }, id) => ({ id, ...spec }));
}

function simulateOutputs<State, Input, Output>(
  object: RealObject<State, Input, Output>,
  draws: readonly OperationDraw<Input, Output>[],
  times: readonly Timed[],
): Map<number, Output> {
  const effective = times
    .map((time, sequence) => ({ effectMs: time.effectMs, sequence }))
    .filter((entry): entry is { effectMs: number; sequence: number } => entry.effectMs !== undefined)
    .sort((a, b) => a.effectMs - b.effectMs || a.sequence - b.sequence);
  const outputs = new Map<number, Output>();
  let state = object.init();
  for (const { sequence } of effective) {
    const applied = object.apply(state, draws[sequence]!.input);
    state = applied.state;
    outputs.set(sequence, applied.output);
  }
  return outputs;
}
