/**
 * `@push-manifest/vite` in real builds of `fixtures/apps/multi-page` by Vite 8 (Rolldown) and
 * Vite 7 (Rollup), one build per case in `beforeAll`, then `vite preview` answering with the hints.
 */
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InlineConfig, Logger, Plugin } from 'vite';
import * as vite8 from 'vite';
import * as vite7 from 'vite7';
import pushManifest, { pushManifest as named, type PushManifestOptions } from '@push-manifest/vite';
import { bundleFromViteManifest, bundleManifest, resolveBundleOptions } from '@push-manifest/core/bundle';
import { generateManifest, readManifestJson } from '@push-manifest/core';
import { APP, listFiles, pageList, readJson, tempDir, theFile } from './apps.js';
import { runCli } from '../cli/helpers.js';

type Vite = typeof vite8;

/** A logger that keeps warnings for the test to read. */
function collectingLogger(): Logger & { warnings: string[] } {
    const warnings: string[] = [];
  const warned = new Set<string>();
  const logger: Logger & { warnings: string[] } = {
    warnings,
    info: () => {},
    warn: (message) => void warnings.push(message),
    warnOnce: (message) => {
      if (!warned.has(message)) warnings.push(message);
      warned.add(message);
    },
    error: () => {},
    clearScreen: () => {},
    hasErrorLogged: () => false,
    hasWarned: false,
  };
  return logger;
}

function config(version: 7 | 8, outDir: string, plugins: Plugin[], extra: InlineConfig = {}): InlineConfig & { customLogger: ReturnType<typeof collectingLogger> } {
  const input = { index: join(APP, 'index.html'), about: join(APP, 'about.html') };
  return {
    root: APP,
    configFile: false,
    logLevel: 'warn',
    cacheDir: join(outDir, '..', 'vite-cache'),
    ...extra,
    customLogger: collectingLogger(),
    build: { outDir, emptyOutDir: true, manifest: true, ...(version === 7 ? { rollupOptions: { input } } : { rolldownOptions: { input } }), ...extra.build },
    plugins,
  };
}

/** Adds a stylesheet link the bundle does not have to each page, after Vite wrote its HTML. */
const missingStylesheet: Plugin = {
  name: 'test:missing-stylesheet',
  transformIndexHtml: { order: 'post', handler: (html) => html.replace('</head>', '<link rel="stylesheet" href="/app/not-built.css"></head>') },
};

