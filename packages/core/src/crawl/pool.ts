/**
 * A {@link FileParser} that spreads parsing over `worker_threads`.
 *
 * Parsing (parse5, css-tree) is pure CPU work on one file at a time, so it parallelises cleanly: each
 * worker reads the file itself (bytes never cross threads) and posts back the plain `FileExtract`
 * as JSON text (see worker.ts), which the graph then resolves on the main thread. For a tiny run, starting workers costs more than
 * it saves (each loads parse5 and css-tree, ~30 ms), so the first jobs run in-process and workers only
 * start once the crawl proves large; with one core there is nothing to gain and no worker starts.
 *
 * When the calling thread parses too (`mainThreadParses`), jobs queue for the workers and the
 * calling thread takes back the newest a worker has not yet read whenever it has nothing else to
 * do (work stealing): a worker always has a queue to go on with while the calling thread is busy
 * with the graph, and the calling thread never waits while jobs are waiting. Who takes a job is
 * settled through memory the two share (see {@link Claims}), so a job is parsed exactly once.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createFileParser } from './extract.js';
import { isFileReadError, type FileExtract, type FileKind, type FileParser, type FileReadError } from './types.js';
import { CLAIM_PLACES, STOLEN, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

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
   * The calling thread is one of `threads` and parses too: `threads - 1` workers start, jobs queue
   * for them, and the calling thread takes back the newest queued job whenever it is idle (and
   * parses a job itself at once when every queue holds {@link WORKER_QUEUE} unread jobs). Without
   * this the main thread sat idle most of a threaded crawl (its graph work is a fraction of the
   * parsing) while one more thread than there are cores competed for them. Default false.
   */
  mainThreadParses?: boolean;
}

/**
 * Jobs that may wait unread for one worker. With stealing the queue only needs to outlast the
 * calling thread's longest stretch of graph work; the bound keeps the shared claim places
 * ({@link CLAIM_PLACES}, twice this) from being reused while a message still names one.
 */
export const WORKER_QUEUE = CLAIM_PLACES / 2;

/** Counters of a {@link ParserPool}. */
export interface ParserPoolStats {
  /** Workers started. */
  threads: number;
  /** Files parsed by a worker. */
  inWorkers: number;
  /** Files parsed on the calling thread. */
  inProcess: number;
  /** Of those, jobs queued for a worker that the calling thread took back before the worker read them. */
  stolen: number;
}

/** A {@link FileParser} over worker threads. `close()` stops the workers. */
export interface ParserPool extends FileParser {
  readonly stats: ParserPoolStats;
  close(): Promise<void>;
}

interface Job {
  resolve: (result: FileExtract | FileReadError) => void;
  reject: (error: Error) => void;
  /** Keep the reply's JSON for {@link FileParser.takeText} (a job of `parseBytes`). */
  keepText: boolean;
}

/** A job waiting in a worker's queue, with what the calling thread needs to parse it instead. */
interface Queued {
  id: number;
  /** Its number among the jobs sent to this worker: the message the worker reads as its `seq`-th. */
  seq: number;
  kind: FileKind;
  path: string;
  bytes: Uint8Array | undefined;
}

/**
 * What a worker and the calling thread share (an `Int32Array` over a `SharedArrayBuffer`): at
 * place `seq % CLAIM_PLACES` the id of the job sent as the worker's `seq`-th message until one
 * side claims it (compare-and-exchange to TAKEN by the worker, to STOLEN by the calling thread),
 * and at place CLAIM_PLACES the count of messages the worker has read (after its claim).
 */
type Claims = Int32Array;

interface Slot {
  worker: Worker;
  pending: Map<number, Job>;
  claims: Claims;
  /** Messages sent. */
  sent: number;
  /** Jobs sent and not yet known to be read by the worker, oldest first (may hold some it has read). */
  queued: Queued[];
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
  const stats: ParserPoolStats = { threads: 0, inWorkers: 0, inProcess: 0, stolen: 0 };
  const slots: Slot[] = [];
  let asked = 0;
  let nextId = 0;
  let closed = false;
  let failure: Error | undefined;
  let stealing = false;
  /** Replies' JSON texts of `parseBytes` jobs, until taken (weak: a result nobody asked the text of takes it along). */
  const texts = new WeakMap<FileExtract, string>();

  const fail = (slot: Slot, error: Error) => {
    failure ??= error;
    for (const job of slot.pending.values()) job.reject(error);
    slot.pending.clear();
    slot.queued.length = 0;
  };

