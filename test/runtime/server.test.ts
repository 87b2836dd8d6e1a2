/**
 * createPushServer in-process, over real sockets: one log entry per HTTP/2 request (Node's
 * compatibility handler must not answer streams a second time), HTTP/1.1 fallback on the TLS
 * port, 400/404 through the composed server, and graceful close.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http2 from 'node:http2';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPushServer, createStaticRoot, type PushServer, type RequestLogEntry } from '@push-manifest/core/runtime';
import { makeDevCertificate } from '../../packages/cli/src/dev-certificate.js';
import { connect, FILES, makeSite, navigate, siteManifest } from '../helpers/push-site.js';
import { h2session, rawHttp2 } from '../helpers/raw-clients.js';

const fixture = fileURLToPath(new URL('../../fixtures/serve', import.meta.url));
const tlsPromise = makeDevCertificate('127.0.0.1');
let server: PushServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function http1Get(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string; informational: number[] }> {
  return new Promise((resolve, reject) => {
    const informational: number[] = [];
    const req = https.get(url, { rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, informational }));
    });
    req.on('information', (info) => informational.push(info.statusCode));
    req.on('error', reject);
  });
}

describe('createPushServer', () => {
  it('serves each HTTP/2 request once through the stream API, with hints, and logs arrival and end', async () => {
    const log: RequestLogEntry[] = [];
    server = await createPushServer({ root: fixture, manifestPath: join(fixture, 'push-manifest.json'), tls: await tlsPromise, onRequest: (e) => log.push(e), log: () => undefined });
    const session = await h2session(server.url);
    try {
      const page = await rawHttp2(session, '/', { accept: 'text/html' });
      expect(page.status).toBe(200);
      expect(String(page.headers.link)).toContain('</css/app.css>; rel=preload; as=style');
      expect(page.body.toString()).toContain('<title>push-manifest serve fixture</title>');
      const missing = await rawHttp2(session, '/nope.css');
      expect(missing.status).toBe(404);
      const bad = await rawHttp2(session, '/%2e%2e/etc/passwd');
      expect(bad.status).toBe(400);
    } finally {
      // This client never reads the pushed streams: drop the connection rather than wait on them.
      session.destroy();
    }
    expect(log.filter((e) => e.event === 'request').map((e) => e.path)).toEqual(['/', '/nope.css', '/%2e%2e/etc/passwd']);
    await new Promise((r) => setTimeout(r, 50));
    expect(log.filter((e) => e.event === 'end').map((e) => [e.path, e.status])).toEqual([
      ['/', 200],
      ['/nope.css', 404],
      ['/%2e%2e/etc/passwd', 400],
    ]);
  });

  it('HTTP/1.1 on the same TLS port: the page with a Link header, no 103, static files', async () => {
    server = await createPushServer({ root: fixture, manifestPath: join(fixture, 'push-manifest.json'), tls: await tlsPromise, log: () => undefined });
    const page = await http1Get(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.informational).toEqual([]);
    expect(String(page.headers.link)).toContain('</js/main.js>; rel=modulepreload; crossorigin');
    const css = await http1Get(`${server.url}/css/app.css`);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const redirect = await http1Get(`${server.url}/about`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/about/');
  });

  it('needs TLS or h2c', async () => {
    await expect(createPushServer({ root: fixture, manifest: { pages: new Map() } })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });

  it('close() lets an in-flight request finish, then refuses new connections', async () => {
    server = await createPushServer({
      root: fixture,
      manifest: { pages: new Map() },
      h2c: true,
      delayResponse: (path) => (path === '/css/app.css' ? 300 : 0),
      log: () => undefined,
    });
    const url = server.url;
    const session = await h2session(url);
    const inFlight = rawHttp2(session, '/css/app.css');
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('@font-face');
    await closing;
    server = undefined;
    await expect(
      new Promise((resolve, reject) => {
        const late = http2.connect(url);
        late.once('connect', () => resolve(late.close()));
        late.once('error', reject);
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('close() over HTTP/1.1: the in-flight response finishes, the kept-alive connection is then closed', async () => {
    server = await createPushServer({
      root: fixture,
      manifest: { pages: new Map() },
      tls: await tlsPromise,
      closeTimeoutMs: 10_000,
      delayResponse: (path) => (path === '/css/app.css' ? 300 : 0),
      log: () => undefined,
    });
    const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    try {
      const get = (path: string) =>
        new Promise<{ status: number; body: string; connection: unknown }>((resolve, reject) => {
          https
            .get(`${server!.url}${path}`, { agent }, (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (body += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
            })
            .on('error', reject);
        });
      expect((await get('/js/main.js')).status).toBe(200); // leaves an idle kept-alive socket
      const inFlight = get('/css/app.css');
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await Promise.all([server.close(), inFlight.then((r) => expect(r).toMatchObject({ status: 200 }))]);
      server = undefined;
      // Well under closeTimeoutMs: nothing waited for the timeout.
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      agent.destroy();
    }
  });

  it('close() destroys connections still busy after closeTimeoutMs', async () => {
    server = await createPushServer({
      root: fixture,
      manifest: { pages: new Map() },
      h2c: true,
      closeTimeoutMs: 100,
      delayResponse: () => 5000,
      log: () => undefined,
    });
    const session = await h2session(server.url);
    const stuck = rawHttp2(session, '/css/app.css').catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await server.close();
    server = undefined;
    expect(Date.now() - started).toBeLessThan(2000);
    await stuck;
    expect(session.destroyed || session.closed).toBe(true);
  });
});

describe('createPushServer: pushed files go through the static layer', () => {
  it('pushes a file edited after its lookup was cached with its new body, ETag, Last-Modified and length', async () => {
    const site = makeSite();
    const css = join(site, 'css/app.css');
    // A lookup cached for a minute: the edits below happen while the cached lookup still describes the old file.
    server = await createPushServer({ root: site, manifest: siteManifest(), h2c: true, digest: false, static: { cacheMs: 60_000 }, log: () => undefined });
    const pushedCss = async () => {
      const session = await connect(server!.port);
      try {
        const nav = await navigate(session, '/', { accept: 'text/html', 'sec-fetch-dest': 'document', 'accept-encoding': 'identity' });
        expect(nav.status).toBe(200);
        const pushed = nav.pushes.find((p) => p.path === '/css/app.css');
        expect(pushed, `pushes: ${nav.pushes.map((p) => p.path).join(' ')}`).toBeDefined();
        return pushed!;
      } finally {
        session.destroy();
      }
    };
    // What a root without any cache says about the file as it is on disk now.
    const fresh = async () => (await createStaticRoot(site, { cacheMs: 0, memoryCache: false }).lookup('/css/app.css'))!;

    const first = await pushedCss();
    expect(first.body).toBe(FILES['css/app.css']);
    expect(first.headers.etag).toBe((await fresh()).etag);
    // Second view: by now the body cache may hold the file (it loads in the background); same answer.
    const second = await pushedCss();
    expect(second.body).toBe(FILES['css/app.css']);
    expect(second.headers.etag).toBe(first.headers.etag);

    // Same length, new bytes and a new mtime: only the validators tell the versions apart.
    const sameLength = FILES['css/app.css']!.replace('font-family:f}', 'font-family:g}');
    expect(sameLength).not.toBe(FILES['css/app.css']);
    writeFileSync(css, sameLength);
    const t1 = new Date('2030-01-02T03:04:05Z');
    utimesSync(css, t1, t1);
    const edited = await pushedCss();
    expect(edited.body).toBe(sameLength);
    expect(edited.headers.etag).not.toBe(first.headers.etag);
    expect(edited.headers.etag).toBe((await fresh()).etag);
    expect(edited.headers['last-modified']).toBe(t1.toUTCString());
    expect(edited.headers['content-length']).toBe(String(Buffer.byteLength(sameLength)));

    // Longer: the length changes too.
    const longer = `${sameLength}/* v3 */\n`;
    writeFileSync(css, longer);
    const t2 = new Date('2030-02-03T04:05:06Z');
    utimesSync(css, t2, t2);
    const grown = await pushedCss();
    expect(grown.body).toBe(longer);
    expect(grown.headers.etag).toBe((await fresh()).etag);
    expect(grown.headers['last-modified']).toBe(t2.toUTCString());
    expect(grown.headers['content-length']).toBe(String(Buffer.byteLength(longer)));
    expect(server.handler.stats()).toMatchObject({ cancelled: 0, failed: 0 });
  });
});
