#!/usr/bin/env node
/**
 * Deterministic generator of a large built site for the crawl benchmark (issue 3, "Speed").
 *
 * Everything comes from a seeded PRNG (sfc32, seeded from SHA-256 of the seed string), never from
 * Math.random or the clock, so the same parameters always give the same bytes. Each page, CSS file
 * and script draws from its own PRNG stream (`<seed>/page/<i>`), so a page does not depend on how
 * many pages came before it.
 *
 * Besides the site (`<dir>/site/`), it writes `<dir>/counts.json`: the generator's own bookkeeping of
 * what it wrote, i.e. for every page the number of references per kind in the page itself (`refs`)
 * and the distinct URLs per kind that a complete crawl must list for that page, transitively through
 * stylesheets and module imports (`expect`). The benchmark computes recall from it. Kinds whose
 * name is in `NEGATIVE_KINDS` must NOT be listed (nomodule scripts, alternate stylesheets, the
 * fallback font formats, fonts of families the page's CSS never uses, data: URIs, dynamic imports);
 * `missing` references must be warned about;
 * `crossOrigin` holds origins expected as preconnect candidates.
 *
 * Usage: node bench/corpus.mjs [--pages 5000] [--css 300] [--seed push-manifest] [--name <name>] [--force]
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped whenever the output for the same parameters changes, so an old corpus is not reused. */
export const GENERATOR_VERSION = 9;

/** Default parameters: the large corpus of issue 3. */
export const DEFAULTS = Object.freeze({
  seed: 'push-manifest',
  pages: 5000,
  css: 300,
  images: 600,
  fonts: 30,
  scripts: 150,
  modules: 120,
  libs: 80,
  minKB: 10,
  maxKB: 60,
  /** Share of pages and CSS files that get malformed content. */
  malformed: 0.03,
});

/** Kinds a correct crawl must not list in the manifest. */
export const NEGATIVE_KINDS = Object.freeze(['nomodule', 'alternate', 'fontAlt', 'fontUnused', 'dataUri', 'dynamicImport', 'printSheet', 'printOnly']);
/** Kinds that are not manifest entries: `missing` (a warning) and `crossOrigin` (a preconnect origin). */
export const SPECIAL_KINDS = Object.freeze(['missing', 'crossOrigin']);

const CROSS_ORIGINS = ['https://fonts.example.com', 'https://cdn.example.net', 'https://img.example.org'];
const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna ' +
  'aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute ' +
  'irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident ' +
  'sunt culpa qui officia deserunt mollit anim id est laborum server push manifest preload hint early stream frame header ' +
  'browser render critical path style script font image module import page site build cache weight order priority'
).split(' ');
const TINY_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
  'hex',
);
const GIF_DATA_URI = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

