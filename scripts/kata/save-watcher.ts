/**
 * Hears every save of a TypeScript file under one folder, however the editor saves it.
 *
 * Many editors save atomically: they write a temporary file and rename it over the old one (vim,
 * Emacs and JetBrains editors do by default). `fs.watch(folder, { recursive: true })` on Linux with
 * Node 20 watches the file it first saw, so after the first rename it hears nothing more. chokidar (the
 * watcher most JavaScript tools use) follows renames. Its native mode still misses a second rename that
 * lands while it is re-attaching to the new file (two saves 50 ms apart lose the second), so it polls:
 * every {@link POLL_INTERVAL_MS} it compares each file's stats, and a rename always changes them. An
 * exercise folder holds a handful of files, so polling costs next to nothing.
 *
 * @module
 */
import { watch } from 'chokidar';

/** How long to wait after the last change before calling back: editors save in bursts. */
export const SAVE_DEBOUNCE_MS = 200;
/** How often the files are looked at. */
export const POLL_INTERVAL_MS = 100;
/** How long after chokidar's `ready` every file has had its first poll, with room for a busy machine. */
const FIRST_POLL_WAIT_MS = 5 * POLL_INTERVAL_MS;

/** A running watch. */
export interface SaveWatcher {
  /** Resolves once the folder is being watched: saves before it may be missed. */
  readonly ready: Promise<void>;
  /** Stops watching; no callback comes after it resolves. */
  close(): Promise<void>;
}

/**
 * Calls `onSave` once after each burst of changes to `.ts` files under `folder` (created, changed,
 * replaced by a rename, or deleted). Temporary files that editors write on the way (`echo.ts.swp`,
 * `echo.ts~`, `echo.ts___jb_tmp___`) do not end in `.ts` and are not heard.
 */
export function watchForSaves(folder: string, onSave: () => void, debounceMs = SAVE_DEBOUNCE_MS): SaveWatcher {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const watcher = watch(folder, {
    ignoreInitial: true,
    usePolling: true,
    interval: POLL_INTERVAL_MS,
    binaryInterval: POLL_INTERVAL_MS,
    ignored: (file, stats) => stats?.isFile() === true && !file.endsWith('.ts'),
  });
  const heard = (file: string) => {
    if (closed || !file.endsWith('.ts')) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (!closed) onSave();
    }, debounceMs);
  };
  watcher.on('add', heard).on('change', heard).on('unlink', heard);
  // chokidar is ready once it has listed the folder, but each file's first poll (the stats later ones
  // compare with) comes up to an interval later: a save before it goes unheard. So ready waits that out.
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => setTimeout(resolve, FIRST_POLL_WAIT_MS)));
  return {
    ready,
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      await watcher.close();
    },
  };
}
