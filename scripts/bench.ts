/**
 * `npm run bench`: speed figures, measured, never asserted in tests. Same code, same machine: compare
 * runs with each other. Each suite prints its figures as a table: the best run and the median, the goal
 * where there is one and whether this run met it, and the machine's load average (a busy machine slows
 * every figure; ratios of kinds measured in turns suffer least). `npm run bench -- <word>` runs only
 * the suites whose module name holds the word (e.g. `kata`); a suite is loaded only when it
 * runs, so one suite's imports cannot stop another.
 */
import { loadAverageLine } from './bench/sampling.ts';
import type { BenchFigure, BenchSuite } from './bench/types.ts';

const suites: ReadonlyArray<{ readonly name: string; readonly load: () => Promise<BenchSuite> }> = [
  { name: 'simulator', load: async () => (await import('./bench/simulator.ts')).simulatorBench },
  { name: 'checker', load: async () => (await import('./bench/checker.ts')).checkerBench },
  { name: 'chapters', load: async () => (await import('./bench/chapters.ts')).chaptersBench },
  { name: 'kata', load: async () => (await import('./bench/kata.ts')).kataBench },
];

function format(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
}

function printFigure(figure: BenchFigure): void {
  const median = figure.median === undefined ? '' : format(figure.median);
  const goal = figure.goal === undefined ? '' : `goal ${figure.goal.text}: ${figure.goal.met ? 'met' : 'NOT MET'}`;
  console.log(
    `  ${figure.name.padEnd(56)} ${format(figure.value).padStart(12)} ${median.padStart(12)} ${figure.unit.padEnd(13)}` +
      ` ${goal.padEnd(34)} ${figure.detail ?? ''}`,
  );
}

const only = process.argv[2]?.toLowerCase();
console.log(`node ${process.version}, ${process.platform}/${process.arch}; ${loadAverageLine()}`);
console.log('Each figure: the best run, then the median; kinds compared are measured in turns (A, B, A, B, ...).');
for (const { name, load } of suites) {
  if (only !== undefined && !name.includes(only)) continue;
  const suite = await load();
  console.log(`\n${suite.title}`);
  console.log(`  ${''.padEnd(56)} ${'best'.padStart(12)} ${'median'.padStart(12)}`);
  for (const figure of await suite.run()) printFigure(figure);
  console.log(`  (${loadAverageLine()})`);
}
