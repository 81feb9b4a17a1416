/**
 * How the bench measures: the kinds it compares run in turns (A, B, A, B, ...) after a warm-up round,
 * so that a later kind does not run in a warmer process or a quieter machine than an earlier one, and
 * each figure is reported as its best and its median run.
 */
import os from 'node:os';
import type { BenchFigure, BenchGoal } from './types.ts';

/** One way of doing the work, measured once per call: returns the figure (a time, a rate...). */
export type Measure<Sample> = () => Promise<Sample> | Sample;

/**
 * Runs every kind once per round, in the same order, for `rounds` rounds after `warmupRounds` rounds
 * whose samples are thrown away. Returns each kind's samples, in round order.
 */
export async function interleaved<Kind extends string, Sample>(
  kinds: Readonly<Record<Kind, Measure<Sample>>>,
  rounds: number,
  warmupRounds = 1,
): Promise<Record<Kind, Sample[]>> {
  const names = Object.keys(kinds) as Kind[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as Sample[]])) as Record<Kind, Sample[]>;
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const name of names) {
      const sample = await kinds[name]();
      if (round >= warmupRounds) samples[name].push(sample);
    }
  }
  return samples;
}

/** The smallest and the median of some values. */
export function minAndMedian(values: readonly number[]): { readonly min: number; readonly median: number } {
  if (values.length === 0) throw new Error('no samples to summarise');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median };
}

/** The largest and the median of some values: for rates, where more is better. */
export function maxAndMedian(values: readonly number[]): { readonly max: number; readonly median: number } {
  const { min, median } = minAndMedian(values.map((value) => -value));
  return { max: -min, median: -median };
}

/**
 * A ratio measured round by round: `numerators[i] / denominators[i]` (two kinds measured in the same
 * round), reported as the smallest and the median. With a goal `≤ limit`, the goal is met when the
 * median is within it.
 */
export function ratioFigure(
  name: string,
  numerators: readonly number[],
  denominators: readonly number[],
  limit: number | undefined,
  detail?: string,
): BenchFigure {
  const ratios = numerators.map((numerator, round) => numerator / denominators[round]!);
  const { min, median } = minAndMedian(ratios);
  const goal: BenchGoal | undefined = limit === undefined ? undefined : { text: `≤ ${limit}x`, met: median <= limit };
  return { name, value: round2(min), median: round2(median), unit: 'x', goal, detail };
}

/** Rounds to two decimals, for printing. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** `load average 5.1 4.2 3.0 (1, 5, 15 min) on 2 cores`: how busy the machine was. */
export function loadAverageLine(): string {
  const [one, five, fifteen] = os.loadavg().map((load) => load.toFixed(2));
  return `load average ${one} ${five} ${fifteen} (1, 5, 15 min) on ${os.availableParallelism()} cores`;
}
