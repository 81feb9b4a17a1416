/**
 * Verdicts in words: a short explanation for people, and an assertion for tests.
 *
 * @module
 */

import type { History, Operation } from '../../history.ts';
import { checkLinearizability, type CheckOptions, type CheckResult, type IllegalPartition } from './check.ts';
import type { Model } from './model.ts';
import { countOf } from './_internals/words.ts';

/** How much of the evidence {@link formatCheckResult} prints. */
export interface FormatOptions {
  /** How many operations to show from the end of the longest linearizable prefix. Default 5. */
  readonly lastSteps?: number;
  /** How many non-linearizable parts to detail. Default 3. */
  readonly maxPartitions?: number;
}

/** `#7 client 2 [10, 25]` (call and return times), or `[10, ∞)` for an operation whose outcome is unknown. */
export function describeTiming(operation: Operation<unknown, unknown>): string {
  const end = operation.returnMs === null ? '∞)' : `${operation.returnMs}]`;
  return `#${operation.id} client ${operation.clientId} [${operation.callMs}, ${end}`;
}

function formatIllegalPartition(part: IllegalPartition<unknown, unknown, unknown>, lastSteps: number): string[] {
  const prefix = part.longestPrefix;
  const shown = prefix.slice(Math.max(0, prefix.length - lastSteps));
  const lines = [`In ${part.label} (${countOf(part.operations.length, 'operation')}):`];
  if (prefix.length === 0) {
    lines.push('  Not even one operation could be linearized first.');
  } else {
    const which = shown.length === prefix.length ? '' : `; the last ${shown.length}`;
    lines.push(`  The longest linearizable prefix has ${countOf(prefix.length, 'operation')}${which}:`);
    const firstNumber = prefix.length - shown.length + 1;
    shown.forEach((step, offset) => {
      const numbered = `${firstNumber + offset}. ${step.description}`;
      lines.push(
        `    ${numbered.padEnd(28)} state after: ${step.stateAfterDescription}   (${describeTiming(step.operation)})`,
      );
    });
  }
  lines.push(`  State after it: ${part.stateAfterPrefixDescription}`);
  lines.push('  None of these could be placed next:');
  for (const operation of part.unplaceable) {
    lines.push(`    ${operation.explanation}   (${describeTiming(operation.operation)})`);
  }
  return lines;
}

/**
 * Explains a verdict in a few lines, starting with `linearizable`, `not linearizable` or `unknown`.
 *
 * For a history that is not linearizable it names the part (e.g. the key), the end of the longest
 * linearizable prefix with the state after each operation, and the operations that could not come next.
 */
export function formatCheckResult<State, Input, Output>(
  result: CheckResult<State, Input, Output>,
  options: FormatOptions = {},
): string {
  const { lastSteps = 5, maxPartitions = 3 } = options;
  const { stats } = result;
  const size =
    `${countOf(stats.operationsChecked, 'operation')} in ${countOf(stats.partitions, 'part')}, ` +
    countOf(stats.steps, 'search step');
  switch (result.verdict) {
    case 'ok':
      return `linearizable: ${size}.`;
    case 'unknown':
      return `unknown: ${result.reason}.`;
    case 'illegal': {
      const parts = result.partitions as readonly IllegalPartition<unknown, unknown, unknown>[];
      const names = parts.map((part) => part.label).join(', ');
      const unchecked = stats.partitions - stats.partitionsChecked;
      // The check stops at the first illegal part: say so, or a reader takes the other parts for proven.
      const stopped = unchecked === 0 ? '' : `; ${countOf(unchecked, 'other part')} not checked`;
      const lines = [`not linearizable: no valid order exists for ${names} (${size}${stopped}).`];
      for (const part of parts.slice(0, maxPartitions)) lines.push(...formatIllegalPartition(part, lastSteps));
      if (parts.length > maxPartitions)
        lines.push(`…and ${countOf(parts.length - maxPartitions, 'more part')} not linearizable.`);
      return lines.join('\n');
    }
  }
}

/**
 * Checks `history` and throws unless it is linearizable: for tests.
 *
 * The error message speaks the domain: `not linearizable: ...` with the evidence, or
 * `unknown: the checker's budget of N steps ran out ...; this is NOT a pass`. An `unknown` verdict
 * throws too: a check that ran out of budget proved nothing.
 *
 * @example
 * ```ts
 * assertLinearizable(kvModel, recorder.history(), { maxSteps: 2_000_000 });
 * ```
 */
export function assertLinearizable<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  options: CheckOptions = {},
): void {
  const result = checkLinearizability(model, history, options);
  if (result.verdict !== 'ok') throw new Error(formatCheckResult(result));
}
