/**
 * Deterministic histories of a correct object, for tests and benchmarks: clients issue operations with
 * random durations, and each operation takes effect at a random instant inside its interval, on a real
 * (sequential) object. Such a history is linearizable by construction.
 *
 * @module
 */

import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { History, Operation } from '../../../history.ts';

/** A real sequential object: what it answers and how it changes. */
export interface SimulatedObject<State, Input, Output> {
  init(): State;
  apply(state: State, input: Input): { readonly state: State; readonly output: Output };
}

/** A random integer in `[min, max]`. */
export type RandomInt = (min: number, max: number) => number;

/** What to simulate. */
export interface SimulationPlan<Input> {
  readonly seed: number;
  readonly clients: number;
  readonly operations: number;
  /** Picks the next operation's input. */
  readonly randomInput: (randomInt: RandomInt, client: number, sequence: number) => Input;
  /** Share of operations whose client gives up (indeterminate); half of those still take effect. */
  readonly indeterminateFraction?: number;
  /** Duration of an operation, in ms. Default [1, 20]. */
  readonly durationMs?: readonly [number, number];
  /** Pause between a client's operations, in ms. Default [1, 5]; 0 lets a call share its predecessor's instant. */
  readonly gapMs?: readonly [number, number];
}

interface Planned<Input> {
  readonly sequence: number;
  readonly clientId: string;
  readonly input: Input;
  readonly callMs: number;
  readonly returnMs: number | null;
  /** When it takes effect; undefined when it never does. */
  readonly effectMs: number | undefined;
}

/** Simulates `plan` against `object`; the history is sorted by call time, ids in that order. */
export function simulateHistory<State, Input, Output>(
  object: SimulatedObject<State, Input, Output>,
  plan: SimulationPlan<Input>,
): History<Input, Output> {
  const rng = xoroshiro128plus(plan.seed);
  const randomInt: RandomInt = (min, max) => uniformInt(rng, min, max);
  const planned = planOperations(plan, randomInt);
  const outputs = applyInEffectOrder(object, planned);
  return planned
    .slice()
    .sort((a, b) => a.callMs - b.callMs || a.sequence - b.sequence)
    .map((operation, id): Operation<Input, Output> => {
      const status = operation.returnMs === null ? 'indeterminate' : 'ok';
      const output = status === 'ok' ? outputs.get(operation.sequence) : undefined;
      const { clientId, input, callMs, returnMs } = operation;
      return { id, clientId, input, output, status, callMs, returnMs };
    });
}

function planOperations<Input>(plan: SimulationPlan<Input>, randomInt: RandomInt): Planned<Input>[] {
  const [minDurationMs, maxDurationMs] = plan.durationMs ?? [1, 20];
  const [minGapMs, maxGapMs] = plan.gapMs ?? [1, 5];
  const indeterminatePerMille = Math.round((plan.indeterminateFraction ?? 0) * 1000);
  const cursorsMs = Array.from({ length: plan.clients }, () => randomInt(0, maxDurationMs));
  const planned: Planned<Input>[] = [];
  for (let sequence = 0; sequence < plan.operations; sequence++) {
    const client = sequence % plan.clients;
    const callMs = cursorsMs[client]!;
    const durationMs = randomInt(minDurationMs, maxDurationMs);
    const gaveUp = randomInt(0, 999) < indeterminatePerMille;
    const input = plan.randomInput(randomInt, client, sequence);
    // A request the client gave up on may still take effect later, even after the client's next call.
    const effectMs = !gaveUp
      ? randomInt(callMs, callMs + durationMs)
      : randomInt(0, 1) === 0
        ? undefined
        : randomInt(callMs, callMs + 4 * durationMs);
    planned.push({
      sequence,
      clientId: `c${client}`,
      input,
      callMs,
      returnMs: gaveUp ? null : callMs + durationMs,
      effectMs,
    });
    cursorsMs[client] = callMs + durationMs + randomInt(minGapMs, maxGapMs);
  }
  return planned;
}

/** Applies the operations that take effect, in effect order, and returns each one's output. */
function applyInEffectOrder<State, Input, Output>(
  object: SimulatedObject<State, Input, Output>,
  planned: readonly Planned<Input>[],
): Map<number, Output> {
  const effective = planned.filter((operation) => operation.effectMs !== undefined);
  // Equal instants break ties by sequence, which is a client's program order.
  effective.sort((a, b) => a.effectMs! - b.effectMs! || a.sequence - b.sequence);
  const outputs = new Map<number, Output>();
  let state = object.init();
  for (const operation of effective) {
    const applied = object.apply(state, operation.input);
    state = applied.state;
    outputs.set(operation.sequence, applied.output);
  }
  return outputs;
}
