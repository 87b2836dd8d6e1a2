/**
 * The bundle step's worker thread (started by `bundleStepLoader`, loader.ts). It loads the step
 * (zod, the crawler and its parsers) as soon as it starts, on another core while the bundler
 * builds, then validates the plugin's options and runs its jobs as the bundler's thread asks.
 * Files a job sent by size only are asked back from the bundler's thread.
 *
 * Protocol, every message a plain object:
 * - in: `{ id, type: 'options', plugin, raw }`, `{ id, type: 'run', job, options }`, `{ type: 'file', read, ok, value }`;
 * - out: `{ id, ok: true, value }` or `{ id, ok: false, error }` (a request's answer), `{ type: 'read', id, read, name }`.
 */
import { parentPort } from 'node:worker_threads';
import type { BundleJob, BundleJobResult } from './job.js';
import type { ResolvedBundleOptions } from './options.js';
import type { WorkerRequest, WorkerFileAnswer, SentError } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('@push-manifest/core: bundle/worker.js runs only as a worker thread');

// Both start loading now: this is the point of the worker (the bundler's thread never loads them).
const optionsModule = import('./options.js');
const jobModule = import('./run-job.js');
// A load failure is answered to the request that awaits it, not taken for an unhandled rejection.
optionsModule.catch(() => {});
jobModule.catch(() => {});

/** Reads asked of the bundler's thread, by number. */
const reads = new Map<number, { resolve: (value: string | Uint8Array) => void; reject: (error: Error) => void }>();
let nextRead = 0;

/** Asks the bundler's thread for a file of request `id`'s job. */
function readFromBundler(id: number, name: string): Promise<string | Uint8Array> {
  const read = nextRead++;
  return new Promise((resolve, reject) => {
    reads.set(read, { resolve, reject });
    port!.postMessage({ type: 'read', id, read, name });
  });
}

/** An error as plain data: its message, name, stack and PushManifestError's code, file and path. */
function sent(error: unknown): SentError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, file, path } = error as { code?: unknown; file?: unknown; path?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined && { stack: error.stack }),
    ...(typeof code === 'string' && { code }),
    ...(typeof file === 'string' && { file }),
    ...(Array.isArray(path) && { path: path as (string | number)[] }),
  };
}

async function answer(request: WorkerRequest): Promise<ResolvedBundleOptions | BundleJobResult> {
  if (request.type === 'options') return (await optionsModule).resolveBundleOptions(request.plugin, request.raw);
  return (await jobModule).runBundleJob(request.job as BundleJob, request.options, (name) => readFromBundler(request.id, name));
}

port.on('message', (message: WorkerRequest | WorkerFileAnswer) => {
  if (message.type === 'file') {
    const pending = reads.get(message.read);
    reads.delete(message.read);
    if (message.ok) pending?.resolve(message.value);
    else pending?.reject(Object.assign(new Error(message.error.message), message.error));
    return;
  }
  answer(message).then(
    (value) => port.postMessage({ id: message.id, ok: true, value }),
    (error: unknown) => port.postMessage({ id: message.id, ok: false, error: sent(error) }),
  );
});
