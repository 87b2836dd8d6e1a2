/**
 * A deliberately wrong HTTP/2 server for `inspect`: each page gets one mistake a real deployment
 * makes, and the manifest it should have matched.
 */
import http2, { type Http2SecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { makeDevCertificate } from '../../packages/cli/dist/dev-certificate.js';

const CSS = 'body{font-family:f}\n';

/** Enough links, all in the manifest too, to make a Link header over Cloudflare's ~3 KB. */
export const BIG_IMAGES = Array.from({ length: 60 }, (_, i) => `/img/gallery/photo-${String(i).padStart(3, '0')}-large.avif`);

/** The manifest (multi-page JSON) the wrong server fails to match. */
export const WRONG_MANIFEST = {
  'font.html': {
    '/css/app.css': { type: 'style', weight: 256 },
    '/fonts/f.woff2': { type: 'font', weight: 255, crossorigin: 'anonymous' },
  },
  'dup.html': { '/css/app.css': { type: 'style', weight: 256 } },
  'stale.html': {
    '/css/app.css': { type: 'style', weight: 256 },
    '/js/app.9c1b.js': { type: 'script', weight: 250, rel: 'modulepreload', crossorigin: 'anonymous' },
  },
  'big.html': Object.fromEntries(BIG_IMAGES.map((url, i) => [url, { type: 'image', weight: 200 - i, nopush: true }])),
  'order.html': {
    '/css/app.css': { type: 'style', weight: 256 },
    '/fonts/f.woff2': { type: 'font', weight: 255, crossorigin: 'anonymous' },
  },
  'good.html': { '/css/app.css': { type: 'style', weight: 256 } },
};

function push(stream: ServerHttp2Stream, path: string, status: number, body: string): void {
  stream.pushStream({ ':path': path }, (error, pushed) => {
    if (error) return;
    pushed.on('error', () => {});
    pushed.respond({ ':status': status, 'content-type': status === 200 ? 'text/css' : 'text/plain' });
    pushed.end(body);
  });
}

function page(stream: ServerHttp2Stream, link: string): void {
  stream.respond({ ':status': 200, 'content-type': 'text/html', link });
  stream.end('<!doctype html><h1>wrong</h1>\n');
}

/** Start it on a free loopback port; `hang` pages never answer (for --timeout). */
export interface WrongServer {
  url: string;
  /** Close the listener and every session still open. */
  close(): Promise<void>;
}

export async function startWrongServer(): Promise<WrongServer> {
  const { cert, key } = await makeDevCertificate('127.0.0.1');
  const server: Http2SecureServer = http2.createSecureServer({ cert, key, allowHTTP1: true });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    switch (headers[':path']) {
      case '/font':
        // The classic: a font preload without crossorigin is fetched twice by the browser.
        page(stream, '</css/app.css>; rel=preload; as=style; nopush, </fonts/f.woff2>; rel=preload; as=font; nopush');
        return;
      case '/dup':
        push(stream, '/css/app.css', 200, CSS);
        push(stream, '/css/app.css', 200, CSS);
        page(stream, '</css/app.css>; rel=preload; as=style');
        return;
      case '/stale':
        // Deployed before the last build: hints (and pushes) the old hashed name, which is gone.
        push(stream, '/js/app.3f2a.js', 404, 'not found\n');
        page(stream, '</css/app.css>; rel=preload; as=style; nopush, </js/app.3f2a.js>; rel=modulepreload; crossorigin');
        return;
      case '/big':
        page(stream, BIG_IMAGES.map((url) => `<${url}>; rel=preload; as=image; nopush`).join(', '));
        return;
      case '/order':
        page(stream, '</fonts/f.woff2>; rel=preload; as=font; crossorigin; nopush, </css/app.css>; rel=preload; as=style; nopush');
        return;
      case '/good':
        page(stream, '</css/app.css>; rel=preload; as=style; nopush');
        return;
      case '/hang':
        return;
      default:
        stream.respond({ ':status': 404 });
        stream.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
