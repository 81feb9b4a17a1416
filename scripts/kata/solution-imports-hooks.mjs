// Module hooks for solution-imports.mjs: a relative import from a file under solutions/ that does not
// resolve there is resolved from the same place under exercises/ (where the given code lives).
import { URL } from 'node:url';

const solutions = new URL('../../solutions/', import.meta.url).href;
const exercises = new URL('../../exercises/', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const parent = context.parentURL;
    if (parent === undefined || !parent.startsWith(solutions) || !specifier.startsWith('.')) throw error;
    return nextResolve(new URL(specifier, exercises + parent.slice(solutions.length)).href, context);
  }
}
