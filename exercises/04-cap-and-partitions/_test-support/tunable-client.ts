/**
 * Test support for exercise 4.3 (not a learner file): a client of the tunable store (each request
 * names its consistency level), its workload, what the tests measure on what the clients saw (stale
 * reads, with the levels that must see each other), the replicas' versions as they keep them in
 * storage, and the CAP table with its chart.
 *
 * @module
 */
import type { ClientContext, NodeId, OperationOutcome } from '#harness';
import {
  checkAvailability,
  checkConcurrentOverwrites,
  checkLinearizability,
  checkStaleReads,
  evenWindows,
  registerModel,
  withoutUnseenIndeterminateWrites,
  type AvailabilitySide,
  type RegisterInput,
  type RegisterOutput,
  type RegisterRead,
  type StaleReadsVerdict,
  type Write,
} from '#harness/check';
import type { LineChartSpec } from '#harness/charts';
import type { Simulation } from '#harness/testing';
import {
  compareStamps,
  NEVER_WRITTEN,
  VERSION_KEY,
  type ConsistencyLevel,
  type Version,
} from '../03-tunable-consistency/protocol.ts';
import { registerOperation, type Exchange } from './register-client.ts';

/** An operation on the tunable store, as the history records it: a register operation and its level. */
export type LeveledInput = RegisterInput & { readonly level: ConsistencyLevel };

/** How many replicas of `n` a level needs (the README's table): the tests' own count, to judge by. */
export function replicasNeeded(level: ConsistencyLevel, n: number): number {
  return level === 'ONE' ? 1 : level === 'ALL' ? n : Math.floor(n / 2) + 1;
}

/** Whether reads at `read` must see writes acknowledged at `write` on `n` replicas: R + W > N. */
export function overlaps(write: ConsistencyLevel, read: ConsistencyLevel, n: number): boolean {
  return replicasNeeded(write, n) + replicasNeeded(read, n) > n;
}

/** Sends one read or write at its level to `node`, and records it (with its level) in the history. */
export function leveledOperation(
  c: ClientContext,
  node: NodeId,
  input: LeveledInput,
  options: { readonly timeoutMs: number; readonly log?: Exchange[] },
): Promise<OperationOutcome<RegisterOutput>> {
  return registerOperation(c, node, input, { ...options, fields: { level: input.level } });
}

/** Options of {@link leveledWorkload}. */
export interface LeveledWorkloadOptions {
  /** The client invokes no operation at or after this time, ms. */
  readonly untilMs: number;
  /** How long the client waits for an answer, ms. */
  readonly timeoutMs: number;
  /** A number no other client uses, so that every write has a value of its own. */
  readonly clientNumber: number;
  /** The level of each write: one level, or `'any'` for a level drawn per write. */
  readonly writeLevel: ConsistencyLevel | 'any';
  /** The level of each read, likewise. */
  readonly readLevel: ConsistencyLevel | 'any';
  /** Whether this client writes at all (half its operations); default true. A reader only reads. */
  readonly writes?: boolean;
  /** Longest pause between two operations, ms. Default 50. */
  readonly maxPauseMs?: number;
  /** Where to record every exchange, if anywhere. */
  readonly log?: Exchange[];
}

const LEVELS: readonly ConsistencyLevel[] = ['ONE', 'QUORUM', 'ALL'];

/** A client's mix of reads and writes at the given levels, sent to one node, until `untilMs`. Values never repeat. */
export async function leveledWorkload(c: ClientContext, node: NodeId, options: LeveledWorkloadOptions): Promise<void> {
  const level = (choice: ConsistencyLevel | 'any'): ConsistencyLevel =>
    choice === 'any' ? LEVELS[c.randomInt(0, 2)]! : choice;
  for (let i = 1; c.now() < options.untilMs; i++) {
    const write = options.writes !== false && c.randomInt(0, 1) === 0;
    const input: LeveledInput = write
      ? { f: 'write', value: options.clientNumber * 10_000 + i, level: level(options.writeLevel) }
      : { f: 'read', level: level(options.readLevel) };
    await leveledOperation(c, node, input, options);
    await c.sleep(c.randomInt(0, options.maxPauseMs ?? 50));
  }
}

/** One leveled operation of the history. */
type LeveledOperation = ReturnType<Simulation['history']>[number] & {
  readonly input: LeveledInput;
  readonly output?: RegisterOutput;
};

