/**
 * Worker-thread entry of the parser pool. It imports only the crawl extraction code (parse5,
 * css-tree and what they need), never the manifest, runtime or CLI modules, so each worker starts
 * fast and small. One message in (`WorkerRequest`), one message out (`WorkerReply`) per file.
 *
 * The result crosses the thread boundary as one JSON string, not as an object graph: structured
 * cloning a page's few hundred small ref objects cost the worker more than a sixth of its time
 * (and the main thread as much again to rebuild them), where a string is copied in one piece and
 * `JSON.parse` rebuilds the objects several times faster. A `FileExtract` is plain JSON data (the
 * parse cache stores it the same way), so nothing is lost.
 *
 * A job the calling thread may take back (pool.ts) names its claim `place`: the worker parses it
 * only if it claims the place first, and counts every message it reads once the claim is settled.
 * The messages and constants are in worker-protocol.ts: this module runs as the worker, and is never
 * imported (in a user's own worker thread it would answer their messages).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createFileParser } from './extract.js';
import { CLAIM_PLACES, TAKEN, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

if (parentPort !== null) {
  const port = parentPort;
  const parser = createFileParser();
  const claims = new Int32Array((workerData as { claims: SharedArrayBuffer }).claims);
  port.on('message', (request: WorkerRequest) => {
    // The claim first, then the count: the calling thread reuses a place only for a message it knows was read.
    const mine = request.place < 0 || Atomics.compareExchange(claims, request.place, request.id, TAKEN) === request.id;
    Atomics.add(claims, CLAIM_PLACES, 1);
    if (!mine) return;
    parser.parse(request.kind, request.path).then(
      (result) => port.postMessage({ id: request.id, json: JSON.stringify(result) } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply),
    );
  });
}
