/**
 * `npm run kata -- <verb>`: the learner's companion. Progress per exercise, watch mode, one hint at a
 * time, the solution as a diff (on request), a reset that never loses work, replays and a report.
 * `npm run kata -- --help` lists the verbs; the code is in `scripts/kata/`.
 */
import { repositoryRoot } from './lib/exercises.ts';
import { processContext, runKata } from './kata/cli.ts';

process.exitCode = await runKata(process.argv.slice(2), processContext(repositoryRoot));
