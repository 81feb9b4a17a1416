// Loaded with `node --import tsx --import ./scripts/kata/solution-imports.mjs` by `npm run bench` and by the executables
// `kata maelstrom --solution` writes: a reference solution imports the exercise's given code (its
// `protocol.ts`, `../_given/...`) by the path it has in the exercise's folder, as the tests' solution
// redirect lets it. This does the same for a plain Node process.
import { register } from 'node:module';

register('./solution-imports-hooks.mjs', import.meta.url);
