import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import type http2 from 'node:http2';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPushHandler, createStaticRoot, type PushHandler, type PushHandlerOptions } from '@push-manifest/core/runtime';
import { close, compatServer, connect, FILES, makeSite, navigate, siteManifest, streamServer } from '../helpers/push-site.js';

const site = makeSite();
const open: { server: http2.Http2Server; sessions: http2.ClientHttp2Session[] }[] = [];

async function start(kind: 'compat' | 'stream', options: Partial<PushHandlerOptions> = {}, rootOptions = {}) {
  const root = createStaticRoot(site, rootOptions);
  const handler = await createPushHandler({ manifest: siteManifest(), root, ...options });
  const server = kind === 'compat' ? compatServer(handler, root) : streamServer(handler, root);
  const entry = { server, sessions: [] as http2.ClientHttp2Session[] };
  open.push(entry);
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  const session = async (settings: http2.Settings = {}) => {
    const s = await connect(port, settings);
    entry.sessions.push(s);
    return s;
  };
  return { handler, port, session, root };
}

afterEach(async () => {
  for (const { server, sessions } of open.splice(0)) {
    for (const s of sessions) s.destroy();
    await close(server);
  }
});
afterAll(() => undefined);

const PUSHED = ['/css/app.css', '/fonts/f.woff2', '/js/main.js', '/js/dep.js'];

describe.each(['compat', 'stream'] as const)('push over the http2 %s API', (kind) => {
  it('sends PUSH_PROMISEs before the HTML response headers, with the right paths, headers and bodies', async () => {
    const { session, handler } = await start(kind);
    const s = await session();
    const nav = await navigate(s, '/', { accept: 'text/html', 'sec-fetch-dest': 'document', 'accept-encoding': 'identity' });
    expect(nav.status).toBe(200);
    expect(nav.body).toBe(FILES['index.html']);
    const firstResponse = nav.events.indexOf('response');
    const promises = nav.events.filter((e) => e.startsWith('promise '));
    expect(promises).toEqual(PUSHED.map((p) => `promise ${p}`));
    for (const p of promises) expect(nav.events.indexOf(p)).toBeLessThan(firstResponse);
    for (const pushed of nav.pushes) {
      expect(pushed.body).toBe(FILES[pushed.path.slice(1)]);
      expect(pushed.headers[':status']).toBe(200);
      expect(pushed.headers['content-length']).toBe(String(Buffer.byteLength(pushed.body)));
      expect(pushed.headers.etag).toBeTruthy();
      expect(pushed.headers['last-modified']).toBeTruthy();
      expect(pushed.headers['cache-control']).toBeTruthy();
      expect(pushed.promiseHeaders[':authority']).toBe(`127.0.0.1:${(s.socket.remotePort ?? 0).toString()}`);
      expect(pushed.promiseHeaders['accept-encoding']).toBe('identity');
    }
    expect(nav.pushes.find((p) => p.path === '/css/app.css')!.headers['content-type']).toMatch(/^text\/css/);
    expect(nav.pushes.find((p) => p.path === '/fonts/f.woff2')!.headers['content-type']).toBe('font/woff2');
    // Every link keeps `nopush`, the pushed ones too: a push-capable proxy in front must not push them again.
    expect(nav.headers.link).toBe(
      '</css/app.css>; rel=preload; as=style; nopush, </fonts/f.woff2>; rel=preload; as=font; crossorigin; nopush, </js/main.js>; rel=modulepreload; crossorigin; nopush, </js/dep.js>; rel=modulepreload; crossorigin; nopush, </img/hero.jpg>; rel=preload; as=image; nopush',
    );
    expect(handler.stats()).toMatchObject({ pushed: 4, navigations: 1, cancelled: 0 });
  });

  it('never pushes the same URL twice on one connection', async () => {
    const { session, handler } = await start(kind, { digest: false });
    const s = await session();
    await navigate(s, '/');
    const about = await navigate(s, '/about/');
    expect(about.status).toBe(200);
    expect(about.pushes).toEqual([]);
    expect(about.headers.link).toBe('</css/app.css>; rel=preload; as=style; nopush, </fonts/f.woff2>; rel=preload; as=font; crossorigin; nopush');
    expect(handler.stats().skipped.diary).toBe(2);
    // A new connection without a digest gets them again.
    const again = await navigate(await session(), '/about/');
    expect(again.pushes.map((p) => p.path)).toEqual(['/css/app.css', '/fonts/f.woff2']);
  });

  it('sends Link headers only to a client with push disabled', async () => {
    const { session, handler } = await start(kind);
    const s = await session({ enablePush: false });
    const nav = await navigate(s, '/');
    expect(nav.pushes).toEqual([]);
    expect(nav.headers.link).toContain('</css/app.css>; rel=preload; as=style; nopush');
    expect(handler.stats().skipped.disabled).toBe(4);
    expect(handler.stats().pushed).toBe(0);
  });

  it('keeps serving a client that cancels or refuses every push, and counts it', async () => {
    const { session, handler } = await start(kind, { digest: false });
    for (const policy of ['cancel', 'refuse'] as const) {
      for (let round = 0; round < 3; round++) {
        const nav = await navigate(await session(), '/', undefined, policy);
        expect(nav.status).toBe(200);
        expect(nav.body).toBe(FILES['index.html']);
        expect(nav.pushes).toHaveLength(4);
      }
    }
    // Give the server a moment to see the resets of the last round.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stats = handler.stats();
    expect(stats.pushed).toBe(24);
    expect(stats.cancelled).toBeGreaterThan(0);
    expect(stats.cancelled + stats.failed).toBeLessThanOrEqual(24);
    // Still serving, with pushes, on a fresh connection.
    const after = await navigate(await session(), '/');
    expect(after.pushes.map((p) => p.body)).toEqual(PUSHED.map((p) => FILES[p.slice(1)]));
  });

  it('stops at maxPushes per response', async () => {
    const { session, handler } = await start(kind, { maxPushes: 2 });
    const nav = await navigate(await session(), '/');
    expect(nav.pushes.map((p) => p.path)).toEqual(['/css/app.css', '/fonts/f.woff2']);
    expect(nav.headers.link).toContain('</js/main.js>; rel=modulepreload; crossorigin; nopush');
    expect(nav.headers.link).toContain('</css/app.css>; rel=preload; as=style; nopush, ');
    expect(handler.stats().skipped.cap).toBe(2);
  });
});

