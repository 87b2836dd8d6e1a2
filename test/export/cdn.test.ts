/**
 * The CDN exports (`_headers` for Netlify and Cloudflare Pages, `firebase.json`, `vercel.json`):
 * golden files a person has read, each read back by a reader that follows the target's
 * documented matching rules, checking every route in every URL form got its Link value and
 * no asset got one; the JSON ones validated against the documented shape.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportManifest, type ExportTarget } from '@push-manifest/core/export';
import { parseManifest } from '@push-manifest/core/manifest';
import { firebaseLinks, firebaseSchema, headersFileLinks, parseHeadersFile, vercelLinks, vercelSchema } from './readers.js';
import { ASSET_URLS, PAGE_URLS, runtimeLink, siteManifest } from './site.js';

const golden = (name: string) => new URL(`./golden/${name}`, import.meta.url);

/** The export must equal the golden file; `UPDATE_GOLDEN=1` rewrites it (then read the diff). */
function expectGolden(target: ExportTarget, name: string): string {
  const { text } = exportManifest(siteManifest(), target, { manifestName: 'push-manifest.json', generator: 'push-manifest' });
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden(name), text);
  expect(text).toBe(readFileSync(golden(name), 'utf8'));
  return text;
}

/** Every browser URL of every page. */
const pageRequests = Object.entries(PAGE_URLS).flatMap(([key, urls]) => urls.map((url) => ({ key, url })));
/** The same, also decoded: Firebase and Vercel do not document which form their matchers see. */
const bothForms = pageRequests.flatMap(({ key, url }) => [...new Set([url, decodeURI(url)])].map((form) => ({ key, url: form })));

describe.each([
  ['netlify', '_headers.netlify'],
  ['cloudflare', '_headers.cloudflare'],
] as const)('%s _headers', (target, file) => {
  const text = expectGolden(target, file);
  const rules = parseHeadersFile(text);

  it('matches the golden file and gives every page, in every URL form, exactly its Link value', () => {
    for (const { key, url } of pageRequests) expect(headersFileLinks(rules, url), url).toEqual([runtimeLink(key)]);
  });

  it('gives assets no Link header', () => {
    for (const url of ASSET_URLS) expect(headersFileLinks(rules, url), url).toEqual([]);
  });

  it('leaves out a polymer regex route with a warning naming it', () => {
    const manifest = parseManifest({ '^/shop/.*$': { '/css/app.css': { type: 'style', weight: 1 } }, '/': { '/css/app.css': { type: 'style', weight: 1 } } }, { format: 'polymer' });
    const result = exportManifest(manifest, target);
    expect(result.warnings).toEqual([expect.stringMatching(/^\^\/shop\/\.\*\$: a regular-expression route cannot be written in .* _headers/)]);
    expect(result.text).not.toContain('shop');
    expect(parseHeadersFile(result.text).map((rule) => rule.path)).toEqual(['/']);
  });

  it('leaves out a path _headers would read as a splat or placeholder, naming it', () => {
    const manifest = siteManifest();
    manifest.pages.set('/a*b.html', [{ url: '/css/app.css', type: 'style', weight: 1 }]);
    manifest.pages.set('/:id/index.html', [{ url: '/css/app.css', type: 'style', weight: 1 }]);
    const result = exportManifest(manifest, target);
    // One warning per URL form of each page (`/a*b.html`, `/a*b`).
    expect(result.warnings.filter((w) => /^\/a\*b\.html: the path \/a\*b(?:\.html)? has a "\*"/.test(w))).toHaveLength(2);
    expect(result.warnings.filter((w) => w.startsWith('/:id/index.html: the path /:id'))).toHaveLength(3);
    expect(parseHeadersFile(result.text).map((rule) => rule.path).filter((path) => path.includes('*') || path.includes(':'))).toEqual([]);
  });
});

describe('Cloudflare limits', () => {
  it('trims a Link line to 2,000 characters at whole links, most critical first, naming the page', () => {
    const resources = Array.from({ length: 60 }, (_, i) => ({ url: `/assets/chunk-${String(i).padStart(3, '0')}-0123456789abcdef.js`, type: 'script' as const, weight: 256 - i }));
    const manifest = { pages: new Map([['/index.html', resources]]) };
    const result = exportManifest(manifest, 'cloudflare');
    const line = result.text.split('\n').find((l) => l.startsWith('  Link: '))!;
    expect(line.length).toBeLessThanOrEqual(2000);
    expect(line).toContain('chunk-000-');
    expect(result.warnings).toEqual([expect.stringMatching(/^\/index\.html: cloudflare Link header trimmed to its \d+ most critical of 60 links/)]);
    // Netlify keeps the runtime's 4 KB: more links fit there.
    const netlify = exportManifest(manifest, 'netlify').text.split('\n').find((l) => l.startsWith('  Link: '))!;
    expect(netlify.length).toBeGreaterThan(line.length);
  });

  it('warns past 100 rules', () => {
    const pages = new Map(Array.from({ length: 60 }, (_, i) => [`/p${i}/index.html`, [{ url: '/css/app.css', type: 'style' as const, weight: 1 }]]));
    expect(exportManifest({ pages }, 'cloudflare').warnings).toEqual([expect.stringContaining('at most 100 _headers rules; this file has 180')]);
  });
});

