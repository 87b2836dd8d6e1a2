/**
 * The one error class push-manifest throws for anything a user can cause or fix: bad input,
 * a manifest that fails validation, a path outside the root. Anything else is a bug.
 */

/** What went wrong, stable for programs to branch on. */
export type PushManifestErrorCode =
  /** A file or folder given by the user does not exist or cannot be read. */
  | 'ENOENT'
  /** Input that is not what it claims (not JSON, not UTF-8, not a manifest). */
  | 'BAD_INPUT'
  /** A manifest that parses but fails the schema; `path` names the field. */
  | 'INVALID_MANIFEST'
  /** A glob that matched nothing. */
  | 'NO_MATCH'
  /** A path that leaves the root, or a URL that cannot be a path. */
  | 'BAD_PATH'
  /** Options that contradict each other or are out of range. */
  | 'BAD_OPTION'
  /** A server that cannot be reached, whose TLS certificate is refused, or that does not answer in time. */
  | 'NETWORK';

/** Options for {@link PushManifestError}. */
export interface PushManifestErrorOptions {
  /** The file the problem is in, when there is one. */
  file?: string;
  /** The JSON path of the offending field, outermost first. */
  path?: readonly (string | number)[];
  cause?: unknown;
}

/** An error a user can act on. Its message is one line that names the file and the problem. */
export class PushManifestError extends Error {
  override readonly name = 'PushManifestError';
  readonly code: PushManifestErrorCode;
  readonly file: string | undefined;
  readonly path: readonly (string | number)[] | undefined;

  constructor(code: PushManifestErrorCode, message: string, options: PushManifestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.path = options.path;
  }
}

/** Narrowing helper that also works across duplicated module instances. */
export function isPushManifestError(error: unknown): error is PushManifestError {
  return error instanceof Error && error.name === 'PushManifestError' && 'code' in error;
}
