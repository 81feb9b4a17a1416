import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { watchForSaves, type SaveWatcher } from './save-watcher.ts';
import { temporaryWorkshop } from './test-fixtures.ts';

/** Waits until `condition` holds, polling; gives up after `limitMs` of real time (a hang guard, not a speed test). */
async function eventually(condition: () => boolean, limitMs = 10_000): Promise<boolean> {
  for (let waitedMs = 0; waitedMs < limitMs; waitedMs += 25) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

/** Saves the way vim, Emacs and JetBrains editors do: write a temporary file, then rename it over the old one. */
function atomicSave(file: string, content: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

describe('hearing saves', () => {
  let watcher: SaveWatcher | null = null;
  let root = '';
  afterEach(async () => {
    await watcher?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('hears every atomic save, not only the first', async () => {
    root = temporaryWorkshop({ 'echo/echo.ts': 'export const version = 0;\n' });
    const file = path.join(root, 'echo', 'echo.ts');
    let saves = 0;
    watcher = watchForSaves(path.join(root, 'echo'), () => saves++, 20);
    await watcher.ready;
    for (let version = 1; version <= 3; version++) {
      atomicSave(file, `export const version = ${version};\n`);
      expect(await eventually(() => saves >= version), `atomic save ${version} is heard (heard ${saves})`).toBe(true);
    }
  });

  test('hears plain writes too, and ignores files that are not TypeScript', async () => {
    root = temporaryWorkshop({ 'echo/echo.ts': 'export const version = 0;\n' });
    let saves = 0;
    watcher = watchForSaves(path.join(root, 'echo'), () => saves++, 20);
    await watcher.ready;
    writeFileSync(path.join(root, 'echo', 'notes.txt'), 'not code\n');
    writeFileSync(path.join(root, 'echo', 'echo.ts.swp'), 'swap file\n');
    writeFileSync(path.join(root, 'echo', 'echo.ts'), 'export const version = 1;\n');
    expect(await eventually(() => saves >= 1), 'the write is heard').toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(saves, 'one burst of changes, one rerun; the other files are not heard').toBe(1);
  });
});
