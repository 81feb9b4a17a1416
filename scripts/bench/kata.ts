/**
 * Kata figures: how long `npm run kata` (the status) takes for a learner, in three cases.
 *
 * - cold: no remembered results, so every exercise's tests run (a learner's first status);
 * - nothing changed: every result is remembered and every input hash matches, so no test runs (target:
 *   at most 2 s, tsx start-up included);
 * - one file changed: the learner saved echo.ts, so only echo's tests run.
 *
 * Each figure is the wall time; the detail gives the CPU time the command used (processes it started
 * included), which a busy machine does not inflate: on a shared machine the wall time can be several
 * times the CPU time.
 *
 * Measured on a copy of the workshop in a temporary folder (with `node_modules` linked), so the
 * bench never touches the progress in your own `.kata/`. Each case is the whole command, spawned as
 * `npm run kata` would run it.
 *
 * Run standalone with `npx tsx scripts/bench/kata.ts`.
 */
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repositoryRoot } from '../lib/exercises.ts';
import { spawnAndCollect } from '../lib/vitest-run.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

/** What the copy needs: everything the tests and the kata command read. */
const COPIED = [
  'exercises',
  'harness',
  'scripts',
  'solutions',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'vitest.config.ts',
];

/** The target for a status when nothing changed, in seconds. */
const UNCHANGED_TARGET_S = 2;

function copyWorkshop(): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'kata-bench-'));
  for (const entry of COPIED) cpSync(path.join(repositoryRoot, entry), path.join(copy, entry), { recursive: true });
  symlinkSync(path.join(repositoryRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

/**
 * The CPU seconds used so far by this process's finished children and their descendants (Linux:
 * `cutime` and `cstime` of `/proc/self/stat`, in clock ticks of 1/100 s), or `null` elsewhere.
 */
function childrenCpuSeconds(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces), starting at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / 100;
}

/** Runs `kata status` in `root`; resolves with its wall and CPU time in seconds. Throws when it fails. */
async function timeStatus(root: string): Promise<{ wallS: number; cpuS: number | null }> {
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const { exitCode, output } = await spawnAndCollect(process.execPath, [tsx, 'scripts/kata.ts', 'status'], root);
  const wallS = (performance.now() - started) / 1_000;
  const cpuAfter = childrenCpuSeconds();
  if (exitCode !== 0) throw new Error(`kata status failed (exit ${exitCode}):\n${output.slice(-2_000)}`);
  const round = (seconds: number) => Math.round(seconds * 100) / 100;
  return { wallS: round(wallS), cpuS: cpuBefore === null || cpuAfter === null ? null : round(cpuAfter - cpuBefore) };
}

function cpuDetail(time: { cpuS: number | null }): string {
  return time.cpuS === null ? 'CPU time not measured here' : `${time.cpuS} s of CPU`;
}

/** The kata bench suite. */
export const kataBench: BenchSuite = {
  title: 'Kata: status time for a learner (cold, nothing changed, one file changed)',
  async run(): Promise<BenchFigure[]> {
    const root = copyWorkshop();
    try {
      const cold = await timeStatus(root);
      const unchanged = await timeStatus(root);
      appendFileSync(path.join(root, 'exercises', '01-message-passing', '01-echo', 'echo.ts'), '\n// saved again\n');
      const oneChanged = await timeStatus(root);
      return [
        {
          name: 'kata status, cold (every exercise runs its tests)',
          value: cold.wallS,
          unit: 's',
          detail: `${cpuDetail(cold)}; on the stubs, a learner sees this once`,
        },
        {
          name: 'kata status, nothing changed (every result reused)',
          value: unchanged.wallS,
          unit: 's',
          detail:
            `${cpuDetail(unchanged)}; target <= ${UNCHANGED_TARGET_S} s` +
            (unchanged.wallS > UNCHANGED_TARGET_S ? ' (over it: is the machine busy? compare the CPU time)' : ''),
        },
        {
          name: 'kata status, echo.ts saved (only echo runs)',
          value: oneChanged.wallS,
          unit: 's',
          detail: `${cpuDetail(oneChanged)}; vitest start-up plus one exercise`,
        },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const figure of await kataBench.run())
    console.log(`${figure.name}: ${figure.value} ${figure.unit} (${figure.detail ?? ''})`);
}
