/**
 * Worker-thread entry of the parser pool. It imports only the crawl extraction code (parse5,
 * css-tree and what they need), never the manifest, runtime or CLI modules, so each worker starts
 * fast and small. One message in (`WorkerRequest`), one message out (`WorkerReply`) per file.
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

/** The worker's answer: the parse result, or the message of an unexpected exception (a bug). */
export type WorkerReply = { id: number; result: FileExtract | FileReadError } | { id: number; error: string };

if (parentPort !== null) {
  const port = parentPort;
  const parser = createFileParser();
  port.on('message', (request: WorkerRequest) => {
    parser.parse(request.kind, request.path).then(
      (result) => port.postMessage({ id: request.id, result } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply),
    );
  });
}
