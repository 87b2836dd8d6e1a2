/**
 * The crawler against a real browser: headless Chromium (Debian's, driven by playwright-core)
 * loads pages from a loopback server, and every same-origin file it fetches must be in the
 * page's crawl, with a type that matches how Chromium fetched it; every cross-origin fetch must
 * be among the page's preconnect origins. And the other way round, for what a manifest puts
 * first by default: every stylesheet, font and script listed for example/site is fetched.
 * (The made-up page below has placeholder bytes for fonts: a font that fails to decode makes
 * Chromium fetch the next `src` format, so it gives each @font-face one format; the choice among
 * formats is unit-tested. example/site has a real woff2.)
 */
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateManifest, type GenerateOptions, type ResourceType } from '@push-manifest/core';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const example = new URL('../../example/site/', import.meta.url).pathname;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.avif': 'image/avif',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
  '.vtt': 'text/vtt',
};
const EVERY_TYPE: ResourceType[] = ['style', 'font', 'script', 'image', 'fetch', 'document', 'audio', 'video', 'track', 'worker', 'embed', 'object', 'manifest'];

/** Which manifest types fit how Chromium reports a request. `other` covers preload as=fetch and SVG <use>. */
const FITS: Record<string, ResourceType[]> = {
  stylesheet: ['style'],
  script: ['script'],
  image: ['image'],
  font: ['font'],
  media: ['video', 'audio'],
  texttrack: ['track'],
  manifest: ['manifest'],
  document: ['document', 'embed', 'object'],
  fetch: ['fetch'],
  xhr: ['fetch'],
  other: ['fetch', 'image'],
};

const temps: string[] = [];
let context: BrowserContext;

beforeAll(async () => {
  const profile = await mkdtemp(join(tmpdir(), 'pm-crawl-chromium-'));
  temps.push(profile);
  context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
});

afterAll(async () => {
  await context?.close();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

/** A static server for `root` on 127.0.0.1 (folder URLs → index.html). */
async function serve(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      let path = join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if ((await stat(path).catch(() => null))?.isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path).catch(() => null);
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, origin: `http://127.0.0.1:${address.port}` };
}

/** What Chromium fetches for a page: same-origin path → resource type, and other origins. */
async function browserFetches(origin: string, route: string) {
  const page = await context.newPage();
  const sameOrigin = new Map<string, string>();
  const otherOrigins = new Set<string>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    if (url.origin === origin) sameOrigin.set(url.pathname + url.search, request.resourceType());
    else otherOrigins.add(url.origin);
  });
  try {
    await page.goto(origin + route, { waitUntil: 'networkidle', timeout: 15_000 });
    // Fonts are fetched when layout needs them: force a layout, then wait for the font loads it started.
    // (A string: the tests are type-checked without the DOM library.)
    await page.evaluate('(async () => { void document.body.offsetHeight; await document.fonts.ready; })()');
    await page.waitForLoadState('networkidle');
  } finally {
    await page.close();
  }
  sameOrigin.delete(route);
  return { sameOrigin, otherOrigins };
}

/**
 * Every candidate of a srcset is listed here (`srcset: 'all'`): which one Chromium takes for a
 * `w` descriptor depends on its viewport, which the crawler cannot know.
 */
async function compare(root: string, routes: string[], options: Partial<GenerateOptions> = {}) {
  const { manifest } = await generateManifest({ root, types: EVERY_TYPE, followImports: true, srcset: 'all', ...options });
  const { server, origin } = await serve(root);
  try {
    for (const route of routes) {
      const { sameOrigin, otherOrigins } = await browserFetches(origin, route);
      expect(sameOrigin.size, `Chromium fetched nothing for ${route}`).toBeGreaterThan(0);
      const listed = new Map((manifest.pages.get(route) ?? []).map((r) => [r.url, r.type]));
      for (const [url, resourceType] of sameOrigin) {
        expect(listed.has(url), `${route}: Chromium fetched ${url} (${resourceType}), the crawl did not list it`).toBe(true);
        expect(FITS[resourceType] ?? [], `${route}: ${url} fetched as ${resourceType}, listed as ${listed.get(url)}`).toContain(listed.get(url));
      }
      const preconnect = (manifest.preconnect?.get(route) ?? []).map((hint) => hint.origin);
      for (const other of otherOrigins) expect(preconnect, `${route}: fetched from ${other}`).toContain(other);
    }
  } finally {
    server.close();
  }
}

