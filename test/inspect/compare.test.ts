/** compareWithManifest on hand-made navigations: the comparison is over link parameters, whatever they are. */
import { describe, expect, it } from 'vitest';
import type { Manifest } from '@push-manifest/core/manifest';
import { compareWithManifest, readLinks, summarise, type SeenLink, type SeenNavigation } from '@push-manifest/core/inspect';

const origin = new URL('https://example.test/');

/** Links as the client reads them off the wire: through the runtime's parser. */
const links = (header: string): SeenLink[] => readLinks(header, origin);

function navigation(seen: SeenLink[]): SeenNavigation {
  const linkHeader = seen.map((l) => `<${l.url}>`).join(', ');
  return {
    label: 'first',
    protocol: 'h2',
    request: {},
    earlyHints: [],
    pushes: [],
    status: 200,
    responseAt: 1,
    finishedAt: 2,
    bodyBytes: 10,
    linkHeader,
    links: seen,
    vary: undefined,
    cacheControl: undefined,
    contentType: 'text/html',
    cookies: [],
    summary: summarise({ earlyHints: [], pushes: [], links: seen, linkHeader, responseHeaderBytes: 100 }),
  };
}

const manifest: Manifest = {
  pages: new Map([
    [
      '/index.html',
      [
        { url: '/css/wide.css', type: 'style', weight: 256, media: '(min-width: 40em)' },
        { url: '/js/app.js', type: 'script', weight: 250, rel: 'modulepreload', crossorigin: 'anonymous' },
      ],
    ],
  ]),
};

describe('compareWithManifest', () => {
  it('the same links (nopush, case and unknown params aside) match, for / as the server routes it', () => {
    const nav = navigation(links('</css/wide.css>; rel=Preload; as=STYLE; media="(min-width: 40em)"; nopush, <https://example.test/js/app.js>; rel=modulepreload; crossorigin=anonymous; x-cdn-tag=a'));
    expect(compareWithManifest(manifest, '/', nav)).toMatchObject({ route: '/index.html', ok: true, mismatches: [] });
  });

  it('a parameter the manifest sets and the server drops, and one the server adds that changes the fetch', () => {
    const nav = navigation(links('</css/wide.css>; rel=preload; as=style, </js/app.js>; rel=preload; as=script; crossorigin; fetchpriority=low'));
    const { mismatches, ok } = compareWithManifest(manifest, '/index.html', nav);
    expect(ok).toBe(false);
    expect(mismatches).toEqual([
      expect.objectContaining({ kind: 'mistyped', url: '/css/wide.css', params: [{ name: 'media', expected: '(min-width: 40em)', seen: undefined }] }),
      expect.objectContaining({
        kind: 'mistyped',
        url: '/js/app.js',
        message: expect.stringMatching(/a module hinted rel=preload, not modulepreload/),
        params: expect.arrayContaining([
          { name: 'rel', expected: 'modulepreload', seen: 'preload' },
          { name: 'as', expected: undefined, seen: 'script' },
          { name: 'fetchpriority', expected: undefined, seen: 'low' },
        ]),
      }),
    ]);
  });

  it('a path no route covers: every hint is extra', () => {
    const { route, mismatches } = compareWithManifest(manifest, '/other', navigation(links('</css/wide.css>; rel=preload; as=style')));
    expect(route).toBeUndefined();
    expect(mismatches).toEqual([expect.objectContaining({ kind: 'extra', url: '/css/wide.css' })]);
  });
});
