import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastLinkHeader, planClientPush } from '@push-manifest/core/runtime';

const origin = { scheme: 'https', authority: 'site.example' };
const plan = (value: string, path = '/blog/post.html') => planClientPush(value, path, origin);

describe('planClientPush', () => {
  it('takes full same-origin URLs, absolute paths and relative paths, in order, once each', () => {
    const p = plan('<https://site.example/a.css?v=2>; rel=preload; as=style, </b.js>; rel=preload, <img/c.png>; rel=preload; as=image, <../d.css>; rel=preload, </b.js>; rel=preload');
    expect(p.urls).toEqual(['/a.css?v=2', '/b.js', '/blog/img/c.png', '/d.css']);
    expect(p).toMatchObject({ crossOrigin: 0, outOfRoot: 0, nopush: 0 });
  });

  it('needs rel=preload and honours nopush; ignores as, crossorigin and media', () => {
    const p = plan('</a.css>; rel=stylesheet, </b.css>; rel=preload; nopush, </c.css>; rel="preload prefetch"; as=font; crossorigin; media=print');
    expect(p.urls).toEqual(['/c.css']);
    expect(p.nopush).toBe(2);
  });

  it('refuses other origins, schemes and ports', () => {
    const p = plan('<https://evil.example/a.css>; rel=preload, <//evil.example/b.css>; rel=preload, <http://site.example/c.css>; rel=preload, <https://site.example:8443/d.css>; rel=preload, <javascript:alert(1)>; rel=preload');
    expect(p.urls).toEqual([]);
    expect(p.crossOrigin).toBe(5);
  });

  it('refuses paths that climb above the root or smuggle separators', () => {
    const p = plan(
      ['<../../etc/passwd>', '</../etc/passwd>', '</%2e%2e/etc/passwd>', '</a/%2E%2E/%2e%2e/x>', '</a%2f..%2f..%2fx>', '</a\\..\\x>', '</a%00.css>', '<https://site.example/../x>']
        .map((u) => `${u}; rel=preload`)
        .join(', '),
    );
    expect(p.urls).toEqual([]);
    expect(p.outOfRoot).toBe(8);
  });

  it('lets dot-segments that stay inside the root through, normalised', () => {
    expect(plan('<./x/../y.css>; rel=preload').urls).toEqual(['/blog/y.css']);
  });
});

describe('lastLinkHeader', () => {
  it('uses the last raw link header, not the joined value', () => {
    const raw = ['Host', 'x', 'Link', '</a.css>; rel=preload', 'link', '</b.css>; rel=preload'];
    expect(lastLinkHeader({ link: '</a.css>; rel=preload, </b.css>; rel=preload' }, raw)).toBe('</b.css>; rel=preload');
    expect(lastLinkHeader({ link: '</a.css>; rel=preload' })).toBe('</a.css>; rel=preload');
    expect(lastLinkHeader({}, ['host', 'x'])).toBeUndefined();
  });
});

describe('planClientPush (property)', () => {
  it('only ever yields clean same-origin paths, whatever the header says', () => {
    const piece = fc.constantFrom('..', '.', '%2e%2e', '%2E.', 'a', 'b.css', '', '%2f', '\\', '%00', '?q=1', '#f', 'https:', '//evil.example', 'site.example', ':8443', '@', '%5c');
    const ref = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(fc.array(ref, { minLength: 1, maxLength: 6 }), fc.constantFrom('/', '/a/b.html', '/blog/'), (refs, path) => {
        const result = planClientPush(refs.map((r) => `<${r}>; rel=preload`).join(', '), path, origin);
        for (const url of result.urls) {
          expect(url.startsWith('/')).toBe(true);
          expect(url.startsWith('//')).toBe(false);
          const pathname = url.split('?')[0] as string;
          expect(pathname.split('/').some((segment) => segment === '..' || /^(\.|%2e){2}$/i.test(segment))).toBe(false);
          expect(pathname).not.toMatch(/%(2f|5c|00)|\\/i);
        }
        expect(result.urls.length + result.crossOrigin + result.outOfRoot + result.nopush).toBeLessThanOrEqual(refs.length);
      }),
      { numRuns: 500 },
    );
  });
});
