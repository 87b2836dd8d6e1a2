/** Learned entries: added after what a page lists, marked, kept by a later crawl's manifest, and round-tripped by the formats. */
import { describe, expect, it } from 'vitest';
import { ANY_PAGE, addLearned, keepLearned, isLearned, parseManifest, serializeManifest, type Manifest } from '@push-manifest/core';

const fresh = (): Manifest => ({
  pages: new Map([
    ['/index.html', [{ url: '/app.css', type: 'style', weight: 256 }]],
    ['/about.html', [{ url: '/app.css', type: 'style', weight: 256 }]],
  ]),
});

describe('learned entries', () => {
  it('addLearned appends new URLs in order, marked learned, and skips what is listed', () => {
    const m = fresh();
    const added = addLearned(m, '/index.html', [
      { url: '/app.css', type: 'style' },
      { url: '/hero.png', type: 'image' },
      { url: '/late.js', type: 'script', rel: 'modulepreload', crossorigin: 'anonymous' },
    ]);
    expect(added).toBe(2);
    const list = m.pages.get('/index.html')!;
    expect(list.map((r) => [r.url, isLearned(r)])).toEqual([['/app.css', false], ['/hero.png', true], ['/late.js', true]]);
    expect(list.map((r) => r.weight)).toEqual([256, 255, 254]);
    expect(list[2]).toMatchObject({ rel: 'modulepreload', crossorigin: 'anonymous' });
  });

  it('the mark survives writing and reading every format that holds pages', () => {
    const m = fresh();
    addLearned(m, '/index.html', [{ url: '/hero.png', type: 'image' }]);
    for (const format of ['multi', 'polymer'] as const) {
      const back = parseManifest(JSON.parse(serializeManifest(m, format)));
      const route = [...back.pages.keys()].find((k) => k.includes('index') || k === '/')!;
      expect(back.pages.get(route)!.find((r) => r.url === '/hero.png')!.extra).toEqual({ learned: true });
    }
  });

  it('keepLearned carries learned entries into a new crawl, unless the crawl lists the URL itself', () => {
    const previous = fresh();
    addLearned(previous, '/index.html', [{ url: '/hero.png', type: 'image' }, { url: '/app.css', type: 'style' }]);
    addLearned(previous, '/gone.html', [{ url: '/x.png', type: 'image' }]);
    const next = fresh();
    expect(keepLearned(next, previous)).toBe(1);
    expect(next.pages.get('/index.html')!.map((r) => r.url)).toEqual(['/app.css', '/hero.png']);
    expect(next.pages.get('/about.html')!.map((r) => r.url)).toEqual(['/app.css']);
    expect(next.pages.has('/gone.html')).toBe(false);
  });

  it("a single-page manifest's learned entries go to every page", () => {
    const previous: Manifest = { pages: new Map([[ANY_PAGE, [{ url: '/hero.png', type: 'image', weight: 1, extra: { learned: true } }, { url: '/old.css', type: 'style', weight: 2 }]]]) };
    const next = fresh();
    expect(keepLearned(next, previous)).toBe(2);
    for (const list of next.pages.values()) expect(list.map((r) => r.url)).toEqual(['/app.css', '/hero.png']);
  });
});