describe('crawl vs headless Chromium', () => {
  it('example/site: everything Chromium fetches is listed, with a fitting type', async () => {
    await compare(example, ['/index.html', '/about/index.html']);
  });

  it('example/site: every stylesheet, font and script of the default manifest is fetched by Chromium', async () => {
    const { manifest } = await generateManifest({ root: example, followImports: true });
    const { server, origin } = await serve(example);
    try {
      for (const [route, list] of manifest.pages) {
        const { sameOrigin } = await browserFetches(origin, route);
        for (const r of list.filter((x) => x.type !== 'image')) {
          expect(sameOrigin.has(r.url), `${route}: ${r.url} listed but not fetched`).toBe(true);
        }
      }
    } finally {
      server.close();
    }
  });

  it('fonts: Chromium fetches a face only for a family in use, and the default manifest lists exactly those', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pm-crawl-fonts-'));
    temps.push(root);
    const files: Record<string, string> = {
      'index.html': '<!doctype html><link rel="stylesheet" href="faces.css"><h1>Title</h1><p style="font-family: \'Body Text\'">Body</p>',
      'faces.css': [
        '@font-face { font-family: Heading; src: url(heading.woff2) format("woff2") }',
        '@font-face { font-family: "Body Text"; src: url(body.woff2) format("woff2") }',
        '@font-face { font-family: Unused; src: url(unused.woff2) format("woff2") }',
        'h1 { font: bold 2em Heading, serif }',
      ].join('\n'),
      'heading.woff2': 'not a real font',
      'body.woff2': 'not a real font',
      'unused.woff2': 'not a real font',
    };
    for (const [path, content] of Object.entries(files)) await writeFile(join(root, path), content);
    const { manifest } = await generateManifest({ root });
    const listed = manifest.pages.get('/index.html')!.filter((r) => r.type === 'font').map((r) => r.url).sort();
    const { server, origin } = await serve(root);
    try {
      const { sameOrigin } = await browserFetches(origin, '/index.html');
      const fetched = [...sameOrigin].filter(([, type]) => type === 'font').map(([url]) => url).sort();
      expect(fetched).toEqual(['/body.woff2', '/heading.woff2']);
      expect(listed).toEqual(fetched);
    } finally {
      server.close();
    }
  });

  it('a page using every element and CSS construct: everything Chromium fetches is listed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pm-crawl-browser-'));
    temps.push(root);
    const files: Record<string, string> = {
      'index.html': `<!doctype html><html><head>
<base href="/static/">
<link rel="STYLESHEET" href="css/main.css?v=2">
<link rel="preload" href="fonts/icons.woff2" as="font" crossorigin>
<link rel="preload" href="data/boot.json" as="fetch" crossorigin>
<link rel="modulepreload" href="js/chunk.js">
<link rel="manifest" href="/app.webmanifest">
<link rel="stylesheet" href="http://127.0.0.2:9/remote.css">
<style>.banner { background: url("img/banner.png") } @font-face { font-family: Inline; src: url(fonts/inline.woff2) format("woff2") }</style>
<script src="js/classic.js"></script>
<script type="module" src="js/app.js"></script>
<script nomodule src="js/legacy.js"></script>
<script async src="js/async.js"></script>
<script defer src="js/defer.js"></script>
</head><body>
<div class="banner" style="font-family: Inline">Banner text</div>
<div class="hero">Hero</div>
<div style="background-image: url('img/attr.png'); width: 10px; height: 10px"></div>
<p class="icons">Icons</p>
<img src="img/plain.png" alt="">
<img src="img/photo.png" srcset="img/photo-1x.png 1x, img/photo-2x.png 2x" alt="">
<picture><source type="image/avif" srcset="img/pic.avif"><img src="img/pic.jpg" alt=""></picture>
<input type="image" src="img/button.png" alt="go">
<svg width="20" height="20"><image href="img/svg-image.png" width="20" height="20"/></svg>
<video src="media/clip.mp4" poster="img/poster.png"></video>
<iframe src="/frame.html"></iframe>
<template><img src="img/in-template.png" alt=""></template>
</body></html>`,
      'frame.html': '<!doctype html><p>frame</p>',
      'app.webmanifest': '{"name":"x"}',
      'static/css/main.css': '@import "base.css" screen;\n.hero { background-image: image-set("../img/hero-1x.png" 1x, "../img/hero-2x.png" 2x); }\n.icons { font-family: Icons; }',
      'static/css/base.css': '@font-face { font-family: Icons; src: url(../fonts/icons.woff2) format("woff2"); }\nbody { margin: 0; }',
      'static/js/classic.js': '',
      // The dynamic import runs only when called: a lazy chunk, never hinted.
      'static/js/app.js': "import { c } from './chunk.js';\nexport const later = () => import('./lazy.js');\n",
      'static/js/chunk.js': "import './deep.js';\nexport const c = 1;\n",
      'static/js/deep.js': '',
      'static/js/lazy.js': '',
      'static/js/legacy.js': '',
      'static/js/async.js': '',
      'static/js/defer.js': '',
      'static/data/boot.json': '{}',
    };
    for (const name of ['fonts/icons.woff2', 'fonts/inline.woff2', 'img/banner.png', 'img/attr.png', 'img/plain.png', 'img/photo.png', 'img/photo-1x.png', 'img/photo-2x.png', 'img/pic.avif', 'img/pic.jpg', 'img/button.png', 'img/svg-image.png', 'img/poster.png', 'img/in-template.png', 'img/hero-1x.png', 'img/hero-2x.png', 'media/clip.mp4']) {
      files[`static/${name}`] = 'placeholder';
    }
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), content);
    }
    await compare(root, ['/index.html']);
  });
});
