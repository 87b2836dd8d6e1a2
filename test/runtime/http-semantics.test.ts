/**
 * HTTP semantics on the paths that are not a plain 200, through createPushServer over real
 * sockets (Node's HTTP/2 client with push enabled, and HTTP/1.1): hints and pushes only ahead of a
 * page that will be a 200, the query kept on redirects, the headers a handler added on every
 * response path, and Vary / Cache-Control so a shared cache cannot mix clients or variants.
 */
import { rmSync, unlinkSync } from 'node:fs';
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Manifest } from '@push-manifest/core/manifest';
import { createPushHandler, createPushServer, createStaticRoot, serveStatic, serveStaticStream, type PushServer } from '@push-manifest/core/runtime';
import { close, connect, get1, http1Server, listen, makeSite, navigate, siteManifest } from '../helpers/push-site.js';

const DOC = { accept: 'text/html', 'sec-fetch-dest': 'document' };
let server: PushServer | undefined;
const roots: string[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  for (const h1 of servers.splice(0)) await close(h1);
  await server?.close();
  server = undefined;
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** node:http: the push middleware, then static files (HTTP/1.1 has no h2c upgrade here). */
async function startHttp1(): Promise<number> {
  const root = makeSite();
  roots.push(root);
  const staticRoot = createStaticRoot(root);
  const handler = await createPushHandler({ root: staticRoot, manifest: siteManifest(), log: () => undefined });
  const h1 = http1Server(handler, staticRoot);
  servers.push(h1);
  return listen(h1);
}

async function start(manifest: Manifest = siteManifest()): Promise<PushServer> {
  const root = makeSite();
  roots.push(root);
  server = await createPushServer({ root, manifest, h2c: true, log: () => undefined });
  return server;
}

function withCatchAll(): Manifest {
  const manifest = siteManifest();
  const home = manifest.pages.get('/index.html')!;
  return { pages: new Map([['*', home]]) };
}

describe('hints and pushes only ahead of a page that will be a 200', () => {
  it('a folder without its slash: a 301 keeping the query, no 103, no push (HTTP/2)', async () => {
    const { port } = await start();
    const session = await connect(port);
    try {
      const nav = await navigate(session, '/about?x=1&y=%20z', DOC);
      expect(nav.status).toBe(301);
      expect(nav.headers.location).toBe('/about/?x=1&y=%20z');
      expect(nav.early).toEqual([]);
      expect(nav.pushes).toEqual([]);
      expect(nav.headers.link).toBeUndefined();
    } finally {
      session.close();
    }
  });

  it('the query is kept on the HTTP/1.1 redirect too, re-escaped', async () => {
    const port = await startHttp1();
    const res = await get1(port, '/about?q=%C3%A9&a=b', { accept: 'text/html' });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/about/?q=%C3%A9&a=b');
    expect(res.early).toEqual([]);
  });

  it('a revalidation that will be a 304: no 103, no push, the Link header kept (HTTP/2)', async () => {
    const { port } = await start();
    const first = await connect(port);
    const etag = String((await navigate(first, '/', DOC)).headers.etag);
    first.close();
    const session = await connect(port);
    try {
      const nav = await navigate(session, '/', { ...DOC, 'if-none-match': etag });
      expect(nav.status).toBe(304);
      expect(nav.early).toEqual([]);
      expect(nav.pushes).toEqual([]);
      expect(String(nav.headers.link)).toContain('</css/app.css>');
    } finally {
      session.close();
    }
  });

  it('the catch-all route of a single manifest: a 404 navigation gets no 103 and no push', async () => {
    const { port } = await start(withCatchAll());
    const session = await connect(port);
    try {
      const missing = await navigate(session, '/no/such/page', DOC);
      expect(missing.status).toBe(404);
      expect(missing.early).toEqual([]);
      expect(missing.pushes).toEqual([]);
      expect(missing.headers.link).toBeUndefined();
      // The same route still hints and pushes for a page that exists.
      const page = await navigate(session, '/about/', DOC);
      expect(page.status).toBe(200);
      expect(page.early.length).toBe(1);
      expect(page.pushes.map((p) => p.path)).toContain('/css/app.css');
    } finally {
      session.close();
    }
  });

  it('a request for a file that is not a page gets nothing from a catch-all route', async () => {
    const { port } = await start(withCatchAll());
    const session = await connect(port);
    try {
      const css = await navigate(session, '/css/app.css', DOC);
      expect(css.status).toBe(200);
      expect(css.early).toEqual([]);
      expect(css.pushes).toEqual([]);
    } finally {
      session.close();
    }
  });
});

/** A raw-stream server that adds `added` to every response through the static layer. */
function addingServer(root: string, added: Record<string, string | string[]>): http2.Http2Server {
  const staticRoot = createStaticRoot(root);
  const server = http2.createServer();
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    serveStaticStream(staticRoot, stream, headers, added).then((served) => {
      if (!served && !stream.destroyed) stream.respond({ ':status': 404 }, { endStream: true });
    });
  });
  return server;
}