/** sfc32, seeded from the SHA-256 of a string: small, fast and good enough for test data. */
export function createRandom(seed) {
  const h = createHash('sha256').update(String(seed)).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    /** Integer in [lo, hi], both inclusive. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

const words = (rng, n) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(WORDS));
  return out.join(' ');
};

/** The URL a browser would fetch: resolved, path and query only. */
const resolveUrl = (raw, baseUrl) => {
  const u = new URL(raw, `http://site.invalid${baseUrl}`);
  return u.pathname + u.search;
};

/** Percent-encode each path segment, as a page author would write a file name with spaces or non-ASCII. */
const encodePath = (p) => p.split('/').map((s) => encodeURIComponent(s).replaceAll('%2C', ',')).join('/');

const relativeRaw = (fromUrlDir, toUrlPath) => {
  const rel = path.posix.relative(fromUrlDir, toUrlPath);
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/** Build the pools of assets every page and stylesheet draws from. */
function planAssets(p) {
  const images = [];
  const exts = ['png', 'webp', 'avif', 'jpg', 'svg', 'gif'];
  for (let i = 0; i < p.images; i++) {
    let name = `i${i}.${exts[i % exts.length]}`;
    // A few names that need percent-encoding, and a few with a comma (legal inside a srcset URL).
    if (i % 97 === 5) name = `photo ü ${i}.png`;
    else if (i % 89 === 7) name = `i${i},v2.png`;
    images.push({ file: `assets/img/${name}`, url: `/assets/img/${encodePath(name)}` });
  }
  const fonts = [];
  for (let i = 0; i < p.fonts; i++) fonts.push({ i, woff2: i % 7 !== 3, woff: true });
  const entries = Math.max(2, Math.floor(p.css / 5));
  return { images, fonts, entries };
}

// ---------------------------------------------------------------------------------------------
// CSS

/** Plan and write one CSS file. Returns its direct references, by kind, resolved. */
function makeCss(p, assets, i) {
  const rng = createRandom(`${p.seed}/css/${i}`);
  const fileUrl = `/assets/css/c${i}.css`;
  const refs = []; // { kind, url, target?, family? }
  /** Font families the sheet's `font` declarations use. */
  const families = new Set();
  const parts = [];
  if (rng.chance(0.2)) parts.push('@charset "utf-8";\n');
  // @import chains: entry sheets import non-entry sheets; non-entry sheets import later ones,
  // and the last two import each other (a cycle the crawler must survive).
  const targets = [];
  if (i < assets.entries) {
    for (let k = rng.int(1, 3); k > 0; k--) targets.push(rng.int(assets.entries, p.css - 1));
    if (i === 0) targets.push(p.css - 2);
  } else if (i === p.css - 2) targets.push(p.css - 1);
  else if (i === p.css - 1) targets.push(p.css - 2);
  else if (rng.chance(0.6)) for (let k = rng.int(1, 2); k > 0; k--) if (i + 1 < p.css - 2) targets.push(rng.int(i + 1, p.css - 3));
  for (const t of [...new Set(targets)]) {
    const abs = `/assets/css/c${t}.css`;
    const form = rng.int(0, 3);
    const raw = form === 3 ? abs : `c${t}.css`;
    const text =
      form === 0 ? `@import "${raw}";`
      : form === 1 ? `@import url("${raw}") screen and (min-width: 600px);`
      : form === 2 ? `@import url(${raw}) layer(base);`
      : `@import '${raw}' supports(display: grid);`;
    parts.push(text + '\n');
    refs.push({ kind: 'import', url: resolveUrl(raw, fileUrl), target: t });
  }
  // @font-face: woff2 first (the one to push), woff as the fallback (not pushed).
  for (let k = rng.chance(0.35) ? rng.int(1, 2) : 0; k > 0; k--) {
    const f = rng.pick(assets.fonts);
    const srcs = [];
    if (rng.chance(0.3)) srcs.push(`local("Font ${f.i}")`);
    if (f.woff2) srcs.push(`url(../fonts/f${f.i}.woff2) format("woff2")`);
    srcs.push(`url("../fonts/f${f.i}.woff") format("woff")`);
    parts.push(`@font-face {\n  font-family: "F${f.i}";\n  src: ${srcs.join(',\n       ')};\n  font-display: swap;\n}\n`);
    const family = `F${f.i}`;
    if (f.woff2) {
      refs.push({ kind: 'font', url: `/assets/fonts/f${f.i}.woff2`, family });
      refs.push({ kind: 'fontAlt', url: `/assets/fonts/f${f.i}.woff`, family });
    } else refs.push({ kind: 'font', url: `/assets/fonts/f${f.i}.woff`, family });
  }
  const target = rng.int(2, 20) * 1024;
  let size = parts.reduce((n, s) => n + s.length, 0);
  let ruleNo = 0;
  while (size < target) {
    let rule;
    const roll = rng.next();
    const sel = `.c${i}-${ruleNo++} ${rng.pick(['a', 'p', 'li', '> span', '.card', ':is(h1,h2)', '[data-x="y"]'])}`;
    if (roll < 0.12) {
      const img = rng.pick(assets.images);
      const rel = relativeRaw('/assets/css', img.url);
      const raw = rng.chance(0.2) ? img.url : rel;
      const q = rng.int(0, 2);
      const urlText = q === 0 ? `url(${raw})` : q === 1 ? `url("${raw}")` : `url('${raw}')`;
      rule = `${sel} { background: #fff ${urlText} no-repeat; padding: ${rng.int(0, 20)}px; }\n`;
      refs.push({ kind: 'cssUrl', url: resolveUrl(raw, fileUrl) });
    } else if (roll < 0.14) {
      const a = rng.pick(assets.images);
      const b = rng.pick(assets.images);
      rule = `${sel} { background-image: image-set(url("${relativeRaw('/assets/css', a.url)}") 1x, "${relativeRaw('/assets/css', b.url)}" 2x); }\n`;
      refs.push({ kind: 'imageSet', url: resolveUrl(relativeRaw('/assets/css', a.url), fileUrl) });
      refs.push({ kind: 'imageSet', url: resolveUrl(relativeRaw('/assets/css', b.url), fileUrl) });
    } else if (roll < 0.15) {
      // A hex escape inside a quoted url(): `\\31 ` is "1".
      const n = rng.int(0, assets.images.length - 1);
      const img = assets.images[n];
      if (/^\/assets\/img\/i1\d*\.[a-z]+$/.test(img.url)) {
        const escaped = img.url.replace('/i1', '/i\\31 ');
        rule = `${sel} { border-image: url("${escaped}") 30; }\n`;
        refs.push({ kind: 'cssUrl', url: img.url });
      } else rule = `${sel} { color: #${rng.int(0, 0xfff).toString(16)}; }\n`;
    } else if (roll < 0.16) {
      rule = `${sel} { background-image: url(${GIF_DATA_URI}); }\n`;
      refs.push({ kind: 'dataUri', url: GIF_DATA_URI });
    } else if (roll < 0.165) {
      const raw = `../img/missing-${i}-${ruleNo}.png`;
      rule = `${sel} { list-style-image: url(${raw}); }\n`;
      refs.push({ kind: 'missing', url: resolveUrl(raw, fileUrl) });
    } else if (roll < 0.25) {
      rule = `@media (min-width: ${rng.int(3, 12) * 100}px) {\n  ${sel} { margin: ${rng.int(0, 9)}px auto; display: ${rng.pick(['grid', 'flex', 'block'])}; }\n}\n`;
    } else if (roll < 0.28) {
      rule = `@keyframes k${i}-${ruleNo} { from { opacity: 0; } to { opacity: 1; transform: translateY(${rng.int(1, 9)}px); } }\n`;
    } else {
      const decls = [];
      for (let d = rng.int(2, 7); d > 0; d--) {
        decls.push(
          rng.pick([
            `color: #${rng.int(0, 0xffffff).toString(16).padStart(6, '0')}`,
            `margin: ${rng.int(0, 30)}px ${rng.int(0, 30)}px`,
            // Only two thirds of the families: a face of the others is used by a page's own <style>, or not at all.
            `font: ${rng.int(10, 30)}px/1.${rng.int(1, 9)} "F${rng.int(0, Math.ceil((p.fonts * 2) / 3) - 1)}", system-ui, sans-serif`,
            `--space-${rng.int(1, 9)}: calc(${rng.int(1, 9)}rem + ${rng.int(1, 9)}vw)`,
            `grid-template-columns: repeat(auto-fill, minmax(${rng.int(100, 300)}px, 1fr))`,
            `transition: opacity .${rng.int(1, 9)}s ease-in-out`,
            `box-shadow: 0 ${rng.int(0, 9)}px ${rng.int(0, 20)}px rgba(0,0,0,.${rng.int(1, 9)})`,
          ]),
        );
      }
      rule = `${sel}, ${sel}:hover { ${decls.join('; ')}; }\n`;
      for (const decl of decls) if (decl.startsWith('font:')) families.add(/"(F\d+)"/.exec(decl)[1]);
    }
    parts.push(rule);
    size += rule.length;
  }
  const malformed = rng.chance(p.malformed);
  // Malformed tail: unbalanced braces and an unterminated block at end of file, after every reference.
  if (malformed) parts.push('\n.broken {{ color: ;; } }\n@media screen { .x { margin: 0');
  return { text: parts.join(''), refs, families, malformed };
}

// ---------------------------------------------------------------------------------------------
// Scripts

function makeLib(p, k) {
  const rng = createRandom(`${p.seed}/lib/${k}`);
  const refs = [];
  const lines = [];
  if (k + 1 < p.libs) {
    for (let n = rng.chance(0.5) ? rng.int(1, 2) : 0; n > 0; n--) {
      const t = rng.int(k + 1, p.libs - 1);
      if (refs.some((r) => r.lib === t)) continue;
      lines.push(rng.chance(0.5) ? `import { f${t} } from './l${t}.js';` : `export * from "/assets/js/lib/l${t}.js";`);
      refs.push({ kind: 'moduleImport', url: `/assets/js/lib/l${t}.js`, lib: t });
    }
  }
  lines.push(`export function f${k}(x) { return x * ${k} + ${rng.int(1, 99)}; }`);
  lines.push(`// ${words(rng, rng.int(20, 200))}`);
  return { text: lines.join('\n') + '\n', refs };
}

function makeModule(p, j) {
  const rng = createRandom(`${p.seed}/module/${j}`);
  const refs = [];
  const lines = [];
  for (let n = rng.int(1, 3); n > 0; n--) {
    const t = rng.int(0, p.libs - 1);
    if (refs.some((r) => r.lib === t)) continue;
    lines.push(`import { f${t} } from './lib/l${t}.js';`);
    refs.push({ kind: 'moduleImport', url: `/assets/js/lib/l${t}.js`, lib: t });
  }
  if (rng.chance(0.4)) {
    const t = rng.int(0, p.libs - 1);
    lines.push(`const lazy = () => import('./lib/l${t}.js');`);
    // Only dynamic when it is not also a static import of this module (a dynamic import is never pushed).
    if (!refs.some((r) => r.lib === t)) refs.push({ kind: 'dynamicImport', url: `/assets/js/lib/l${t}.js` });
  }
  lines.push(`export const main${j} = ${rng.int(0, 1000)};`);
  lines.push(`/* ${words(rng, rng.int(50, 400))} */`);
  return { text: lines.join('\n') + '\n', refs };
}

// ---------------------------------------------------------------------------------------------
// Pages

function pageRoute(i) {
  if (i === 0) return '/index.html';
  const sec = `/p/s${i % 40}`;
  return i % 10 < 3 ? `${sec}/d${i % 7}/${i}.html` : `${sec}/${i}.html`;
}

function makePage(p, assets, i) {
  const rng = createRandom(`${p.seed}/page/${i}`);
  const route = pageRoute(i);
  const dir = path.posix.dirname(route);
  const baseHref = i % 20 === 11 ? '/assets/' : null;
  const baseUrl = baseHref ?? route;
  const refs = [];
  /** Font families the page's own <style> blocks use. */
  const families = new Set();
  /** Write a URL to an asset the way authors do: absolute, relative to the page, or relative to <base>. */
  const href = (urlPath, query = '') => {
    let raw;
    if (baseHref && urlPath.startsWith(baseHref) && rng.chance(0.5)) raw = urlPath.slice(baseHref.length);
    else if (!baseHref && rng.chance(0.4)) raw = relativeRaw(dir, urlPath);
    else raw = urlPath;
    raw += query;
    return { raw, url: resolveUrl(raw, baseUrl) };
  };
  const add = (kind, r) => {
    refs.push({ kind, url: r.url });
    return r.raw;
  };
  const version = () => (rng.chance(0.1) ? `?v=${rng.int(1, 9)}` : '');

  const head = ['<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', `<title>Page ${i}: ${words(rng, 4)}</title>`];
  if (baseHref) head.push(`<base href="${baseHref}">`);
  head.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  head.push(`<link rel="icon" href="${add('icon', href('/favicon.ico'))}">`);
  if (rng.chance(0.5)) head.push(`<link rel="manifest" href="${add('webmanifest', href('/site.webmanifest'))}">`);
  if (rng.chance(0.3)) {
    const origin = rng.pick(CROSS_ORIGINS);
    head.push(`<link rel="stylesheet" href="${origin}/css2?family=Inter&amp;display=swap">`);
    refs.push({ kind: 'crossOrigin', url: origin });
  }
  for (let n = rng.int(1, 4); n > 0; n--) {
    const c = rng.int(0, assets.entries - 1);
    const raw = add('stylesheet', href(`/assets/css/c${c}.css`, version()));
    const relWord = rng.pick(['stylesheet', 'stylesheet', 'Stylesheet', 'STYLESHEET']);
    const media = rng.chance(0.15) ? ` media="${rng.pick(['print', '(min-width: 800px)', 'screen and (orientation: landscape)'])}"` : '';
    head.push(`<link rel="${relWord}" href="${raw}"${media}>`);
    refs[refs.length - 1].css = c;
    // A print sheet never applies to a screen: neither it nor what only it pulls in is listed.
    if (media.includes('"print"')) refs[refs.length - 1].print = true;
  }
  if (rng.chance(0.05)) {
    // An alternate stylesheet is not render-blocking and must not be listed.
    head.push(`<link rel="alternate stylesheet" title="contrast" href="/assets/css/alt-contrast.css">`);
    refs.push({ kind: 'alternate', url: '/assets/css/alt-contrast.css' });
  }
  if (rng.chance(0.3)) {
    const f = rng.pick(assets.fonts);
    const file = f.woff2 ? `/assets/fonts/f${f.i}.woff2` : `/assets/fonts/f${f.i}.woff`;
    head.push(`<link rel="preload" href="${add('preload', href(file))}" as="font" type="font/woff2" crossorigin>`);
  }
  if (rng.chance(0.2)) head.push(`<link rel="preload" as="image" href="${add('preload', href(rng.pick(assets.images).url))}">`);
  if (rng.chance(0.3)) {
    const m = rng.int(0, p.modules - 1);
    head.push(`<link rel="modulepreload" href="${add('modulepreload', href(`/assets/js/m${m}.mjs`))}">`);
    refs[refs.length - 1].module = m;
  }
  // Inline <style>: an optional @import (must come first) and url()s, relative to the page.
  for (let n = rng.int(1, 2); n > 0; n--) {
    const lines = [];
    if (rng.chance(0.2)) {
      const c = rng.int(assets.entries, p.css - 1);
      lines.push(`@import url("${add('inlineImport', href(`/assets/css/c${c}.css`))}");`);
      refs[refs.length - 1].css = c;
    }
    for (let k = rng.int(0, 3); k > 0; k--) {
      lines.push(`.hero-${k} { background-image: url('${add('inlineStyleUrl', href(rng.pick(assets.images).url))}'); }`);
    }
    const family = `F${rng.int(0, p.fonts - 1)}`;
    families.add(family);
    lines.push(`body { margin: 0; font-family: "${family}", sans-serif; } .x${i} { color: #333; }`);
    head.push(`<style>\n${lines.join('\n')}\n</style>`);
  }
  for (let n = rng.int(1, 3); n > 0; n--) {
    const attr = rng.pick(['', '', ' defer', ' async']);
    head.push(`<script src="${add('script', href(`/assets/js/s${rng.int(0, p.scripts - 1)}.js`, version()))}"${attr}></script>`);
  }
  for (let n = rng.int(0, 2); n > 0; n--) {
    const m = rng.int(0, p.modules - 1);
    head.push(`<script type="module" src="${add('module', href(`/assets/js/m${m}.mjs`))}"></script>`);
    refs[refs.length - 1].module = m;
  }
  if (rng.chance(0.1)) {
    head.push(`<script nomodule src="/assets/js/legacy-${i % 5}.js"></script>`);
    refs.push({ kind: 'nomodule', url: `/assets/js/legacy-${i % 5}.js` });
  }
  if (rng.chance(0.15)) {
    const origin = rng.pick(CROSS_ORIGINS);
    head.push(`<script src="${origin}/lib/widget.js" async></script>`);
    refs.push({ kind: 'crossOrigin', url: origin });
  }
  head.push(`<script type="application/ld+json">{"@type":"WebPage","name":"${words(rng, 3)}","id":${i}}</script>`);
  head.push('</head>');

  // Body: snippets carrying references, spread through filler.
  const snippets = [];
  for (let n = rng.int(4, 24); n > 0; n--) {
    const roll = rng.next();
    if (roll < 0.5) {
      const img = rng.pick(assets.images);
      const src = add('image', href(img.url, ''));
      let srcset = '';
      if (rng.chance(0.4)) {
        const cands = [];
        for (let k = rng.int(1, 3); k > 0; k--) {
          const r = href(rng.pick(assets.images).url);
          refs.push({ kind: 'srcset', url: r.url });
          cands.push(`${r.raw} ${rng.chance(0.5) ? `${rng.int(3, 16) * 100}w` : `${rng.int(1, 3)}x`}`);
        }
        srcset = ` srcset="${cands.join(', ')}" sizes="(max-width: 600px) 100vw, 50vw"`;
      }
      snippets.push(`<img src="${src}"${srcset} alt="${words(rng, 3)}" width="${rng.int(10, 99) * 10}" height="${rng.int(10, 99) * 10}" loading="lazy">`);
    } else if (roll < 0.58) {
      const a = href(rng.pick(assets.images).url);
      const b = href(rng.pick(assets.images).url);
      const c = href(rng.pick(assets.images).url);
      refs.push({ kind: 'sourceSrcset', url: a.url }, { kind: 'sourceSrcset', url: b.url });
      refs.push({ kind: 'image', url: c.url });
      snippets.push(`<picture><source srcset="${a.raw} 1x, ${b.raw} 2x" type="image/avif"><source media="(min-width: 900px)" srcset="${b.raw}"><img src="${c.raw}" alt=""></picture>`);
      refs.push({ kind: 'sourceSrcset', url: b.url });
    } else if (roll < 0.7) {
      snippets.push(`<div class="banner" style="background: url(&quot;${add('styleAttrUrl', href(rng.pick(assets.images).url))}&quot;) center / cover; min-height: 40px">${words(rng, 6)}</div>`);
    } else if (roll < 0.74) {
      snippets.push(`<template id="t${n}"><article><img src="${add('templateImage', href(rng.pick(assets.images).url))}" alt=""><p>${words(rng, 8)}</p></article></template>`);
    } else if (roll < 0.8) {
      snippets.push(`<svg class="icon" aria-hidden="true"><use href="${add('svgUse', href('/assets/img/sprite.svg'))}#icon-${rng.int(1, 40)}"></use></svg>`);
    } else if (roll < 0.84) {
      snippets.push(`<video controls preload="none" poster="${add('poster', href(rng.pick(assets.images).url))}"></video>`);
    } else if (roll < 0.9) {
      snippets.push(`<img src="${GIF_DATA_URI}" alt="spacer">`);
      refs.push({ kind: 'dataUri', url: GIF_DATA_URI });
    } else if (roll < 0.92) {
      const raw = `/assets/img/gone-${i}-${n}.png`;
      snippets.push(`<img src="${raw}" alt="missing">`);
      refs.push({ kind: 'missing', url: raw });
    } else {
      snippets.push(`<a href="${href(pageRoute(rng.int(0, p.pages - 1))).raw}">${words(rng, 3)}</a>`);
    }
  }
  const tail = [];
  if (rng.chance(0.5)) tail.push(`<script src="${add('script', href(`/assets/js/s${rng.int(0, p.scripts - 1)}.js`))}" defer></script>`);
  tail.push(`<script>window.__page = ${i}; document.documentElement.classList.add('js');</script>`);

  const malformed = rng.chance(p.malformed) ? rng.int(1, 3) : 0;
  const target = rng.int(p.minKB * 1024, p.maxKB * 1024);
  const fixed = head.join('\n').length + snippets.join('\n').length + tail.join('\n').length + 200;
  const filler = [];
  let size = fixed;
  while (size < target) {
    const roll = rng.next();
    let block;
    if (roll < 0.4) block = `<p class="t${rng.int(1, 9)}">${words(rng, rng.int(20, 80))} <em>${words(rng, 2)}</em> &amp; ${words(rng, rng.int(5, 30))}.</p>`;
    else if (roll < 0.6) {
      const items = [];
      for (let k = rng.int(3, 10); k > 0; k--) items.push(`<li><a href="${pageRoute(rng.int(0, p.pages - 1))}" class="nav-link">${words(rng, rng.int(1, 4))}</a></li>`);
      block = `<nav><ul class="menu">${items.join('')}</ul></nav>`;
    } else if (roll < 0.75) {
      const rows = [];
      for (let k = rng.int(2, 8); k > 0; k--) rows.push(`<tr><td>${words(rng, 2)}</td><td>${rng.int(0, 99999)}</td><td><span class="badge">${words(rng, 1)}</span></td></tr>`);
      block = `<table class="data"><thead><tr><th>Name</th><th>Value</th><th>Tag</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
    } else if (roll < 0.92) {
      block = `<div class="card card-${rng.int(1, 20)}" data-id="${rng.int(0, 1e6)}"><h3>${words(rng, 4)}</h3><div class="body"><p>${words(rng, rng.int(10, 40))}</p><button type="button" aria-label="${words(rng, 2)}">${words(rng, 1)}</button></div></div>`;
    } else block = `<!-- ${words(rng, rng.int(5, 25))} -->`;
    filler.push(block);
    size += block.length + 1;
  }
  // Interleave: snippets at evenly spaced points of the filler.
  const body = ['<body>', `<header><h1>${words(rng, 5)}</h1></header>`, '<main>'];
  const every = Math.max(1, Math.floor(filler.length / (snippets.length + 1)));
  let s = 0;
  filler.forEach((block, k) => {
    body.push(block);
    if (k % every === every - 1 && s < snippets.length) body.push(snippets[s++]);
  });
  while (s < snippets.length) body.push(snippets[s++]);
  if (malformed === 3) body.push('<div><b><i>misnested</b></i></div></div></span><p>unclosed <p>again <table>stray text<tr><td>x</table>');
  body.push('</main>', ...tail);

  let text = `${head.join('\n')}\n${body.join('\n')}\n`;
  let bytes;
  if (malformed === 1) {
    // Truncated: no closing tags, ends inside a start tag, after every reference.
    bytes = Buffer.from(`${text}<div class="trunc`);
  } else if (malformed === 2) {
    // Invalid UTF-8 in text content (a lone continuation byte and an invalid lead byte).
    const cut = text.lastIndexOf('</main>');
    bytes = Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from('<p>bad bytes: '), Buffer.from([0xff, 0x80, 0xc3, 0x28]), Buffer.from('</p>\n'), Buffer.from(text.slice(cut)), Buffer.from('</body>\n</html>\n')]);
  } else {
    bytes = Buffer.from(`${text}</body>\n</html>\n`);
  }
  return { route, bytes, refs, families, malformed };
}

// ---------------------------------------------------------------------------------------------
// Whole site

/** Normalise and validate generator parameters. */
export function resolveParams(options = {}) {
  const p = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined && k in DEFAULTS) p[k] = k === 'seed' ? String(v) : Number(v);
  for (const k of ['pages', 'css', 'images', 'fonts', 'scripts', 'modules', 'libs']) {
    if (!Number.isInteger(p[k]) || p[k] < 1) throw new Error(`corpus: --${k} must be a positive integer`);
  }
  if (p.css < 6) throw new Error('corpus: --css must be at least 6 (entries, chains and a cycle)');
  if (!(p.minKB > 0 && p.maxKB >= p.minKB)) throw new Error('corpus: need 0 < minKB <= maxKB');
  return p;
}