describe('firebase.json', () => {
  const text = expectGolden('firebase', 'firebase.json');
  const json = firebaseSchema.parse(JSON.parse(text));

  it('matches the golden file, has Firebase\'s shape, and gives every page its Link value and assets none', () => {
    for (const { key, url } of bothForms) expect(firebaseLinks(json, url), url).toEqual([runtimeLink(key)]);
    for (const url of ASSET_URLS) expect(firebaseLinks(json, url), url).toEqual([]);
  });

  it('merges into an existing firebase.json without touching its other keys, replacing an earlier export', () => {
    const existing = {
      hosting: {
        public: 'dist',
        cleanUrls: true,
        rewrites: [{ source: '**', destination: '/index.html' }],
        headers: [
          { source: '**/*.css', headers: [{ key: 'Cache-Control', value: 'max-age=31536000' }] },
          { source: '/old.html', headers: [{ key: 'Link', value: '</old.css>; rel=preload; as=style' }] },
        ],
      },
      emulators: { hosting: { port: 5000 } },
    };
    const merged = JSON.parse(exportManifest(siteManifest(), 'firebase', { existing: JSON.stringify(existing) }).text) as typeof existing;
    expect(Object.keys(merged)).toEqual(['hosting', 'emulators']);
    expect(merged.emulators).toEqual(existing.emulators);
    expect({ ...merged.hosting, headers: undefined }).toEqual({ ...existing.hosting, headers: undefined });
    expect(merged.hosting.headers[0]).toEqual(existing.hosting.headers[0]);
    expect(JSON.stringify(merged)).not.toContain('/old.css');
    expect(merged.hosting.headers.slice(1)).toEqual(json.hosting.headers);
    firebaseSchema.parse(merged);
  });

  it('refuses a multi-site hosting array, naming the file', () => {
    expect(() => exportManifest(siteManifest(), 'firebase', { existing: '{"hosting":[{"site":"a"}]}' })).toThrow(/^firebase\.json: "hosting" is an array/);
    expect(() => exportManifest(siteManifest(), 'firebase', { existing: '{not json' })).toThrow(/^firebase\.json: not JSON/);
  });
});

describe('vercel.json', () => {
  const text = expectGolden('vercel', 'vercel.json');
  const json = vercelSchema.parse(JSON.parse(text));

  it('matches the golden file, has Vercel\'s shape, and gives every page its Link value and assets none', () => {
    for (const { key, url } of bothForms) expect(vercelLinks(json, url), url).toEqual([runtimeLink(key)]);
    for (const url of ASSET_URLS) expect(vercelLinks(json, url), url).toEqual([]);
  });

  it('merges into an existing vercel.json, keeping its other keys and rules', () => {
    const existing = { cleanUrls: true, headers: [{ source: '/(.*)\\.css', headers: [{ key: 'Cache-Control', value: 'immutable' }] }], redirects: [] };
    const merged = JSON.parse(exportManifest(siteManifest(), 'vercel', { existing: JSON.stringify(existing) }).text) as typeof existing;
    expect(Object.keys(merged)).toEqual(['cleanUrls', 'headers', 'redirects']);
    expect(merged.headers[0]).toEqual(existing.headers[0]);
    expect(merged.headers.slice(1)).toEqual(json.headers);
  });

  it('escapes path-to-regexp syntax in a page path and leaves out regex routes with a warning', () => {
    const manifest = parseManifest({ '^/shop/.*$': { '/css/app.css': { type: 'style', weight: 1 } }, '/a(b):c.html': { '/css/app.css': { type: 'style', weight: 1 } } }, { format: 'polymer' });
    const result = exportManifest(manifest, 'vercel');
    expect(result.warnings).toEqual([expect.stringMatching(/^\^\/shop\/\.\*\$: a regular-expression route has no exact vercel\.json source/)]);
    const rules = vercelSchema.parse(JSON.parse(result.text));
    expect(rules.headers.map((rule) => rule.source)).toEqual(['/a\\(b\\)\\:c.html', '/a\\(b\\)\\:c']);
    expect(vercelLinks(rules, '/a(b):c.html')).toHaveLength(1);
  });
});
