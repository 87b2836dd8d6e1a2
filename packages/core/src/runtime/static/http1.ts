/** Writing a static response on node:http, node:https or the node:http2 compatibility API. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { streamFile } from './stream-file.js';
import { peekRequest, resolveRequest } from './lookup.js';
import { currentFile, planResponse, redirectLocation } from './plan.js';
import type { StaticRoot } from './root.js';

export function plainResponse(res: ServerResponse | Http2ServerResponse, status: number, body: string, extra: Record<string, string> = {}) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', String(Buffer.byteLength(body)));
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
  res.end(body);
}

/**
 * Answer `req` from the root (GET/HEAD, 304, Range, precompressed variants) on node:http, node:https
 * or the node:http2 compatibility API. Resolves false when there is no file (caller calls next()).
 * Headers already set on `res` (a Link header from the push middleware) are kept.
 */
export async function serveStatic(
  staticRoot: StaticRoot,
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const result = peekRequest(staticRoot, method, url, req.headers['accept-encoding']) ?? (await resolveRequest(staticRoot, method, url, req.headers['accept-encoding']));
  if (result === 'bad-path') {
    plainResponse(res, 400, 'Bad Request\n');
    return true;
  }
  if (result === 'skip' || result.kind === 'none') return false;
  if (result.kind === 'redirect') {
    const location = redirectLocation(result.location, url);
    plainResponse(res, 301, `Redirecting to ${location}\n`, { location });
    return true;
  }
  const bodies = staticRoot.bodies;
  const plain = req.headers.range === undefined && req.headers['if-none-match'] === undefined && req.headers['if-modified-since'] === undefined;
  if (bodies !== undefined && plain) {
    const cached = bodies.get(result.file.path);
    // Same rule as on HTTP/2: only the very file the lookup described comes from memory.
    if (cached !== undefined && cached.size === result.file.size && cached.mtimeMs === result.file.mtimeMs) {
      res.statusCode = 200;
      setFileHeaders(res, result.file.headers);
      res.setHeader('accept-ranges', 'bytes');
      if (method === 'HEAD') res.end();
      else res.end(cached.body);
      return true;
    }
    bodies.load(result.file.path, result.file.size);
  }
  // Describe the descriptor we will actually read: a cached lookup may be up to cacheMs old.
  let sent: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (sent = resolve));
  const failed = await streamFile(
    result.file.path,
    (stats) => {
      const file = currentFile(staticRoot, result.file, stats);
      const plan = planResponse(file, method, req.headers);
      res.statusCode = plan.status;
      setFileHeaders(res, plan.headers);
      if (plan.status === 304 || plan.status === 416 || method === 'HEAD' || stats.size === 0) {
        res.end();
        return undefined;
      }
      return plan.range ?? { start: 0, end: stats.size - 1 };
    },
    res as NodeJS.WritableStream,
    sent,
  );
  if (failed !== undefined) {
    staticRoot.invalidate(result.file.path);
    return false;
  }
  await finished;
  return true;
}

/**
 * Set a file's headers on a node:http / compat response, keeping what a middleware set before:
 * its `Vary` is merged, its `Cache-Control` kept (`private` when it set a digest cookie).
 */
export function setFileHeaders(res: ServerResponse | Http2ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'cache-control' && res.hasHeader(name)) continue;
    const existing = name === 'vary' ? res.getHeader(name) : undefined;
    res.setHeader(name, existing === undefined ? value : `${String(existing)}, ${value}`);
  }
}
