import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFileParser,
  generateManifest,
  serializeManifest,
  type FileKind,
  type FileParser,
  type GenerateOptions,
  type Resource,
} from '@push-manifest/core';

const fixtures = new URL('../../fixtures/sites/', import.meta.url).pathname;
const golden = new URL('./golden/', import.meta.url).pathname;
const temps: string[] = [];

afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

/** A throwaway site: path → content. */
async function site(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'pm-crawl-'));
  temps.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const ALL_TYPES: GenerateOptions['types'] = ['style', 'font', 'script', 'image', 'fetch', 'document', 'audio', 'video', 'track', 'embed', 'object', 'manifest'];

async function page(root: string, route = '/index.html', options: Partial<GenerateOptions> = {}): Promise<Resource[]> {
  const { manifest } = await generateManifest({ root, ...options });
  const resources = manifest.pages.get(route);
  if (!resources) throw new Error(`no page ${route}; pages: ${[...manifest.pages.keys()].join(', ')}`);
  return resources;
}

/** Counts parses per file through the real parser. */
function countingParser(): FileParser & { counts: Map<string, number> } {
  const real = createFileParser();
  const counts = new Map<string, number>();
  return {
    counts,
    parse(kind: FileKind, absPath: string) {
      counts.set(absPath, (counts.get(absPath) ?? 0) + 1);
      return real.parse(kind, absPath);
    },
  };
}

describe('generateManifest on fixtures/sites (golden files, read and checked by hand)', () => {
  for (const name of ['basic', 'multi-page', 'css-imports', 'edge-cases', 'malformed']) {
    it(name, async () => {
      const { manifest } = await generateManifest({ root: join(fixtures, name) });
      expect(serializeManifest(manifest, 'auto')).toBe(await readFile(join(golden, `${name}.json`), 'utf8'));
    });
  }

  it('keys the two index.html of multi-page by their path from the root', async () => {
    const { manifest } = await generateManifest({ root: join(fixtures, 'multi-page') });
    expect([...manifest.pages.keys()]).toEqual(['/about/index.html', '/blog/index.html', '/index.html']);
  });

  it('is deterministic', async () => {
    const a = await generateManifest({ root: join(fixtures, 'edge-cases'), types: ALL_TYPES });
    const b = await generateManifest({ root: join(fixtures, 'edge-cases'), types: ALL_TYPES, concurrency: 1 });
    expect(serializeManifest(a.manifest, 'multi')).toBe(serializeManifest(b.manifest, 'multi'));
    expect(a.warnings).toEqual(b.warnings);
  });
});

