// @ts-check
// The page script imports the trace's *types* from harness/trace.ts, whose hash function uses
// node:crypto. The browser program has no Node types, so `tsconfig.json` maps node:crypto to this
// stand-in. It is never bundled or run. (A .js file, so the repository's Node program skips it.)

/**
 * @param {string} algorithm
 * @returns {{ update(data: string): unknown, digest(encoding: 'hex'): string }}
 */
export function createHash(algorithm) {
  throw new Error(`node:crypto (${algorithm}) is not available in the browser`);
}
