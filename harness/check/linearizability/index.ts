/**
 * A linearizability checker, after Porcupine and Knossos.
 *
 * A history is *linearizable* when its operations can be put in one order that (1) respects real time:
 * an operation that returned before another was called comes first; and (2) makes sense to the
 * sequential object: applying the operations in that order, each produces the output its client saw.
 *
 * Start with {@link checkLinearizability} and one of the shipped models ({@link registerModel},
 * {@link casRegisterModel}, {@link kvModel}, {@link counterModel}, {@link setModel}, {@link mutexModel},
 * {@link multiRegisterModel}), or write your own {@link Model}. In tests, {@link assertLinearizable} throws with an explanation. Histories from Jepsen
 * are read by the importers in `harness/check/import` (`parseEdnHistory`, `parseJepsenLog`), and written
 * for other checkers by `harness/check/export` (`writeJepsenEdn`, `writePorcupineJson`);
 * `npm run check-history` checks a file from the command line, and {@link renderEvidenceHtml} draws a
 * verdict's evidence as a page.
 *
 * A verdict is `ok`, `illegal` or `unknown`. `unknown` means the search budget ran out: it is never a pass.
 *
 * How a history is read:
 * - `fail` operations did not happen and are dropped.
 * - Indeterminate operations (the client timed out or crashed) may have taken effect at any moment after
 *   their call, or never.
 * - A must come before B when A returned strictly before B was called. Operations that touch at one
 *   instant are concurrent, except two of the same client: a client is one sequential process.
 *
 * Writing a model means saying, for one operation at a time, whether the output is possible and what the
 * state becomes:
 *
 * ```ts
 * const maxRegisterModel: Model<number, { f: 'raise'; to: number } | { f: 'read' }, { value?: number }> = {
 *   name: 'max-register',
 *   init: () => 0,
 *   step: (state, input, output) => {
 *     if (input.f === 'raise') return { ok: true, state: Math.max(state, input.to) };
 *     return output === undefined || output.value === state ? { ok: true, state } : { ok: false };
 *   },
 *   describeOperation: (input, output) => (input.f === 'raise' ? `raise(${input.to})` : `read() → ${output?.value ?? '?'}`),
 *   describeState: (state) => String(state),
 * };
 * ```
 *
 * @module
 */

export { ModelStepError, type Model, type StepResult } from './model.ts';
export {
  checkLinearizability,
  DEFAULT_MAX_STEPS,
  type CheckOptions,
  type CheckResult,
  type CheckStats,
  type IllegalPartition,
  type LinearizedStep,
  type UnplaceableOperation,
} from './check.ts';
export { assertLinearizable, describeTiming, formatCheckResult, type FormatOptions } from './explain.ts';
export {
  describeRegisterValue,
  registerModel,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
} from './models/register.ts';
export { casRegisterModel, type CasRegisterInput, type CasRegisterOutput } from './models/casRegister.ts';
export { kvModel, type KvInput, type KvOutput, type KvState } from './models/kv.ts';
export { counterModel, type CounterInput, type CounterOutput } from './models/counter.ts';
export { setModel, type SetElement, type SetInput, type SetOutput, type SetState } from './models/set.ts';
export { mutexModel, type MutexInput, type MutexOutput, type MutexState } from './models/mutex.ts';
export {
  multiRegisterModel,
  type MicroOp,
  type MultiRegisterInput,
  type MultiRegisterOutput,
  type MultiRegisterState,
} from './models/multiRegister.ts';
export { renderEvidenceHtml, type EvidencePage } from './html.ts';
export { withoutUnseenIndeterminateWrites, type WrittenAndRead } from './unseen-writes.ts';
