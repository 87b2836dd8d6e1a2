/** A small site on disk, servers that put the push handler in front of it, and a recording HTTP/2 client. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders as H1Headers } from 'node:http';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, Resource } from '@push-manifest/core/manifest';
import { serveStatic, serveStaticStream, type PushHandler, type StaticRoot } from '@push-manifest/core/runtime';

export const FILES: Record<string, string> = {
  'index.html': '<!doctype html><link rel=stylesheet href=/css/app.css><script type=module src=/js/main.js></script><h1>home</h1>\n',
  'about/index.html': '<!doctype html><link rel=stylesheet href=/css/app.css><h1>about</h1>\n',
  'css/app.css': '@font-face{font-family:f;src:url(/fonts/f.woff2)}body{font-family:f}\n',
  'fonts/f.woff2': 'wOF2-not-really-a-font-but-bytes\n',
  'js/main.js': 'import "./dep.js";\nconsole.log("main")\n',
  'js/dep.js': 'console.log("dep")\n',
  'img/hero.jpg': 'jpeg-bytes\n',
  'data/extra.json': '{"extra":true}\n',
};

/** Write {@link FILES} to a fresh temporary folder. */
export function makeSite(): string {
  const root = mkdtempSync(join(tmpdir(), 'pm-push-site-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const r = (url: string, type: Resource['type'], extra: Partial<Resource> = {}): Resource => ({ url, type, weight: 1, ...extra });

/** The manifest of {@link FILES}. */
export function siteManifest(): Manifest {
  return {
    pages: new Map([
      [
        '/index.html',
        [
          r('/css/app.css', 'style'),
          r('/fonts/f.woff2', 'font'),
          r('/js/main.js', 'script', { rel: 'modulepreload', crossorigin: 'anonymous' }),
          r('/js/dep.js', 'script', { rel: 'modulepreload', crossorigin: 'anonymous' }),
          r('/img/hero.jpg', 'image', { nopush: true }),
        ],
      ],
      ['/about/index.html', [r('/css/app.css', 'style'), r('/fonts/f.woff2', 'font')]],
    ]),
  };
}

export const listen = (server: http.Server | http2.Http2Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

export const close = (server: http.Server | http2.Http2Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** An h2c server using the compatibility API: push middleware, then static files, then 404. */
export function compatServer(handler: PushHandler, root: StaticRoot): http2.Http2Server {
  return http2.createServer((req, res) => {
    handler.middleware(req, res, () => {
      serveStatic(root, req, res).then((served) => {
        if (!served) {
          res.statusCode = 404;
          res.end();
        }
      });
    });
  });
}

/** An h2c server on raw streams: handleStream, then respondWithFile with the added headers. */
export function streamServer(handler: PushHandler, root: StaticRoot): http2.Http2Server {
  const server = http2.createServer();
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    handler
      .handleStream(stream, headers, rawHeaders)
      .then((extra) => serveStaticStream(root, stream, headers, extra as Record<string, string | string[]>))
      .then((served) => {
        if (!served && !stream.destroyed) stream.respond({ ':status': 404 }, { endStream: true });
      });
  });
  return server;
}

/** A node:http server: middleware, then static files. */
export function http1Server(handler: PushHandler, root: StaticRoot): http.Server {
  return http.createServer((req, res) => {
    handler.middleware(req, res, () => {
      serveStatic(root, req, res).then((served) => {
        if (!served) {
          res.statusCode = 404;
          res.end();
        }
      });
    });
  });
}

/** One pushed response as the client saw it. */
export interface Pushed {
  path: string;
  promiseHeaders: IncomingHttpHeaders;
  headers: IncomingHttpHeaders;
  body: string;
  rstCode: number | undefined;
}

/** A navigation as the client saw it, with the order of events on the wire. */
export interface Navigation {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  early: IncomingHttpHeaders[];
  pushes: Pushed[];
  events: string[];
}

/** What the client does with each push. */
export type PushPolicy = 'accept' | 'cancel' | 'refuse';

export function connect(port: number, settings: http2.Settings = {}): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`, { settings });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** Request `path` on `session`, recording 103s, PUSH_PROMISEs and pushed bodies in wire order. */
export function navigate(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = { accept: 'text/html', 'sec-fetch-dest': 'document' },
  policy: PushPolicy = 'accept',
): Promise<Navigation> {
  return new Promise((resolve, reject) => {
    const events: string[] = [];
    const early: IncomingHttpHeaders[] = [];
    const pushes: Pushed[] = [];
    const pending: Promise<void>[] = [];
    const onPush = (pushed: http2.ClientHttp2Stream, promiseHeaders: IncomingHttpHeaders) => {
      const pushPath = String(promiseHeaders[':path']);
      events.push(`promise ${pushPath}`);
      const record: Pushed = { path: pushPath, promiseHeaders, headers: {}, body: '', rstCode: undefined };
      pushes.push(record);
      pushed.on('error', () => {});
      if (policy !== 'accept') {
        pushed.close(policy === 'cancel' ? http2.constants.NGHTTP2_CANCEL : http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      pending.push(
        new Promise<void>((done) => {
          const chunks: Buffer[] = [];
          pushed.on('push', (h) => {
            record.headers = h;
          });
          pushed.on('data', (c: Buffer) => chunks.push(c));
          pushed.on('close', () => {
            record.body = Buffer.concat(chunks).toString();
            record.rstCode = pushed.rstCode;
            done();
          });
        }),
      );
    };
    session.on('stream', onPush);
    const req = session.request({ ':path': path, ...headers });
    req.setTimeout(10_000, () => req.close());
    req.on('headers', (h) => {
      events.push(`informational ${h[':status']}`);
      early.push(h);
    });
    let responseHeaders: IncomingHttpHeaders = {};
    req.on('response', (h) => {
      events.push('response');
      responseHeaders = h;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => {
      Promise.all(pending).then(() => {
        session.off('stream', onPush);
        resolve({ status: Number(responseHeaders[':status']), headers: responseHeaders, body: Buffer.concat(chunks).toString(), early, pushes, events });
      });
    });
  });
}

/** HTTP/1.1 GET recording 103s (the `information` event). */
export function get1(port: number, path: string, headers: H1Headers = { accept: 'text/html' }): Promise<{ status: number; headers: H1Headers; early: number[]; body: string }> {
  return new Promise((resolve, reject) => {
    const early: number[] = [];
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, early, body: Buffer.concat(chunks).toString() }));
    });
    req.on('information', (info) => early.push(info.statusCode));
    req.on('error', reject);
  });
}
