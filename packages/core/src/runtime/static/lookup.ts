/** The first step of answering a request from a static root: what the request finds there. */
import { isPushManifestError } from '../../errors.js';
import type { StaticResolution, StaticRoot } from './root.js';

/** What a request finds in the root; see {@link lookupRequest}. */
export type RequestLookup = StaticResolution | 'skip' | 'bad-path';

/**
 * The lookup step both ways of serving share: what a request finds in the root. `skip` for a
 * method other than GET/HEAD (the caller passes it on), `bad-path` for a path the root refuses
 * (the caller answers 400). A fresh cached answer comes back as is, not as a promise: the
 * server's common request then costs no microtask.
 */
export function lookupRequest(staticRoot: StaticRoot, method: string, path: string, acceptEncoding: string | string[] | undefined): RequestLookup | Promise<RequestLookup> {
  if (method !== 'GET' && method !== 'HEAD') return 'skip';
  const accept = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  const cached = staticRoot.peek?.(path, accept);
  if (cached !== undefined) return cached;
  let pending: Promise<StaticResolution>;
  try {
    pending = staticRoot.resolve(path, accept);
  } catch (error) {
    // A hand-made root may throw rather than reject.
    pending = Promise.reject(error);
  }
  return pending.catch((error: unknown) => {
    if (isPushManifestError(error) && error.code === 'BAD_PATH') return 'bad-path' as const;
    throw error;
  });
}
