/**
 * The first step of answering a request from a static root: what the request finds there, in two
 * steps of one shape each: the cache's answer (synchronous), else the disk's (a promise).
 */
import { isPushManifestError } from '../../errors.js';
import type { StaticResolution, StaticRoot } from './root.js';

/**
 * What a request finds in the root: `skip` for a method other than GET/HEAD (the caller passes it
 * on), `bad-path` for a path the root refuses (the caller answers 400).
 */
export type RequestLookup = StaticResolution | 'skip' | 'bad-path';

/**
 * What a request finds, when that is known without the disk (a fresh cached lookup, or a method
 * that finds nothing); undefined when {@link resolveRequest} must ask. The server's common
 * request costs no promise this way.
 */
export function peekRequest(staticRoot: StaticRoot, method: string, path: string, acceptEncoding: string | string[] | undefined): RequestLookup | undefined {
  if (method !== 'GET' && method !== 'HEAD') return 'skip';
  return staticRoot.peek?.(path, joined(acceptEncoding));
}

/** What a request finds, from the root's cache or the disk. Rejects only for a disk failure. */
export async function resolveRequest(staticRoot: StaticRoot, method: string, path: string, acceptEncoding: string | string[] | undefined): Promise<RequestLookup> {
  if (method !== 'GET' && method !== 'HEAD') return 'skip';
  try {
    // Awaited inside the try: a hand-made root may throw rather than reject.
    return await staticRoot.resolve(path, joined(acceptEncoding));
  } catch (error) {
    if (isPushManifestError(error) && error.code === 'BAD_PATH') return 'bad-path';
    throw error;
  }
}

function joined(acceptEncoding: string | string[] | undefined): string | undefined {
  return Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
}