describe('every response path carries the headers the handler added', () => {
  const added = { 'set-cookie': ['pm_digest=abc; Path=/'], 'x-added': 'yes' };

  it('HTTP/2: 304, 301, 400, 416 and a file gone since its lookup', async () => {
    const root = makeSite();
    roots.push(root);
    const h2 = addingServer(root, added);
    const port = await listen(h2);
    const session = await connect(port);
    try {
      const ok = await navigate(session, '/css/app.css', {});
      expect(ok.status).toBe(200);
      const cases: [string, Record<string, string>, number][] = [
        ['/css/app.css', { 'if-none-match': String(ok.headers.etag) }, 304],
        ['/about?x=1', {}, 301],
        ['/%2e%2e/x', {}, 400],
        ['/css/app.css', { range: 'bytes=9999-' }, 416],
      ];
      for (const [path, headers, status] of cases) {
        const res = await navigate(session, path, headers);
        expect([path, res.status]).toEqual([path, status]);
        expect(res.headers['set-cookie']).toEqual(added['set-cookie']);
        expect(res.headers['x-added']).toBe('yes');
      }
      // Looked up (and cached) while present, deleted before it is opened: a 404 with the headers.
      unlinkSync(`${root}/img/hero.jpg`);
      const gone = await navigate(session, '/img/hero.jpg', { range: 'bytes=0-1' });
      expect(gone.status).toBe(404);
    } finally {
      session.close();
      await close(h2);
    }
  });

  it('HTTP/1.1: headers set before serveStatic stay on 304 and 301', async () => {
    const root = makeSite();
    roots.push(root);
    const staticRoot = createStaticRoot(root);
    const h1 = http.createServer((req, res) => {
      res.setHeader('set-cookie', added['set-cookie']);
      serveStatic(staticRoot, req, res).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    const port = await listen(h1);
    try {
      const ok = await get1(port, '/css/app.css', {});
      const notModified = await get1(port, '/css/app.css', { 'if-none-match': String(ok.headers.etag) });
      expect(notModified.status).toBe(304);
      expect(notModified.headers['set-cookie']).toEqual(added['set-cookie']);
      const moved = await get1(port, '/about', {});
      expect(moved.status).toBe(301);
      expect(moved.headers['set-cookie']).toEqual(added['set-cookie']);
    } finally {
      await close(h1);
    }
  });
});

describe('shared caches: Vary and Cache-Control on page responses', () => {
  it('HTTP/2 navigation with pushes: the digest cookie makes it private; Vary names the request headers', async () => {
    const { port } = await start();
    const session = await connect(port);
    try {
      const nav = await navigate(session, '/', DOC);
      expect(nav.pushes.length).toBeGreaterThan(0);
      expect(nav.headers['set-cookie']).toBeDefined();
      expect(nav.headers['cache-control']).toBe('private, no-cache');
      expect(String(nav.headers.vary)).toContain('Sec-Fetch-Dest, Accept');
      // The same page fetched by script: no Link, and the same Vary, so a cache keeps both apart.
      const fetched = await navigate(session, '/', { accept: '*/*', 'sec-fetch-dest': 'empty' });
      expect(fetched.status).toBe(200);
      expect(fetched.headers.link).toBeUndefined();
      expect(String(fetched.headers.vary)).toContain('Sec-Fetch-Dest, Accept');
      expect(fetched.headers['cache-control']).toBe('no-cache');
    } finally {
      session.close();
    }
  });

  it('HTTP/1.1 navigation: Link, Vary, and no private (no cookie without pushes)', async () => {
    const port = await startHttp1();
    const res = await get1(port, '/', { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(String(res.headers.link)).toContain('</css/app.css>');
    expect(String(res.headers.vary)).toContain('Sec-Fetch-Dest, Accept');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-cache');
  });
});
