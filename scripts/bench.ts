/**
 * `npm run bench`: speed figures, measured, never asserted in tests. Same code, same machine: compare
 * runs with each other. Each suite prints its figures as a table. `npm run bench -- <word>` runs only
 * the suites whose module name holds the word (e.g. `kata`); a suite is loaded only when it
 * runs, so one suite's imports cannot stop another.
 */
import type { BenchSuite } from './bench/types.ts';

const suites: ReadonlyArray<{ readonly name: string; readonly load: () => Promise<BenchSuite> }> = [
  { name: 'simulator', load: async () => (await import('./bench/simulator.ts')).simulatorBench },
  { name: 'checker', load: async () => (await import('./bench/checker.ts')).checkerBench },
  { name: 'chapters', load: async () => (await import('./bench/chapters.ts')).chaptersBench },
  { name: 'kata', load: async () => (await import('./bench/kata.ts')).kataBench },
];

function format(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
}

const only = process.argv[2]?.toLowerCase();
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const { name, load } of suites) {
  if (only !== undefined && !name.includes(only)) continue;
  const suite = await load();
  console.log(`\n${suite.title}`);
  for (const figure of await suite.run()) {
    console.log(
      `  ${figure.name.padEnd(56)} ${format(figure.value).padStart(14)} ${figure.unit.padEnd(13)} ${figure.detail ?? ''}`,
    );
  }
}
