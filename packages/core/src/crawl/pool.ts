/**
 * A {@link FileParser} that spreads parsing over `worker_threads`.
 *
 * Parsing (parse5, css-tree) is pure CPU work on one file at a time, so it parallelises cleanly: each
 * worker reads the file itself (bytes never cross threads) and posts back the plain `FileExtract`
 * as JSON text (see worker.ts), which the graph then resolves on the main thread. For a tiny run, starting workers costs more than
 * it saves (each loads parse5 and css-tree, ~30 ms), so the first jobs run in-process and workers only
 * start once the crawl proves large; with one core there is nothing to gain and no worker starts.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createFileParser } from './extract.js';
import type { FileExtract, FileKind, FileParser, FileReadError } from './types.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

/** A worker's JSON reply back into the parse result (see worker.ts for why it is JSON). */
const replyResult = (json: string): FileExtract | FileReadError => JSON.parse(json) as FileExtract | FileReadError;

/** Default number of worker threads: one per core, at most 4 (beyond that the main thread's graph work dominates). */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), 4);
}

/** Options of {@link createParserPool}. */
export interface ParserPoolOptions {
  /** Worker threads; default {@link defaultThreads}(). 0 or 1 parses in-process. */
  threads?: number;
  /** Jobs parsed in-process before the workers start, so a small site never pays for them. Default 32. */
  inlineJobs?: number;
  /**
   * The calling thread is one of `threads` and parses too: `threads - 1` workers start, and a job is
   * parsed in-process whenever every worker already has {@link WORKER_BACKLOG} jobs. Without this the
   * main thread sat idle most of a threaded crawl (its graph work is a fraction of the parsing)
   * while one more thread than there are cores competed for them. Default false.
   */
  mainThreadParses?: boolean;
}

/**
 * Jobs a worker may have outstanding before the main thread parses one itself. The main thread
 * parses in bursts: the page crawls waiting on a busy worker all resume in one turn of the event
 * loop and each parses a file before the next reply is read. With a backlog of 2 the worker had
 * drained its queue long before such a burst ended and sat idle over half the crawl (measured with
 * event-loop utilisation: worker 45%, main thread 99.9%, 1,283 of 5,290 files in the worker); 5
 * keeps it busy (over 90%) while the main thread still parses nearly half the files.
 */
export const WORKER_BACKLOG = 5;

/** Counters of a {@link ParserPool}. */
export interface ParserPoolStats {
  /** Workers started. */
  threads: number;
  /** Files parsed by a worker. */
  inWorkers: number;
  /** Files parsed on the calling thread. */
  inProcess: number;
}

/** A {@link FileParser} over worker threads. `close()` stops the workers. */
export interface ParserPool extends FileParser {
  readonly stats: ParserPoolStats;
  close(): Promise<void>;
}

interface Job {
  resolve: (result: FileExtract | FileReadError) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Job>;
}

/**
 * The worker entry: the built `worker.js` next to this module. Under a test runner this module is
 * the `.ts` source, and Node 20 cannot run TypeScript in a worker, so use the built file in `dist/`
 * (the test script builds first).
 */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) {
    const built = new URL('../../dist/crawl/worker.js', here);
    if (!existsSync(fileURLToPath(built))) {
      throw new Error(`parser pool: ${fileURLToPath(built)} is missing; run \`pnpm build\` first`);
    }
    return built;
  }
  return new URL('./worker.js', here);
}

/**
 * Create a parser that uses up to `threads` worker threads. Results are exactly what the in-process
 * parser gives (the worker runs the same `createFileParser`), in whatever order the caller asks.
 */
export function createParserPool(options: ParserPoolOptions = {}): ParserPool {
  const threads = Math.max(0, Math.floor(options.threads ?? defaultThreads()));
  const inlineJobs = options.inlineJobs ?? 32;
  const mainParses = options.mainThreadParses === true;
  const workers = mainParses ? threads - 1 : threads;
  const local = createFileParser();
  const stats: ParserPoolStats = { threads: 0, inWorkers: 0, inProcess: 0 };
  const slots: Slot[] = [];
  let asked = 0;
  let nextId = 0;
  let closed = false;
  let failure: Error | undefined;

  const fail = (slot: Slot, error: Error) => {
    failure ??= error;
    for (const job of slot.pending.values()) job.reject(error);
    slot.pending.clear();
  };

  const start = () => {
    const url = workerUrl();
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(url);
      const slot: Slot = { worker, pending: new Map() };
      // An idle worker must not keep the process alive; a busy one must (see send()).
      worker.unref();
      worker.on('message', (reply: WorkerReply) => {
        const job = slot.pending.get(reply.id);
        if (job === undefined) return;
        slot.pending.delete(reply.id);
        if (slot.pending.size === 0) worker.unref();
        if ('json' in reply) job.resolve(replyResult(reply.json));
        else job.reject(new Error(`parser worker: ${reply.error}`));
      });
      worker.on('error', (error) => fail(slot, error));
      worker.on('exit', (code) => {
        if (slot.pending.size > 0) fail(slot, new Error(`parser worker exited with code ${code}`));
      });
      slots.push(slot);
    }
    stats.threads = slots.length;
  };

  /** The worker with the fewest outstanding jobs: big and small files even out without knowing sizes in advance. */
  const leastBusy = (): Slot => {
    let slot = slots[0]!;
    for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
    return slot;
  };

  const send = (slot: Slot, kind: FileKind, absPath: string): Promise<FileExtract | FileReadError> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      const request: WorkerRequest = { id, kind, path: absPath };
      slot.worker.postMessage(request);
    });
  };

  /**
   * Where the next job goes: in-process (small runs, one thread, busy workers) or to a worker.
   * Awaits one turn of the event loop when the workers are busy, so that their replies are read.
   */
  const route = async (): Promise<Slot | undefined> => {
    if (closed) throw new Error('parser pool: parse() after close()');
    if (failure) throw failure;
    asked++;
    if (workers < (mainParses ? 1 : 2) || asked <= inlineJobs) return undefined;
    if (slots.length === 0) start();
    const slot = leastBusy();
    if (!mainParses || slot.pending.size < WORKER_BACKLOG) return slot;
    // Let the workers' replies in first: a crawl runs on resolved promises (microtasks), so
    // without a turn of the event loop no reply would be read until the whole crawl is done.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return slot.pending.size < WORKER_BACKLOG ? slot : undefined;
  };

  return {
    stats,
    async parse(kind, absPath) {
      const slot = await route();
      if (slot === undefined) {
        stats.inProcess++;
        return local.parse(kind, absPath);
      }
      stats.inWorkers++;
      return send(slot, kind, absPath);
    },
    async parseBytes(kind, absPath, bytes) {
      const slot = await route();
      if (slot === undefined) {
        stats.inProcess++;
        return local.parseBytes!(kind, absPath, bytes);
      }
      // A worker reads the file again rather than be sent the bytes: that read is off this thread.
      stats.inWorkers++;
      return send(slot, kind, absPath);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