describe.each([
  [8, vite8],
  [7, vite7 as unknown as Vite],
] as const)('Vite %i', (version, vite) => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let dist: string;
  let files: string[];
  let atApp: string;
  let appWarnings: string[];

  beforeAll(async () => {
    temp = await tempDir(`vite${version}`);
    dist = join(temp.dir, 'dist');
    await vite.build(config(version, dist, pushManifest()));
    files = await listFiles(dist);
    atApp = join(temp.dir, 'app');
    const appConfig = config(version, atApp, [...named({ format: 'polymer', fileName: 'hints/manifest.json' }), missingStylesheet], { base: '/app/' });
    await vite.build(appConfig);
    appWarnings = appConfig.customLogger.warnings;
  }, 120_000);
  afterAll(() => temp?.cleanup());

  it('lists exactly the hashed files each page needs, typed and in critical-path order', async () => {
    const manifest = await readJson(join(dist, 'push-manifest.json'));
    const shared = { css: theFile(files, /^assets\/shared-[\w-]+\.css$/), js: theFile(files, /^assets\/shared-[\w-]+\.js$/) };
    const font = theFile(files, /^assets\/brand-[\w-]+\.woff2$/);
    const module = { type: 'script', crossorigin: 'anonymous', rel: 'modulepreload' };
    // Vite writes <link rel=stylesheet crossorigin>: the hint's CORS mode matches the fetch.
    const style = { type: 'style', crossorigin: 'anonymous' };
    expect(Object.keys(manifest).sort()).toEqual(['about.html', 'index.html']);
    expect(pageList(manifest['index.html'])).toEqual([
      [`/${shared.css}`, style],
      [`/${font}`, { type: 'font', crossorigin: 'anonymous' }],
      [`/${theFile(files, /^assets\/index-[\w-]+\.js$/)}`, module],
      [`/${shared.js}`, module],
    ]);
    expect(pageList(manifest['about.html'])).toEqual([
      [`/${shared.css}`, style],
      [`/${theFile(files, /^assets\/about-[\w-]+\.css$/)}`, style],
      [`/${font}`, { type: 'font', crossorigin: 'anonymous' }],
      [`/${theFile(files, /^assets\/about-[\w-]+\.js$/)}`, module],
      [`/${shared.js}`, module],
    ]);
  });

  it('never lists the lazy chunk, its CSS, or the other page’s entry', async () => {
    const manifest = await readJson(join(dist, 'push-manifest.json'));
    const lazy = files.filter((file) => /^assets\/lazy-/.test(file));
    expect(lazy).toHaveLength(2);
    const listed = (page: string) => Object.keys(manifest[page] ?? {});
    for (const file of lazy) {
      expect(listed('index.html')).not.toContain(`/${file}`);
      expect(listed('about.html')).not.toContain(`/${file}`);
    }
    expect(listed('index.html')).not.toContain(`/${theFile(files, /^assets\/about-[\w-]+\.js$/)}`);
    expect(listed('about.html')).not.toContain(`/${theFile(files, /^assets\/index-[\w-]+\.js$/)}`);
  });

  it('respects base, fileName and format, and reports a dependency not in the bundle as a Vite warning', async () => {
    const text = readFileSync(join(atApp, 'hints/manifest.json'), 'utf8');
    const { manifest } = readManifestJson(JSON.parse(text), { file: 'manifest.json' });
    expect([...manifest.pages.keys()].sort()).toEqual(['/app/about.html', '/app/index.html']);
    const index = manifest.pages.get('/app/index.html')!.map((r) => r.url);
    expect(index).toHaveLength(4);
    for (const url of index) expect(url).toMatch(/^\/app\/assets\//);
    expect(index).not.toContain('/app/not-built.css');
    expect(existsSync(join(atApp, 'push-manifest.json'))).toBe(false);
    expect(appWarnings.some((w) => w.includes('@push-manifest/vite') && w.includes('/app/not-built.css not found'))).toBe(true);
  });

  it('agrees with generate on the same dist/ and with generate --from-vite on Vite’s own manifest', async () => {
    const plugin = readManifestJson(await readJson(join(dist, 'push-manifest.json')), { file: 'push-manifest.json' }).manifest;
    const crawled = await generateManifest({ root: dist, cache: false });
    expect(crawled.manifest.pages).toEqual(plugin.pages);
    // Server-rendered: routes name their entries, no HTML is read; the lists are the same.
    const viteManifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as unknown;
    const input = bundleFromViteManifest({ json: viteManifest, file: 'manifest.json', root: dist, base: '/', routes: [{ route: '/', entry: 'index.html' }, { route: '/about', entry: 'about.html' }] });
    const fromVite = await bundleManifest(input, resolveBundleOptions('test', {}));
    expect(fromVite.warnings).toEqual([]);
    // One difference: Vite's HTML writes <link rel=stylesheet crossorigin>; a server's own tags
    // (Laravel's, Rails', Django's Vite helpers) are plain, so from Vite's manifest CSS is no-cors.
    const asServerTags = (list: typeof plugin.pages extends Map<string, infer L> ? L : never) =>
      list.map((r) => (r.type === 'style' ? (({ crossorigin: _c, ...rest }) => rest)(r) : r));
    expect(fromVite.manifest.pages.get('/')).toEqual(asServerTags(plugin.pages.get('/index.html')!));
    expect(fromVite.manifest.pages.get('/about')).toEqual(asServerTags(plugin.pages.get('/about.html')!));
  });
});

