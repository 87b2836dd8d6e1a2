import { describe, expect, it } from 'vitest';
import { extractFile, extractReady } from '@push-manifest/core';

const css = (text: string) => extractFile('css', text);

describe('extractFile(css)', () => {
  it('finds @import as string or url(), with media, layer() and supports() set apart', () => {
    const { refs } = css(
      '@charset "utf-8";\n@import "a.css";\n@import url(b.css) screen and (min-width: 600px);\n' +
        "@import url('c.css') layer(base) supports(display: grid) print;\n@import 'd.css' layer;\n",
    );
    expect(refs.map((r) => [r.url, r.source, r.as, r.media])).toEqual([
      ['a.css', 'css-import', 'style', undefined],
      ['b.css', 'css-import', 'style', 'screen and (min-width:600px)'],
      ['c.css', 'css-import', 'style', 'print'],
      ['d.css', 'css-import', 'style', undefined],
    ]);
    expect(refs.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });

  it('ignores an @import after other rules, as browsers do, and says so', () => {
    const result = css('body{}\n@import "late.css";');
    expect(result.refs).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['IMPORT_IGNORED']);
  });

  it('ignores an @import nested in a block, as browsers do', () => {
    const result = css('@media screen { @import "nested.css"; }\n@supports (display: grid) { @import url(n2.css); }');
    expect(result.refs).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['IMPORT_IGNORED', 'IMPORT_IGNORED']);
  });

  it('does not take @namespace URLs for fetches', () => {
    const result = css('@namespace url(http://www.w3.org/1999/xhtml);\n@namespace svg url("http://www.w3.org/2000/svg");\nsvg|a { background: url(a.png) }');
    expect(result.refs.map((r) => r.url)).toEqual(['a.png']);
  });

  it('finds url() in any property, quoted or not, with escapes decoded', () => {
    const { refs } = css(
      '.a{background:url(plain.png)}\n.b{cursor:url("dq.cur"),auto}\n.c{mask:url(\'sq.svg#m\')}\n' +
        '.d{background:url( spaced.png )}\n.e{background:url("comma\\2c name.png")}\n.f{background:url(esc\\(aped\\).png)}\n' +
        '.g{list-style:url("a,b.png")}\n.h{background:url("two\\2c  spaces.png")}',
    );
    expect(refs.map((r) => [r.url, r.as])).toEqual([
      ['plain.png', 'image'],
      ['dq.cur', 'image'],
      ['sq.svg#m', 'image'],
      ['spaced.png', 'image'],
      ['comma,name.png', 'image'],
      ['esc(aped).png', 'image'],
      ['a,b.png', 'image'],
      ['two, spaces.png', 'image'],
    ]);
  });

  it('finds url() in custom properties, which stay raw', () => {
    const { refs } = css(':root {\n  --bg: url(var.png);\n  --fg: "x" url( "q.png" );\n}');
    expect(refs.map((r) => [r.url, r.line])).toEqual([
      ['var.png', 2],
      ['q.png', 3],
    ]);
  });

  it('takes the first @font-face src a browser supports, not the best format (CSS Fonts 4 §4.3)', () => {
    const { refs } = css(
      '@font-face{font-family:A;src:local("A"),url(a.ttf) format("truetype"),url(a.woff) format("woff"),url(a.woff2) format("woff2")}\n' +
        '@font-face{font-family:B;src:url(b.otf),url(b.woff)}\n@font-face{font-family:C;src:url(c.eot?#iefix) format("embedded-opentype"),url(c.svg) format(svg),url(c.ttf)}\n' +
        '@font-face{font-family:D;src:url(d-inc.woff2) format(woff2) tech(incremental),url(d-var.woff2) format("woff2") tech(variations),url(d.woff) format(woff)}\n' +
        '@font-face{font-family:E;src:url(e.woff2) format("woff2-variations"),url(e.woff)}\n@font-face{font-family:F;src:url(f.eot) format("embedded-opentype")}',
    );
    expect(refs.every((r) => r.source === 'font-face' && r.as === 'font')).toBe(true);
    expect(refs.filter((r) => r.candidate?.isDefault).map((r) => r.url)).toEqual(['a.ttf', 'b.otf', 'c.ttf', 'd-var.woff2', 'e.woff2']);
    expect(new Set(refs.map((r) => r.candidate?.group)).size).toBe(6);
  });

  it('reads each face\'s weight, style and unicode-range, and what the CSS asks of fonts', () => {
    const result = css(
      '@font-face{font-family:A;font-weight:700;font-style:italic;unicode-range:U+0000-00FF,U+0131,U+4??;src:url(a.woff2)}\n' +
        '@font-face{font-family:A;font-weight:100 900;src:url(v.woff2)}\n@font-face{font-family:A;font-weight:bold;font-style:oblique 10deg;src:url(o.woff2)}\n' +
        'h1{font-weight:600}.x{font:italic bold 1rem/1.2 A}.y{font:12px A}.z{font-weight:var(--w)}',
    );
    expect(result.refs.map((r) => [r.url, r.face])).toEqual([
      ['a.woff2', { weight: [700, 700], style: 'italic', ranges: [0, 0xff, 0x131, 0x131, 0x400, 0x4ff] }],
      ['v.woff2', { weight: [100, 900], style: 'normal' }],
      ['o.woff2', { weight: [700, 700], style: 'oblique' }],
    ]);
    // 600 from h1, 700 and 900 (bold is 700) from the shorthand, 400 from `font: 12px A`, 0 (any) from var().
    expect(new Set(result.fontWeights)).toEqual(new Set([600, 700, 400, 0]));
    expect(result.fontSlanted).toBe(true);
    expect(css('p{font-family:A;font-weight:normal}').fontSlanted).toBeUndefined();
  });

  it('reads image-set() and -webkit-image-set(): strings or url(), x/dppx/dpi, type()', () => {
    const { refs } = css(
      '.a{background-image:image-set("a2.png" 2x, url(a1.png) 1x)}\n' +
        '.b{background-image:-webkit-image-set(url(b.avif) 1x type("image/avif"), "b.png" 192dpi)}\n' +
        '.c{background-image:image-set(linear-gradient(red, blue) 1x, "c.png" 2dppx)}',
    );
    expect(refs.map((r) => [r.url, r.candidate?.density, r.candidate?.isDefault])).toEqual([
      ['a2.png', 2, false],
      ['a1.png', 1, true],
      ['b.avif', 1, true],
      ['b.png', 2, false],
      ['c.png', 2, true],
    ]);
    expect(refs[2]!.candidate?.format).toBe('image/avif');
  });

  it('collects the font families font and font-family name, and the family of each @font-face source', () => {
    const result = css(
      '@font-face { src: url(o.woff2) format("woff2"); font-family: "Open  Sans" }\n' +
        '@font-face { font-family: Brand Serif; src: url(b.woff2) }\n' +
        'h1 { font-family: "Open Sans", Arial, sans-serif }\n' +
        'p { font: italic bold 12px/1.5 Brand  Serif, serif }\n',
    );
    expect(result.refs.map((r) => [r.url, r.family])).toEqual([
      ['o.woff2', 'open sans'],
      ['b.woff2', 'brand serif'],
    ]);
    // The shorthand's keywords come along as a name: one too many only keeps a font listed.
    expect(result.fontFamilies).toEqual(['open sans', 'arial', 'sans-serif', 'italic bold', 'brand serif', 'serif']);
    // A @font-face's own font-family is not a use; nothing used, nothing collected.
    expect(css('@font-face { font-family: X; src: url(x.woff2) }').fontFamilies).toBeUndefined();
  });

  it('takes a font value it cannot read (var(), env()) as naming any family', () => {
    expect(css(':root { --f: "X" } p { font-family: var(--f), serif }').fontFamilies).toEqual(['*']);
    expect(css('p { font: 12px env(x) }').fontFamilies).toEqual(['*']);
  });

  it('gives each ref its line and column', () => {
    const { refs } = css('a {\n  color: red;\n  background: url(x.png);\n}');
    expect(refs[0]).toMatchObject({ line: 3, column: 15 });
  });

  it('crawls what parses in malformed CSS and warns with positions', () => {
    const result = css('body { color: red\n.a { background: url(ok.png) }\n}}} @media screen { .b { background: url("also.png") }\n.c { background: url(');
    expect(result.refs.map((r) => r.url)).toEqual(expect.arrayContaining(['also.png']));
    expect(result.warnings.length).toBeGreaterThan(0);
    expect(result.warnings.every((w) => w.code === 'CSS_PARSE' && (w.line === undefined || w.line >= 1))).toBe(true);
  });

  it('caps parse warnings for one file', () => {
    const result = css('}'.repeat(200) + ' @@@ '.repeat(200));
    expect(result.warnings.length).toBeLessThanOrEqual(11);
  });

  it('produces structured-clone-safe data', () => {
    const result = css('@import "a.css" print; @font-face{src:url(a.woff2)} .x{background:image-set("a.png" 1x)}');
    expect(structuredClone(result)).toEqual(result);
  });
});

