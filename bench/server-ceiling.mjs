// The ceiling for any Node HTTP/2 server: respondWithFile and nothing else (no path checks, no
// validators, no hints). Used by bench/server.mjs; argv: root certFile keyFile [pushPaths,comma-separated]
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { extname, join } from 'node:path';

const [root, certFile, keyFile, pushList = ''] = process.argv.slice(2);
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.woff2': 'font/woff2' };
const pushes = pushList ? pushList.split(',') : [];
const server = http2.createSecureServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), allowHTTP1: true });
const onError = (stream) => () => {
  if (!stream.headersSent) stream.respond({ ':status': 404 }, { endStream: true });
};
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  let path = headers[':path'];
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
  stream.respondWithFile(join(root, path), { 'content-type': types[extname(path)] ?? 'application/octet-stream' }, { onError: onError(stream) });
});
server.listen(0, '127.0.0.1', () => console.log(`https://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
