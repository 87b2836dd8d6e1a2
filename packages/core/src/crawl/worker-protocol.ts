/**
 * What the parser pool (pool.ts) and its workers (worker.ts) say to each other, and the layout of
 * the memory they share. Its own module, free of side effects: worker.ts is a worker's entry point
 * and must only ever run as one.
 */
import type { FileKind } from './types.js';

/** Claim places a worker shares with the calling thread; the count of messages read follows them. */
export const CLAIM_PLACES = 64;
/** A claim place once the worker took its job. */
export const TAKEN = -1;
/** A claim place once the calling thread took its job back. */
export const STOLEN = -2;

/** A job for the worker: parse the file at `path` as `kind`. */
export interface WorkerRequest {
  id: number;
  kind: FileKind;
  path: string;
  /** Its claim place, holding `id` until claimed; -1 for a job only the worker may do. */
  place: number;
}

/** The worker's answer: the parse result as JSON text, or the message of an unexpected exception (a bug). */
export type WorkerReply = { id: number; json: string } | { id: number; error: string };
