import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createManifestStream, generateManifest, leftOutWarning, serializeManifest, type Manifest, type StreamFormat } from '../../packages/core/src/index.js';

const sites = new URL('../../fixtures/sites/', import.meta.url).pathname;
const SITES = readdirSync(sites, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const FORMATS: StreamFormat[] = ['auto', 'multi', 'polymer', 'v1'];

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pm-stream-'));
  dirs.push(dir);
  return dir;
};

/** Stream a manifest model's pages in the order given into `file`. */
async function streamModel(file: string, manifest: Manifest, format: StreamFormat, order = [...manifest.pages.keys()]) {
  const stream = createManifestStream(file, format);
  for (const route of order) stream.add(route, manifest.pages.get(route)!, manifest.preconnect?.get(route));
  return stream.finish();
}

describe('createManifestStream', () => {
  it.each(SITES)('writes the bytes serializeManifest writes for fixture %s, in every format, without the crawl holding the pages', async (site) => {
    const root = path.join(sites, site);
    const whole = await generateManifest({ root, threads: 1 });
    for (const format of FORMATS) {
      const file = path.join(scratch(), 'push-manifest.json');
      const stream = createManifestStream(file, format);
      const streamed = await generateManifest({ root, threads: 1, onPage: (route, resources, preconnect) => stream.add(route, resources, preconnect) });
      expect(streamed.manifest.pages.size).toBe(0);
      const written = await stream.finish({ sitePages: streamed.stats.sitePages });
      const expected = serializeManifest(whole.manifest, format, { sitePages: whole.stats.sitePages });
      expect(readFileSync(file, 'utf8'), `${site} ${format}`).toBe(expected);
      expect(written.pages).toBe(whole.manifest.pages.size);
      if (written.format !== 'v1') expect(written.leftOutWarning).toBe(leftOutWarning(whole.manifest, written.format));
    }
  });

  it('sorts pages added in any order, and counts what a legacy format leaves out across pages', async () => {
    const manifest: Manifest = {
      pages: new Map([
        ['/z.html', [{ url: '/a.css', type: 'style', weight: 256 }, { url: '/print.css', type: 'style', weight: 200, media: 'print', nopush: true }]],
        ['/404.html', [{ url: '/a.css', type: 'style', weight: 256 }]],
        ['/b/index.html', [{ url: '/hero.jpg', type: 'image', weight: 100, imagesrcset: '/hero.jpg 1x, /hero2.jpg 2x', nopush: true }, { url: '/print.css', type: 'style', weight: 90, media: 'print', nopush: true }]],
        ['/a%20b.html', []],
      ]),
      preconnect: new Map([
        ['/z.html', [{ origin: 'https://fonts.example', crossorigin: 'anonymous' }]],
        ['/404.html', [{ origin: 'https://fonts.example', crossorigin: 'anonymous' }, { origin: 'https://cdn.example' }]],
      ]),
    };
    for (const format of ['multi', 'polymer', 'v1'] as const) {
      const file = path.join(scratch(), 'm.json');
      const written = await streamModel(file, manifest, format);
      expect(readFileSync(file, 'utf8')).toBe(serializeManifest(manifest, format));
      expect(written.leftOutWarning).toBe(leftOutWarning(manifest, format));
    }
    expect(leftOutWarning(manifest, 'multi')).toContain('2 preconnect hints');
  });

  it('writes nothing for a manifest serializeManifest refuses, with the same message, and leaves no temp file', async () => {
    const dir = scratch();
    const file = path.join(dir, 'push-manifest.json');
    writeFileSync(file, '{}\n');
    const manifest: Manifest = {
      pages: new Map([
        ['/a.html', [{ url: '/ok.css', type: 'style', weight: 256 }]],
        ['/b.html', [{ url: '/x\r\n.css', type: 'style', weight: 256 }, { url: '/y.css', type: 'style', weight: 0 }]],
      ]),
    };
    let expected = '';
    try {
      serializeManifest(manifest, 'multi');
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(expected).toMatch(/and 1 more/);
    await expect(streamModel(file, manifest, 'multi')).rejects.toThrow(expected);
    expect(readFileSync(file, 'utf8')).toBe('{}\n');
    expect(readdirSync(dir)).toEqual(['push-manifest.json']);
  });

  it('abort() removes the spool and leaves the target as it was', () => {
    const dir = scratch();
    const file = path.join(dir, 'push-manifest.json');
    const stream = createManifestStream(file, 'v1');
    // Enough pages that the spool file is written to.
    for (let i = 0; i < 20_000; i++) stream.add(`/p${i}.html`, [{ url: `/assets/a-long-enough-name-${i}.css`, type: 'style', weight: 256 }]);
    expect(readdirSync(dir).length).toBe(1);
    stream.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the file when its folder does not exist', async () => {
    const file = path.join(scratch(), 'missing', 'push-manifest.json');
    const manifest: Manifest = { pages: new Map([['/a.html', []], ['/b.html', []]]) };
    await expect(streamModel(file, manifest, 'multi')).rejects.toThrow(`${file}: its folder does not exist`);
  });
});
