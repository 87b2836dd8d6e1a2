import { writeFileSync } from 'node:fs';
import type http2 from 'node:http2';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPushHandler, createStaticRoot, type PushHandlerOptions } from '@push-manifest/core/runtime';
import { close, compatServer, connect, FILES, listen, makeSite, navigate, siteManifest, streamServer } from '../helpers/push-site.js';

const site = makeSite();
// A secret next to the site root: nothing may ever push it.
writeFileSync(join(dirname(site), 'pm-secret.txt'), 'secret\n');

const servers: http2.Http2Server[] = [];
const sessions: http2.ClientHttp2Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await close(s);
});

async function start(kind: 'compat' | 'stream', options: Partial<PushHandlerOptions> = {}) {
  const root = createStaticRoot(site);
  const handler = await createPushHandler({ manifest: siteManifest(), root, clientPush: true, debugHeaders: true, ...options });
  const server = kind === 'compat' ? compatServer(handler, root) : streamServer(handler, root);
  servers.push(server);
  const port = await listen(server);
  const session = await connect(port);
  sessions.push(session);
  return { handler, session, port };
}

const xhr = (link: string | undefined, extra: Record<string, string> = {}) => ({ accept: '*/*', 'sec-fetch-dest': 'empty', ...(link === undefined ? {} : { link }), ...extra });

describe.each(['compat', 'stream'] as const)('client-requested push over the http2 %s API', (kind) => {
  it('pushes what a fetch() asks for with a link request header, with debug headers', async () => {
    const { session, handler } = await start(kind);
    const res = await navigate(session, '/data/extra.json', xhr('</css/app.css>; rel=preload; as=style, <../js/dep.js>; rel=preload; as=script, <img/nope.png>; rel=preload'));
    expect(res.status).toBe(200);
    expect(res.body).toBe(FILES['data/extra.json']);
    expect(res.pushes.map((p) => [p.path, p.body])).toEqual([
      ['/css/app.css', FILES['css/app.css']],
      ['/js/dep.js', FILES['js/dep.js']],
    ]);
    expect(res.events.indexOf('promise /css/app.css')).toBeLessThan(res.events.indexOf('response'));
    expect(res.headers['x-http2-push-promise']).toBe('/css/app.css, /js/dep.js');
    expect(res.headers.link).toBeUndefined();
    expect(handler.stats()).toMatchObject({ clientPushRequests: 1, pushed: 2 });
    expect(handler.stats().skipped.missing).toBe(1);
  });

  it('refuses other origins, paths out of the root and links without rel=preload or with nopush', async () => {
    const { session, handler, port } = await start(kind);
    const links = [
      '<https://evil.example/css/app.css>; rel=preload',
      `<http://127.0.0.1:${port + 1}/css/app.css>; rel=preload`,
      '<../../pm-secret.txt>; rel=preload',
      '</%2e%2e/pm-secret.txt>; rel=preload',
      '</..%2fpm-secret.txt>; rel=preload',
      '</css/..\\..\\pm-secret.txt>; rel=preload',
      '</.hidden>; rel=preload',
      '</css/app.css>; rel=prefetch',
      '</fonts/f.woff2>; rel=preload; nopush',
    ].join(', ');
    const res = await navigate(session, '/data/extra.json', xhr(links));
    expect(res.status).toBe(200);
    expect(res.pushes).toEqual([]);
    expect(res.headers['x-http2-push-promise']).toBeUndefined();
    const { skipped } = handler.stats();
    expect(skipped.crossOrigin).toBe(2);
    expect(skipped.outOfRoot + skipped.missing).toBe(5);
    expect(skipped.nopush).toBe(2);
  });

  it('counts only the last link header', async () => {
    const { session } = await start(kind);
    // Two separate header fields; Node's client sends an array as repeated fields.
    const req = session.request({ ':path': '/data/extra.json', accept: '*/*', 'sec-fetch-dest': 'empty', link: ['</css/app.css>; rel=preload', '</js/dep.js>; rel=preload'] } as unknown as http2.OutgoingHttpHeaders);
    const promised: string[] = [];
    session.on('stream', (pushed, headers) => {
      promised.push(String(headers[':path']));
      pushed.resume();
    });
    await new Promise((resolve) => {
      req.resume();
      req.on('close', resolve);
    });
    expect(promised).toEqual(['/js/dep.js']);
  });

  it('is off by default', async () => {
    const { session, handler } = await start(kind, { clientPush: false });
    const res = await navigate(session, '/data/extra.json', xhr('</css/app.css>; rel=preload'));
    expect(res.pushes).toEqual([]);
    expect(handler.stats().clientPushRequests).toBe(0);
  });
});