function leveledHistory(sim: Simulation): readonly LeveledOperation[] {
  return sim.history<LeveledInput, RegisterOutput>() as readonly LeveledOperation[];
}

/** Every write the clients attempted, with its level (for the stale-read check). */
export function writesOf(sim: Simulation): Array<Write & { readonly level: ConsistencyLevel }> {
  return leveledHistory(sim).flatMap((operation) =>
    operation.input.f === 'write'
      ? [
          {
            element: operation.input.value as number,
            status: operation.status,
            callMs: operation.callMs,
            returnMs: operation.returnMs,
            client: operation.clientId,
            level: operation.input.level,
          },
        ]
      : [],
  );
}

/** Every read that completed ok, with its level. */
export function readsOf(sim: Simulation): Array<RegisterRead & { readonly level: ConsistencyLevel }> {
  return leveledHistory(sim).flatMap((operation) =>
    operation.input.f === 'read' && operation.status === 'ok' && operation.returnMs !== null
      ? [
          {
            value: operation.output?.value ?? null,
            callMs: operation.callMs,
            returnMs: operation.returnMs,
            client: operation.clientId,
            level: operation.input.level,
          },
        ]
      : [],
  );
}

/**
 * The stale reads among reads that must see the writes before them: a read at level R must see every
 * write acknowledged at a level W with R + W > N.
 */
export function staleReadsWhereLevelsOverlap(sim: Simulation): StaleReadsVerdict {
  const n = sim.nodeIds.length;
  const levelOf = (record: object): ConsistencyLevel => (record as { readonly level: ConsistencyLevel }).level;
  return checkStaleReads({
    writes: writesOf(sim),
    reads: readsOf(sim),
    mustSee: (write, read) => overlaps(levelOf(write), levelOf(read), n),
  });
}

/** Each replica's version, as it keeps it in storage under VERSION_KEY (NEVER_WRITTEN when absent). */
export function versionsOf(sim: Simulation): Record<NodeId, Version> {
  return Object.fromEntries(
    sim.nodeIds.map((node) => [node, (sim.storageOf(node)[VERSION_KEY] as Version | undefined) ?? NEVER_WRITTEN]),
  );
}

/** Whether every replica keeps the same version. */
export function replicasAgree(sim: Simulation): boolean {
  const versions = Object.values(versionsOf(sim));
  return versions.every((version) => compareStamps(version.stamp, versions[0]!.stamp) === 0);
}

/** Who keeps what, e.g. `n1 keeps 10004; n2 and n3 keep 30012`. */
export function describeVersions(sim: Simulation): string {
  const byValue = new Map<string, NodeId[]>();
  for (const [node, version] of Object.entries(versionsOf(sim))) {
    const key = JSON.stringify(version.value);
    byValue.set(key, [...(byValue.get(key) ?? []), node]);
  }
  return [...byValue.entries()]
    .map(([value, nodes]) => `${nodes.join(', ')} ${nodes.length === 1 ? 'keeps' : 'keep'} ${value}`)
    .join('; ');
}

// ───────────────────────────── the CAP table ─────────────────────────────

/** One row of the CAP table: a pair of levels, and what the store did with them in the scripted run. */
export interface CapRow {
  readonly write: ConsistencyLevel;
  readonly read: ConsistencyLevel;
  /** R + W > N. */
  readonly overlapping: boolean;
  /** Ok-fractions during the partition: writes and reads, each side. `null`: none invoked. */
  readonly minorityWrites: number | null;
  readonly minorityReads: number | null;
  readonly majorityWrites: number | null;
  readonly majorityReads: number | null;
  readonly staleReads: number;
  readonly reads: number;
  /** `yes`, `no` (with why) or `unknown` (the checker's budget ran out). */
  readonly linearizable: string;
  readonly lostWrites: number;
  /** ms from the heal until every replica kept the same version; `null`: not within the run. */
  readonly convergedMs: number | null;
  /** Ok-fraction over time of each side (every operation), one value per window. */
  readonly overTime: {
    readonly minority: ReadonlyArray<number | null>;
    readonly majority: ReadonlyArray<number | null>;
  };
}

/** The scripted run's shape, for the table's measurement. */
export interface CapRun {
  readonly minority: AvailabilitySide;
  readonly majority: AvailabilitySide;
  readonly partition: { readonly fromMs: number; readonly toMs: number };
  /** The ok-fractions count the operations called from the partition's start until this, ms. */
  readonly measuredUntilMs: number;
  /** The windows of the chart's ok-fraction over time. */
  readonly chartWindowMs: number;
  readonly endMs: number;
}