describe('Vite 8: options, environments and preview', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let dist: string;
  const options: PushManifestOptions = { types: ['style', 'font', 'script'], max: 3 };

  beforeAll(async () => {
    temp = await tempDir('vite8-preview');
    dist = join(temp.dir, 'dist');
    await vite8.build(config(8, dist, pushManifest(options)));
  }, 60_000);
  afterAll(() => temp?.cleanup());

  it('fails the build on a bad option, naming it', async () => {
    const out = join(temp.dir, 'bad');
    await expect(vite8.build(config(8, out, pushManifest({ max: 0 })))).rejects.toThrow(/@push-manifest\/vite: option "max": expected a positive whole number, got 0/);
    await expect(vite8.build(config(8, out, pushManifest({ format: 'yaml' } as never)))).rejects.toThrow(/option "format": expected one of auto, single, multi, polymer/);
    await expect(vite8.build(config(8, out, pushManifest({ maxByte: 10 } as never)))).rejects.toThrow(/unknown option "maxByte"/);
  });

  it('caps each page with max', async () => {
    const manifest = await readJson(join(dist, 'push-manifest.json'));
    expect(Object.keys(manifest['about.html']!)).toHaveLength(3);
  });

  it('generate --from-vite writes route manifests from Vite’s manifest, and names a bad route', async () => {
    const out = join(temp.dir, 'routes.json');
    const ok = await runCli(['generate', '--from-vite', join(dist, '.vite/manifest.json'), '--route', '/=index.html', '--route', '/about=about.html', '--max', '3', '--format', 'polymer', '--out', out]);
    expect(ok.stderr).toContain('2 routes, 6 listed resources');
    expect(ok.code).toBe(0);
    const { manifest } = readManifestJson(JSON.parse(readFileSync(out, 'utf8')), { file: out });
    expect([...manifest.pages.keys()].sort()).toEqual(['/', '/about']);
    expect(manifest.pages.get('/about')!.map((r) => r.type)).toEqual(['style', 'style', 'font']);
    const bad = await runCli(['generate', '--from-vite', join(dist, '.vite/manifest.json'), '--route', '/=src/main.ts', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--route \/=src\/main\.ts: .*has no entry src\/main\.ts \(entries: about\.html, index\.html\)/);
  });

  it('emits nothing in an SSR build', async () => {
    const out = join(temp.dir, 'ssr');
    await vite8.build(config(8, out, pushManifest(), { build: { ssr: join(APP, 'src/shared.js'), rolldownOptions: {} } }));
    expect((await listFiles(out)).some((file) => file.endsWith('push-manifest.json'))).toBe(false);
  });

  it('vite preview answers a page with the Link header, and with 103 Early Hints over HTTP/2', async () => {
    const server = await vite8.preview({ ...config(8, dist, pushManifest(options)), preview: { port: 0, host: '127.0.0.1' } });
    try {
      const port = (server.httpServer.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/about.html`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      const link = response.headers.get('link') ?? '';
      const files = await listFiles(dist);
      expect(link).toContain(`</${theFile(files, /^assets\/shared-[\w-]+\.css$/)}>; rel=preload; as=style`);
      expect(link).toMatch(/<\/assets\/brand-[\w-]+\.woff2>; rel=preload; as=font; crossorigin/);
      await response.arrayBuffer();
    } finally {
      await server.close();
    }

    // selfsigned is the CLI's dependency (serve's development certificate): load it from there.
    const { generate } = createRequire(new URL('../../packages/cli/package.json', import.meta.url))('selfsigned') as {
      generate: (attrs: unknown, options: unknown) => Promise<{ cert: string; private: string }>;
    };
    const pems = await generate([{ name: 'commonName', value: 'test' }], { keyType: 'ec', curve: 'P-256', extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] });
    const secure = await vite8.preview({ ...config(8, dist, pushManifest(options)), preview: { port: 0, host: '127.0.0.1', https: { cert: pems.cert, key: pems.private } } });
    try {
      const port = (secure.httpServer.address() as AddressInfo).port;
      const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
      try {
        const { hints, status } = await new Promise<{ hints: string[]; status: number }>((resolve, reject) => {
          const hints: string[] = [];
          const stream = session.request({ ':path': '/', accept: 'text/html', 'sec-fetch-dest': 'document' });
          stream.on('headers', (headers) => {
            if (headers[':status'] === 103) hints.push(String(headers.link));
          });
          stream.on('response', (headers) => {
            stream.resume();
            stream.on('end', () => resolve({ hints, status: Number(headers[':status']) }));
          });
          stream.on('error', reject);
          stream.setTimeout(10_000, () => reject(new Error('no response in 10 s')));
        });
        expect(status).toBe(200);
        expect(hints).toHaveLength(1);
        expect(hints[0]).toMatch(/<\/assets\/shared-[\w-]+\.css>; rel=preload; as=style/);
      } finally {
        session.close();
      }
    } finally {
      await secure.close();
    }
  });
});
