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
 */
import { parentPort } from 'node:worker_threads';
import { createFileParser } from './extract.js';
import type { FileExtract, FileKind, FileReadError } from './types.js';

/** A job for the worker: parse the file at `path` as `kind`. */
export interface WorkerRequest {
  id: number;
  kind: FileKind;
  path: string;
}

/** The worker's answer: the parse result as JSON text, or the message of an unexpected exception (a bug). */
export type WorkerReply = { id: number; json: string } | { id: number; error: string };

if (parentPort !== null) {
  const port = parentPort;
  const parser = createFileParser();
  port.on('message', (request: WorkerRequest) => {
    parser.parse(request.kind, request.path).then(
      (result) => port.postMessage({ id: request.id, json: JSON.stringify(result) } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply),
    );
  });
}
