/**
 * `npm run classroom -- <command>`: the instructor's tools: a learner's copy of the workshop without
 * the solutions (`student-copy`), a known mistake shown to the room (`demo`), and the class's progress
 * board from the learners' reports (`board`). `npm run classroom -- --help` lists them; the code is in
 * `scripts/classroom/`.
 */
import { repositoryRoot } from './lib/exercises.ts';
import { runClassroom } from './classroom/cli.ts';

process.exitCode = await runClassroom(process.argv.slice(2), repositoryRoot);