/** Measures one row from a finished run (the final value is what the converged replicas keep). */
export function measureCapRow(
  sim: Simulation,
  levels: { readonly write: ConsistencyLevel; readonly read: ConsistencyLevel },
  run: CapRun,
  convergedMs: number | null,
): CapRow {
  const history = sim.history();
  const window = { name: 'during the partition', fromMs: run.partition.fromMs, toMs: run.measuredUntilMs };
  const fraction = (f: 'read' | 'write', side: AvailabilitySide): number | null =>
    checkAvailability({
      history: history.filter((operation) => (operation.input as RegisterInput).f === f),
      sides: [side],
      windows: [window],
    }).cells[0]!.okFraction;
  const windows = evenWindows(0, run.endMs, run.chartWindowMs);
  const overTime = (side: AvailabilitySide) =>
    checkAvailability({ history, sides: [side], windows }).cells.map((cell) => cell.okFraction);
  const stale = checkStaleReads({ writes: writesOf(sim), reads: readsOf(sim) });
  const final = Object.values(versionsOf(sim))[0]!.value;
  return {
    ...levels,
    overlapping: overlaps(levels.write, levels.read, sim.nodeIds.length),
    minorityWrites: fraction('write', run.minority),
    minorityReads: fraction('read', run.minority),
    majorityWrites: fraction('write', run.majority),
    majorityReads: fraction('read', run.majority),
    staleReads: stale.stale,
    reads: stale.reads,
    linearizable: stale.stale > 0 ? 'no (stale reads)' : linearizable(sim),
    lostWrites: checkConcurrentOverwrites({ writes: writesOf(sim), final }).lost,
    convergedMs,
    overTime: { minority: overTime(run.minority), majority: overTime(run.majority) },
  };
}

function linearizable(sim: Simulation): string {
  const history = withoutUnseenIndeterminateWrites(sim.history<RegisterInput, RegisterOutput>(), {
    written: (input) => (input.f === 'write' ? input.value : undefined),
    read: (input, output) => (input.f === 'read' ? output?.value : undefined),
  });
  const result = checkLinearizability(registerModel, history, { maxSteps: 2_000_000 });
  return result.verdict === 'ok' ? 'yes' : result.verdict === 'illegal' ? 'no' : 'unknown (budget)';
}

const percent = (fraction: number | null): string => (fraction === null ? '–' : fraction.toFixed(2));

/** The table in Markdown, one row per pair of levels. */
export function formatCapTable(rows: readonly CapRow[]): string {
  const header =
    '| write | read | R + W > N | ok-fraction in the partition, minority (writes / reads) | majority (writes / reads) | stale reads | linearizable | lost acknowledged writes | converged after the heal |';
  const rule = '| --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const lines = rows.map(
    (row) =>
      `| ${row.write} | ${row.read} | ${row.overlapping ? 'yes' : 'no'} | ${percent(row.minorityWrites)} / ${percent(row.minorityReads)} | ` +
      `${percent(row.majorityWrites)} / ${percent(row.majorityReads)} | ${row.staleReads} of ${row.reads} | ${row.linearizable} | ` +
      `${row.lostWrites} | ${row.convergedMs === null ? 'not yet' : `${row.convergedMs} ms`} |`,
  );
  return [header, rule, ...lines].join('\n');
}

/** The chart: each pair's ok-fraction over time, one chart per side. */
export function capCharts(rows: readonly CapRow[], run: CapRun): LineChartSpec[] {
  const windows = evenWindows(0, run.endMs, run.chartWindowMs);
  const x = windows.map((window) => window.fromMs / 1_000);
  const chart = (side: 'minority' | 'majority', name: string): LineChartSpec => ({
    kind: 'lines',
    title: `${name}: ok-fraction over time (partition from t=${run.partition.fromMs / 1_000} s to t=${run.partition.toMs / 1_000} s)`,
    xLabel: `virtual time (s), windows of ${run.chartWindowMs} ms`,
    yLabel: 'ok-fraction (oks / invokes)',
    x,
    series: rows.map((row) => ({ label: `W=${row.write}, R=${row.read}`, values: [...row.overTime[side]] })),
  });
  return [chart('minority', run.minority.name), chart('majority', run.majority.name)];
}
