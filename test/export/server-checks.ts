/**
 * The checks every real server's export test makes against it (nginx, Apache, h2o, Caddy): the
 * same requests, the same expected Link values (the runtime's own), so a difference between
 * servers shows up as a failing server rather than as a test written differently.
 */
import { expect } from 'vitest';
import { curl } from './real-server.js';
import { ASSET_URLS, PAGE_URLS, patternLink, runtimeLink } from './site.js';

/** A regular-expression route and the `*` route match what the runtime matches, and no asset. */
export async function expectPatternRoutes(port: number): Promise<void> {
  expect((await curl(port, '/shop/item.html')).links).toEqual([patternLink('/shop/item.html')]);
  // `*` is every page (a path ending in / or .html), not its assets.
  expect((await curl(port, '/about/')).links).toEqual([patternLink('/about/')]);
  expect(patternLink('/about/')).toBe('</fonts/f.woff2>; rel=preload; as=font; crossorigin; nopush');
  expect((await curl(port, '/css/app.css')).links).toEqual([]);
}

/** Every page, in every URL form, answers 200 with the runtime's Link header; with `assets`, the assets with none. */
export async function expectEveryPageLinked(port: number, { assets = true } = {}): Promise<void> {
  for (const [key, urls] of Object.entries(PAGE_URLS)) {
    for (const url of urls) {
      const response = await curl(port, url);
      expect(response.status, url).toBe(200);
      expect(response.links, url).toEqual([runtimeLink(key)]);
    }
  }
  if (assets) for (const url of ASSET_URLS) expect((await curl(port, url)).links, url).toEqual([]);
}