describe('extractFile(js)', () => {
  it('finds static imports and export-from, never dynamic import()', async () => {
    await extractReady();
    const result = extractFile(
      'js',
      "import a from './a.js';\nimport './side.js';\nexport * from './star.js';\nexport { x } from \"./named.js\";\n" +
        "const lazy = () => import('./lazy.js');\nconst meta = import.meta.url;\nimport data from './d.json' with { type: 'json' };\n",
    );
    expect(result.refs.map((r) => [r.url, r.line, r.module, r.source])).toEqual([
      ['./a.js', 1, true, 'js-import'],
      ['./side.js', 2, true, 'js-import'],
      ['./star.js', 3, true, 'js-import'],
      ['./named.js', 4, true, 'js-import'],
    ]);
  });

  it('warns and yields nothing for source it cannot lex', async () => {
    await extractReady();
    const result = extractFile('js', 'import { from "x";\n`unterminated');
    expect(result.refs).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['JS_PARSE']);
  });

  it('finds the imports of inline module scripts in HTML, with page lines', async () => {
    await extractReady();
    const result = extractFile('html', '<p>\n<script type="module">\nimport "./inline.js";\nimport("./never.js");\n</script>');
    expect(result.refs.map((r) => [r.url, r.line, r.inline])).toEqual([['./inline.js', 3, true]]);
  });
});
