import { describe, expect, it } from 'vitest';
import { extractFile, type Ref } from '@push-manifest/core';

const html = (body: string) => extractFile('html', body);
const urls = (refs: Ref[]) => refs.map((r) => r.url);
const one = (source: string): Ref => {
  const refs = html(source).refs;
  expect(refs).toHaveLength(1);
  return refs[0]!;
};

describe('extractFile(html): elements', () => {
  it('finds classic and module scripts with their attributes, and flags nomodule', () => {
    const { refs } = html(
      '<script src="a.js"></script><script type="module" src="m.js" crossorigin="use-credentials"></script>' +
        '<script async src="as.js"></script><script defer src="d.js"></script><script nomodule src="old.js"></script>',
    );
    expect(refs.map((r) => [r.url, r.as, !!r.module, !!r.async, !!r.defer, !!r.nomodule])).toEqual([
      ['a.js', 'script', false, false, false, false],
      ['m.js', 'script', true, false, false, false],
      ['as.js', 'script', false, true, false, false],
      ['d.js', 'script', false, false, true, false],
      ['old.js', 'script', false, false, false, true],
    ]);
    expect(refs[1]!.crossorigin).toBe('use-credentials');
  });

  it('ignores script types that are not JavaScript', () => {
    const { refs } = html(
      '<script type="application/ld+json" src="x.json"></script><script type="importmap" src="map.json"></script>' +
        '<script type="text/template" src="t.html"></script><script type="text/javascript" src="ok.js"></script>',
    );
    expect(urls(refs)).toEqual(['ok.js']);
  });

  it('reads rel as a case-insensitive token list', () => {
    const { refs } = html('<link rel="  PRELOAD\tStyleSheet " href="a.css" as="style">');
    expect(refs.map((r) => r.source).sort()).toEqual(['preload', 'stylesheet']);
  });

  it('skips alternate and disabled stylesheets, keeps media', () => {
    const { refs } = html(
      '<link rel="alternate stylesheet" href="alt.css"><link rel=stylesheet disabled href=off.css>' +
        '<link rel=stylesheet href=on.css media="(min-width: 40em)">',
    );
    expect(refs).toHaveLength(1);
    expect(refs[0]).toMatchObject({ url: 'on.css', source: 'stylesheet', as: 'style', media: '(min-width: 40em)' });
  });

  it('types preloads from as, and warns about an as browsers ignore', () => {
    const result = html('<link rel=preload href=f.woff2 as=FONT crossorigin><link rel=preload href=x as=bogus><link rel=preload href=y.json>');
    expect(result.refs[0]).toMatchObject({ url: 'f.woff2', as: 'font', crossorigin: '' });
    expect(result.refs[1]).toMatchObject({ url: 'y.json', source: 'preload' });
    expect(result.refs[1]!.as).toBeUndefined();
    expect(result.warnings.map((w) => w.code)).toEqual(['BAD_PRELOAD_AS']);
  });

  it('finds modulepreload, icon, apple-touch-icon, manifest and preconnect links', () => {
    const { refs } = html(
      '<link rel=modulepreload href=m.js><link rel="shortcut icon" href=f.ico><link rel=apple-touch-icon href=t.png>' +
        '<link rel=manifest href=app.webmanifest><link rel=preconnect href="https://cdn.example">',
    );
    expect(refs.map((r) => [r.source, r.as, r.module ?? false])).toEqual([
      ['modulepreload', 'script', true],
      ['icon', 'image', false],
      ['icon', 'image', false],
      ['manifest', 'manifest', false],
      ['preconnect', undefined, false],
    ]);
  });

  it('finds media, frames, embeds, objects, image inputs', () => {
    const { refs } = html(
      '<video src=v.mp4 poster=p.jpg><source src=v.webm media="(min-width: 1px)"><track src=c.vtt></video><audio src=a.mp3></audio>' +
        '<iframe src=f.html></iframe><embed src=e.swf><object data=o.pdf></object><input type=image src=b.png><input type=text src=no.png>',
    );
    expect(refs.map((r) => [r.url, r.source, r.as])).toEqual([
      ['v.mp4', 'video', 'video'],
      ['p.jpg', 'video-poster', 'image'],
      ['v.webm', 'media-source', 'video'],
      ['c.vtt', 'track', 'track'],
      ['a.mp3', 'audio', 'audio'],
      ['f.html', 'iframe', 'document'],
      ['e.swf', 'embed', 'embed'],
      ['o.pdf', 'object', 'object'],
      ['b.png', 'input-image', 'image'],
    ]);
    expect(refs[2]!.media).toBe('(min-width: 1px)');
  });

  it('finds SVG <image href|xlink:href> and <use href>', () => {
    const { refs } = html('<svg><image xlink:href="x.png"/><image href="y.png"/><use href="s.svg#star"/><use href="#local"/></svg>');
    expect(refs.map((r) => [r.url, r.source])).toEqual([
      ['x.png', 'svg-image'],
      ['y.png', 'svg-image'],
      ['s.svg#star', 'svg-use'],
      ['#local', 'svg-use'],
    ]);
  });

  it('crawls <template> content and marks it', () => {
    const { refs } = html('<template><img src=t.png><template><script src=deep.js></script></template></template><img src=out.png>');
    expect(refs.map((r) => [r.url, r.template ?? false])).toEqual([
      ['t.png', true],
      ['deep.js', true],
      ['out.png', false],
    ]);
  });

  it('reads <base href> (the first one only) with its position', () => {
    const result = html('<head>\n<base href=" /static/ "><base href="/other/"></head>');
    expect(result.base).toEqual({ href: '/static/', line: 2, column: 7 });
  });

  it('crawls <style> blocks and style="" attributes as CSS with page line numbers', () => {
    const result = html('<p>\n<style>\n@import "a.css";\n.x { background: url(b.png) }\n</style>\n<div\n style="background: url(\'c.png\')"></div>');
    expect(result.refs.map((r) => [r.url, r.source, r.line, r.inline])).toEqual([
      ['a.css', 'css-import', 3, true],
      ['b.png', 'css-url', 4, true],
      ['c.png', 'css-url', 7, true],
    ]);
    expect(result.refs[1]!.column).toBe(18);
  });

  it('points at the url() itself in style="", quoted or not, after a line break, with CRLF line ends', () => {
    const at = (source: string) => {
      const ref = one(source);
      return [ref.line, ref.column];
    };
    // Columns are 1-based; each `url(` below is where the ref must point.
    expect(at('<div style="background:url(a.png)">')).toEqual([1, 24]);
    expect(at("<div STYLE = 'background:url(a.png)'>")).toEqual([1, 26]);
    expect(at('<div style=background:url(a.png)>')).toEqual([1, 23]);
    expect(at('<div\n  style=\n"x:1;\n background:url(a.png)">')).toEqual([4, 13]);
    expect(at('<p>\r\n<div style="background:url(a.png)">')).toEqual([2, 24]);
    expect(at('<div style="\r\nbackground:url(a.png)">')).toEqual([2, 12]);
  });

  it('skips <style type> that is not CSS', () => {
    expect(html('<style type="text/less">.a{background:url(x.png)}</style>').refs).toEqual([]);
  });

  it('gives line and column of the attribute', () => {
    const ref = one('<!doctype html>\n<html>\n  <body>\n    <img alt="" src="x.png">');
    expect([ref.line, ref.column]).toEqual([4, 17]);
  });

  it('decodes character references in attributes', () => {
    expect(one('<img src="a&amp;b&#x20;c.png">').url).toBe('a&b c.png');
  });
});

