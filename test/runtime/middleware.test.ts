import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPushHandler, createStaticRoot } from '@push-manifest/core/runtime';
import { PushManifestError } from '@push-manifest/core/manifest';
import { close, get1, listen, makeSite, siteManifest } from '../helpers/push-site.js';

const site = makeSite();
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await close(s);
});

/** A tiny Express-style chain: each layer gets (req, res, next); next(err) jumps to the error layer. */
function chain(layers: ((req: http.IncomingMessage, res: http.ServerResponse, next: (error?: unknown) => void) => void)[]) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    let index = 0;
    const next = (error?: unknown) => {
      if (error !== undefined) {
        res.statusCode = 500;
        res.end(String(error));
        return;
      }
      const layer = layers[index++];
      if (layer === undefined) {
        res.statusCode = 404;
        res.end();
      } else layer(req, res, next);
    };
    next();
  };
}

describe('middleware on node:http', () => {
  it('adds the Link header, never pushes, and hands over with next()', async () => {
    const handler = await createPushHandler({ manifest: siteManifest(), root: createStaticRoot(site) });
    const calls: string[] = [];
    const server = http.createServer(
      chain([
        handler.middleware,
        (req, res) => {
          calls.push(req.url ?? '');
          res.setHeader('content-type', 'text/html');
          res.setHeader('set-cookie', 'app=1');
          res.end('<h1>app</h1>');
        },
      ]),
    );
    servers.push(server);
    const port = await listen(server);
    const page = await get1(port, '/');
    expect(page.body).toBe('<h1>app</h1>');
    expect(page.headers.link).toBe(
      '</css/app.css>; rel=preload; as=style; nopush, </fonts/f.woff2>; rel=preload; as=font; crossorigin; nopush, </js/main.js>; rel=modulepreload; crossorigin; nopush, </js/dep.js>; rel=modulepreload; crossorigin; nopush, </img/hero.jpg>; rel=preload; as=image; nopush',
    );
    // A subresource or unknown page passes straight through, untouched.
    const css = await get1(port, '/css/app.css', { accept: 'text/css' });
    expect(css.headers.link).toBeUndefined();
    const other = await get1(port, '/nowhere.html');
    expect(other.headers.link).toBeUndefined();
    expect(calls).toEqual(['/', '/css/app.css', '/nowhere.html']);
    const stats = handler.stats();
    expect(stats).toMatchObject({ requests: 3, navigations: 1, linkHeaders: 1, pushed: 0, earlyHints: 0 });
  });

  it('treats curl-like clients (Accept: */*) as navigations for manifest pages only', async () => {
    const handler = await createPushHandler({ manifest: siteManifest() });
    const server = http.createServer(chain([handler.middleware, (_req, res) => res.end('x')]));
    servers.push(server);
    const port = await listen(server);
    expect((await get1(port, '/about/', { accept: '*/*' })).headers.link).toContain('/css/app.css');
    expect((await get1(port, '/about/', {})).headers.link).toContain('/css/app.css');
    expect((await get1(port, '/about/', { accept: 'image/avif' })).headers.link).toBeUndefined();
  });

  it('honours link: false and linkHeaderMax', async () => {
    const off = await createPushHandler({ manifest: siteManifest(), link: false });
    const capped = await createPushHandler({ manifest: siteManifest(), linkHeaderMax: 100 });
    const server = http.createServer((req, res) => {
      const handler = req.url?.startsWith('/off') ? off : capped;
      req.url = '/';
      handler.middleware(req, res, () => res.end('x'));
    });
    servers.push(server);
    const port = await listen(server);
    expect((await get1(port, '/off')).headers.link).toBeUndefined();
    expect((await get1(port, '/capped')).headers.link).toBe('</css/app.css>; rel=preload; as=style; nopush');
  });
});