/** The default folder name for a parameter set. */
export const corpusName = (p) => `pages${p.pages}-css${p.css}-${createHash('sha1').update(JSON.stringify(p)).digest('hex').slice(0, 8)}`;

const fontBytes = (magic, i, n) => {
  const rng = createRandom(`font/${magic}/${i}`);
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = rng.int(0, 255);
  b.write(magic, 0, 'latin1');
  return b;
};

/**
 * Generate (or reuse) a corpus. `dir` is the corpus folder; the site is `dir/site`.
 * Returns `{ dir, root, params, counts, reused }`.
 */
export function generateCorpus(options = {}, dir) {
  const p = resolveParams(options);
  const outDir = dir ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '.corpus', corpusName(p));
  const countsFile = path.join(outDir, 'counts.json');
  if (!options.force && existsSync(countsFile)) {
    try {
      const counts = JSON.parse(readFileSync(countsFile, 'utf8'));
      if (counts.version === GENERATOR_VERSION && JSON.stringify(counts.params) === JSON.stringify(p)) {
        counts.pages = readPageCounts(path.join(outDir, PAGES_FILE), p.pages);
        return { dir: outDir, root: path.join(outDir, 'site'), params: p, counts, reused: true };
      }
    } catch {
      // A corrupt counts.json means an interrupted run: regenerate.
    }
  }
  rmSync(outDir, { recursive: true, force: true });
  const root = path.join(outDir, 'site');
  const made = new Set();
  const write = (rel, data) => {
    const file = path.join(root, rel);
    const d = path.dirname(file);
    if (!made.has(d)) {
      mkdirSync(d, { recursive: true });
      made.add(d);
    }
    writeFileSync(file, data);
  };
  const assets = planAssets(p);
  const totals = { html: { files: 0, bytes: 0 }, css: { files: 0, bytes: 0 }, other: { files: 0, bytes: 0 } };
  const tally = (kind, n) => {
    totals[kind].files++;
    totals[kind].bytes += n;
  };

  // Assets.
  for (const img of assets.images) {
    const data = img.file.endsWith('.svg') ? `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>\n` : TINY_PNG;
    write(img.file, data);
    tally('other', data.length);
  }
  const sprite = `<svg xmlns="http://www.w3.org/2000/svg">${Array.from({ length: 40 }, (_, k) => `<symbol id="icon-${k + 1}"><circle r="${k}"/></symbol>`).join('')}</svg>\n`;
  write('assets/img/sprite.svg', sprite);
  write('favicon.ico', TINY_PNG);
  write('site.webmanifest', '{"name":"bench","icons":[]}\n');
  for (const f of assets.fonts) {
    if (f.woff2) write(`assets/fonts/f${f.i}.woff2`, fontBytes('wOF2', f.i, 1024 + (f.i % 5) * 512));
    write(`assets/fonts/f${f.i}.woff`, fontBytes('wOFF', f.i, 1536 + (f.i % 5) * 512));
  }
  for (let k = 0; k < p.scripts; k++) write(`assets/js/s${k}.js`, `(function(){ var s${k} = ${k}; /* ${words(createRandom(`${p.seed}/script/${k}`), 40 + (k % 7) * 60)} */ })();\n`);
  for (let k = 0; k < 5; k++) write(`assets/js/legacy-${k}.js`, `/* legacy bundle ${k} */\n`);
  write('assets/css/alt-contrast.css', 'body { background: #000; color: #fff; }\n');

  // CSS, with each file's direct references.
  const cssRefs = [];
  const cssFamilies = [];
  const cssInfo = {};
  for (let c = 0; c < p.css; c++) {
    const { text, refs, families, malformed } = makeCss(p, assets, c);
    write(`assets/css/c${c}.css`, text);
    tally('css', Buffer.byteLength(text));
    cssRefs.push(refs);
    cssFamilies.push(families);
    cssInfo[`/assets/css/c${c}.css`] = { refs: countKinds(refs), malformed };
  }
  // Modules and their libraries.
  const libRefs = [];
  for (let k = 0; k < p.libs; k++) {
    const { text, refs } = makeLib(p, k);
    write(`assets/js/lib/l${k}.js`, text);
    libRefs.push(refs);
  }
  const moduleRefs = [];
  for (let j = 0; j < p.modules; j++) {
    const { text, refs } = makeModule(p, j);
    write(`assets/js/m${j}.mjs`, text);
    moduleRefs.push(refs);
  }

  // Transitive closures (cycle-safe): what a stylesheet or a module pulls in.
  const closeCss = (c, out, seen) => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const r of cssRefs[c]) {
      out.push(r);
      if (r.kind === 'import') closeCss(r.target, out, seen);
    }
  };
  /** Per stylesheet: every ref it pulls in, and the font families the sheets it pulls in use. */
  const cssClosure = [];
  const cssClosureFamilies = [];
  for (let c = 0; c < cssRefs.length; c++) {
    const out = [];
    const sheets = new Set();
    closeCss(c, out, sheets);
    cssClosure.push(out);
    cssClosureFamilies.push(new Set([...sheets].flatMap((sheet) => [...cssFamilies[sheet]])));
  }
  const closeLib = (k, out, seen) => {
    for (const r of libRefs[k]) {
      if (seen.has(r.lib)) continue;
      seen.add(r.lib);
      out.push(r);
      closeLib(r.lib, out, seen);
    }
  };
  const moduleClosure = moduleRefs.map((refs) => {
    const out = [];
    const seen = new Set();
    for (const r of refs) {
      if (r.kind !== 'moduleImport') {
        out.push(r);
        continue;
      }
      if (seen.has(r.lib)) continue;
      seen.add(r.lib);
      out.push(r);
      closeLib(r.lib, out, seen);
    }
    // A dynamic import of a library some static import already pulls in is listed for that reason.
    const statics = new Set(out.filter((r) => r.kind === 'moduleImport').map((r) => r.url));
    return out.filter((r) => r.kind !== 'dynamicImport' || !statics.has(r.url));
  });

  const pages = {};
  const refTotals = {};
  for (let i = 0; i < p.pages; i++) {
    const { route, bytes, refs, families, malformed } = makePage(p, assets, i);
    write(route.slice(1), bytes);
    tally('html', bytes.length);
    // expect: url -> kind, first kind wins; direct references first, then what they pull in.
    const expect = new Map();
    const put = (r) => {
      const seen = expect.get(r.url);
      // First kind wins, except that a reason to list a URL beats a reason not to (a library one
      // module imports dynamically and another statically is listed).
      if (seen === undefined || (NEGATIVE_KINDS.includes(seen) && !NEGATIVE_KINDS.includes(r.kind) && !SPECIAL_KINDS.includes(r.kind))) expect.set(r.url, r.kind);
    };
    // A browser fetches an @font-face font only for a family some CSS of the page uses.
    const used = new Set(families);
    for (const r of refs) if (r.css !== undefined && !r.print) for (const family of cssClosureFamilies[r.css]) used.add(family);
    const putFont = (r) => put(r.kind === 'font' && !used.has(r.family) ? { ...r, kind: 'fontUnused' } : r);
    // What only a print sheet pulls in is not walked at all: no listing, no warning, no preconnect.
    const putPrintOnly = (r) => {
      if (SPECIAL_KINDS.includes(r.kind)) return;
      put(NEGATIVE_KINDS.includes(r.kind) ? r : { ...r, kind: 'printOnly' });
    };
    for (const r of refs) put(r.print ? { ...r, kind: 'printSheet' } : r);
    for (const r of refs) {
      if (r.css !== undefined) cssClosure[r.css].forEach(r.print ? putPrintOnly : putFont);
      if (r.module !== undefined) moduleClosure[r.module].forEach(put);
    }
    const byKind = {};
    for (const [url, kind] of expect) (byKind[kind] ??= []).push(url);
    for (const list of Object.values(byKind)) list.sort();
    const counted = countKinds(refs);
    for (const [k, n] of Object.entries(counted)) refTotals[k] = (refTotals[k] ?? 0) + n;
    pages[route] = { refs: counted, expect: byKind, ...(malformed ? { malformed } : {}) };
  }
  const counts = { version: GENERATOR_VERSION, params: p, totals, refTotals, css: cssInfo, pages };
  writePageCounts(path.join(outDir, PAGES_FILE), pages);
  // counts.json last, atomically: its presence marks a complete corpus.
  writeFileSync(`${countsFile}.tmp`, JSON.stringify({ ...counts, pages: undefined }));
  renameSync(`${countsFile}.tmp`, countsFile);
  return { dir: outDir, root, params: p, counts, reused: false };
}

