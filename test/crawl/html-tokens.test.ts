import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeUtf8, extractReady } from '../../packages/core/src/crawl/extract.js';
import { extractHtml } from '../../packages/core/src/crawl/html.js';
import { extractHtmlFast, extractHtmlTokens } from '../../packages/core/src/crawl/html-tokens.js';
import { smallCorpus } from './speed-helpers.js';

const corpus = smallCorpus();
beforeAll(() => extractReady());
afterAll(() => rmSync(path.dirname(corpus.dir), { recursive: true, force: true }));

function htmlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) htmlFiles(full, out);
    else if (/\.html?$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

const read = (file: string) => decodeUtf8(readFileSync(file)).text;

const fixtureFiles = [
  ...htmlFiles(new URL('../../fixtures/sites', import.meta.url).pathname),
  ...htmlFiles(new URL('../../example', import.meta.url).pathname),
];

describe('tokenizer-based HTML extractor (differential against the tree-based one)', () => {
  it('has fixture pages to compare', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(8);
  });

  it.each(fixtureFiles.map((f) => [path.relative(process.cwd(), f), f]))('gives the same FileExtract on %s', (_name, file) => {
    const text = read(file);
    expect(extractHtmlFast(text)).toEqual(extractHtml(text));
  });

  it('takes the tokenizer path (no fallback to the tree) on the well-formed fixtures', () => {
    for (const file of fixtureFiles.filter((f) => !f.includes('/malformed/'))) {
      expect(extractHtmlTokens(read(file)), file).toBeDefined();
    }
  });

  it('gives the same FileExtract on every page of a generated site, without falling back', () => {
    const pages = htmlFiles(corpus.root);
    expect(pages).toHaveLength(50);
    for (const file of pages) {
      const text = read(file);
      const fast = extractHtmlTokens(text);
      expect(fast, file).toBeDefined();
      expect(fast, file).toEqual(extractHtml(text));
    }
  });

  // Documents stitched from fragments chosen to stress where a token stream and a tree differ:
  // foreign content and leaving it, raw-text elements, templates, tables, misnesting, <select>,
  // late <body>, <image>, truncation anywhere.
  const names = [
    'img', 'image', 'source', 'picture', 'video', 'audio', 'track', 'link', 'script', 'style', 'svg', 'use', 'math', 'mi',
    'annotation-xml', 'foreignObject', 'desc', 'template', 'table', 'tbody', 'tr', 'td', 'caption', 'p', 'div', 'b', 'i', 'a',
    'font', 'span', 'noscript', 'title', 'textarea', 'select', 'option', 'base', 'body', 'html', 'head', 'iframe', 'object',
    'embed', 'input', 'li', 'ul', 'br', 'xmp', 'plaintext', 'frameset', 'IMG', 'Svg', 'mglyph', 'malignmark', 'mtext', 'foreignobject', 'noframes', 'h1',
  ];
  const attrs = [
    'src="x.png"', 'srcset="a.png 1x, b.png 2x"', "srcset='w.png 480w, v.png 800w'", 'href="s.css"', 'rel="stylesheet"', 'rel="preload"',
    'as="font"', 'as="image"', 'type="module"', 'type="image/avif"', 'type="image"', 'type="hidden"', 'media="print"',
    'style="background:url(u.png)"', 'xlink:href="i.svg#a"', 'href="sprite.svg#b"', 'loading="lazy"', 'crossorigin', 'async',
    'defer', 'nomodule', 'data="o.swf"', 'poster="p.png"', 'encoding="text/html"', 'color="red"', 'imagesrcset="q.png 1x"', 'SRC="y.png"', 'src=z.png', 'srcset="c,d.png 1x"', 'href="a&amp;b.css"', 'fetchpriority="high"', 'rel="modulepreload"', 'style="color: red"',
  ];
  const tag = fc.tuple(fc.constantFrom(...names), fc.subarray(attrs, { maxLength: 4 }), fc.boolean(), fc.boolean()).map(
    ([name, list, close, selfClosing]) => (close ? `</${name}>` : `<${name}${list.map((a) => ` ${a}`).join('')}${selfClosing ? '/' : ''}>`),
  );
  const other = fc.constantFrom(
    'text ', ' ', '\n', '\r\n', '\r', 'x\ry', '\t\f', '\0', '&#0;', 'a & b', 'é😀', '\uD800', '\uDC00x', '\u0001\u007f', '\uFDD0', '&#x20;', '&nbsp;', '&amp;', 'a < b', '</ x', '</>', '<3', '<!-- c -->', '<![CDATA[ x ]]>', '<!doctype html>',
    '<style>@import "i.css"; .a { background: url(s.png) }</style>', '<script type="module">import "./m.js";</script>',
    '<script>var a = "</scr" + "ipt>";</script>', '<noscript><img src="n.png"></noscript>', '<textarea><img src="t.png"></textarea>',
  );
  const documents = fc.array(fc.oneof({ arbitrary: tag, weight: 3 }, { arbitrary: other, weight: 1 }), { maxLength: 40 });

  it('gives the same FileExtract as the tree on generated documents (property)', () => {
    fc.assert(
      fc.property(documents, fc.nat(), (parts, cut) => {
        const whole = parts.join('');
        // Half the time, cut the document anywhere: inside a tag, an attribute, a comment, a <style>…
        const text = cut % 2 === 0 ? whole : whole.slice(0, cut % (whole.length + 1));
        const tree = extractHtml(text);
        expect(extractHtmlFast(text)).toEqual(tree);
        // The text skip a parse5 without the preprocessor fields it sets would take.
        expect(extractHtmlTokens(text, { portableTextSkip: true }) ?? tree).toEqual(tree);
      }),
      { numRuns: 400 },
    );
  });

  it('leaves text with lone surrogates to the tree, which joins them across a dropped end tag into one code point', () => {
    // Found by the property test: the tree's text node is "\uD800\uDC00x", so it notes U+10000.
    for (const text of ['\uD800</img>\uDC00x', '<p>a\uDC00</p>', '<title>\uD800</title>']) {
      expect(extractHtmlTokens(text), JSON.stringify(text)).toBeUndefined();
      expect(extractHtmlFast(text), JSON.stringify(text)).toEqual(extractHtml(text));
    }
    expect(extractHtml('\uD800</img>\uDC00x').textCodePoints).toEqual([0x10000]);
  });

  it('takes a NUL before <html> for text, as the tree builder does (a late <html> then needs the tree)', () => {
    for (const text of ['\0<html style="background:url(a.png)">', '<p>\0<html style="background:url(a.png)">', '\0<body style="background:url(a.png)">']) {
      expect(extractHtmlTokens(text), JSON.stringify(text)).toBeUndefined();
      expect(extractHtmlFast(text), JSON.stringify(text)).toEqual(extractHtml(text));
    }
    // Inside the document NUL is dropped and changes nothing.
    const inBody = '<body><p>\0<img src="a.png"></p>';
    expect(extractHtmlTokens(inBody)).toEqual(extractHtml(inBody));
  });

  it('takes the tokenizer path for most generated documents (the fallback is for the rare reshaped ones)', () => {
    const sample = fc.sample(documents, { numRuns: 200, seed: 42 }).map((parts) => parts.join(''));
    const fast = sample.filter((text) => extractHtmlTokens(text) !== undefined).length;
    expect(fast).toBeGreaterThan(0);
  });
});
