/**
 * The trace: every event of a run, as typed JSON, in the order it happened.
 *
 * Same seed, same code: the same trace, byte for byte. `traceHash` (in `hash.ts`, Node only) condenses
 * it to one string that tests can compare, and {@link formatTraceEvent} prints one line per event for
 * terminals and golden tests.
 *
 * This file is the browser-safe surface: the viewer page imports it. Node code that also needs the hash
 * imports `node.ts` instead.
 *
 * @module
 */
export type {
  TraceEvent,
  TraceEventKind,
  TraceFile,
  TraceFailure,
  DropReason,
  TraceEventBase,
  StartEvent,
  SendEvent,
  DeliverEvent,
  DropEvent,
  DuplicateEvent,
  TimerSetEvent,
  TimerFireEvent,
  TimerCancelEvent,
  CrashEvent,
  CrashArmedEvent,
  CrashExpiredEvent,
  RestartEvent,
  PauseEvent,
  ResumeEvent,
  LinksEvent,
  NetworkEvent,
  ClockEvent,
  LogEvent,
  InvokeEvent,
  CompleteEvent,
  FailureEvent,
} from './events.ts';
export { describeTraceEvent, describeNetwork, formatTrace, formatTraceEvent, type PayloadFormatter } from './format.ts';
