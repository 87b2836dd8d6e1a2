// The ceiling for any Node HTTP/2 server: respondWithFile and nothing else (no path checks, no
// validators, no hints). Used by bench/server.mjs; argv: root certFile keyFile [pushPaths,comma-separated]
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { extname, join } from 'node:path';

const [root, certFile, keyFile, pushList = '', mode = 'minimal'] = process.argv.slice(2);
// 'headers' mode: the same response header set serve sends (validators, caching), computed in
// statCheck, to tell the cost of those headers from the cost of our own code.
const fullHeaders = mode === 'headers';
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.woff2': 'font/woff2' };
const pushes = pushList ? pushList.split(',') : [];
const server = http2.createSecureServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), allowHTTP1: true });
const onError = (stream) => () => {
  if (!stream.headersSent) stream.respond({ ':status': 404 }, { endStream: true });
};
server.on('stream', (stream, requestHeaders) => {
  stream.on('error', () => {});
  let path = requestHeaders[':path'];
  if (path.endsWith('/')) path += 'index.html';
  // The same pushes ours makes for the page, with no diary or digest: the cheapest possible push.
  if (path === '/index.html' && stream.pushAllowed) {
    for (const push of pushes) {
      stream.pushStream({ ':path': push }, (error, pushed) => {
        if (error) return;
        pushed.on('error', () => {});
        pushed.respondWithFile(join(root, push), { 'content-type': types[extname(push)] ?? 'application/octet-stream' }, { onError: onError(pushed) });
      });
    }
  }
  const headers = { 'content-type': types[extname(path)] ?? 'application/octet-stream' };
  if (fullHeaders) {
    stream.respondWithFile(join(root, path), headers, {
      onError: onError(stream),
      statCheck(stat, h) {
        h.etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
        h['last-modified'] = stat.mtime.toUTCString();
        h['cache-control'] = path.endsWith('.html') ? 'no-cache' : 'public, max-age=300';
        h['accept-ranges'] = 'bytes';
      },
    });
    return;
  }
  stream.respondWithFile(join(root, path), headers, { onError: onError(stream) });
});
server.listen(0, '127.0.0.1', () => console.log(`https://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
