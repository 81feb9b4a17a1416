/**
 * Run in a learner's copy of the workshop in place of each npm script that needs the reference
 * solutions (`npm run classroom -- student-copy` writes the copy): it says why the script cannot run
 * there and what to run instead, and exits with 1.
 */
import { refusalMessage } from './classroom/copy-scripts.ts';

console.error(refusalMessage(process.argv[2] ?? 'this script'));
process.exitCode = 1;