  const start = () => {
    const url = workerUrl();
    for (let i = 0; i < workers; i++) {
      const shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (CLAIM_PLACES + 1));
      const worker = new Worker(url, { workerData: { claims: shared } });
      const slot: Slot = { worker, pending: new Map(), claims: new Int32Array(shared), sent: 0, queued: [] };
      // An idle worker must not keep the process alive; a busy one must (see send()).
      worker.unref();
      worker.on('message', (reply: WorkerReply) => {
        const job = slot.pending.get(reply.id);
        if (job === undefined) return;
        slot.pending.delete(reply.id);
        if (slot.pending.size === 0) worker.unref();
        if ('error' in reply) return job.reject(new Error(`parser worker: ${reply.error}`));
        const result = replyResult(reply.json);
        if (job.keepText && !isFileReadError(result)) texts.set(result, reply.json);
        job.resolve(result);
      });
      worker.on('error', (error) => fail(slot, error));
      worker.on('exit', (code) => {
        if (slot.pending.size > 0) fail(slot, new Error(`parser worker exited with code ${code}`));
      });
      slots.push(slot);
    }
    stats.threads = slots.length;
  };

  /** Messages sent to the worker that it has not read yet. */
  const unread = (slot: Slot): number => slot.sent - Atomics.load(slot.claims, CLAIM_PLACES);

  /** The worker with the fewest outstanding jobs: big and small files even out without knowing sizes in advance. */
  const leastBusy = (): Slot => {
    let slot = slots[0]!;
    for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
    return slot;
  };

  const send = (slot: Slot, kind: FileKind, absPath: string, bytes: Uint8Array | undefined): Promise<FileExtract | FileReadError> => {
    const id = nextId++;
    const seq = slot.sent++;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject, keepText: bytes !== undefined });
      if (mainParses) {
        Atomics.store(slot.claims, seq % CLAIM_PLACES, id);
        slot.queued.push({ id, seq, kind, path: absPath, bytes });
        stealSoon();
      }
      const request: WorkerRequest = { id, kind, path: absPath, place: mainParses ? seq % CLAIM_PLACES : -1 };
      slot.worker.postMessage(request);
    });
  };

  /**
   * Run in the event loop's check phase, so only once the replies that came in were read and the
   * crawl they woke has run: the calling thread is idle. Takes back the newest job a worker has not
   * read and parses it here; again on the next turn while any queue holds such a job.
   */
  const steal = () => {
    stealing = false;
    if (closed) return;
    let from: Slot | undefined;
    for (const slot of slots) {
      const read = Atomics.load(slot.claims, CLAIM_PLACES);
      // Jobs the worker has read are its own (or were stolen): dropped from the front.
      let first = 0;
      while (first < slot.queued.length && slot.queued[first]!.seq < read) first++;
      if (first > 0) slot.queued.splice(0, first);
      if (slot.queued.length > 0 && (from === undefined || slot.queued.length > from.queued.length)) from = slot;
    }
    const job = from?.queued.pop();
    if (from === undefined || job === undefined) return;
    stealSoon();
    // Lost the race when the worker claimed it first: it is the worker's.
    if (Atomics.compareExchange(from.claims, job.seq % CLAIM_PLACES, job.id, STOLEN) !== job.id) return;
    const waiting = from.pending.get(job.id)!;
    from.pending.delete(job.id);
    if (from.pending.size === 0) from.worker.unref();
    stats.inWorkers--;
    stats.inProcess++;
    stats.stolen++;
    const parsed = job.bytes === undefined ? local.parse(job.kind, job.path) : local.parseBytes!(job.kind, job.path, job.bytes);
    parsed.then(waiting.resolve, waiting.reject);
  };

  /** {@link steal} on the event loop's next check phase, unless it is already due. */
  const stealSoon = () => {
    if (stealing) return;
    stealing = true;
    setImmediate(steal);
  };

  /** Where the next job goes: in-process (small runs, one thread, full queues) or to a worker. */
  const route = (): Slot | undefined => {
    if (closed) throw new Error('parser pool: parse() after close()');
    if (failure) throw failure;
    asked++;
    if (workers < (mainParses ? 1 : 2) || asked <= inlineJobs) return undefined;
    if (slots.length === 0) start();
    const slot = leastBusy();
    // A queue past its bound: this thread parses the job now rather than make it wait.
    if (mainParses && unread(slot) >= WORKER_QUEUE) return undefined;
    return slot;
  };

  return {
    stats,
    async parse(kind, absPath) {
      const slot = route();
      if (slot === undefined) {
        stats.inProcess++;
        return local.parse(kind, absPath);
      }
      stats.inWorkers++;
      return send(slot, kind, absPath, undefined);
    },
    async parseBytes(kind, absPath, bytes) {
      const slot = route();
      if (slot === undefined) {
        stats.inProcess++;
        return local.parseBytes!(kind, absPath, bytes);
      }
      // A worker reads the file again rather than be sent the bytes: that read is off this thread.
      // They are kept while the job waits, for this thread to parse them if it takes the job back.
      stats.inWorkers++;
      return send(slot, kind, absPath, bytes);
    },
    takeText(result) {
      const text = texts.get(result);
      if (text !== undefined) texts.delete(result);
      return text;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
