/**
 * The site every export test serves: pages in every URL shape a target must match (index,
 * folder index, `.html` with a clean URL, a space, non-ASCII), assets of every kind the Link
 * writer spells differently (style, font, module, nopush image, a media query, a `%` in a URL),
 * and a preconnect. The manifest is read from JSON, as users give it, so the tests follow
 * whatever shape the model gives preconnects.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, type Manifest } from '@push-manifest/core/manifest';
import { RouteTable } from '@push-manifest/core/runtime';

/** File on disk (decoded path) → content. */
export const SITE_FILES: Record<string, string> = {
  'index.html': '<!doctype html><h1>home</h1>\n',
  'about/index.html': '<!doctype html><h1>about</h1>\n',
  'blog.html': '<!doctype html><h1>blog</h1>\n',
  'my page/index.html': '<!doctype html><h1>spaced</h1>\n',
  'café.html': '<!doctype html><h1>café</h1>\n',
  'shop/item.html': '<!doctype html><h1>item</h1>\n',
  'css/app.css': 'body{font-family:f}\n',
  'css/wide.css': 'main{display:grid}\n',
  'css/50%.css': 'p{margin:0}\n',
  'fonts/f.woff2': 'wOF2-bytes\n',
  'js/main.js': 'import "./dep.js";\n',
  'js/dep.js': 'console.log(1)\n',
  'img/hero.jpg': 'jpeg-bytes\n',
};

/** The manifest file, in the multi-page JSON format. */
export const MANIFEST_FILE = fileURLToPath(new URL('./fixtures/site-manifest.json', import.meta.url));

/** The manifest as parsed JSON. */
export const MANIFEST_JSON = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, unknown>;

export function siteManifest(): Manifest {
  return parseManifest(MANIFEST_JSON, { format: 'multi' });
}

/**
 * A Polymer-format manifest with a regular-expression route, as prpl-server users have them, and
 * a `*` route (what the single-page format reads into) for every other page.
 */
export function patternManifest(): Manifest {
  const manifest = parseManifest({ '^/shop/.*\\.html$': { '/css/wide.css': { type: 'style', weight: 2 }, '/css/app.css': { type: 'style', weight: 1 } } }, { format: 'polymer' });
  manifest.pages.set('*', [{ url: '/fonts/f.woff2', type: 'font', weight: 1 }]);
  return manifest;
}

/** The Link value the runtime writes for a request path of {@link patternManifest}. */
export function patternLink(path: string): string | undefined {
  return RouteTable.fromManifest(patternManifest()).match(path)?.linkHeader;
}

/** Every page and the request paths (as a browser sends them) that must carry its Link header. */
export const PAGE_URLS: Record<string, string[]> = {
  '/index.html': ['/', '/index.html'],
  '/about/index.html': ['/about/', '/about/index.html'],
  '/blog.html': ['/blog.html'],
  '/my%20page/index.html': ['/my%20page/', '/my%20page/index.html'],
  '/caf%C3%A9.html': ['/caf%C3%A9.html'],
};

/** Assets that must get no Link header. */
export const ASSET_URLS = ['/css/app.css', '/js/main.js'];

/** The Link value the runtime writes for a page (`push`: pushable ones without `nopush`). */
export function runtimeLink(key: string, push = false): string {
  const route = RouteTable.fromManifest(siteManifest()).match(key);
  if (route === undefined) throw new Error(`no route for ${key}`);
  return push ? route.linkHeaderAllPushed : route.linkHeader;
}

/** What may be pushed for a page, as the runtime decides it. */
export function runtimePushes(key: string): string[] {
  return RouteTable.fromManifest(siteManifest()).match(key)?.pushes.map((push) => push.url) ?? [];
}

/** Write the site to a fresh folder, readable by the unprivileged user a server may switch to. */
export function makeExportSite(): string {
  const root = mkdtempSync(join(tmpdir(), 'pm-export-site-'));
  chmodSync(root, 0o755);
  for (const [path, text] of Object.entries(SITE_FILES)) {
    const dir = join(root, path, '..');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(root, path), text, { mode: 0o644 });
  }
  return root;
}
