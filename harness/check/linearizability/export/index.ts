/**
 * Exporters: histories recorded by the harness, written in the forms other checkers read.
 *
 * - {@link writeJepsenEdn}: Jepsen op maps, for Knossos, Elle or Jepsen (read back by `parseEdnHistory`
 *   in `harness/check/import`).
 * - {@link writePorcupineJson}: Porcupine's `Operation`s as JSON, for a Go test.
 *
 * `npm run check-history -- --convert edn|edn-vector|porcupine <file>` converts a file.
 *
 * @module
 */

export { ednCaveats, writeJepsenEdn, type EdnLayout, type EdnWriteOptions } from './jepsenEdn.ts';
export { writePorcupineJson, type PorcupineOperation } from './porcupineJson.ts';
