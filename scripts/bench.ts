/**
 * `npm run bench`: speed figures, measured, never asserted in tests. Same code, same machine: compare
 * runs with each other. Each suite prints its figures as a table.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchSuite } from './bench/types.ts';
import { simulatorBench } from './bench/simulator.ts';

async function loadSuites(): Promise<BenchSuite[]> {
  const suites: BenchSuite[] = [simulatorBench];
  // Suites that live beside the checkers and chapters, loaded when present.
  const optional: Array<[string, string]> = [['./bench/checker.ts', 'checkerBench'], ['./bench/chapters.ts', 'chaptersBench']];
  for (const [file, exportName] of optional) {
    if (!existsSync(path.join(import.meta.dirname, file))) continue;
    const module = (await import(file)) as Record<string, BenchSuite | undefined>;
    const suite = module[exportName];
    if (suite !== undefined) suites.push(suite);
  }
  return suites;
}

function format(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
}

const only = process.argv[2];
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const suite of await loadSuites()) {
  if (only !== undefined && !suite.title.toLowerCase().includes(only.toLowerCase())) continue;
  console.log(`\n${suite.title}`);
  for (const figure of await suite.run()) {
    console.log(`  ${figure.name.padEnd(56)} ${format(figure.value).padStart(14)} ${figure.unit.padEnd(13)} ${figure.detail ?? ''}`);
  }
}
