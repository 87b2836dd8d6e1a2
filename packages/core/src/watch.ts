/**
 * `watchManifest`: run {@link generateManifest} again whenever a file under the root changes.
 *
 * Node 20's own `fs.watch(root, { recursive: true })` is not used: on Linux it watches each file's
 * inode, so once a file is replaced by a rename (how editors save, and how writeFileAtomic writes)
 * its later edits and its deletion are never reported. chokidar re-watches a replaced file.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import chokidar from 'chokidar';
import { PushManifestError } from './errors.js';
import { generateManifest, type GenerateOptions, type GenerateResult } from './generate.js';
import { createCachingParser } from './crawl/cache.js';
import { createParserPool } from './crawl/pool.js';
import { cacheDirFor } from './crawl/speed.js';
import type { FileParser } from './crawl/types.js';

/** Options of {@link watchManifest}: those of a crawl, and how changes are gathered. */
export interface WatchOptions extends GenerateOptions {
  /** Quiet time after the last change before a run starts, in ms. Default 100. */
  debounceMs?: number;
  /**
   * Absolute files or folders whose changes never start a run: the manifest being written (its
   * temp files too) and the parse cache folder, which every run itself rewrites.
   */
  ignore?: string[];
}

/** Which run a result or an error belongs to. */
export interface WatchRun {
  /** 1 for the first run, then counting up. */
  run: number;
  /** Absolute paths whose changes started this run (empty for the first). */
  changed: string[];
}

/** Callbacks of {@link watchManifest}. */
export interface WatchHandlers {
  /** A run finished: write its manifest. A rejection is treated as the run's failure. */
  onResult(result: GenerateResult, run: WatchRun): Promise<void>;
  /** A run after the first failed (the root vanished, say); watching goes on. */
  onError(error: unknown, run: WatchRun): void;
  /** Called once, when the first run is done and changes are being watched. */
  onWatching?(): void;
  /** Aborting it stops watching: the run under way finishes (its result is handed over), then the promise resolves. */
  signal: AbortSignal;
}

/** Folders no site build should need watched: huge, and never crawled as pages. */
const NEVER_WATCHED = new Set(['node_modules', '.git']);

/** The state of one watch session; all of it, so that a session is easy to follow and to stop. */
interface WatchState {
  /** `waiting`: a change arrived and the debounce timer runs; `running`: a crawl is under way. */
  phase: 'idle' | 'waiting' | 'running';
  /** Paths changed since the last run started. */
  changed: Set<string>;
  timer: NodeJS.Timeout | undefined;
  /** When the first change of the current wait arrived: a steady stream of changes must not postpone a run forever. */
  waitingSince: number;
  /** The run under way, settled (never rejects). */
  current: Promise<void> | undefined;
  runs: number;
  stopped: boolean;
}

/** A predicate over absolute paths: true for the ignored files and folders, the temp files writeFileAtomic makes beside a file, and {@link NEVER_WATCHED}. */
function ignoredPaths(root: string, ignore: string[]): (path: string) => boolean {
  const entries = ignore.map((p) => resolve(p));
  return (path) => {
    const abs = resolve(path);
    for (const entry of entries) {
      if (abs === entry || abs.startsWith(entry + sep)) return true;
      if (dirname(abs) === dirname(entry) && basename(abs).startsWith(`.${basename(entry)}.`) && abs.endsWith('.tmp')) return true;
    }
    if (abs.length > root.length && abs.startsWith(root + sep)) {
      return abs.slice(root.length + 1).split(sep).some((part) => NEVER_WATCHED.has(part));
    }
    return false;
  };
}

/**
 * Crawl `options.root` now, then again after each burst of changes under it (debounced by
 * `debounceMs`), handing every result to `onResult` until `signal` aborts. One parser pool (worker
 * threads) serves the whole session, and each run goes through the parse cache when `cache` is set,
 * so a rerun parses only the files that changed.
 *
 * The first run's failure rejects the returned promise (nothing is watched then); a later run's
 * failure goes to `onError` and watching goes on. Runs never overlap: changes during a run start
 * one more run after it.
 */
