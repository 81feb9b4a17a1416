/**
 * `npm run bench`: speed figures, measured, never asserted in tests. Same code, same machine: compare
 * runs with each other. Each suite prints its figures as a table.
 */
import { chaptersBench } from './bench/chapters.ts';
import { checkerBench } from './bench/checker.ts';
import { simulatorBench } from './bench/simulator.ts';
import type { BenchSuite } from './bench/types.ts';

const suites: readonly BenchSuite[] = [simulatorBench, checkerBench, chaptersBench];

function format(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
}

const only = process.argv[2];
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const suite of suites) {
  if (only !== undefined && !suite.title.toLowerCase().includes(only.toLowerCase())) continue;
  console.log(`\n${suite.title}`);
  for (const figure of await suite.run()) {
    console.log(
      `  ${figure.name.padEnd(56)} ${format(figure.value).padStart(14)} ${figure.unit.padEnd(13)} ${figure.detail ?? ''}`,
    );
  }
}
