/**
 * `@push-manifest/core/bundle-loader`: the bundle step (`@push-manifest/core/bundle`), loaded when
 * a build needs it, and run on a worker thread. A bundler loads its config, and with it every
 * plugin module, before it starts building; the step's modules (zod for the options, parse5 and
 * css-tree for the crawl) cost more to load than a plugin's hook costs to run, and a config is
 * also imported where nothing is built (`vite dev`). Loaded in the build on the bundler's thread,
 * they still lengthen the build by their load (that thread is busy for the whole build), so a
 * plugin starts the step's worker once a build starts ({@link BundleStepLoader.start}): the step
 * loads there, on another core, and the plugin posts it the bundle as plain data
 * ({@link BundleStepLoader.run}). Where no worker can run (it fails to start, the options cannot
 * be posted, `PUSH_MANIFEST_WORKER=0`), the same code runs in this thread instead.
 *
 * Only types, the errors and Node's `worker_threads` are imported statically: importing this
 * module loads nothing else.
 */
import type { BundleJob, BundleJobReader, BundleJobResult } from './job.js';
import type { ResolvedBundleOptions } from './options.js';
import { StepWorker, WorkerUnavailable } from './worker-client.js';

/** The `@push-manifest/core/bundle` module. */
export type BundleStep = typeof import('./index.js');

export type { BundleJob, BundleJobEntrypoint, BundleJobFile, BundleJobPages, BundleJobReader, BundleJobResult } from './job.js';
export { sentWhole } from './job.js';

/** One plugin instance's bundle step: its options, and its jobs, on the step's worker once started. */
export interface BundleStepLoader {
  /**
   * Start the step's worker, which begins loading the step at once. Call it as early in a build
   * as the bundler allows; a no-op while one runs. Without it, everything runs in this thread.
   */
  start(): void;
  /** Stop the worker (at a build's end, so it holds no thread); a later {@link start} starts another. */
  stop(): void;
  /**
   * The plugin's options, validated with zod (in the worker if started, else loaded here on the
   * first call). Rejects with PushManifestError `BAD_OPTION` naming the plugin and the option, as
   * `resolveBundleOptions` throws. Later calls return the same promise.
   */
  options(): Promise<ResolvedBundleOptions>;
  /** The bundle step's module, loaded in this thread (with the crawler and its parsers) on the first call. */
  step(): Promise<BundleStep>;
  /**
   * The manifest of a bundle: `runBundleJob` in the worker, or in this thread if the worker is
   * not running or stops. `read` answers for the files the job sent by size only.
   */
  run(job: BundleJob, options: ResolvedBundleOptions, read: BundleJobReader): Promise<BundleJobResult>;
}

/** The worker's script: next to this module in the build (the TypeScript sources under test have none, and fall back). */
const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * A loader for one plugin instance: `plugin` names the plugin in option errors, `raw` is the
 * options as the user passed them. Nothing loads and no worker starts until a method is called.
 */
export function bundleStepLoader(plugin: string, raw: unknown): BundleStepLoader {
  let options: Promise<ResolvedBundleOptions> | undefined;
  let step: Promise<BundleStep> | undefined;
  let worker: StepWorker | undefined;
  // A worker that failed before answering anything will fail again (no script, no threads): not retried.
  let unavailable = process.env['PUSH_MANIFEST_WORKER'] === '0';
  const loadStep = () => (step ??= started(import('./index.js')));
  const inThreadOptions = () => import('./options.js').then((module) => module.resolveBundleOptions(plugin, raw));

  /** `body` answered by the worker, or `inThread()` if the worker cannot answer it. */
  const viaWorker = async <T>(body: Parameters<StepWorker['request']>[0], read: BundleJobReader | undefined, inThread: () => Promise<T>): Promise<T> => {
    const running = worker?.running ? worker : undefined;
    if (running === undefined) return inThread();
    try {
      return (await running.request(body, read)) as T;
    } catch (error) {
      if (!(error instanceof WorkerUnavailable)) throw error;
      if (error.broken) unavailable = true;
      return inThread();
    }
  };

  return {
    start() {
      if (unavailable || worker?.running) return;
      try {
        worker = new StepWorker(WORKER_URL);
      } catch {
        unavailable = true;
      }
    },
    stop() {
      worker?.terminate();
      worker = undefined;
    },
    options() {
      options ??= started(viaWorker({ type: 'options', plugin, raw }, undefined, inThreadOptions));
      return options;
    },
    step: loadStep,
    run(job, resolved, read) {
      return viaWorker({ type: 'run', job, options: resolved }, read, async () => (await loadStep()).runBundleJob(job, resolved, read));
    },
  };
}

/**
 * A promise a plugin may start in one hook and await in a later one: a bad option rejects it
 * in between, which Node must not take for an unhandled rejection (it would end the process
 * instead of failing the build). The caller that awaits it still sees the rejection.
 */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
