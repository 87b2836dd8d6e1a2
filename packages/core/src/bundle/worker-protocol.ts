/**
 * The messages between the bundler's thread (loader.ts) and the bundle step's worker
 * (worker.ts). Types only: both sides import this without loading anything.
 */
import type { BundleJob } from './job.js';
import type { ResolvedBundleOptions } from './options.js';

/** An error as plain data (an Error's own fields do not survive a structured clone as such). */
export interface SentError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  file?: string;
  path?: (string | number)[];
}

/** A request to the worker; its answer carries the same `id`. */
export type WorkerRequest =
  | { readonly id: number; readonly type: 'options'; readonly plugin: string; readonly raw: unknown }
  | { readonly id: number; readonly type: 'run'; readonly job: BundleJob; readonly options: ResolvedBundleOptions };

/** The worker's answer to a request. */
export type WorkerAnswer = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: SentError };

/** The worker asking for a file a job sent by size only. */
export interface WorkerFileRequest {
  readonly type: 'read';
  /** The request whose job it belongs to. */
  readonly id: number;
  /** This read's number, for the answer. */
  readonly read: number;
  readonly name: string;
}

/** The bundler's thread answering a {@link WorkerFileRequest}. */
export type WorkerFileAnswer =
  | { readonly type: 'file'; readonly read: number; readonly ok: true; readonly value: string | Uint8Array }
  | { readonly type: 'file'; readonly read: number; readonly ok: false; readonly error: SentError };
