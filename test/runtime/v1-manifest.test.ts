/**
 * The runtime reads the v1 format with every hint the old shapes leave out: preconnect hints with
 * their crossorigin (first in the header), media-conditional stylesheets with their `media`,
 * pattern routes.
 */
import { describe, expect, it } from 'vitest';
import { parseManifest } from '@push-manifest/core/manifest';
import { RouteTable } from '@push-manifest/core/runtime';

describe('a v1 manifest in the route table', () => {
  const table = RouteTable.fromManifest(
    parseManifest({
      'push-manifest': 1,
      pages: {
        '/index.html': {
          resources: {
            '/css/site.css': { type: 'style', weight: 256 },
            '/css/narrow.css': { type: 'style', weight: 255, media: '(max-width: 40em)', nopush: true },
            '/fonts/body.woff2': { type: 'font', weight: 250 },
          },
          preconnect: [{ origin: 'https://fonts.example', crossorigin: 'anonymous' }, { origin: 'https://img.example' }],
        },
        '^/shop/.*$': { resources: { '/css/shop.css': { type: 'style', weight: 1 } } },
      },
    }),
  );

  it('hints every preconnect (with crossorigin) and the media-conditional sheet with its media', () => {
    expect(table.match('/')?.linkHeader).toBe(
      '<https://fonts.example>; rel=preconnect; crossorigin, <https://img.example>; rel=preconnect, </css/site.css>; rel=preload; as=style; nopush, </css/narrow.css>; rel=preload; as=style; media="(max-width: 40em)"; nopush, </fonts/body.woff2>; rel=preload; as=font; crossorigin; nopush',
    );
    expect(table.match('/')?.pushes.map((push) => push.url)).toEqual(['/css/site.css', '/fonts/body.woff2']);
  });

  it('matches pattern routes as the polymer format does', () => {
    expect(table.match('/shop/hats')?.linkHeader).toBe('</css/shop.css>; rel=preload; as=style; nopush');
    expect(table.match('/about/')).toBeUndefined();
  });
});