describe('edge-cases fixture, every type listed', () => {
  const load = async () => {
    const result = await generateManifest({ root: join(fixtures, 'edge-cases'), types: ALL_TYPES });
    const list = result.manifest.pages.get('/index.html')!;
    const byUrl = new Map(list.map((r) => [r.url, r]));
    return { result, list, byUrl };
  };

  it('resolves against <base href>, keeps the query, and types by the referencing element', async () => {
    const { byUrl } = await load();
    // media="screen" always matches a screen: the sheet is unconditional (and may be pushed).
    expect(byUrl.get('/assets/css/app.css?v=3')).toMatchObject({ type: 'style' });
    expect(byUrl.get('/assets/css/app.css?v=3')?.media).toBeUndefined();
    expect(byUrl.get('/assets/data/config.json')).toMatchObject({ type: 'fetch', crossorigin: 'anonymous' });
    expect(byUrl.get('/assets/fonts/icons.woff2')).toMatchObject({ type: 'font', crossorigin: 'anonymous' });
    expect(byUrl.get('/assets/js/app.mjs')).toMatchObject({ type: 'script', rel: 'modulepreload', crossorigin: 'anonymous' });
    expect(byUrl.get('/assets/js/polyfills.js')).toEqual(expect.not.objectContaining({ rel: expect.anything() }));
    expect(byUrl.get('/favicon.ico')?.type).toBe('image');
    expect(byUrl.get('/site.webmanifest')?.type).toBe('manifest');
    expect(byUrl.get('/assets/media/clip.mp4')?.type).toBe('video');
    expect(byUrl.get('/assets/media/captions.vtt')?.type).toBe('track');
    expect(byUrl.get('/assets/media/sound.mp3')?.type).toBe('audio');
    expect(byUrl.get('/frame.html')?.type).toBe('document');
    expect(byUrl.get('/assets/media/anim.svg')?.type).toBe('embed');
    expect(byUrl.get('/assets/media/doc.pdf')?.type).toBe('object');
    expect(byUrl.get('/assets/img/pic-wide.avif')).toMatchObject({ media: '(min-width: 900px)', nopush: true, imagesrcset: '/assets/img/pic-wide.avif' });
    expect(byUrl.get('/assets/img/pic.webp')).toMatchObject({ media: 'not all and (min-width: 900px)', mimeType: 'image/webp', nopush: true });
    expect(byUrl.get('/assets/img/photo.jpg')).toMatchObject({ imagesrcset: '/assets/img/photo,small.jpg 1x, /assets/img/photo-2x.jpg 2x', nopush: true });
    expect(byUrl.get('/assets/img/w-400.jpg')).toMatchObject({ imagesrcset: '/assets/img/w-800.jpg 800w, /assets/img/w-400.jpg 400w', imagesizes: '50vw' });
  });

  it('finds inline CSS, SVG, template content, <picture> and srcset defaults', async () => {
    const { byUrl } = await load();
    for (const url of [
      '/assets/img/banner.png',
      '/assets/img/inline.png',
      '/assets/img/svg-image.png',
      '/assets/img/sprite.svg',
      '/assets/img/template.png',
      '/assets/img/pic.webp',
      '/assets/img/w-400.jpg',
      '/assets/img/photo.jpg', // the src: the fallback of the hint's imagesrcset, as of the element's srcset
      '/assets/img/from-css.png',
    ]) {
      expect(byUrl.has(url), url).toBe(true);
    }
    for (const url of ['/assets/img/pic.jxl', '/assets/img/pic.jpg', '/assets/img/photo,small.jpg', '/assets/img/photo-2x.jpg', '/assets/img/w-800.jpg']) {
      expect(byUrl.has(url), url).toBe(false);
    }
  });

  it('percent-encodes non-ASCII and spaces, and finds those files', async () => {
    const { byUrl } = await load();
    expect(byUrl.has('/assets/img/caf%C3%A9.png')).toBe(true);
    expect(byUrl.has('/assets/img/na%C3%AFve.png')).toBe(true);
    expect(byUrl.has('/assets/img/space%20name.png')).toBe(true);
  });

  it('excludes nomodule, alternate and disabled stylesheets, non-JS scripts, data:, blob:, javascript:, fragments', async () => {
    const { list } = await load();
    const urls = list.map((r) => r.url).join(' ');
    for (const part of ['legacy.js', 'alt.css', 'disabled.css', 'data:', 'blob:', 'javascript:', '#']) expect(urls).not.toContain(part);
  });

  it('collects cross-origin origins as preconnect candidates, never as resources', async () => {
    const { result, list } = await load();
    expect(result.manifest.preconnect?.get('/index.html')).toEqual([{ origin: 'https://fonts.example.com' }, { origin: 'https://cdn.example.net' }]);
    expect(list.some((r) => r.url.includes('example'))).toBe(false);
  });

  it('warns about missing files and escapes with file, line and column, and lists neither', async () => {
    const { result, list } = await load();
    const page = join(fixtures, 'edge-cases', 'index.html');
    expect(result.warnings.map((w) => [w.file, w.line, w.column, w.code])).toEqual([
      [page, 52, 8, 'MISSING'],
      [page, 53, 8, 'OUTSIDE_ROOT'],
      [page, 54, 8, 'OUTSIDE_ROOT'],
    ]);
    expect(list.some((r) => /missing|passwd|secret/.test(r.url))).toBe(false);
  });

  it('with srcset "all", lists every candidate', async () => {
    const list = await page(join(fixtures, 'edge-cases'), '/index.html', { types: ['image'], srcset: 'all' });
    const urls = list.map((r) => r.url);
    for (const url of ['/assets/img/photo.jpg', '/assets/img/photo-2x.jpg', '/assets/img/w-800.jpg', '/assets/img/pic.jxl', '/assets/img/pic.jpg']) {
      expect(urls).toContain(url);
    }
  });

  it('with nomodule, lists nomodule scripts', async () => {
    const list = await page(join(fixtures, 'edge-cases'), '/index.html', { nomodule: true });
    expect(list.map((r) => r.url)).toContain('/assets/js/legacy.js');
  });
});

describe('css-imports fixture', () => {
  it('follows @import chains through a cycle, parsing each sheet once', async () => {
    const parser = countingParser();
    const list = await page(join(fixtures, 'css-imports'), '/index.html', { parser, types: ['style', 'font', 'image'], nonScreenMedia: true });
    expect(list.filter((r) => r.type === 'style').map((r) => r.url)).toEqual([
      '/css/main.css',
      '/css/base.css',
      '/css/theme.css',
      '/css/layered.css',
      '/css/print.css',
    ]);
    expect([...parser.counts.values()].every((n) => n === 1)).toBe(true);
    expect(parser.counts.size).toBe(6);
    // By default the print sheet is neither listed nor read.
    const plain = countingParser();
    const byDefault = await page(join(fixtures, 'css-imports'), '/index.html', { parser: plain, types: ['style', 'font', 'image'] });
    expect(byDefault.filter((r) => r.type === 'style').map((r) => r.url)).toEqual(['/css/main.css', '/css/base.css', '/css/theme.css', '/css/layered.css']);
    expect(plain.counts.size).toBe(5);
  });

  it('finds image-set defaults, escaped and quoted url()s, custom properties, and skips data:', async () => {
    const list = await page(join(fixtures, 'css-imports'), '/index.html', { types: ['image'], nonScreenMedia: true });
    // Depth first: layered.css (imported by main.css) is walked before main.css's own rules.
    expect(list.map((r) => r.url)).toEqual([
      '/img/grid.png',
      '/img/hero-1x.avif',
      '/img/icon,%20small.svg',
      '/img/single.png',
      '/img/mask.svg',
      '/img/stripe.png',
      '/img/print-bg.png',
    ]);
    expect(list.find((r) => r.url === '/img/grid.png')?.media).toBeUndefined();
    expect(list.find((r) => r.url === '/img/print-bg.png')?.media).toBe('print');
  });
});

