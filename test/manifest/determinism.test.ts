import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManifest, serializeManifest, type Manifest, type Resource } from '@push-manifest/core/manifest';

/** Shuffle with a seeded generator so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Rebuild an object with its keys in another order. */
function reorderKeys(value: Record<string, unknown>, seed: number): Record<string, unknown> {
  return Object.fromEntries(shuffled(Object.entries(value), seed));
}

const pageJson = {
  '/css/site.css': { type: 'style', weight: 256 },
  '/fonts/a.woff2': { crossorigin: 'anonymous', weight: 240, type: 'font' },
  '/js/app.js': { rel: 'modulepreload', 'x-z': 1, 'x-a': { b: 2, a: 1 }, type: 'script', weight: 120, crossorigin: 'anonymous' },
  '/img/hero.webp': { nopush: true, weight: 10, type: 'image' },
  'https://cdn.example': { rel: 'preconnect' },
};

describe('deterministic output', () => {
  it('serialising the same model twice gives byte-identical text', () => {
    const manifest = parseManifest({ 'b/index.html': pageJson, 'a/index.html': pageJson, '404': pageJson }, { format: 'multi' });
    for (const format of ['multi', 'polymer'] as const) {
      expect(serializeManifest(manifest, format)).toBe(serializeManifest(manifest, format));
    }
  });

  it('differently ordered input (pages, resources with distinct weights, fields) gives the same bytes', () => {
    const reference = serializeManifest(parseManifest({ 'b/index.html': pageJson, 'a/index.html': pageJson, '404': pageJson }), 'multi');
    for (let seed = 1; seed <= 20; seed++) {
      const page = Object.fromEntries(
        shuffled(Object.entries(pageJson), seed).map(([url, entry]) => [url, reorderKeys(entry as Record<string, unknown>, seed + 7)]),
      );
      // Preconnect entries keep their given order; there is only one here.
      const json = reorderKeys({ 'b/index.html': page, 'a/index.html': page, '404': page }, seed);
      expect(serializeManifest(parseManifest(json), 'multi')).toBe(reference);
    }
  });

  it('sorts pages by key in code-unit order, integer-like keys included, and writes 2-space JSON with a trailing newline', () => {
    const text = serializeManifest(parseManifest({ 'b/index.html': pageJson, 'a/index.html': pageJson, '404': pageJson }), 'multi');
    expect(text.endsWith('}\n')).toBe(true);
    // JSON.parse puts "404" first anyway; the order we want is the text's, checked with indexOf.
    const order = ['"404"', '"a/index.html"', '"b/index.html"'].map((key) => text.indexOf(`\n  ${key}: {`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    // Same layout as JSON.stringify(…, null, 2) for the same content.
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const layout = `${JSON.stringify({ '404': parsed['404'], 'a/index.html': parsed['a/index.html'], 'b/index.html': parsed['b/index.html'] }, null, 2)}\n`;
    expect(text).toBe(layout);
  });

  it('writes resources by weight descending, ties in model order (property)', () => {
    const resourceArb = fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), weight: fc.integer({ min: 1, max: 256 }) });
    fc.assert(
      fc.property(fc.uniqueArray(resourceArb, { selector: (r) => r.name, maxLength: 30 }), (entries) => {
        const resources: Resource[] = entries.map((r) => ({ url: `/${r.name}.js`, type: 'script', weight: r.weight }));
        const manifest: Manifest = { pages: new Map([['/i.html', resources]]) };
        const text = serializeManifest(manifest, 'multi');
        const written = Object.entries((JSON.parse(text) as Record<string, Record<string, { weight: number }>>)['i.html'] ?? {});
        const weights = written.map(([, entry]) => entry.weight);
        expect(weights).toEqual([...weights].sort((a, b) => b - a));
        // Ties keep the model's order.
        const expected = [...resources].sort((a, b) => b.weight - a.weight).map((r) => r.url);
        expect(written.map(([url]) => url)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
