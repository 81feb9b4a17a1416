import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findExercises } from '../lib/exercises.ts';
import { findStubSources, writeStubPatch } from '../lib/stubs.ts';
import { carryForward } from './carry.ts';
import { temporaryWorkshop } from './test-fixtures.ts';

const first = 'exercises/05-consensus/01-leader-election';
const second = 'exercises/05-consensus/02-log-replication';

/** The reference solution of 5.1: an election and a heartbeat, far enough apart to change one without the other. */
const SOLUTION_1 = [
  'export class RaftNode {',
  '  startElection(): void {',
  '    this.currentTerm += 1;',
  '  }',
  '',
  '  // helpers',
  '  majority(): number {',
  '    return 2;',
  '  }',
  '',
  '  sendHeartbeats(): void {',
  '    this.send([]);',
  '  }',
  '}',
  '',
].join('\n');

/** The 5.2 stub: the 5.1 solution with the heartbeat turned into a to-do. */
const STUB_2 = SOLUTION_1.replace('    this.send([]);', "    todo('send every entry from nextIndex on');");

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A workshop with exercises 5.1 and 5.2, 5.2's stub stored as a patch against 5.1's solution. */
function workshop(learnersFirst: string): string {
  const root = temporaryWorkshop({
    [`${first}/exercise.json`]: '{ "learnerFiles": ["raft.ts"] }\n',
    [`${first}/raft.ts`]: learnersFirst,
    [`${second}/exercise.json`]:
      '{ "learnerFiles": ["raft.ts"], "stub": { "from": "05-consensus/01-leader-election" } }\n',
    [`${second}/raft.ts`]: STUB_2,
    'solutions/05-consensus/01-leader-election/raft.ts': SOLUTION_1,
  });
  roots.push(root);
  const [source] = findStubSources(findExercises(root));
  mkdirSync(path.dirname(path.join(root, source!.patch)), { recursive: true });
  writeFileSync(path.join(root, source!.patch), writeStubPatch(source!, SOLUTION_1, STUB_2));
  return root;
}

function carry(root: string) {
  const exercises = findExercises(root);
  const [result] = carryForward(
    root,
    exercises.find((exercise) => exercise.id === '05-consensus/02-log-replication')!,
    exercises,
    new Date('2025-03-04T05:06:07Z'),
  );
  return { result: result!, merged: readFileSync(path.join(root, second, 'raft.ts'), 'utf8') };
}

describe('carry', () => {
  test("keeps the learner's own 5.1 code in 5.2 and adds the stub's new to-do", () => {
    const mine = SOLUTION_1.replace('    this.currentTerm += 1;', '    this.currentTerm += 1; // my own election');
    const root = workshop(mine);
    const { result, merged } = carry(root);
    expect(result.conflicts, 'the learner and the stub changed different lines').toBe(0);
    expect(merged, "the learner's own election code is in 5.2").toContain('this.currentTerm += 1; // my own election');
    expect(merged, "the stub's new to-do is in 5.2").toContain("todo('send every entry from nextIndex on');");
    expect(merged, 'the merge is exactly both changes').toBe(
      STUB_2.replace('    this.currentTerm += 1;', '    this.currentTerm += 1; // my own election'),
    );
    expect(readFileSync(path.join(root, result.savedTo!), 'utf8'), 'the 5.2 file as it was is saved first').toBe(
      STUB_2,
    );
  });

  test('a line both changed becomes a conflict with markers naming the three sides, and nothing is lost', () => {
    const mine = SOLUTION_1.replace('    this.send([]);', '    this.send([]); // my heartbeat');
    const root = workshop(mine);
    writeFileSync(path.join(root, second, 'raft.ts'), '// my first try at 5.2\n');
    const { result, merged } = carry(root);
    expect(result.conflicts, 'one place needs the learner').toBe(1);
    expect(merged, 'the conflict shows all three versions').toContain(
      [
        `<<<<<<< your ${first}/raft.ts`,
        '    this.send([]); // my heartbeat',
        '||||||| reference solution solutions/05-consensus/01-leader-election/raft.ts',
        '    this.send([]);',
        '=======',
        "    todo('send every entry from nextIndex on');",
        '>>>>>>> stub of 05-consensus/02-log-replication',
      ].join('\n'),
    );
    expect(readFileSync(path.join(root, result.savedTo!), 'utf8'), 'the earlier 5.2 attempt is saved').toBe(
      '// my first try at 5.2\n',
    );
    expect(
      readdirSync(path.join(root, '.kata', 'saved', '05-consensus', '02-log-replication')),
      'one saved copy',
    ).toHaveLength(1);
    expect(readFileSync(path.join(root, first, 'raft.ts'), 'utf8'), "the learner's 5.1 file is untouched").toBe(mine);
  });

  test('an exercise whose stub does not build on another cannot be carried into', () => {
    const root = workshop(SOLUTION_1);
    const exercises = findExercises(root);
    expect(() => carryForward(root, exercises[0]!, exercises), 'names the reason').toThrow(
      /does not build on an earlier exercise/,
    );
  });
});