describe('multi-page fixture', () => {
  it('parses a stylesheet and a module shared by several pages once, and gives them the same entry', async () => {
    const parser = countingParser();
    const { manifest } = await generateManifest({ root: join(fixtures, 'multi-page'), parser, followImports: true });
    expect(parser.counts.get(join(fixtures, 'multi-page', 'css', 'site.css'))).toBe(1);
    expect(parser.counts.get(join(fixtures, 'multi-page', 'js', 'main.js'))).toBe(1);
    expect([...parser.counts.values()].every((n) => n === 1)).toBe(true);
    const entry = (route: string, url: string) => {
      const found = manifest.pages.get(route)?.find((r) => r.url === url);
      if (!found) throw new Error(`${url} not on ${route}`);
      const { weight: _weight, ...rest } = found;
      return rest;
    };
    expect(entry('/index.html', '/js/main.js')).toEqual(entry('/blog/index.html', '/js/main.js'));
    expect(entry('/index.html', '/css/site.css')).toEqual(entry('/about/index.html', '/css/site.css'));
  });

  it('follows static imports by default, never dynamic import(), and nothing with followImports: false', async () => {
    const withImports = await page(join(fixtures, 'multi-page'), '/index.html');
    expect(withImports.filter((r) => r.type === 'script').map((r) => r.url)).toEqual(['/js/main.js', '/js/greet.js', '/js/helper.js']);
    expect(withImports.map((r) => r.url)).not.toContain('/js/lazy.js');
    const without = await page(join(fixtures, 'multi-page'), '/index.html', { followImports: false });
    expect(without.filter((r) => r.type === 'script').map((r) => r.url)).toEqual(['/js/main.js']);
  });

  it("lists absolute URLs on the site's own origin by path, with origin", async () => {
    const root = await site({
      'index.html': '<link rel=stylesheet href="https://www.example.com/css/a.css"><script src="https://cdn.example.net/x.js"></script>',
      'css/a.css': '',
    });
    const own = await generateManifest({ root, origin: 'https://www.example.com/anything' });
    expect(own.manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/css/a.css']);
    expect(own.manifest.preconnect?.get('/index.html')).toEqual([{ origin: 'https://cdn.example.net' }]);
    const plain = await generateManifest({ root });
    expect(plain.manifest.pages.get('/index.html')).toEqual([]);
    expect(plain.manifest.preconnect?.get('/index.html')).toEqual([{ origin: 'https://www.example.com' }, { origin: 'https://cdn.example.net' }]);
    await expect(generateManifest({ root, origin: 'example.com' })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });

  it('prefixes page keys and URLs with base', async () => {
    const { manifest, warnings } = await generateManifest({ root: join(fixtures, 'multi-page'), base: 'shop' });
    expect([...manifest.pages.keys()]).toEqual(['/shop/about/index.html', '/shop/blog/index.html', '/shop/index.html']);
    const about = manifest.pages.get('/shop/about/index.html')!.map((r) => r.url);
    // Relative URLs stay inside /shop/; /js/legacy.js and /fonts/site.woff2 are absolute from
    // the server root, outside /shop/, so they are not files of this site.
    expect(about).toEqual(['/shop/css/site.css', '/shop/about/about.css', '/shop/about/team.jpg']);
    expect(warnings.filter((w) => w.file.endsWith(join('about', 'index.html'))).map((w) => [w.line, w.code])).toEqual([[6, 'OUTSIDE_ROOT']]);
    expect(warnings.some((w) => w.file.endsWith('site.css') && w.code === 'OUTSIDE_ROOT')).toBe(true);
  });
});

describe('order and weights', () => {
  it('orders styles, fonts, blocking scripts, async/module scripts, then images, weights 256 down', async () => {
    const root = await site({
      'index.html':
        '<img src=first.png><script async src=async.js></script><script type=module src=mod.js></script>' +
        '<script src=sync.js></script><link rel=stylesheet href=a.css><script defer src=defer.js></script><link rel=stylesheet href=b.css>',
      'a.css': '@font-face{font-family:x;src:url(f.woff2)} h1{font-family:x}',
      'b.css': '@import "c.css";',
      'c.css': '',
      'first.png': 'x',
      'async.js': '',
      'mod.js': '',
      'sync.js': '',
      'defer.js': '',
      'f.woff2': 'x',
    });
    const list = await page(root);
    expect(list.map((r) => [r.url, r.weight])).toEqual([
      ['/a.css', 256],
      ['/b.css', 255],
      ['/c.css', 254],
      ['/f.woff2', 253],
      ['/sync.js', 252],
      ['/async.js', 251],
      ['/mod.js', 250],
      ['/defer.js', 249],
      ['/first.png', 248],
    ]);
  });

  it('leaves out stylesheets that never apply to a screen, with what they pull in; with nonScreenMedia, lists them last', async () => {
    const root = await site({
      'index.html':
        '<link rel=stylesheet href=async.css media=print onload="this.media=\'all\'"><link rel=stylesheet href=off.css media="not all">' +
        '<script src=a.js></script><link rel=stylesheet href=main.css>',
      'async.css': '@font-face{font-family:x;src:url(late.woff2)} p{font:12px x}',
      'off.css': '',
      'main.css': '',
      'a.js': '',
      'late.woff2': 'x',
    });
    expect((await page(root)).map((r) => r.url)).toEqual(['/main.css', '/a.js']);
    expect((await page(root, '/index.html', { nonScreenMedia: true })).map((r) => r.url)).toEqual(['/main.css', '/a.js', '/async.css', '/late.woff2', '/off.css']);
  });

  it('takes the fetchpriority=high image as the LCP image, else the first of the main content (lazy or not), never an SVG sprite', async () => {
    const root = await site({
      'index.html': '<img src=lazy.png loading=lazy><img src=logo.png><img src=hero.png fetchpriority=high>',
      'lazy.png': 'x',
      'logo.png': 'x',
      'hero.png': 'x',
    });
    expect((await page(root)).map((r) => r.url)).toEqual(['/hero.png']);
    const noHero = await site({ 'index.html': '<svg><use href="sprite.svg#i"/></svg><img src=lazy.png loading=lazy><img src=logo.png>', 'sprite.svg': 'x', 'lazy.png': 'x', 'logo.png': 'x' });
    expect((await page(noHero)).map((r) => r.url)).toEqual(['/lazy.png']);
    expect(await page(noHero, '/index.html', { firstImage: false })).toEqual([]);
    // The header logo and a tiny avatar are passed over for the first image of the content.
    const blog = await site({
      'index.html': '<header><img src=logo.png></header><main><img src=avatar.png width=40 height=40><picture><source srcset=hero.avif type=image/avif><img src=hero.jpg></picture></main>',
      'logo.png': 'x',
      'avatar.png': 'x',
      'hero.avif': 'x',
      'hero.jpg': 'x',
    });
    expect((await page(blog)).map((r) => [r.url, r.mimeType])).toEqual([['/hero.avif', 'image/avif']]);
    // Only chrome: no image is taken for the LCP.
    const chromeOnly = await site({ 'index.html': '<header><img src=logo.png></header><p>Text</p>', 'logo.png': 'x' });
    expect(await page(chromeOnly)).toEqual([]);
  });

  it('caps the list with max, types and maxBytes', async () => {
    const root = await site({
      'index.html': '<link rel=stylesheet href=a.css><link rel=stylesheet href=b.css><script src=c.js></script><img src=d.png>',
      'a.css': 'x'.repeat(100),
      'b.css': 'x'.repeat(100),
      'c.js': 'x'.repeat(10),
      'd.png': 'x',
    });
    expect((await page(root, '/index.html', { max: 2 })).map((r) => r.url)).toEqual(['/a.css', '/b.css']);
    expect((await page(root, '/index.html', { types: ['script'] })).map((r) => r.url)).toEqual(['/c.js', '/d.png']);
    expect((await page(root, '/index.html', { types: ['script'], firstImage: false })).map((r) => r.url)).toEqual(['/c.js']);
    expect((await page(root, '/index.html', { maxBytes: 150 })).map((r) => r.url)).toEqual(['/a.css']);
    expect((await page(root, '/index.html', { maxBytes: 211 })).map((r) => r.url)).toEqual(['/a.css', '/b.css', '/c.js', '/d.png']);
  });

  it('lists a URL referenced twice once, at its most critical place, typed by its first reference', async () => {
    const root = await site({
      'index.html': '<link rel=preload href=data.json as=fetch><img src=x.png><link rel=stylesheet href=s.css><link rel=preload as=style href=s.css>',
      'data.json': '{}',
      'x.png': 'x',
      's.css': '.a{background:url(x.png)}',
    });
    const list = await page(root, '/index.html', { types: ['style', 'image', 'fetch'] });
    expect(list.map((r) => [r.url, r.type])).toEqual([
      ['/s.css', 'style'],
      ['/x.png', 'image'],
      ['/data.json', 'fetch'],
    ]);
  });

  it('gives a shared URL the entry of its first reference in page order, even one the first page does not list', async () => {
    // a.html reaches d.json and f.woff2 only through its stylesheet; b.html preloads them with
    // other attributes. Sorted page order makes a.html first, so its references type both.
    const root = await site({
      'a.html': '<link rel=stylesheet href=s.css>',
      'b.html': '<link rel=preload href=d.json as=fetch><link rel=preload as=font href=f.woff2 crossorigin=use-credentials>',
      's.css': '@font-face{font-family:F;src:url(f.woff2)} .x{background:url(d.json);font-family:F}',
      'd.json': '{}',
      'f.woff2': 'x',
    });
    const { manifest } = await generateManifest({ root, types: ['fetch', 'font', 'style'] });
    expect(manifest.pages.get('/a.html')).toEqual([
      { url: '/s.css', type: 'style', weight: 256 },
      { url: '/f.woff2', type: 'font', weight: 255, crossorigin: 'anonymous' },
    ]);
    // d.json: typed image by a.html's url(), so the type filter leaves it out on b.html too.
    expect(manifest.pages.get('/b.html')).toEqual([{ url: '/f.woff2', type: 'font', weight: 256, crossorigin: 'anonymous' }]);
    const withImages = await generateManifest({ root, types: ['fetch', 'font', 'style', 'image'] });
    expect(withImages.manifest.pages.get('/b.html')!.map((r) => [r.url, r.type])).toEqual([
      ['/f.woff2', 'font'],
      ['/d.json', 'image'],
    ]);
  });

  it('lists the @font-face fonts whose family the page uses, wherever its CSS names it', async () => {
    const root = await site({
      'none.html': '<link rel=stylesheet href=faces.css>',
      'sheet.html': '<link rel=stylesheet href=faces.css><link rel=stylesheet href=uses-a.css>',
      'imported.html': '<link rel=stylesheet href=imports.css><link rel=stylesheet href=faces.css>',
      'inline.html': '<link rel=stylesheet href=faces.css><style>h1 { font: bold 2em "Face B" }</style>',
      'attr.html': '<link rel=stylesheet href=faces.css><p style="font-family: \'face b\', serif">x</p>',
      'var.html': '<link rel=stylesheet href=faces.css><p style="font-family: var(--brand)">x</p>',
      'preload.html': '<link rel=stylesheet href=faces.css><link rel=preload as=font href=b.woff2 crossorigin>',
      'faces.css': '@font-face{font-family:"Face A";src:url(a.woff2)} @font-face{font-family:Face B;src:url(b.woff2)}',
      'uses-a.css': 'body { font-family: Face A, sans-serif }',
      'imports.css': '@import "uses-a.css";',
      'a.woff2': 'a',
      'b.woff2': 'b',
    });
    const fonts = (m: Awaited<ReturnType<typeof generateManifest>>['manifest'], route: string) => m.pages.get(route)!.filter((r) => r.type === 'font').map((r) => r.url);
    const { manifest } = await generateManifest({ root });
    expect(fonts(manifest, '/none.html')).toEqual([]);
    expect(fonts(manifest, '/sheet.html')).toEqual(['/a.woff2']);
    expect(fonts(manifest, '/imported.html')).toEqual(['/a.woff2']);
    expect(fonts(manifest, '/inline.html')).toEqual(['/b.woff2']);
    expect(fonts(manifest, '/attr.html')).toEqual(['/b.woff2']);
    // var(): any family may be meant, so every face counts as used.
    expect(fonts(manifest, '/var.html')).toEqual(['/a.woff2', '/b.woff2']);
    // A font the page preloads itself is listed whatever its CSS uses.
    expect(fonts(manifest, '/preload.html')).toEqual(['/b.woff2']);
    const declared = await generateManifest({ root, fonts: 'declared' });
    expect(fonts(declared.manifest, '/none.html')).toEqual(['/a.woff2', '/b.woff2']);
    await expect(generateManifest({ root, fonts: 'some' as 'used' })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });

  it('lists of a fontsource-style sheet only the faces a browser fetches: unicode-range against the text, weight and style asked', async () => {
    const face = (subset: string, range: string, weight: number, style = 'normal') =>
      `@font-face{font-family:'Inter';font-style:${style};font-weight:${weight};src:url(./files/inter-${subset}-${weight}-${style}.woff2) format('woff2'),url(./files/inter-${subset}-${weight}-${style}.woff) format('woff');unicode-range:${range}}`;
    const LATIN = 'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+2000-206F';
    const CYRILLIC = 'U+0301,U+0400-045F,U+0490-0491,U+04B0-04B1,U+2116';
    const GREEK = 'U+0370-0377,U+037A-037F,U+0384-038A';
    const faces = [
      ...[400, 700].flatMap((w) => [face('latin', LATIN, w), face('cyrillic', CYRILLIC, w), face('greek', GREEK, w)]),
      face('latin', LATIN, 900, 'italic'),
    ];
    const files: Record<string, string> = {
      'inter.css': faces.join('\n'),
      'site.css': 'body{font-family:Inter,sans-serif}',
      'en.html': '<link rel=stylesheet href=inter.css><link rel=stylesheet href=site.css><p>Hello</p>',
      'h1.html': '<link rel=stylesheet href=inter.css><link rel=stylesheet href=site.css><h1>Title</h1><p>Hello</p>',
      'ru.html': '<link rel=stylesheet href=inter.css><link rel=stylesheet href=site.css><p>Привет, мир</p>',
      'em.html': '<link rel=stylesheet href=inter.css><link rel=stylesheet href=site.css><p>Hello <em>you</em></p>',
      'w600.html': '<link rel=stylesheet href=inter.css><link rel=stylesheet href=site.css><style>p{font-weight:600}</style><p>Hello</p>',
    };
    for (const f of faces.join('').matchAll(/url\(\.\/(files\/[^)]+)\)/g)) files[f[1]!] = 'x';
    const root = await site(files);
    const { manifest } = await generateManifest({ root });
    const fonts = (route: string) => manifest.pages.get(route)!.filter((r) => r.type === 'font').map((r) => r.url.replace('/files/inter-', ''));
    // The first supported src (woff2 here), the latin subset only, 400 only.
    expect(fonts('/en.html')).toEqual(['latin-400-normal.woff2']);
    // <h1> is bold by default: 700 too.
    expect(fonts('/h1.html')).toEqual(['latin-400-normal.woff2', 'latin-700-normal.woff2']);
    // Cyrillic text: the cyrillic subset, and latin for the spaces and punctuation.
    expect(fonts('/ru.html')).toEqual(['latin-400-normal.woff2', 'cyrillic-400-normal.woff2']);
    // Italic text with only a 900 italic face: that face.
    expect(fonts('/em.html')).toEqual(['latin-400-normal.woff2', 'latin-900-italic.woff2']);
    // 600 with 400 and 700 faces: 700 (above 500, heavier first); 400 stays (the initial weight).
    expect(fonts('/w600.html')).toEqual(['latin-400-normal.woff2', 'latin-700-normal.woff2']);
    // `declared` lists every face.
    const declared = await generateManifest({ root, fonts: 'declared' });
    expect(declared.manifest.pages.get('/en.html')!.filter((r) => r.type === 'font')).toHaveLength(7);
  });

  it('merges a stylesheet reached twice on a page, in two contexts, into its most critical place', async () => {
    // p.css is imported by a print stylesheet first (not render-blocking), then linked for all media.
    // Its font and image are needed for the first render too: walked again in the stronger context,
    // each URL is listed once, in its most critical class, without the print media.
    const root = await site({
      'index.html': '<link rel=stylesheet media=print href=print.css><link rel=stylesheet href=p.css><img src=i.png>',
      'print.css': '@import "p.css";',
      'p.css': '@font-face{font-family:F;src:url(f.woff2)} body{background:url(bg.png);font-family:F}',
      'f.woff2': 'x',
      'bg.png': 'x',
      'i.png': 'x',
    });
    const list = await page(root, '/index.html', { types: ['style', 'font', 'image'], nonScreenMedia: true });
    expect(list.map((r) => [r.url, r.media ?? ''])).toEqual([
      ['/p.css', ''],
      ['/f.woff2', ''],
      ['/bg.png', ''],
      ['/i.png', ''],
      ['/print.css', 'print'],
    ]);
    // The other way round nothing is walked twice: the print import adds no stronger context.
    await writeFile(join(root, 'index.html'), '<link rel=stylesheet href=p.css><link rel=stylesheet media=print href=print.css>');
    expect((await page(root, '/index.html', { types: ['style', 'font', 'image'], nonScreenMedia: true })).map((r) => [r.url, r.media ?? ''])).toEqual([
      ['/p.css', ''],
      ['/f.woff2', ''],
      ['/bg.png', ''],
      ['/print.css', 'print'],
    ]);
  });

  it('types by extension when the element does not say: .json fetch, .mjs script, avif/webp/svg image, fonts', async () => {
    const root = await site({
      'index.html': ['a.json', 'b.mjs', 'c.avif', 'd.webp', 'e.svg', 'f.woff2', 'g.woff', 'h.ttf', 'i.otf'].map((f) => `<link rel=preload href=${f}>`).join(''),
      ...Object.fromEntries(['a.json', 'b.mjs', 'c.avif', 'd.webp', 'e.svg', 'f.woff2', 'g.woff', 'h.ttf', 'i.otf'].map((f) => [f, 'x'])),
    });
    const list = await page(root, '/index.html', { types: ALL_TYPES });
    expect(Object.fromEntries(list.map((r) => [r.url, r.type]))).toEqual({
      '/a.json': 'fetch',
      '/b.mjs': 'script',
      '/c.avif': 'image',
      '/d.webp': 'image',
      '/e.svg': 'image',
      '/f.woff2': 'font',
      '/g.woff': 'font',
      '/h.ttf': 'font',
      '/i.otf': 'font',
    });
    expect(list.filter((r) => r.type === 'font').every((r) => r.crossorigin === 'anonymous')).toBe(true);
  });

  it('carries crossorigin=use-credentials from a module script to its imports', async () => {
    const root = await site({
      'index.html': '<script type=module crossorigin=use-credentials src=m.js></script>',
      'm.js': "import './n.js';",
      'n.js': '',
    });
    const list = await page(root, '/index.html', { followImports: true });
    expect(list.map((r) => [r.url, r.crossorigin, r.rel])).toEqual([
      ['/m.js', 'use-credentials', 'modulepreload'],
      ['/n.js', 'use-credentials', 'modulepreload'],
    ]);
  });
});

describe('bad input', () => {
  it('missing root: ENOENT', async () => {
    await expect(generateManifest({ root: join(tmpdir(), 'pm-no-such-root-xyz') })).rejects.toMatchObject({ name: 'PushManifestError', code: 'ENOENT' });
  });

  it('a root that is a file: BAD_INPUT', async () => {
    const root = await site({ 'file.txt': 'x' });
    await expect(generateManifest({ root: join(root, 'file.txt') })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('empty glob: NO_MATCH', async () => {
    const root = await site({ 'index.html': '' });
    await expect(generateManifest({ root, patterns: ['nothing/**/*.html'] })).rejects.toMatchObject({ code: 'NO_MATCH' });
  });

  it('options out of range: BAD_OPTION', async () => {
    const root = await site({ 'index.html': '' });
    await expect(generateManifest({ root, max: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(generateManifest({ root, types: ['bogus' as 'style'] })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });

  it('takes only HTML files as pages, and says how many matches it left out', async () => {
    const root = await site({ 'index.html': '', 'page.htm': '', 'style.css': '', 'data.json': '{}' });
    const result = await generateManifest({ root, patterns: ['*'] });
    expect([...result.manifest.pages.keys()]).toEqual(['/index.html', '/page.htm']);
    expect(result.warnings.map((w) => [w.code, w.message])).toEqual([['NOT_HTML', '2 matched files are not HTML (.html, .htm, .xhtml) and were not crawled']]);
  });

  it('does not follow module imports of CSS or JSON (bundler idioms)', async () => {
    const root = await site({ 'index.html': '<script type=module src=m.js></script>', 'm.js': "import './s.css'; import './d.json'; import './ok.mjs';", 's.css': '', 'd.json': '{}', 'ok.mjs': '' });
    expect((await page(root, '/index.html', { followImports: true })).map((r) => r.url)).toEqual(['/m.js', '/ok.mjs']);
  });

  it('does not walk symlinked folders when looking for pages', async () => {
    const outside = await site({ 'leak.html': '<script src=x.js></script>' });
    const root = await site({ 'index.html': '' });
    const { symlink } = await import('node:fs/promises');
    await symlink(outside, join(root, 'linked'), 'dir');
    const { manifest } = await generateManifest({ root });
    expect([...manifest.pages.keys()]).toEqual(['/index.html']);
  });

  it('never crawls node_modules', async () => {
    const root = await site({ 'index.html': '', 'node_modules/pkg/index.html': '<script src=x.js></script>' });
    const { manifest } = await generateManifest({ root });
    expect([...manifest.pages.keys()]).toEqual(['/index.html']);
  });

  it('an unreadable stylesheet (a folder named like a file): warning, crawl goes on', async () => {
    const root = await site({ 'index.html': '<link rel=stylesheet href=dir.css><link rel=stylesheet href=ok.css>', 'ok.css': '', 'dir.css/keep': '' });
    const result = await generateManifest({ root });
    expect(result.manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/ok.css']);
    expect(result.warnings.map((w) => [w.code, w.line])).toEqual([['NOT_A_FILE', 1]]);
  });

  it('an unreadable page: warning, other pages still crawled', async () => {
    // Root can read a chmod 000 file, so the permission case runs only for other users; the
    // read error path itself is covered for everyone by a parser that gets EACCES from the OS
    // when it can, and by a file that disappears between glob and read otherwise.
    const root = await site({ 'a.html': '<script src=x.js></script>', 'b.html': '<script src=x.js></script>', 'x.js': '' });
    const canBlock = typeof process.getuid === 'function' && process.getuid() !== 0;
    const parser = createFileParser();
    let removed = false;
    const vanishing: FileParser = {
      async parse(kind, absPath) {
        if (!canBlock && !removed && absPath.endsWith('a.html')) {
          removed = true;
          await rm(absPath);
        }
        return parser.parse(kind, absPath);
      },
    };
    if (canBlock) await chmod(join(root, 'a.html'), 0o000);
    try {
      const result = await generateManifest({ root, parser: vanishing });
      expect([...result.manifest.pages.keys()]).toEqual(['/b.html']);
      expect(result.warnings).toEqual([expect.objectContaining({ file: join(root, 'a.html'), code: 'UNREADABLE' })]);
      expect(result.warnings[0]!.message).toMatch(canBlock ? /EACCES/ : /ENOENT/);
    } finally {
      if (canBlock) await chmod(join(root, 'a.html'), 0o644);
    }
  });

  it('non-UTF-8 bytes: warning, crawled with replacement characters', async () => {
    const root = await site({
      'index.html': Buffer.concat([Buffer.from('<title>Caf'), Buffer.from([0xe9, 0xff]), Buffer.from('</title><script src=ok.js></script>')]),
      'ok.js': '',
      'real-fffd.html': '<title>\uFFFD is fine</title>',
    });
    const result = await generateManifest({ root });
    expect(result.manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/ok.js']);
    expect(result.warnings.map((w) => [w.file, w.line, w.column, w.code])).toEqual([[join(root, 'index.html'), 1, 11, 'NOT_UTF8']]);
  });

  it('a reference escaping the root is skipped with a warning, even percent-encoded or with a base', async () => {
    const outside = await site({ 'secret.css': '' });
    const root = await site({
      'sub/index.html':
        '<link rel=stylesheet href="../../etc/passwd"><link rel=stylesheet href="%2e%2e/%2e%2e/x.css"><link rel=stylesheet href="a%2f..%2f..%2fb.css">',
      'css/in.css': '',
    });
    const result = await generateManifest({ root, base: '/app/' });
    expect(result.manifest.pages.get('/app/sub/index.html')).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['OUTSIDE_ROOT', 'OUTSIDE_ROOT', 'OUTSIDE_ROOT']);
    expect(outside).toBeTruthy();
  });

  it('a symlink leaving the root is not listed', async () => {
    const outside = await site({ 'secret.css': 'x' });
    const root = await site({ 'index.html': '<link rel=stylesheet href=link.css>' });
    const { symlink } = await import('node:fs/promises');
    await symlink(join(outside, 'secret.css'), join(root, 'link.css'));
    const result = await generateManifest({ root });
    expect(result.manifest.pages.get('/index.html')).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['NOT_SERVED']);
  });

  it('a symlink within the root is listed at its own URL, a broken one is missing, a folder linked within the root is followed', async () => {
    const root = await site({
      'index.html': '<link rel=stylesheet href=link.css><link rel=stylesheet href=broken.css><script src=alias/a.js></script>',
      'real/in.css': 'a { color: red }',
      'lib/a.js': 'x',
    });
    const { symlink } = await import('node:fs/promises');
    await symlink(join(root, 'real/in.css'), join(root, 'link.css'));
    await symlink(join(root, 'real/gone.css'), join(root, 'broken.css'));
    await symlink(join(root, 'lib'), join(root, 'alias'));
    const result = await generateManifest({ root });
    expect(result.manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/link.css', '/alias/a.js']);
    expect(result.warnings.map((w) => [w.code, w.message.split(' ')[0]])).toEqual([['MISSING', '/broken.css']]);
  });

  it('lists only files static serving would serve: no dot-folders (but /.well-known/), nothing through a folder linked out of the root', async () => {
    const outside = await site({ 'lib/out.js': 'x' });
    const root = await site({
      'index.html': '<script src=.assets/a.js></script><script src=.well-known/b.js></script><script src=lib/out.js></script><script src=ok.js></script>',
      '.assets/a.js': 'x',
      '.well-known/b.js': 'x',
      'ok.js': 'x',
    });
    const { symlink } = await import('node:fs/promises');
    await symlink(join(outside, 'lib'), join(root, 'lib'));
    const result = await generateManifest({ root });
    expect(result.manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/.well-known/b.js', '/ok.js']);
    expect(result.warnings.map((w) => [w.code, w.message.split(' ')[0]])).toEqual([
      ['NOT_SERVED', '/.assets/a.js'],
      ['NOT_SERVED', '/lib/out.js'],
    ]);
  });

  it('@import cycles end, and a sheet importing itself is fine', async () => {
    const root = await site({
      'index.html': '<link rel=stylesheet href=a.css>',
      'a.css': '@import "b.css"; @import "a.css";',
      'b.css': '@import "c.css";',
      'c.css': '@import "a.css";',
    });
    expect((await page(root)).map((r) => r.url)).toEqual(['/a.css', '/b.css', '/c.css']);
  });

  it('gives every page that shares a stylesheet the origins it reaches', async () => {
    const root = await site({
      'a.html': '<link rel=stylesheet href=s.css>',
      'b/b.html': '<link rel=stylesheet href=../s.css>',
      's.css': '@import url(https://fonts.example/css); .x{background:url(i.png)}',
      'i.png': 'x',
    });
    const { manifest } = await generateManifest({ root, types: ['style', 'image'] });
    expect(manifest.preconnect?.get('/a.html')).toEqual([{ origin: 'https://fonts.example' }]);
    expect(manifest.preconnect?.get('/b/b.html')).toEqual([{ origin: 'https://fonts.example' }]);
    expect(manifest.pages.get('/b/b.html')!.map((r) => r.url)).toEqual(['/s.css', '/i.png']);
  });

  it('reports a warning from a shared file once, not once per page', async () => {
    const root = await site({
      'a.html': '<link rel=stylesheet href=s.css>',
      'b.html': '<link rel=stylesheet href=s.css>',
      's.css': '.x{background:url(gone.png)}',
    });
    const result = await generateManifest({ root });
    expect(result.warnings.map((w) => [w.file, w.line, w.code])).toEqual([[join(root, 's.css'), 1, 'MISSING']]);
  });

  it('counts pages, files and bytes', async () => {
    const root = await site({ 'index.html': '<link rel=stylesheet href=s.css>', 's.css': 'body{}' });
    const { stats } = await generateManifest({ root });
    expect(stats).toMatchObject({ pages: 1, files: 2, bytes: '<link rel=stylesheet href=s.css>'.length + 'body{}'.length });
  });
});