describe('options and loading', () => {
  it('rejects contradictory options and bad manifests with PushManifestError', async () => {
    await expect(createPushHandler({})).rejects.toThrow(PushManifestError);
    await expect(createPushHandler({ manifest: siteManifest(), push: true })).rejects.toThrow(/root/);
    await expect(createPushHandler({ manifest: siteManifest(), maxPushes: -1 })).rejects.toThrow(/maxPushes/);
    await expect(createPushHandler({ manifest: { '/a.css': { type: 'nonsense', weight: 1 } } })).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    // Header injection through a manifest URL is refused at load.
    await expect(createPushHandler({ manifest: { '/a.css\r\nSet-Cookie: x=1': { type: 'style', weight: 1 } } })).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    await expect(createPushHandler({ manifestPath: join(site, 'missing.json') })).rejects.toMatchObject({ code: 'ENOENT' });
    // A Manifest object built in code gets the same checks as a file.
    const bad = siteManifest();
    bad.pages.set('/x.html', [{ url: '/a.css\r\nSet-Cookie: x=1', type: 'style', weight: 1 }]);
    await expect(createPushHandler({ manifest: bad })).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    const badWeight = siteManifest();
    badWeight.pages.set('/y.html', [{ url: '/a.css', type: 'style', weight: 9999 }]);
    await expect(createPushHandler({ manifest: badWeight })).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
  });

  it('reads every manifest format: single applies to every page, multi keys by path', async () => {
    const single = await createPushHandler({ manifest: { '/css/app.css': { type: 'style', weight: 1 } } });
    expect(single.runtime.table.match('/any/page.html')?.linkHeader).toBe('</css/app.css>; rel=preload; as=style; nopush');
    const multi = await createPushHandler({ manifest: { 'index.html': { '/a.css': { type: 'style', weight: 1 } }, 'about/index.html': { '/b.css': { type: 'style', weight: 1 } } } });
    expect(multi.runtime.table.match('/')?.linkHeader).toBe('</a.css>; rel=preload; as=style; nopush');
    expect(multi.runtime.table.match('/about/')?.linkHeader).toBe('</b.css>; rel=preload; as=style; nopush');
  });

  it('reload() swaps the table, or keeps it and rejects on a bad file; watch needs manifestPath', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-reload-'));
    const file = join(dir, 'push-manifest.json');
    writeFileSync(file, JSON.stringify({ '/a.css': { type: 'style', weight: 1 } }));
    const handler = await createPushHandler({ manifestPath: file, log: () => undefined });
    writeFileSync(file, JSON.stringify({ '/b.css': { type: 'style', weight: 1 } }));
    await handler.reload();
    expect(handler.runtime.table.match('/x.html')?.linkHeader).toBe('</b.css>; rel=preload; as=style; nopush');
    writeFileSync(file, JSON.stringify({ '/c.css': { type: 'nonsense', weight: 1 } }));
    await expect(handler.reload()).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    expect(handler.runtime.table.match('/x.html')?.linkHeader).toBe('</b.css>; rel=preload; as=style; nopush');
    expect(handler.stats()).toMatchObject({ reloads: 1, reloadFailures: 1 });
    await expect(createPushHandler({ manifest: siteManifest(), watch: true })).rejects.toThrow(/manifestPath/);
  });

  it('resolves polymer relative paths against the manifest folder under the root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-polymer-'));
    mkdirSync(join(root, 'app'));
    const file = join(root, 'app', 'push-manifest.json');
    writeFileSync(file, JSON.stringify({ '/view1': { 'src/view1.js': { type: 'script', weight: 1 } } }));
    const handler = await createPushHandler({ manifestPath: file, root });
    expect(handler.runtime.table.match('/view1')?.pushes.map((p) => p.url)).toEqual(['/app/src/view1.js']);
  });

  it('watches manifestPath, reloads on change, keeps the old table on a bad reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-watch-'));
    const file = join(dir, 'push-manifest.json');
    writeFileSync(file, JSON.stringify({ 'index.html': { '/v1.css': { type: 'style', weight: 1 } } }));
    const logs: string[] = [];
    const handler = await createPushHandler({ manifestPath: file, watch: true, log: (level, message) => logs.push(`${level}: ${message}`) });
    const link = () => handler.runtime.table.match('/')?.linkHeader;
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    try {
      expect(link()).toBe('</v1.css>; rel=preload; as=style; nopush');
      // An atomic replace (temp file + rename), as `generate` writes.
      writeFileSync(join(dir, 'tmp.json'), JSON.stringify({ 'index.html': { '/v2.css': { type: 'style', weight: 1 } } }));
      renameSync(join(dir, 'tmp.json'), file);
      await until(() => link() === '</v2.css>; rel=preload; as=style; nopush');
      expect(link()).toBe('</v2.css>; rel=preload; as=style; nopush');
      writeFileSync(file, '{ "index.html": { "/v3.css": { "type": "sty');
      await until(() => handler.stats().reloadFailures > 0);
      expect(handler.stats().reloadFailures).toBeGreaterThan(0);
      expect(link()).toBe('</v2.css>; rel=preload; as=style; nopush');
      expect(logs.some((l) => l.startsWith('warn: manifest reload failed, keeping the previous one') && l.includes('push-manifest.json'))).toBe(true);
      writeFileSync(file, JSON.stringify({ 'index.html': { '/v4.css': { type: 'style', weight: 1 } } }));
      await until(() => link() === '</v4.css>; rel=preload; as=style; nopush');
      expect(link()).toBe('</v4.css>; rel=preload; as=style; nopush');
    } finally {
      await handler.close();
    }
  });
});
