import http from 'node:http';
import http2 from 'node:http2';
import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPushHandler, createStaticRoot, type PushHandlerOptions } from '@push-manifest/core/runtime';
import type { Manifest } from '@push-manifest/core/manifest';
import { close, compatServer, connect, get1, http1Server, listen, makeSite, navigate, siteManifest, streamServer } from '../helpers/push-site.js';

const site = makeSite();
const servers: (http.Server | http2.Http2Server)[] = [];
const sessions: http2.ClientHttp2Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await close(s);
});

async function h2(kind: 'compat' | 'stream', options: Partial<PushHandlerOptions> = {}) {
  const root = createStaticRoot(site);
  const handler = await createPushHandler({ manifest: siteManifest(), root, push: false, ...options });
  const server = kind === 'compat' ? compatServer(handler, root) : streamServer(handler, root);
  servers.push(server);
  const session = await connect(await listen(server));
  sessions.push(session);
  return { handler, session };
}

async function h1(options: Partial<PushHandlerOptions> = {}) {
  const root = createStaticRoot(site);
  const handler = await createPushHandler({ manifest: siteManifest(), root, ...options });
  const server = http1Server(handler, root);
  servers.push(server);
  return { handler, port: await listen(server) };
}

const HINTS =
  '</css/app.css>; rel=preload; as=style, </fonts/f.woff2>; rel=preload; as=font; crossorigin, </js/main.js>; rel=modulepreload; crossorigin, </js/dep.js>; rel=modulepreload; crossorigin, </img/hero.jpg>; rel=preload; as=image';

describe.each(['compat', 'stream'] as const)('103 Early Hints over the http2 %s API', (kind) => {
  it('arrives before the response, once, with the links (no nopush)', async () => {
    const { session, handler } = await h2(kind);
    const nav = await navigate(session, '/');
    expect(nav.events[0]).toBe('informational 103');
    expect(nav.events.filter((e) => e === 'informational 103')).toHaveLength(1);
    expect(nav.events.indexOf('informational 103')).toBeLessThan(nav.events.indexOf('response'));
    expect(nav.early[0]!.link).toBe(HINTS);
    expect(handler.stats().earlyHints).toBe(1);
  });

  it('is sent for Accept: text/html without Sec-Fetch-Dest, not for other requests', async () => {
    const { session, handler } = await h2(kind);
    expect((await navigate(session, '/about/', { accept: 'text/html,application/xhtml+xml' })).early).toHaveLength(1);
    expect((await navigate(session, '/about/', { accept: 'application/json' })).early).toHaveLength(0);
    expect((await navigate(session, '/about/', { accept: 'text/html', 'sec-fetch-dest': 'empty' })).early).toHaveLength(0);
    expect((await navigate(session, '/css/app.css', { accept: 'text/css' })).early).toHaveLength(0);
    expect(handler.stats().earlyHints).toBe(1);
  });

  it('is not sent for HEAD, which still gets the Link header', async () => {
    const { session, handler } = await h2(kind);
    const nav = await navigate(session, '/', { ':method': 'HEAD', accept: 'text/html' });
    expect(nav.status).toBe(200);
    expect(nav.early).toEqual([]);
    expect(nav.headers.link).toContain('</css/app.css>; rel=preload; as=style; nopush');
    expect(handler.stats().earlyHints).toBe(0);
  });

  it('carries a media query with spaces intact', async () => {
    const manifest: Manifest = { pages: new Map([['/index.html', [{ url: '/css/app.css', type: 'style', weight: 1, media: '(min-width: 40em)' }]]]) };
    const { session } = await h2(kind, { manifest });
    const nav = await navigate(session, '/');
    expect(nav.early[0]!.link).toBe('</css/app.css>; rel=preload; as=style; media="(min-width: 40em)"');
  });

  it('is not sent when turned off', async () => {
    const { session } = await h2(kind, { earlyHints: false });
    const nav = await navigate(session, '/');
    expect(nav.early).toEqual([]);
    expect(nav.headers.link).toContain('</css/app.css>');
  });
});

describe('103 Early Hints over HTTP/1.1', () => {
  it('is not sent by default (Chromium ignores it there, old proxies break)', async () => {
    const { port } = await h1();
    const res = await get1(port, '/');
    expect(res.status).toBe(200);
    expect(res.early).toEqual([]);
    expect(res.headers.link).toContain('</css/app.css>; rel=preload; as=style; nopush');
  });

  it("is sent with earlyHints: 'always'", async () => {
    const { port, handler } = await h1({ earlyHints: 'always' });
    const res = await get1(port, '/');
    expect(res.early).toEqual([103]);
    expect(handler.stats().earlyHints).toBe(1);
  });
});

describe('103 to an HTTP/1.0 client', () => {
  it("is never sent, even with 'always' (RFC 9110: no 1xx to HTTP/1.0)", async () => {
    const { port } = await h1({ earlyHints: 'always' });
    const text = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', reject);
      socket.write('GET / HTTP/1.0\r\nAccept: text/html\r\n\r\n');
    });
    expect(text).not.toContain(' 103 ');
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toMatch(/\r\nLink: <\/css\/app\.css>/i);
  });
});

describe('103 in front of a slow application (compat middleware)', () => {
  it('goes out before the application starts its response', async () => {
    const root = createStaticRoot(site);
    const handler = await createPushHandler({ manifest: siteManifest(), root, push: false });
    let hintsSeenByClientBeforeAppFinished = false;
    let clientSaw103 = false;
    const server = http2.createServer((req, res) => {
      handler.middleware(req, res, () => {
        // The "application" takes 200 ms to render.
        setTimeout(() => {
          hintsSeenByClientBeforeAppFinished = clientSaw103;
          res.setHeader('content-type', 'text/html');
          res.end('<h1>slow</h1>');
        }, 200);
      });
    });
    servers.push(server);
    const session = await connect(await listen(server));
    sessions.push(session);
    const req = session.request({ ':path': '/', accept: 'text/html' });
    req.on('headers', (h) => {
      if (h[':status'] === 103) clientSaw103 = true;
    });
    await new Promise((resolve) => {
      req.resume();
      req.on('close', resolve);
    });
    expect(hintsSeenByClientBeforeAppFinished).toBe(true);
  });
});
