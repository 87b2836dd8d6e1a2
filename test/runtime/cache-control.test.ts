/**
 * Which names get `immutable`. The hashed names below were written by the real bundlers, on
 * 2026-12-01, building a tiny project (an entry importing a CSS file, a PNG, a WOFF2 font named
 * `OpenSans-SemiBold.woff2` and a lazy chunk) with each tool's defaults or documented
 * `[contenthash]` config; the names are copied from their `dist/` folders.
 */
import { describe, expect, it } from 'vitest';
import { cacheControlFor, globToRegExp, looksHashed } from '../../packages/core/src/runtime/cache-control.js';

/** `vite build`, Vite 8.4.0 (Rolldown), default `assets/[name]-[hash].[ext]`. */
const VITE_8 = ['assets/lazy-chunk-DrCPg2OK.js', 'assets/logo-image-CT0Tz6p1.png', 'assets/index-Z4_kRVgF.js', 'assets/index-DLI317Bg.css'];
/** `vite build`, Vite 7.3.8 (Rollup). */
const VITE_7 = ['assets/index-wEmHRdA2.css', 'assets/index-Dh8p1eub.js', 'assets/OpenSans-SemiBold-D8UG9WsF.woff2', 'assets/lazy-chunk-CwVxiui5.js', 'assets/logo-image-CGWPC4ca.png'];
/** webpack 5.113.0, `[name].[contenthash].js`, mini-css-extract-plugin `[name].[contenthash].css`, assets `[name].[contenthash][ext]`. */
const WEBPACK_5 = ['main.cd6ecda79d7a41104027.css', 'OpenSans-SemiBold.83a5f84728206bb344c0.woff2', 'main.333eec7767403fcfd32b.js', '84.89a6047b49e733605155.js', 'logo-image.e684010506fcc883164e.png'];
/** webpack 5's default asset module name `[hash][ext]` (20 hex digits). */
const WEBPACK_5_ASSET_DEFAULT = ['e684010506fcc883164e.png'];
/** @rspack/core 2.3.4, same config (16 hex digits). */
const RSPACK_2 = ['main.f126fe31779a2a4b.js', '861.e7fd73f999cc76dc.js', 'main.ea48205e6f22e1b9.css', 'OpenSans-SemiBold.cd25f75894b14dd5.woff2', 'logo-image.b3990f8233166d60.png'];

/**
 * Vite 8.4.0 also wrote `assets/OpenSans-SemiBold-BxQzkOzw.woff2`: a hash of letters only, which
 * no rule can tell from a word (`SemiBold`). It is missed on purpose (a revalidation, not a year
 * of staleness); `immutable: ['assets/**']` covers it.
 */
const VITE_8_ALL_LETTERS = 'assets/OpenSans-SemiBold-BxQzkOzw.woff2';

/** Names a person wrote: in-place updates must not stay stale for a year. */
const NOT_HASHED = [
  'OpenSans-SemiBold.woff2',
  'Poppins-SemiBold.ttf',
  'report-20240101.pdf',
  'logo-12345678.png',
  'my-settings.js',
  'Roboto-Regular.woff2',
  'NotoSans-ExtraBold.woff2',
  'photo.20240101.jpg',
  'style.css',
  'app.js',
  'deadbeef.png',
  'jquery-3.7.1.min.js',
];

describe('looksHashed', () => {
  it.each([...VITE_8, ...VITE_7, ...WEBPACK_5, ...WEBPACK_5_ASSET_DEFAULT, ...RSPACK_2])('bundler output %s is hashed', (path) => {
    expect(looksHashed(path.slice(path.lastIndexOf('/') + 1))).toBe(true);
    expect(cacheControlFor(path, false)).toBe('public, max-age=31536000, immutable');
  });

  it('a Vite hash containing `-` (Rollup base64url) is hashed, and source maps of hashed files too', () => {
    expect(looksHashed('index-BkX-a9Qz.js')).toBe(true);
    expect(looksHashed('index-Z4_kRVgF.js.map')).toBe(true);
  });

  it.each(NOT_HASHED)('%s is not hashed', (name) => {
    expect(looksHashed(name)).toBe(false);
    expect(cacheControlFor(name, false)).toBe('public, max-age=300');
  });

  it('a Vite hash of letters only is missed by default and covered by the option', () => {
    expect(cacheControlFor(VITE_8_ALL_LETTERS, false)).toBe('public, max-age=300');
    expect(cacheControlFor(VITE_8_ALL_LETTERS, false, { immutable: ['assets/**'] })).toBe('public, max-age=31536000, immutable');
  });

  it('HTML is always revalidated, even with a hash-like name', () => {
    expect(cacheControlFor('index-Z4_kRVgF.html', true)).toBe('no-cache');
  });
});

describe('the immutable option', () => {
  it('globs on the root-relative path add to the hash patterns', () => {
    const options = { immutable: ['assets/**', '*.woff2'] };
    expect(cacheControlFor('assets/chunk-allwords.js', false, options)).toContain('immutable');
    expect(cacheControlFor('fonts/OpenSans-SemiBold.woff2', false, options)).toContain('immutable');
    expect(cacheControlFor('main.333eec7767403fcfd32b.js', false, options)).toContain('immutable');
    expect(cacheControlFor('img/logo.png', false, options)).toBe('public, max-age=300');
    expect(cacheControlFor('other/assets/x.js', false, options)).toBe('public, max-age=300');
  });

  it('a RegExp or a function replaces the patterns', () => {
    expect(cacheControlFor('main.333eec7767403fcfd32b.js', false, { immutable: /^v\d/ })).toBe('public, max-age=300');
    expect(cacheControlFor('v2.js', false, { immutable: (name) => name.startsWith('v') })).toContain('immutable');
  });

  it('globToRegExp', () => {
    expect(globToRegExp('assets/**').test('assets/a/b.js')).toBe(true);
    expect(globToRegExp('/assets/*.js').test('assets/a.js')).toBe(true);
    expect(globToRegExp('assets/*.js').test('assets/a/b.js')).toBe(false);
    expect(globToRegExp('**/*.{woff2,ttf}').test('a/b/c.ttf')).toBe(true);
    expect(globToRegExp('**/*.{woff2,ttf}').test('c.woff2')).toBe(true);
    expect(globToRegExp('*.png').test('deep/x.png')).toBe(true);
    expect(globToRegExp('a+b?.js').test('a+bc.js')).toBe(true);
    expect(globToRegExp('a+b?.js').test('aab.js')).toBe(false);
  });
});

describe('serve --immutable', () => {
  it('marks the named files immutable, and nothing else', async () => {
    const { makeSite } = await import('../helpers/push-site.js');
    const { startServe } = await import('../helpers/serve-process.js');
    const { h2session, rawHttp2 } = await import('../helpers/raw-clients.js');
    const root = makeSite();
    const served = await startServe([root, '--h2c', '--port', '0', '--immutable', 'fonts/**', '--immutable', '*.jpg']);
    const session = await h2session(served.url);
    try {
      expect((await rawHttp2(session, '/fonts/f.woff2')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect((await rawHttp2(session, '/img/hero.jpg')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect((await rawHttp2(session, '/css/app.css')).headers['cache-control']).toBe('public, max-age=300');
    } finally {
      session.close();
      await served.stop();
    }
  });
});
