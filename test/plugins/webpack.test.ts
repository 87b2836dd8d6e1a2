/**
 * `@push-manifest/webpack` in real builds of `fixtures/apps/multi-page` by webpack 5
 * (html-webpack-plugin, mini-css-extract-plugin, asset modules) and Rspack (HtmlRspackPlugin,
 * CssExtractRspackPlugin), one build per case in `beforeAll`; and a rebuild in webpack's watch mode.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack from 'webpack';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import { rspack } from '@rspack/core';
import { PushManifestPlugin } from '@push-manifest/webpack';
import { readManifestJson } from '@push-manifest/core';
import { APP, listFiles, pageList, readJson, tempDir, theFile } from './apps.js';
import { appConfig, build, type Bundler } from './webpack-apps.js';

describe.each(['webpack', 'rspack'] as const)('%s', (bundler: Bundler) => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let dist: string;
  let files: string[];
  let warnings: string[];
  let atApp: string;
  let appWarnings: string[];

  beforeAll(async () => {
    temp = await tempDir(bundler);
    dist = join(temp.dir, 'dist');
    warnings = await build(bundler, appConfig(bundler, dist));
    files = await listFiles(dist);
    // A second build: base, format and fileName options, and a third page naming a file the build does not have.
    atApp = join(temp.dir, 'app');
    const config = appConfig(bundler, atApp, { base: '/app/', format: 'polymer', fileName: 'hints/manifest.json' });
    const broken = { templateContent: '<!doctype html><link rel="stylesheet" href="not-built.css"><h1>Broken</h1>', filename: 'broken.html', chunks: ['home'] };
    config.plugins.unshift(bundler === 'webpack' ? new HtmlWebpackPlugin(broken) : new rspack.HtmlRspackPlugin(broken));
    appWarnings = await build(bundler, config);
  }, 120_000);
  afterAll(() => temp?.cleanup());

  it('lists exactly the hashed files each page needs, typed and in critical-path order', async () => {
    expect(warnings).toEqual([]);
    const manifest = await readJson(join(dist, 'push-manifest.json'));
    const shared = { css: theFile(files, /^shared\.\w{8}\.css$/), js: theFile(files, /^shared\.\w{8}\.js$/) };
    const font = theFile(files, /^brand\.\w{8}\.woff2$/);
    const runtime = theFile(files, /^runtime\.\w{8}\.js$/);
    // html-webpack-plugin and HtmlRspackPlugin write classic <script defer> and plain <link rel=stylesheet>: no CORS, no modulepreload.
    const script = { type: 'script' };
    expect(Object.keys(manifest).sort()).toEqual(['about.html', 'index.html']);
    expect(pageList(manifest['index.html'])).toEqual([
      [`/${shared.css}`, { type: 'style' }],
      [`/${font}`, { type: 'font', crossorigin: 'anonymous' }],
      [`/${runtime}`, script],
      [`/${shared.js}`, script],
      [`/${theFile(files, /^home\.\w{8}\.js$/)}`, script],
    ]);
    expect(pageList(manifest['about.html'])).toEqual([
      [`/${shared.css}`, { type: 'style' }],
      [`/${theFile(files, /^about\.\w{8}\.css$/)}`, { type: 'style' }],
      [`/${font}`, { type: 'font', crossorigin: 'anonymous' }],
      [`/${runtime}`, script],
      [`/${shared.js}`, script],
      [`/${theFile(files, /^about\.\w{8}\.js$/)}`, script],
    ]);
  });

  it('never lists async chunks, source maps, or the other page’s entry', async () => {
    const manifest = await readJson(join(dist, 'push-manifest.json'));
    const listed = [...Object.keys(manifest['index.html']!), ...Object.keys(manifest['about.html']!)];
    expect(files.filter((file) => file.startsWith('lazy.'))).toHaveLength(4);
    expect(listed.filter((url) => url.includes('lazy') || url.endsWith('.map'))).toEqual([]);
    expect(Object.keys(manifest['index.html']!).some((url) => url.startsWith('/about.'))).toBe(false);
    expect(Object.keys(manifest['about.html']!).some((url) => url.startsWith('/home.'))).toBe(false);
  });

  it('respects base, format and fileName, and reports a dependency not in the build as a compilation warning', async () => {
    const { manifest } = readManifestJson(JSON.parse(await readFile(join(atApp, 'hints/manifest.json'), 'utf8')), { file: 'manifest.json' });
    expect([...manifest.pages.keys()].sort()).toEqual(['/app/about.html', '/app/broken.html', '/app/index.html']);
    for (const list of manifest.pages.values()) for (const { url } of list) expect(url).toMatch(/^\/app\/[\w.]+$/);
    expect(manifest.pages.get('/app/broken.html')!.map((r) => r.url)).toEqual(manifest.pages.get('/app/index.html')!.map((r) => r.url));
    expect(appWarnings.filter((w) => w.includes('PushManifestPlugin'))).toEqual([expect.stringMatching(/PushManifestPlugin: broken\.html:1:\d+: \/app\/not-built\.css not found/)]);
  });

  it('fails the build on a bad option, naming it', async () => {
    const config = appConfig(bundler, join(temp.dir, 'bad'), { types: ['stylesheet'] } as never);
    await expect(build(bundler, config)).rejects.toThrow(/@push-manifest\/webpack: option "types.0": expected one of script, style/);
  });
});

describe('without an HTML plugin', () => {
  it('lists each entrypoint under its name', async () => {
    const temp = await tempDir('rspack-entries');
    try {
      const config = appConfig('rspack', temp.dir);
      config.plugins = config.plugins.filter((plugin) => !(plugin instanceof rspack.HtmlRspackPlugin));
      await build('rspack', config);
      const manifest = await readJson(join(temp.dir, 'push-manifest.json'));
      // Routes /home and /about; the multi format writes page keys without the leading slash.
      expect(Object.keys(manifest).sort()).toEqual(['about', 'home']);
      expect(pageList(manifest['home']).map(([url]) => url.replace(/\.\w{8}\./, '.'))).toEqual(['/shared.css', '/brand.woff2', '/runtime.js', '/shared.js', '/home.js']);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('webpack watch mode', () => {
  it('emits the manifest again on every rebuild', async () => {
    const temp = await tempDir('webpack-watch');
    const app = join(temp.dir, 'app');
    const dist = join(temp.dir, 'dist');
    await cp(APP, app, { recursive: true });
    const compiler = webpack(appConfig('webpack', dist, {}, app) as unknown as webpack.Configuration);
    const aboutCss = async () => Object.keys((await readJson(join(dist, 'push-manifest.json')))['about.html']!).find((url) => /^\/about\.\w{8}\.css$/.test(url));
    try {
      const seen: (string | undefined)[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`watch: ${seen.length} builds in 60 s`)), 60_000);
        const watching = compiler.watch({ aggregateTimeout: 50 }, (error, stats) => {
          if (error || stats?.hasErrors()) {
            clearTimeout(timer);
            return reject(error ?? new Error(String(stats?.toString())));
          }
          void aboutCss().then(async (css) => {
            seen.push(css);
            if (seen.length === 1) await writeFile(join(app, 'src/styles/about.css'), '.about { color: rebeccapurple; }\n');
            if (seen.length === 2) {
              clearTimeout(timer);
              watching!.close(() => resolve());
            }
          }, reject);
        });
      });
      expect(seen[0]).toMatch(/^\/about\.\w{8}\.css$/);
      expect(seen[1]).toMatch(/^\/about\.\w{8}\.css$/);
      expect(seen[1]).not.toBe(seen[0]);
    } finally {
      await new Promise<void>((resolve) => compiler.close(() => resolve()));
      await temp.cleanup();
    }
  });
});
