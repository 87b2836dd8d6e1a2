/**
 * Preconnect hints carry `crossorigin` (issue 8): browsers keep CORS connections without
 * credentials apart from the rest, so a preconnect for a font origin without `crossorigin` warms
 * the wrong connection. The crawl takes the CORS mode from the page's own
 * `<link rel=preconnect crossorigin>`, and from what it fetches there: fonts and module scripts
 * are CORS fetches, images and classic scripts are not. One origin used both ways gets both.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateManifest } from '@push-manifest/core';
import { formatLinks, preconnectLink } from '@push-manifest/core/runtime';

const temps: string[] = [];
afterAll(() => Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true }))));

async function hintsOf(files: Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), 'pm-preconnect-'));
  temps.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const { manifest } = await generateManifest({ root, cache: false });
  return manifest.preconnect?.get('/index.html') ?? [];
}

describe('preconnect crossorigin', () => {
  it("keeps the page's own crossorigin, and leaves it off where the page left it off", async () => {
    expect(
      await hintsOf({
        'index.html': '<link rel=preconnect href=https://fonts.gstatic.com crossorigin><link rel=preconnect href=https://img.example><link rel=dns-prefetch href=https://cred.example crossorigin=use-credentials>',
      }),
    ).toEqual([{ origin: 'https://fonts.gstatic.com', crossorigin: 'anonymous' }, { origin: 'https://img.example' }, { origin: 'https://cred.example', crossorigin: 'use-credentials' }]);
  });

  it('gives fonts and module scripts crossorigin, images and classic scripts none, and an origin used both ways both hints', async () => {
    expect(
      await hintsOf({
        'index.html':
          '<link rel=stylesheet href=/s.css><script type=module src=https://esm.example/m.js></script><script src=https://cdn.example/classic.js></script><img src=https://cdn.example/i.png>',
        's.css': '@font-face{font-family:F;src:url(https://cdn.example/f.woff2)}body{font-family:F}',
      }),
      // Discovery order, depth first: the stylesheet's font comes before the page's later elements.
    ).toEqual([{ origin: 'https://cdn.example', crossorigin: 'anonymous' }, { origin: 'https://esm.example', crossorigin: 'anonymous' }, { origin: 'https://cdn.example' }]);
  });

  it('writes them as rel=preconnect with crossorigin in the Link header', () => {
    expect(formatLinks([preconnectLink({ origin: 'https://a.example', crossorigin: 'anonymous' }), preconnectLink({ origin: 'https://b.example' }), preconnectLink({ origin: 'https://c.example', crossorigin: 'use-credentials' })])).toBe(
      '<https://a.example>; rel=preconnect; crossorigin, <https://b.example>; rel=preconnect, <https://c.example>; rel=preconnect; crossorigin=use-credentials',
    );
  });
});