describe('precompressed variants and abandoned pushes', () => {
  it('pushes the .br variant when the request accepted br, with content-encoding and vary', async () => {
    const br = join(site, 'css/app.css.br');
    writeFileSync(br, 'pretend-brotli-bytes');
    try {
      const { session } = await start('compat', { digest: false }, { cacheMs: 0 });
      const nav = await navigate(await session(), '/', { accept: 'text/html', 'sec-fetch-dest': 'document', 'accept-encoding': 'gzip, br' });
      const css = nav.pushes.find((p) => p.path === '/css/app.css')!;
      expect(css.promiseHeaders['accept-encoding']).toBe('gzip, br');
      expect(css.headers['content-encoding']).toBe('br');
      expect(String(css.headers.vary).toLowerCase()).toContain('accept-encoding');
      expect(css.headers['content-type']).toMatch(/^text\/css/);
      expect(css.body).toBe('pretend-brotli-bytes');
      // Without br in the request, the plain file.
      const plain = await navigate(await session(), '/', { accept: 'text/html', 'sec-fetch-dest': 'document', 'accept-encoding': 'identity' });
      expect(plain.pushes.find((p) => p.path === '/css/app.css')!.body).toBe(FILES['css/app.css']);
    } finally {
      rmSync(br);
    }
  });

  it('survives a client that drops the connection as the promises arrive', async () => {
    const { session, handler } = await start('stream', { digest: false });
    for (let round = 0; round < 5; round++) {
      const s = await session();
      await new Promise<void>((resolve) => {
        s.once('stream', () => s.destroy());
        s.once('close', () => resolve());
        const req = s.request({ ':path': '/', accept: 'text/html' });
        req.on('error', () => undefined);
        req.resume();
      });
    }
    const after = await navigate(await session(), '/');
    expect(after.status).toBe(200);
    expect(after.pushes).toHaveLength(4);
    expect(handler.stats().pushed).toBeGreaterThanOrEqual(4);
  });
});