/**
 * The per-page counts live beside counts.json, one `[route, counts]` line per page: for 100,000
 * pages they are over 512 MB of JSON, more than one JavaScript string holds.
 */
const PAGES_FILE = 'pages.jsonl';

function writePageCounts(file, pages) {
  const fd = openSync(file, 'w');
  try {
    let chunk = [];
    const flush = () => {
      writeSync(fd, chunk.join(''));
      chunk = [];
    };
    for (const entry of Object.entries(pages)) {
      chunk.push(`${JSON.stringify(entry)}\n`);
      if (chunk.length === 1000) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

/** Read pages.jsonl back; throws (so the corpus is regenerated) when it is cut short. */
function readPageCounts(file, expected) {
  const bytes = readFileSync(file);
  const pages = {};
  let n = 0;
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(10, start);
    if (end < 0) throw new Error(`corpus: ${file} ends mid-line`);
    const [route, counts] = JSON.parse(bytes.toString('utf8', start, end));
    pages[route] = counts;
    n++;
    start = end + 1;
  }
  if (n !== expected) throw new Error(`corpus: ${file} has ${n} pages, expected ${expected}`);
  return pages;
}

function countKinds(refs) {
  const out = {};
  for (const r of refs) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

/** Parse `--key value` pairs into generator options. */
export function parseArgs(argv) {
  const out = {};
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--force') out.force = true;
    else if (a.startsWith('--') && k + 1 < argv.length) out[a.slice(2)] = argv[++k];
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const dir = args.name ? path.join(path.dirname(fileURLToPath(import.meta.url)), '.corpus', args.name) : undefined;
  const { root, counts, reused } = generateCorpus(args, dir);
  const mib = (counts.totals.html.bytes + counts.totals.css.bytes) / 2 ** 20;
  process.stderr.write(
    `${reused ? 'reused' : 'generated'} ${root}: ${counts.totals.html.files} pages, ${counts.totals.css.files} CSS files, ` +
      `${mib.toFixed(1)} MiB of HTML+CSS in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
