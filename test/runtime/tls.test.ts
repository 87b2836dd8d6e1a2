import https from 'node:https';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushHandler, createStaticRoot, serveStatic, type PushHandler } from '@push-manifest/core/runtime';
import { close, FILES, listen, makeSite, navigate, siteManifest } from '../helpers/push-site.js';

// selfsigned is the CLI's dependency (it makes serve's development certificate): load it from there.
const { generate } = createRequire(new URL('../../packages/cli/package.json', import.meta.url))('selfsigned') as {
  generate: (attrs: unknown, options: unknown) => Promise<{ cert: string; private: string }>;
};

let server: http2.Http2SecureServer;
let handler: PushHandler;
let port: number;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'test' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const site = makeSite();
  const root = createStaticRoot(site);
  handler = await createPushHandler({ manifest: siteManifest(), root });
  server = http2.createSecureServer({ cert: pems.cert, key: pems.private, allowHTTP1: true }, (req, res) =>
    handler.middleware(req, res, () => {
      void serveStatic(root, req, res);
    }),
  );
  port = await listen(server);
});
afterAll(async () => {
  await close(server);
});

describe('over TLS with HTTP/1.1 fallback (allowHTTP1)', () => {
  it('pushes to an h2 client with https promises and a Secure digest cookie', async () => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    try {
      const nav = await navigate(session, '/');
      expect(nav.status).toBe(200);
      expect(nav.pushes.map((p) => p.path)).toEqual(['/css/app.css', '/fonts/f.woff2', '/js/main.js', '/js/dep.js']);
      expect(nav.pushes.every((p) => p.promiseHeaders[':scheme'] === 'https')).toBe(true);
      expect(nav.pushes[0]!.body).toBe(FILES['css/app.css']);
      const cookie = (nav.headers['set-cookie'] as unknown as string[])[0]!;
      expect(cookie).toMatch(/^pm_digest=[A-Za-z0-9_-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      session.destroy();
    }
  });

  it('answers an HTTP/1.1 client over the same port with Link only, no 103', async () => {
    const result = await new Promise<{ status: number; link: string | string[] | undefined; early: number }>((resolve, reject) => {
      let early = 0;
      const req = https.get({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, headers: { accept: 'text/html' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, link: res.headers.link, early }));
      });
      req.on('information', () => early++);
      req.on('error', reject);
    });
    expect(result).toEqual({ status: 200, link: expect.stringContaining('</css/app.css>; rel=preload; as=style; nopush'), early: 0 });
  });
});