describe("the client's concurrent stream limit", () => {
  it('caps pushes at SETTINGS_MAX_CONCURRENT_STREAMS', async () => {
    const { session, handler } = await start('stream');
    // With a limit of 2, Node's nghttp2 lets one push through (it fails the one at the limit).
    const nav = await navigate(await session({ maxConcurrentStreams: 2 }), '/');
    expect(nav.status).toBe(200);
    expect(nav.pushes.map((p) => p.path)).toEqual(['/css/app.css']);
    expect(handler.stats().skipped.cap).toBe(3);
    expect(handler.stats().failed).toBe(0);
  });
});

describe('cache digest cookie', () => {
  it('suppresses pushes on a new connection, and pushes a file again once its ETag changes', async () => {
    const { session, handler } = await start('compat', {}, { cacheMs: 0 });
    const first = await navigate(await session(), '/');
    expect(first.pushes).toHaveLength(4);
    const setCookie = first.headers['set-cookie'] as unknown as string[];
    expect(setCookie).toHaveLength(1);
    const cookie = setCookie[0]!.split(';')[0]!;
    expect(cookie).toMatch(/^pm_digest=[A-Za-z0-9_-]+$/);

    const second = await navigate(await session(), '/', { accept: 'text/html', 'sec-fetch-dest': 'document', cookie });
    expect(second.pushes).toEqual([]);
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(handler.stats().skipped.digest).toBe(4);

    // Change the stylesheet: new size and mtime, new ETag.
    const css = join(site, 'css/app.css');
    writeFileSync(css, `${readFileSync(css, 'utf8')}/* v2 */\n`);
    utimesSync(css, new Date(), new Date(Date.now() + 5000));
    const third = await navigate(await session(), '/', { accept: 'text/html', 'sec-fetch-dest': 'document', cookie });
    expect(third.pushes.map((p) => p.path)).toEqual(['/css/app.css']);
    expect(third.pushes[0]!.body).toContain('/* v2 */');
    writeFileSync(css, FILES['css/app.css']!);
  });
});

describe('navigations only', () => {
  it('pushes nothing and adds no Link for a subresource request', async () => {
    const { session, handler } = await start('compat', { manifest: { pages: new Map([['*', siteManifest().pages.get('/index.html')!]]) } });
    const s = await session();
    const css = await navigate(s, '/css/app.css', { accept: 'text/css,*/*;q=0.1', 'sec-fetch-dest': 'style' });
    expect(css.status).toBe(200);
    expect(css.pushes).toEqual([]);
    expect(css.headers.link).toBeUndefined();
    const fetchHtml = await navigate(s, '/', { accept: 'text/html', 'sec-fetch-dest': 'empty' });
    expect(fetchHtml.pushes).toEqual([]);
    // `*` applies to any page navigation.
    const page = await navigate(s, '/about/');
    expect(page.pushes).toHaveLength(4);
    expect(handler.stats().navigations).toBe(1);
  });
});

describe('debugHeaders', () => {
  it('adds one x-http2-push-promise header per push', async () => {
    const { session } = await start('stream', { debugHeaders: true });
    const nav = await navigate(await session(), '/');
    expect(nav.headers['x-http2-push-promise']).toBe(PUSHED.join(', '));
  });
});

describe('order against a synchronous application', () => {
  it('queues the PUSH_PROMISEs before a response started in the same tick as next()', async () => {
    const { createServer } = await import('node:http2');
    const root = createStaticRoot(site);
    const handler = await createPushHandler({ manifest: siteManifest(), root, digest: false });
    const server = createServer((req, res) =>
      handler.middleware(req, res, () => {
        res.setHeader('content-type', 'text/html');
        res.end('<h1>sync</h1>');
      }),
    );
    const entry = { server, sessions: [] as http2.ClientHttp2Session[] };
    open.push(entry);
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    for (let round = 0; round < 3; round++) {
      const s = await connect(port);
      entry.sessions.push(s);
      const nav = await navigate(s, '/');
      expect(nav.body).toBe('<h1>sync</h1>');
      expect(nav.events.slice(-5)).toEqual([...PUSHED.map((p) => `promise ${p}`), 'response']);
    }
  });
});