export async function watchManifest(options: WatchOptions, handlers: WatchHandlers): Promise<void> {
  const { debounceMs = 100, ignore = [], ...generate } = options;
  if (!Number.isFinite(debounceMs) || debounceMs < 0) {
    throw new PushManifestError('BAD_OPTION', `debounceMs must be a number of ms, got ${debounceMs}`);
  }
  if (generate.threads !== undefined && (!Number.isInteger(generate.threads) || generate.threads < 1)) {
    throw new PushManifestError('BAD_OPTION', `threads must be a positive whole number, got ${generate.threads}`);
  }
  const root = resolve(generate.root);
  const { signal } = handlers;
  const pool = createParserPool({ ...(generate.threads === undefined ? {} : { threads: generate.threads }), mainThreadParses: true });
  // Each run's graph closes its parser at the end; the session's pool must outlive the runs.
  const sessionParser: FileParser = {
    parse: (kind, path) => pool.parse(kind, path),
    parseBytes: (kind, path, bytes) => pool.parseBytes!(kind, path, bytes),
    takeText: (result) => pool.takeText!(result),
  };
  const cacheDir = generate.parser ? undefined : cacheDirFor(generate.cache);
  const state: WatchState = { phase: 'idle', changed: new Set(), timer: undefined, waitingSince: 0, current: undefined, runs: 0, stopped: false };

  const crawl = async (run: WatchRun): Promise<void> => {
    const parser = generate.parser ?? (cacheDir === undefined ? sessionParser : await createCachingParser(sessionParser, { dir: cacheDir, root }));
    const result = await generateManifest({ ...generate, parser });
    await handlers.onResult(result, run);
  };

  const start = () => {
    state.timer = undefined;
    state.phase = 'running';
    const run: WatchRun = { run: ++state.runs, changed: [...state.changed].sort() };
    state.changed.clear();
    state.current = crawl(run)
      .catch((error: unknown) => handlers.onError(error, run))
      .finally(() => {
        state.current = undefined;
        state.phase = 'idle';
        if (state.changed.size > 0 && !state.stopped) schedule();
      });
  };

  const schedule = () => {
    const now = performance.now();
    if (state.phase !== 'waiting') state.waitingSince = now;
    state.phase = 'waiting';
    clearTimeout(state.timer);
    // Past ten quiet periods of waiting, run anyway: the run's end picks up whatever came meanwhile.
    const wait = Math.max(0, Math.min(debounceMs, state.waitingSince + 10 * debounceMs - now));
    state.timer = setTimeout(start, wait);
  };

  const onChange = (path: string) => {
    if (state.stopped) return;
    state.changed.add(resolve(path));
    if (state.phase !== 'running') schedule();
  };

  const startWatcher = () => {
    const w = chokidar.watch(root, { ignoreInitial: true, ignored: ignoredPaths(root, ignore), followSymlinks: false });
    w.on('all', (_event, path) => onChange(path));
    // A watcher error (a folder removed while being read) must not end the session; the next change still counts.
    w.on('error', () => undefined);
    return w;
  };
  let watcher = startWatcher();
  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));
  // Once the root is removed the watcher has nothing left to watch (and nothing keeps the process
  // alive): check each second, and when the root is back, watch it anew and run.
  let rootThere = true;
  const rootCheck = setInterval(() => {
    const there = existsSync(root);
    if (there && !rootThere && !state.stopped) {
      void watcher.close();
      watcher = startWatcher();
      onChange(root);
    }
    rootThere = there;
  }, 1000);

  try {
    // The first run goes as a plain generate would: its failure is the caller's (exit 2 in the CLI).
    state.phase = 'running';
    state.runs = 1;
    await crawl({ run: 1, changed: [] });
    await ready;
    if (signal.aborted) return;
    state.phase = 'idle';
    if (state.changed.size > 0) schedule();
    handlers.onWatching?.();
    await new Promise<void>((done) => signal.addEventListener('abort', () => done(), { once: true }));
  } finally {
    state.stopped = true;
    clearTimeout(state.timer);
    clearInterval(rootCheck);
    await state.current;
    await watcher.close();
    await pool.close();
  }
}
