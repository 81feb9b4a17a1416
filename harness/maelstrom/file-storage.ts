/**
 * Durable storage as one JSON file per node, written atomically.
 *
 * @module
 */

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DurableStorage } from '../node.ts';

/**
 * A node's {@link DurableStorage} in `<directory>/<nodeId>.json`. Every `set` and `delete` rewrites the
 * file the safe way: a temporary file, `fsync`, `rename` over the old one, `fsync` of the folder. A
 * crash at any moment leaves either the old file or the new one, never half of one. Durable as soon as
 * `set` returns, as the interface promises.
 */
export class FileStorage implements DurableStorage {
  readonly #file: string;
  readonly #values: Map<string, unknown>;

  constructor(directory: string, nodeId: string) {
    if (!/^[\w.-]+$/.test(nodeId)) throw new Error(`node id ${JSON.stringify(nodeId)} cannot name a file`);
    mkdirSync(directory, { recursive: true });
    this.#file = path.join(directory, `${nodeId}.json`);
    this.#values = new Map(Object.entries(readValues(this.#file)));
  }

  /** The file this storage lives in. */
  get file(): string {
    return this.#file;
  }

  get<T = unknown>(key: string): T | undefined {
    const value = this.#values.get(key);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  set(key: string, value: unknown): void {
    this.#values.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    this.#write();
  }

  delete(key: string): void {
    if (this.#values.delete(key)) this.#write();
  }

  keys(): string[] {
    return [...this.#values.keys()].sort();
  }

  #write(): void {
    const temporary = `${this.#file}.tmp`;
    const descriptor = openSync(temporary, 'w');
    try {
      writeSync(descriptor, JSON.stringify(Object.fromEntries(this.#values)));
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, this.#file);
    const folder = openSync(path.dirname(this.#file), 'r');
    try {
      fsyncSync(folder); // the rename itself is durable only once the folder is
    } finally {
      closeSync(folder);
    }
  }
}

function readValues(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {}; // first start: nothing stored yet
  }
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${file} does not hold a storage object`);
  return parsed as Record<string, unknown>;
}
