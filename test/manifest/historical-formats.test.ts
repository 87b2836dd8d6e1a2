import { describe, expect, it } from 'vitest';
import {
  ANY_PAGE,
  detectFormat,
  parseManifest,
  serializeManifest,
  validateManifestJson,
  readManifestJson,
  formatProblem,
} from '@push-manifest/core/manifest';
import { fixtureJson, plain } from './helpers.js';

// The fixtures reproduce what the old tools wrote and read (see fixtures/manifests/*):
// http2-push-manifest's README and lib/manifest.js output, prpl-server's test manifests and
// polymer-build's AddPushManifest output.

describe('http2-push-manifest single format', () => {
  it('reads the README example into the any-page route, in file order', () => {
    const json = fixtureJson('http2-push-manifest/single.json');
    expect(detectFormat(json)).toBe('single');
    const manifest = parseManifest(json);
    expect([...manifest.pages.keys()]).toEqual([ANY_PAGE]);
    expect(manifest.pages.get(ANY_PAGE)).toEqual([
      { url: '/css/app.css', type: 'style', weight: 1 },
      { url: '/js/app.js', type: 'script', weight: 1 },
      { url: '/bower_components/webcomponentsjs/webcomponents-lite.js', type: 'script', weight: 1 },
      { url: '/bower_components/iron-selector/iron-selection.html', type: 'document', weight: 1 },
      { url: '/elements.html', type: 'document', weight: 1 },
      { url: '/elements.vulcanize.html', type: 'document', weight: 1 },
    ]);
  });

  it('reads the weight-first shape lib/manifest.js wrote, including .json typed as script', () => {
    const json = fixtureJson('http2-push-manifest/single-weight-first.json');
    expect(detectFormat(json)).toBe('single');
    const resources = parseManifest(json).pages.get(ANY_PAGE);
    expect(resources?.map((r) => [r.url, r.type, r.weight])).toEqual([
      ['/css/app.css', 'style', 1],
      ['/js/app.js', 'script', 1],
      ['/data/config.json', 'script', 1],
      ['/img/logo.png', 'image', 1],
      ['/fonts/roboto.woff2', 'font', 1],
    ]);
  });

  it('writes the exact README shape back (type before weight, 2-space indent, trailing newline)', () => {
    const manifest = parseManifest(fixtureJson('http2-push-manifest/single.json'));
    const text = serializeManifest(manifest, 'single');
    expect(text).toBe(
      [
        '{',
        '  "/css/app.css": {',
        '    "type": "style",',
        '    "weight": 1',
        '  },',
        '  "/js/app.js": {',
        '    "type": "script",',
        '    "weight": 1',
        '  },',
        '  "/bower_components/webcomponentsjs/webcomponents-lite.js": {',
        '    "type": "script",',
        '    "weight": 1',
        '  },',
        '  "/bower_components/iron-selector/iron-selection.html": {',
        '    "type": "document",',
        '    "weight": 1',
        '  },',
        '  "/elements.html": {',
        '    "type": "document",',
        '    "weight": 1',
        '  },',
        '  "/elements.vulcanize.html": {',
        '    "type": "document",',
        '    "weight": 1',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    // auto picks single for one page, as the old tool did.
    expect(serializeManifest(manifest, 'auto')).toBe(text);
  });

  it('reads the untyped entries the old tool wrote ("type": ""): typed from a certain extension, else dropped, a warning naming each', () => {
    const json = fixtureJson('http2-push-manifest/untyped.json');
    const seen: string[] = [];
    const manifest = parseManifest(json, { onWarning: (warning) => seen.push(formatProblem(warning)) });
    expect(manifest.pages.get(ANY_PAGE)?.map((r) => [r.url, r.type])).toEqual([
      ['/css/app.css', 'style'],
      ['/img/hero.jpeg', 'image'],
      ['/js/app.mjs?v=2', 'script'],
      ['/fonts/body.ttf', 'font'],
    ]);
    const expected = [
      '"/img/hero.jpeg" → type: "" is not a preload type; read as "image" from the extension',
      '"/js/app.mjs?v=2" → type: "" is not a preload type; read as "script" from the extension',
      '"/fonts/body.ttf" → type: "" is not a preload type; read as "font" from the extension',
      '"/api/endpoint" → type: "" is not a preload type and the extension does not tell one; entry dropped',
      '"/data/config.json5" → type: "" is not a preload type and the extension does not tell one; entry dropped',
    ];
    expect(seen).toEqual(expected);
    // validate still reports every one of them.
    expect(validateManifestJson(json).map((p) => formatProblem(p))).toEqual(expected);
    expect(readManifestJson(json).problems).toEqual([]);
  });

  it('never guesses a type an extension does not make certain (.json, .html, none)', () => {
    const manifest = parseManifest({ '/a.json': { type: '' }, '/b.html': { type: '' }, '/c': { type: '' }, '/d.JS': { type: '' } });
    expect(manifest.pages.get(ANY_PAGE)?.map((r) => [r.url, r.type])).toEqual([['/d.JS', 'script']]);
  });
});

describe('http2-push-manifest multi format', () => {
  it('reads bare file-name keys as paths from the site root', () => {
    const json = fixtureJson('http2-push-manifest/multi.json');
    expect(detectFormat(json)).toBe('multi');
    expect(plain(parseManifest(json)).pages).toEqual({
      '/index.html': [
        { url: '/css/app.css', type: 'style', weight: 1 },
        { url: '/js/app.js', type: 'script', weight: 1 },
      ],
      '/page.html': [
        { url: '/css/page.css', type: 'style', weight: 1 },
        { url: '/js/app.js', type: 'script', weight: 1 },
      ],
    });
  });

  it('writes the README multi shape back byte for byte (plus a trailing newline)', () => {
    const manifest = parseManifest(fixtureJson('http2-push-manifest/multi.json'));
    const expected = `${JSON.stringify(fixtureJson('http2-push-manifest/multi.json'), null, 2)}\n`;
    expect(serializeManifest(manifest, 'multi')).toBe(expected);
    expect(serializeManifest(manifest, 'auto')).toBe(expected);
  });
});

describe('Polymer / prpl-server format', () => {
  it('reads prpl-server test manifests: relative keys and URLs resolve against the manifest folder', () => {
    const json = fixtureJson('polymer/prpl-server.json');
    expect(detectFormat(json)).toBe('polymer');
    expect(plain(parseManifest(json, { base: '/es2015/' })).pages).toEqual({
      '/es2015/index.html': [
        { url: '/es2015/fragment.html', type: 'document', weight: 1 },
        { url: '/es2015/service-worker.js', type: 'script', weight: 1 },
      ],
      '/shop/cart': [{ url: '/es2015/cart.html', type: 'document', weight: 1 }],
      '/es2015/fragment.html': [{ url: '/es2015/nested.html', type: 'document', weight: 1 }],
    });
    // Without a base the manifest folder is the site root.
    expect([...parseManifest(json).pages.keys()]).toEqual(['/index.html', '/shop/cart', '/fragment.html']);
  });

  it('reads polymer-cli output (everything relative)', () => {
    const json = fixtureJson('polymer/polymer-cli.json');
    expect(detectFormat(json)).toBe('polymer');
    expect(plain(parseManifest(json, { base: '/build/es6/' })).pages).toEqual({
      '/build/es6/index.html': [
        { url: '/build/es6/src/my-app.html', type: 'document', weight: 1 },
        { url: '/build/es6/bower_components/polymer/polymer-element.html', type: 'document', weight: 1 },
        { url: '/build/es6/bower_components/webcomponentsjs/webcomponents-loader.js', type: 'script', weight: 1 },
      ],
      '/build/es6/src/my-view1.html': [{ url: '/build/es6/src/shared-styles.html', type: 'document', weight: 1 }],
    });
  });

  it('keeps keys literal unless explicitly a regular expression', () => {
    const manifest = parseManifest(fixtureJson('polymer/patterns.json'));
    expect([...manifest.pages.keys()]).toEqual(['/', '^/articles/.*$', '/a.html']);
    // `/a.html` stays a literal path: prpl-server's unescaped `^/a.html$` also matched `/aXhtml`.
    expect(manifest.pages.get('/a.html')).toEqual([{ url: '/a.js', type: 'script', weight: 1 }]);
  });

  it('writes literal page paths as literal keys and patterns as patterns', () => {
    const manifest = parseManifest(fixtureJson('polymer/patterns.json'));
    expect(serializeManifest(manifest, 'polymer')).toBe(
      [
        '{',
        '  "/": {',
        '    "/src/app-shell.js": {',
        '      "type": "script",',
        '      "weight": 1',
        '    }',
        '  },',
        '  "/a\\\\.html": {',
        '    "/a.js": {',
        '      "type": "script",',
        '      "weight": 1',
        '    }',
        '  },',
        '  "^/articles/.*$": {',
        '    "/src/article-view.js": {',
        '      "type": "script",',
        '      "weight": 1',
        '    },',
        '    "/styles/article.css": {',
        '      "type": "style",',
        '      "weight": 1',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    // The literal key is escaped for prpl-server's ^key$, and reads back to the same literal route.
    expect(plain(parseManifest(JSON.parse(serializeManifest(manifest, 'polymer'))))).toEqual(plain(manifest));
    // A pattern can only be written as polymer, so auto picks it.
    expect(serializeManifest(manifest, 'auto')).toBe(serializeManifest(manifest, 'polymer'));
  });

  it('written polymer output reads back to the same model, and prpl-server style readers get absolute paths', () => {
    const manifest = parseManifest(fixtureJson('polymer/polymer-cli.json'), { base: '/app/' });
    const text = serializeManifest(manifest, 'polymer');
    const reread = JSON.parse(text) as Record<string, Record<string, unknown>>;
    for (const [key, entries] of Object.entries(reread)) {
      expect(key.startsWith('/')).toBe(true);
      for (const url of Object.keys(entries)) expect(url.startsWith('/app/')).toBe(true);
    }
    expect(plain(parseManifest(reread, { format: 'polymer' }))).toEqual(plain(manifest));
  });
});