describe('extractFile(html): srcset', () => {
  it('keeps commas inside URLs and reads w and x descriptors', () => {
    const { refs } = html('<img srcset="a,b.png 1x, c.png?x=1,2 2x,d.png 3x">');
    expect(refs.map((r) => [r.url, r.candidate?.density])).toEqual([
      ['a,b.png', 1],
      ['c.png?x=1,2', 2],
      ['d.png', 3],
    ]);
    expect(refs.filter((r) => r.candidate?.isDefault).map((r) => r.url)).toEqual(['a,b.png']);
  });

  it('makes src the default candidate when there is one', () => {
    const { refs } = html('<img src="s.png" srcset="big.png 2x, small.png 0.5x">');
    expect(refs.filter((r) => r.candidate?.isDefault).map((r) => r.url)).toEqual(['s.png']);
    expect(new Set(refs.map((r) => r.candidate?.group)).size).toBe(1);
  });

  it('names the src fallback in the hint of an img with srcset, and carries the set and sizes', () => {
    const hinted = (markup: string) => html(markup).refs.find((r) => r.candidate?.isDefault);
    expect(hinted('<img src="s.png" srcset="one.png 1x, two.png 2x">')?.url).toBe('s.png');
    const hero = hinted('<img src="w1.png" srcset="w2.png 200w, w1.png 100w" sizes="50vw" fetchpriority=high>');
    expect(hero).toMatchObject({
      url: 'w1.png',
      srcset: [
        { url: 'w2.png', descriptor: '200w' },
        { url: 'w1.png', descriptor: '100w' },
      ],
      sizes: '50vw',
      fetchpriority: 'high',
      highPriority: true,
    });
    expect(hinted('<img srcset="a.png 3x, b.png 1.5x, c.png 0.5x">')?.url).toBe('b.png');
    expect(hinted('<img srcset="c.png 0.5x, d.png 0.75x">')?.url).toBe('d.png');
    expect(hinted('<img src="s.png" srcset="implicit.png, two.png 2x">')?.srcset).toEqual([{ url: 'implicit.png' }, { url: 'two.png', descriptor: '2x' }]);
  });

  it('marks images in the page banner, navigation or footer, and tiny ones, not those of an article header', () => {
    const { refs } = html(
      '<header><img src=logo.png></header><nav><a><img src=nav.png></a></nav><main><article><header><img src=hero.png></header>' +
        '<img src=avatar.png width=48 height=48><img src=wide.png width=800 height=400><img src=thin.png height=40></article></main><footer><img src=foot.png></footer>',
    );
    expect(refs.map((r) => [r.url, r.chrome ?? false, r.tiny ?? false])).toEqual([
      ['logo.png', true, false],
      ['nav.png', true, false],
      ['hero.png', false, false],
      ['avatar.png', false, true],
      ['wide.png', false, false],
      ['thin.png', false, true],
      ['foot.png', true, false],
    ]);
  });

  it('lists the load-time modules of Astro islands, not those of islands that wait', () => {
    const { refs } = html(
      '<astro-island uid=a client="load" component-url="/_astro/Counter.js" renderer-url="/_astro/client.js" before-hydration-url="/_astro/astro.js"></astro-island>' +
        '<astro-island client="visible" component-url="/_astro/Late.js" renderer-url="/_astro/client.js"></astro-island><astro-island client="idle" component-url="/_astro/Idle.js"></astro-island>',
    );
    expect(refs.map((r) => [r.url, r.source, r.module])).toEqual([
      ['/_astro/Counter.js', 'modulepreload', true],
      ['/_astro/client.js', 'modulepreload', true],
      ['/_astro/astro.js', 'modulepreload', true],
    ]);
  });

  it('collects the text\'s code points (not those of scripts, styles or attributes) and the bold and italic elements', () => {
    const result = html('<title>Заголовок</title><p title="ß">Привет &#x4E2D; <b>x</b></p><script>"€"</script><style>/* ü */</style>');
    expect(result.textCodePoints).toEqual([...'Приветx中'].map((c) => c.codePointAt(0)!).filter((c) => c >= 0x80).sort((a, b) => a - b).filter((c, i, all) => all.indexOf(c) === i));
    expect(result.fontWeights).toEqual([700]);
    expect(result.fontSlanted).toBeUndefined();
    expect(html('<p><em>a</em></p>').fontSlanted).toBe(true);
  });

  it('picks the smallest density, or the narrowest width, without src', () => {
    expect(html('<img srcset="b.png 2x, a.png 1.5x">').refs.find((r) => r.candidate?.isDefault)?.url).toBe('a.png');
    expect(html('<img srcset="w800.png 800w, w400.png 400w, w1200.png 1200w">').refs.find((r) => r.candidate?.isDefault)?.url).toBe('w400.png');
  });

  it('marks loading=lazy and fetchpriority=high images', () => {
    const { refs } = html('<img src=a.png loading=LAZY><img src=b.png fetchpriority=high>');
    expect(refs.map((r) => [r.lazy ?? false, r.highPriority ?? false])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('in <picture>, hints the first source a browser can take, and after one with media the next with the media negated', () => {
    const { refs } = html(
      '<picture><source type="image/jxl" srcset="p.jxl"><source media="(min-width: 900px)" srcset="wide.avif" type="image/avif">' +
        '<source type="image/avif" srcset="p.avif 1x, p2.avif 2x"><source srcset="never.webp"><img src="p.jpg" fetchpriority=high></picture>',
    );
    expect(refs.filter((r) => r.candidate?.isDefault).map((r) => [r.url, r.media, r.mimeType, r.fetchpriority])).toEqual([
      ['wide.avif', '(min-width: 900px)', 'image/avif', 'high'],
      ['p.avif', 'not all and (min-width: 900px)', 'image/avif', 'high'],
    ]);
    expect(urls(refs)).toEqual(['p.jxl', 'wide.avif', 'p.avif', 'p2.avif', 'never.webp', 'p.jpg']);
    expect(refs.find((r) => r.url === 'p.avif')?.candidate?.format).toBe('image/avif');
    expect(new Set(refs.map((r) => r.element)).size).toBe(1);
  });

  it('lists an <img> inside <picture> when no source settles it, under the negated media', () => {
    const { refs } = html('<picture><source media="(min-width: 9px)" srcset="m.png"><img src="fallback.png"></picture>');
    expect(refs.filter((r) => !r.candidate || r.candidate.isDefault).map((r) => [r.url, r.media])).toEqual([
      ['m.png', '(min-width: 9px)'],
      ['fallback.png', 'not all and (min-width: 9px)'],
    ]);
    // Two conditional sources: the second's and the fallback's conditions need MQ4 syntax; only the first is hinted.
    const two = html('<picture><source media="(min-width: 900px)" srcset="a.png"><source media="(min-width: 400px)" srcset="b.png"><img src="c.png"></picture>');
    expect(two.refs.filter((r) => !r.candidate || r.candidate.isDefault).map((r) => r.url)).toEqual(['a.png']);
    // A print-only source is never taken on a screen.
    const print = html('<picture><source media="print" srcset="p.png"><img src="s.png"></picture>');
    expect(print.refs.filter((r) => !r.candidate || r.candidate.isDefault).map((r) => [r.url, r.media])).toEqual([['s.png', undefined]]);
  });

  it('reads imagesrcset on preload as=image', () => {
    const { refs } = html('<link rel=preload as=image imagesrcset="a.png 1x, b.png 2x" imagesizes=100vw>');
    expect(refs[0]).toMatchObject({ srcset: [{ url: 'a.png', descriptor: '1x' }, { url: 'b.png', descriptor: '2x' }], sizes: '100vw' });
    expect(refs.map((r) => [r.url, r.candidate?.isDefault])).toEqual([
      ['a.png', true],
      ['b.png', false],
    ]);
  });
});

describe('extractFile(html): bad input', () => {
  it('warns about truncated HTML and keeps what came before', () => {
    const result = html('<link rel=stylesheet href=a.css><img src=b.png><img src="c.png');
    expect(urls(result.refs)).toEqual(['a.css', 'b.png']);
    expect(result.warnings.map((w) => w.code)).toContain('HTML_TRUNCATED');
  });

  it('survives garbage', () => {
    const result = html('\u0000\u0001}}}{{{<<<>>>< img src=x.png <link rel=stylesheet href="a.css"');
    expect(result.kind).toBe('html');
    expect(Array.isArray(result.refs)).toBe(true);
  });

  it('produces structured-clone-safe data', () => {
    const result = html('<base href=/b/><style>.a{background:image-set("a.png" 1x,"b.png" 2x)}</style><img srcset="a.png 1x">');
    expect(structuredClone(result)).toEqual(result);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
