/**
 * `bundleManifest` on hand-made bundles (no bundler): what the graph adds, what it leaves out,
 * and how it warns. The real builds are in vite.test.ts and webpack.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { bundleManifest, parseHtml, pageScriptFiles, resolveBundleOptions, serializeManifest, type BundleChunk, type BundleInput } from '@push-manifest/core/bundle';

const chunk = (fileName: string, fields: Partial<BundleChunk> = {}): [string, BundleChunk] => [fileName, { fileName, imports: [], css: [], assets: [], module: true, ...fields }];

function input(fields: Partial<BundleInput> = {}): BundleInput {
  return {
    root: '/virtual/dist',
    base: '/',
    files: new Map<string, string>([
      ['index.html', '<!doctype html><script type="module" src="/a.js"></script><h1 style="background:url(/hero.png)">x</h1>'],
      ['admin/index.html', '<!doctype html><script type="module" src="/b.js"></script>'],
      ['a.js', 'import "./shared.js"; import "https://cdn.example/x.js";'],
      ['b.js', ''],
      ['shared.js', ''],
      ['lazy.js', ''],
      ['a.css', '@font-face { font-family: F; src: url(f.woff2) format("woff2") } body { font-family: F }'],
      ['f.woff2', 'wOF2'],
      ['hero.png', 'png'],
    ]),
    chunks: new Map([
      chunk('a.js', { imports: ['shared.js', 'https://cdn.example/x.js'], css: ['a.css'] }),
      chunk('b.js'),
      chunk('shared.js', { imports: [] }),
      chunk('lazy.js'),
    ]),
    pages: [
      { html: 'index.html', entries: ['a.js'] },
      { html: 'admin/index.html', entries: ['b.js'] },
    ],
    ...fields,
  };
}

describe('bundleManifest', () => {
  it('crawls a page the adapter parsed already (parseHtml) from that parse, to the same manifest as from its text', async () => {
    const options = resolveBundleOptions('test', {});
    const fromText = await bundleManifest(input(), options);
    const html = '<!doctype html><script type="module" src="/a.js"></script><h1 style="background:url(/hero.png)">x</h1>';
    const parsed = parseHtml(html);
    expect(pageScriptFiles(parsed, 'index.html', '/')).toEqual(['a.js']);
    // The page's file in memory now says something else: only the parse given is crawled.
    const files = new Map(input().files);
    files.set('index.html', '<!doctype html><script type="module" src="/b.js"></script>');
    const fromParse = await bundleManifest(input({ files, pages: [{ html: 'index.html', entries: ['a.js'], parsed }, { html: 'admin/index.html', entries: ['b.js'] }] }), options);
    expect(serializeManifest(fromParse.manifest, options.format)).toBe(serializeManifest(fromText.manifest, options.format));
    const home = [...fromParse.manifest.pages].find(([route]) => !route.includes('admin'))!;
    expect(home[1].some((r) => r.url === '/b.js')).toBe(false);
  });

  it('adds the entry’s CSS, static imports (not externals) and the fonts its CSS names to what the HTML names', async () => {
    const { manifest, warnings } = await bundleManifest(input(), resolveBundleOptions('test', {}));
    expect(warnings).toEqual([]);
    expect(manifest.pages.get('/index.html')).toEqual([
      { url: '/a.css', type: 'style', weight: 256 },
      { url: '/f.woff2', type: 'font', weight: 255, crossorigin: 'anonymous' },
      { url: '/a.js', type: 'script', weight: 254, crossorigin: 'anonymous', rel: 'modulepreload' },
      { url: '/shared.js', type: 'script', weight: 253, crossorigin: 'anonymous', rel: 'modulepreload' },
    ]);
  });

  it('leaves static imports to the HTML with followImports false, and filters pages with include/exclude', async () => {
    const { manifest } = await bundleManifest(input(), resolveBundleOptions('test', { followImports: false, exclude: 'admin/**' }));
    expect([...manifest.pages.keys()]).toEqual(['/index.html']);
    expect(manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/a.css', '/f.woff2', '/a.js']);
    const only = await bundleManifest(input(), resolveBundleOptions('test', { include: ['admin/*.html'] }));
    expect([...only.manifest.pages.keys()]).toEqual(['/admin/index.html']);
  });

  it('lists inline-style images with types, and caps with maxBytes', async () => {
    const { manifest } = await bundleManifest(input(), resolveBundleOptions('test', { types: ['image', 'style'] }));
    expect(manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/a.css', '/hero.png']);
    const capped = await bundleManifest(input(), resolveBundleOptions('test', { maxBytes: 100 }));
    expect(capped.manifest.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/a.css', '/f.woff2']);
  });

  it('warns about a dependency that is in neither the bundle nor on disk, and lists the rest', async () => {
    const chunks = new Map(input().chunks);
    chunks.set('a.js', { ...chunks.get('a.js')!, css: ['a.css', 'gone.css'] });
    const { manifest, warnings } = await bundleManifest(input({ chunks }), resolveBundleOptions('test', {}));
    expect(warnings.map((w) => [w.code, w.message])).toEqual([['MISSING', expect.stringContaining('/gone.css not found')]]);
    expect(manifest.pages.get('/index.html')!.map((r) => r.url)).toContain('/a.js');
  });

  it('keys a route without HTML by the route, from the graph alone', async () => {
    const { manifest } = await bundleManifest(input({ pages: [{ route: '/account', entries: ['a.js'] }] }), resolveBundleOptions('test', {}));
    expect([...manifest.pages.keys()]).toEqual(['/account']);
    expect(manifest.pages.get('/account')!.map((r) => r.url)).toEqual(['/a.css', '/f.woff2', '/a.js', '/shared.js']);
  });
});

describe('resolveBundleOptions', () => {
  it.each([
    [{ fileName: '../out.json' }, /option "fileName": expected a path inside the output folder/],
    [{ max: 1.5 }, /option "max": expected a positive whole number, got 1.5/],
    [{ followImports: 'yes' }, /option "followImports": expected true or false, got "yes"/],
    [{ include: 3 }, /option "include": expected a glob or a list of globs, got 3/],
    [{ base: 'app' }, /option "base": expected a URL path such as \/app\/, got "app"/],
    ['max=3', /options: expected an object, got "max=3"/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveBundleOptions('@push-manifest/vite', options)).toThrow(message);
  });
});
