/**
 * The nginx export against the real nginx: `nginx -t` on the snippet in a TLS + HTTP/2 server
 * block, then requests (both URL forms of every page) and pushes with nghttp.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportNginx } from '@push-manifest/core/export';
import { parseLinkHeader } from '@push-manifest/core/runtime';
import { configTest, curl, serverCommand, freePort, makeTlsDir, nghttpPushes, startServer, type RunningServer } from './real-server.js';
import { ASSET_URLS, PAGE_URLS, makeExportSite, patternLink, patternManifest, runtimeLink, runtimePushes, siteManifest } from './site.js';

function nginxConf(prefix: string, port: number, root: string, cert: string, key: string, snippet: string): string {
  writeFileSync(join(prefix, 'push-manifest.conf'), snippet);
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  types { text/html html; text/css css; text/javascript js; font/woff2 woff2; image/jpeg jpg; }
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    root ${root};
    include ${join(prefix, 'push-manifest.conf')};
  }
}
`,
  );
  return conf;
}

async function startNginx(text: string): Promise<{ server: RunningServer; port: number; conf: string }> {
  const { dir, cert, key } = await makeTlsDir('nginx');
  const port = await freePort();
  const conf = nginxConf(dir, port, makeExportSite(), cert, key, text);
  await configTest(serverCommand('nginx'), ['-t', '-p', dir, '-c', conf]);
  return { server: await startServer(serverCommand('nginx'), ['-p', dir, '-c', conf], port), port, conf };
}

describe('nginx export, checked by nginx itself', () => {
  let plain: Awaited<ReturnType<typeof startNginx>>;
  let pushing: Awaited<ReturnType<typeof startNginx>>;
  let pattern: Awaited<ReturnType<typeof startNginx>>;
  beforeAll(async () => {
    [plain, pushing, pattern] = await Promise.all([
      startNginx(exportNginx(siteManifest(), { manifestName: 'push-manifest.json' }).text),
      startNginx(exportNginx(siteManifest(), { push: true }).text),
      startNginx(exportNginx(patternManifest()).text),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.server.stop(), pushing?.server.stop(), pattern?.server.stop()]);
  });

  it('writes a regular-expression route as a regex location', async () => {
    expect((await curl(pattern.port, '/shop/item.html')).links).toEqual([patternLink('/shop/item.html')]);
    expect(patternLink('/shop/item.html')).toContain('/css/wide.css');
    // `*` is every page (a path ending in / or .html), not its assets.
    expect((await curl(pattern.port, '/about/')).links).toEqual([patternLink('/about/')]);
    expect(patternLink('/about/')).toBe('</fonts/f.woff2>; rel=preload; as=font; crossorigin; nopush');
    expect((await curl(pattern.port, '/css/app.css')).links).toEqual([]);
  });

  it('passes nginx -t (done in beforeAll) and answers every page, in every URL form, with the runtime\'s Link header', async () => {
    for (const [key, urls] of Object.entries(PAGE_URLS)) {
      for (const url of urls) {
        const response = await curl(plain.port, url);
        expect(response.status, url).toBe(200);
        expect(response.links, url).toEqual([runtimeLink(key)]);
      }
    }
  });

  it('keeps the manifest order, and the module, font and preconnect spellings', async () => {
    const [value] = (await curl(plain.port, '/')).links;
    const links = parseLinkHeader(value ?? '');
    expect(links.map((link) => link.url)).toEqual(['https://cdn.example.com', '/css/app.css', '/fonts/f.woff2', '/js/main.js', '/js/dep.js', '/img/hero.jpg']);
    expect(value).toContain('</fonts/f.woff2>; rel=preload; as=font; crossorigin; nopush');
    expect(value).toContain('</js/main.js>; rel=modulepreload; crossorigin; nopush');
  });

  it('adds no Link header to assets', async () => {
    for (const url of ASSET_URLS) {
      const response = await curl(plain.port, url);
      expect(response.status, url).toBe(200);
      expect(response.links, url).toEqual([]);
    }
  });

  it('with --push, nghttp sees a PUSH_PROMISE for each pushable entry, and the Link header drops their nopush', async () => {
    for (const [key, urls] of Object.entries(PAGE_URLS)) {
      const pushes = await nghttpPushes(pushing.port, urls[0] as string);
      expect(pushes, key).toEqual(runtimePushes(key));
      expect((await curl(pushing.port, urls[0] as string)).links).toEqual([runtimeLink(key, true)]);
    }
    expect(runtimePushes('/index.html')).toEqual(['/css/app.css', '/fonts/f.woff2', '/js/main.js', '/js/dep.js']);
    expect(await nghttpPushes(pushing.port, '/css/app.css')).toEqual([]);
  });
});

describe('nginx export options', () => {
  it('writes no http2_push for nginx 1.25.1 and later, and says so', () => {
    const result = exportNginx(siteManifest(), { push: true, targetVersion: '1.25.1' });
    expect(result.text).not.toContain('http2_push');
    expect(result.warnings).toEqual([expect.stringContaining('nginx 1.25.1 has no http2_push')]);
    expect(exportNginx(siteManifest(), { push: true, targetVersion: '1.25.0' }).text).toContain('http2_push "/css/app.css";');
  });

  it('writes early_hints only for nginx 1.29 and later', () => {
    expect(exportNginx(siteManifest(), { earlyHints: true, targetVersion: '1.29.0' }).text).toContain('early_hints $http2$http3;');
    const old = exportNginx(siteManifest(), { earlyHints: true });
    expect(old.text).not.toContain('early_hints');
    expect(old.warnings).toEqual([expect.stringContaining('cannot send 103')]);
  });

  it('leaves out a URL with "$" (nginx has no escape for it) with a warning naming the page', () => {
    const manifest = siteManifest();
    manifest.pages.set('/shop.html', [{ url: '/js/$lib.js', type: 'script', weight: 1 }, { url: '/css/app.css', type: 'style', weight: 1 }]);
    const result = exportNginx(manifest);
    expect(result.text).not.toContain('$lib');
    expect(result.text).toContain('location = "/shop.html"');
    expect(result.warnings).toEqual([expect.stringMatching(/^\/shop\.html: nginx cannot write \/js\/\$lib\.js/)]);
  });

  it('is deterministic, and names the manifest in its comment', () => {
    const a = exportNginx(siteManifest(), { manifestName: 'dist/push-manifest.json', generator: 'push-manifest 0.1.0' }).text;
    expect(exportNginx(siteManifest(), { manifestName: 'dist/push-manifest.json', generator: 'push-manifest 0.1.0' }).text).toBe(a);
    expect(a.split('\n')[0]).toBe('# nginx config generated from dist/push-manifest.json by push-manifest 0.1.0; regenerate it rather than editing it.');
  });
});
