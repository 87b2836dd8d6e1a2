/**
 * The bundler's side of the bundle step's worker (worker.ts): requests posted with an id and
 * answered by it, files the worker asks back read from the job's reader. The worker holds the
 * process open only while a request is pending, so a build whose plugin forgot to stop it still
 * exits. Loads nothing but Node's `worker_threads`.
 */
import { Worker } from 'node:worker_threads';
import { PushManifestError, type PushManifestErrorCode } from '../errors.js';
import type { BundleJobReader } from './job.js';
import type { SentError, WorkerAnswer, WorkerFileAnswer, WorkerFileRequest, WorkerRequest } from './worker-protocol.js';

/** The request could not be answered by the worker (it did not start, stopped, or the request could not be posted): run it in this thread instead. */
export class WorkerUnavailable extends Error {
  override readonly name = 'WorkerUnavailable';
  /** True if the worker failed before it ever answered: in this setup it will not start (no script, no threads), so it is not worth starting again. */
  readonly broken: boolean;

  constructor(message: string, options: { cause?: unknown; broken?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.broken = options.broken ?? false;
  }
}

type Body = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  read: BundleJobReader | undefined;
}

/** A started bundle step worker. */
export class StepWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped: WorkerUnavailable | undefined;
  /** Whether the worker ever answered a request. */
  private answered = false;

  /** Starts the worker at `url`. Throws if Node cannot start a worker at all. */
  constructor(url: URL) {
    this.worker = new Worker(url);
    this.worker.unref();
    this.worker.on('message', (message: WorkerAnswer | WorkerFileRequest) => this.received(message));
    this.worker.on('error', (error) => this.stop(new WorkerUnavailable(`the bundle step's worker failed: ${error.message}`, { cause: error, broken: !this.answered })));
    this.worker.on('exit', (code) => this.stop(new WorkerUnavailable(`the bundle step's worker exited (code ${code})`, { broken: !this.answered })));
  }

  /** Whether requests can still be posted. */
  get running(): boolean {
    return this.stopped === undefined;
  }

  /** Post a request; `read` answers the worker's reads of files the job sent by size only. Rejects with {@link WorkerUnavailable} if the worker cannot answer. */
  request(body: Body, read?: BundleJobReader): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ ...body, id });
      } catch (error) {
        // Not structured-cloneable (options holding a function): this thread can still answer it.
        return reject(new WorkerUnavailable(`cannot post to the bundle step's worker: ${(error as Error).message}`, { cause: error }));
      }
      this.pending.set(id, { resolve, reject, read });
      if (this.pending.size === 1) this.worker.ref();
    });
  }

  /** Stop the worker; pending requests reject with {@link WorkerUnavailable} (their callers run them in this thread). */
  terminate(): void {
    if (this.stopped) return;
    this.stop(new WorkerUnavailable("the bundle step's worker was stopped"));
    void this.worker.terminate();
  }

  private stop(reason: WorkerUnavailable): void {
    this.stopped ??= reason;
    for (const pending of this.pending.values()) pending.reject(this.stopped);
    this.pending.clear();
    this.worker.unref();
  }

  private received(message: WorkerAnswer | WorkerFileRequest): void {
    if ('type' in message) return void this.answerRead(message);
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.answered = true;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.ok) pending.resolve(message.value);
    else pending.reject(received(message.error));
  }

  private async answerRead(message: WorkerFileRequest): Promise<void> {
    let answer: WorkerFileAnswer;
    try {
      const read = this.pending.get(message.id)?.read;
      if (read === undefined) throw new Error(`no file ${message.name} to read: its job is over`);
      answer = { type: 'file', read: message.read, ok: true, value: await read(message.name) };
    } catch (error) {
      answer = { type: 'file', read: message.read, ok: false, error: { name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) } };
    }
    if (this.running) this.worker.postMessage(answer);
  }
}

/** The worker's error as this thread's: a PushManifestError again if it was one, with the worker's stack. */
function received(error: SentError): Error {
  const rebuilt =
    error.name === 'PushManifestError' && error.code !== undefined
      ? new PushManifestError(error.code as PushManifestErrorCode, error.message, { ...(error.file !== undefined && { file: error.file }), ...(error.path !== undefined && { path: error.path }) })
      : Object.assign(new Error(error.message), { name: error.name }, error.code !== undefined && { code: error.code });
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
