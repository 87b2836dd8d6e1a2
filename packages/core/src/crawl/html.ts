/**
 * HTML → refs, with parse5. Walks the whole tree (including `<template>` content) in document
 * order and records every URL an element makes the browser fetch, with the attributes that decide
 * its type, order and CORS mode. Inline CSS goes through `css.ts` with the page's line numbers.
 */
import { defaultTreeAdapter, parse, type DefaultTreeAdapterMap, type DefaultTreeAdapterTypes, type ParserError, type TreeAdapter } from 'parse5';
import { parseSrcset } from 'srcset';
import { RESOURCE_TYPES, type ResourceType } from '../manifest/model.js';
import { extractCss } from './css.js';
import { BOLD_ELEMENTS, ITALIC_ELEMENTS, nonAsciiCodePoints } from './fonts.js';
import { extractJs } from './js.js';
import { negateMedia, screenMatch } from './media.js';
import type { ExtractWarning, FileExtract, Ref, RefSource } from './types.js';

type Element = DefaultTreeAdapterTypes.Element;
type ParentNode = DefaultTreeAdapterTypes.ParentNode;
type Template = DefaultTreeAdapterTypes.Template;
type TextNode = DefaultTreeAdapterTypes.TextNode;

const HTML_NS = 'http://www.w3.org/1999/xhtml';
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Script `type` values browsers run as classic scripts (HTML's "JavaScript MIME type essence match"). */
const CLASSIC_SCRIPT_TYPES = new Set([
  '',
  'text/javascript',
  'application/javascript',
  'application/ecmascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
]);

/** Image types every current browser decodes; a `<source>` of another type may be skipped by the browser. */
const COMMON_IMAGE_TYPES = new Set([
  'image/avif',
  'image/webp',
  'image/png',
  'image/apng',
  'image/jpeg',
  'image/jpg',
  'image/gif',
  'image/svg+xml',
]);

/** parse5 errors that mean the document was cut off: worth telling the user, unlike the many harmless ones. */
const TRUNCATION_ERRORS = /^eof-in-/;

const isResourceType = (value: string): value is ResourceType => (RESOURCE_TYPES as readonly string[]).includes(value);

/**
 * parse5's tree with start positions only. The default adapter copies a node's whole location
 * object every time an end tag or more text extends it, which costs about as much as the rest of
 * the location tracking; refs and warnings only ever need where a node starts.
 */
const startOnlyTreeAdapter: TreeAdapter<DefaultTreeAdapterMap> = {
  ...defaultTreeAdapter,
  updateNodeSourceCodeLocation: () => {},
};

/** Per-document walking state (exported for the tokenizer-driven extractor in html-tokens.ts). */
export interface HtmlState {
  /** The document's text: where the positions point into. */
  source: string;
  refs: Ref[];
  warnings: ExtractWarning[];
  base?: FileExtract['base'];
  group: number;
  inTemplate: boolean;
  /** What the `<picture>`s seen so far hint (see {@link PictureHints}). */
  pictures: Map<ParentNode, PictureHints>;
  /** Image elements numbered in document order ({@link Ref.element}). */
  elements: number;
  /** Font families the document's `<style>` and `style=""` use (see {@link FileExtract.fontFamilies}). */
  fontFamilies: Set<string>;
  /** Weights and italic asked by the document's inline CSS and its bold and italic elements. */
  fontWeights: Set<number>;
  fontSlanted: boolean;
  /** The text's code points from U+0080 up. */
  codePoints: Set<number>;
  /** Whether an element is in the page's banner, navigation or footer (the tree and the token stream know their ancestors differently). */
  inChrome: (element: Element) => boolean;
}

/**
 * A `<picture>`'s hints so far. A browser takes the first `<source>` whose `media` matches and whose
 * type it decodes, else the `<img>`: the hints are the first source (with its `media`), and when
 * that one has a `media` the next candidate with the negated media (`not all and (…)`), so no
 * viewport fetches two. Later ones cannot be told apart without MQ4 syntax: not hinted.
 */
export interface PictureHints {
  element: number;
  /** The hinted refs, to get the `<img>`'s `fetchpriority`, `loading` and size when it comes. */
  refs: Ref[];
  /** The `media` of the one conditional source hinted, if any. */
  media?: string;
  /** No later candidate can be the one a browser takes (or none can be hinted exactly). */
  settled: boolean;
}

/** Elements whose text is not the page's text (raw text, or not rendered). */
export const NOT_TEXT_ELEMENTS = new Set(['style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'title', 'textarea', 'script', 'plaintext']);

/** Sectioning elements: a `<header>`/`<footer>` in one is that section's, not the page's banner or footer. */
const SECTIONING = new Set(['article', 'aside', 'main', 'section', 'nav']);

/**
 * Whether an element with these ancestors (HTML element names, outermost first) is in the page's
 * banner, navigation or footer: inside `<nav>`, or inside a `<header>`/`<footer>` that is not in
 * sectioning content (HTML's `banner` and `contentinfo` roles).
 */
export function inPageChrome(ancestors: readonly string[]): boolean {
  let sectioned = false;
  for (const name of ancestors) {
    if (name === 'nav') return true;
    if ((name === 'header' || name === 'footer') && !sectioned) return true;
    if (SECTIONING.has(name)) sectioned = true;
  }
  return false;
}

/** A new walking state. */
export function newHtmlState(source: string, inChrome: HtmlState['inChrome']): HtmlState {
  return {
    source,
    refs: [],
    warnings: [],
    group: 0,
    inTemplate: false,
    pictures: new Map(),
    elements: 0,
    fontFamilies: new Set(),
    fontWeights: new Set(),
    fontSlanted: false,
    codePoints: new Set(),
    inChrome,
  };
}

/** Note what a start tag of the HTML namespace says about fonts: bold and italic elements. */
export function noteFontElement(state: HtmlState, name: string): void {
  if (BOLD_ELEMENTS.has(name)) state.fontWeights.add(700);
  else if (ITALIC_ELEMENTS.has(name)) state.fontSlanted = true;
}

/** Note a run of the page's text. */
export function noteText(state: HtmlState, text: string): void {
  nonAsciiCodePoints(text, state.codePoints);
}

/** A `style=""` worth parsing: one that may fetch something or name a font family. */
export const STYLE_ATTR_TO_READ = /url\(|image-set|font/i;

/** The extract of a document once its walk is done. */
export function htmlExtract(state: HtmlState, warnings: ExtractWarning[]): FileExtract {
  const result: FileExtract = { kind: 'html', refs: state.refs, warnings };
  if (state.base) result.base = state.base;
  if (state.fontFamilies.size > 0) result.fontFamilies = [...state.fontFamilies];
  if (state.fontWeights.size > 0) result.fontWeights = [...state.fontWeights].sort((a, b) => a - b);
  if (state.fontSlanted) result.fontSlanted = true;
  // U+FFFD is what a broken byte or a NUL became, not text.
  state.codePoints.delete(0xfffd);
  if (state.codePoints.size > 0) result.textCodePoints = [...state.codePoints].sort((a, b) => a - b);
  return result;
}

/** Extract every reference from an HTML document. Pure: no I/O, no URL resolution. */
export function extractHtml(text: string): FileExtract {
  const state = newHtmlState(text, treeInChrome);
  const document = parse(text, {
    sourceCodeLocationInfo: true,
    treeAdapter: startOnlyTreeAdapter,
    onParseError: (error: ParserError) => {
      if (TRUNCATION_ERRORS.test(error.code)) {
        state.warnings.push({
          line: error.startLine,
          column: error.startCol,
          code: 'HTML_TRUNCATED',
          message: `HTML ends early (${error.code}); crawled what was before it`,
        });
      }
    },
  });
  walk(document, state);
  return htmlExtract(state, state.warnings);
}

/** {@link inPageChrome} from the tree's parent links. */
function treeInChrome(element: Element): boolean {
  const ancestors: string[] = [];
  for (let node = element.parentNode; node !== null && 'tagName' in node; node = node.parentNode) {
    if (node.namespaceURI === HTML_NS) ancestors.push(node.tagName);
  }
  return inPageChrome(ancestors.reverse());
}

function walk(parent: ParentNode, state: HtmlState): void {
  const textParent = !('tagName' in parent) || parent.namespaceURI !== HTML_NS || !NOT_TEXT_ELEMENTS.has(parent.tagName);
  for (const node of parent.childNodes) {
    if (!('tagName' in node)) {
      if (textParent && node.nodeName === '#text') noteText(state, (node as TextNode).value);
      continue;
    }
    if (node.namespaceURI === HTML_NS) noteFontElement(state, node.tagName);
    visitElement(node, state);
    if (node.tagName === 'template' && node.namespaceURI === HTML_NS) {
      const wasInTemplate = state.inTemplate;
      state.inTemplate = true;
      walk((node as Template).content, state);
      state.inTemplate = wasInTemplate;
    } else {
      walk(node, state);
    }
  }
}

function attr(element: Element, name: string): string | undefined {
  for (const a of element.attrs) if (a.name === name && !a.prefix) return a.value;
  return undefined;
}

function hasAttr(element: Element, name: string): boolean {
  return attr(element, name) !== undefined;
}

/** Where an attribute (or failing that, the element) starts. */
function position(element: Element, attrName?: string): { line: number; column: number } {
  const loc = element.sourceCodeLocation;
  const at = (attrName && loc?.attrs?.[attrName]) || loc;
  return { line: at?.startLine ?? 1, column: at?.startCol ?? 1 };
}

/**
 * Where an attribute's value starts (past the name, `=` and an opening quote): CSS in `style=""`
 * counts its positions from there. The attribute's start, as before, when the tree has no location
 * for it (attributes a late `<html>` or `<body>` merged into an earlier element). Character
 * references before a URL in the value still shift its column: the CSS sees the decoded text.
 */
function valuePosition(state: HtmlState, element: Element, attrName: string): { line: number; column: number } {
  const at = element.sourceCodeLocation?.attrs?.[attrName];
  if (!at) return position(element, attrName);
  const { source } = state;
  let line = at.startLine;
  let column = at.startCol + attrName.length;
  for (let i = at.startOffset + attrName.length; i < at.endOffset; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x22 || c === 0x27) return { line, column: column + 1 };
    if (c !== 0x3d && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) return { line, column };
    if (c === 0x0a || (c === 0x0d && source.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      column = 1;
    } else if (c !== 0x0d) column++;
  }
  return { line, column };
}

/** A ref from one URL attribute, when the element has it and it is not blank. */
function addUrlAttr(state: HtmlState, element: Element, attrName: string, source: RefSource, extra: Partial<Ref>): void {
  const url = attr(element, attrName)?.trim();
  if (url) addRef(state, element, attrName, url, source, extra);
}

function addRef(state: HtmlState, element: Element, attrName: string, url: string, source: RefSource, extra: Partial<Ref> = {}): Ref {
  const ref: Ref = { url, source, ...position(element, attrName), ...extra };
  if (state.inTemplate) ref.template = true;
  state.refs.push(ref);
  return ref;
}

/** `crossorigin` as the element has it, only when present. */
function corsOf(element: Element): Partial<Ref> {
  const value = attr(element, 'crossorigin');
  return value === undefined ? {} : { crossorigin: value.trim().toLowerCase() };
}

function mediaOf(element: Element): Partial<Ref> {
  const media = attr(element, 'media')?.trim();
  return media ? { media } : {};
}

/**
 * The candidate a browser on a 1x screen takes, by HTML's source-set rules: `src` is an implicit
 * 1x candidate unless the srcset has a 1x or any width (`w`) descriptor. Density sets: the 1x
 * candidate, else the smallest density above 1, else the largest below. Width sets depend on the
 * viewport and `sizes`, unknown here: the narrowest, the cheapest guess. Returns -1 for `src`.
 */
export function defaultCandidate(candidates: readonly { width?: number; density?: number }[], src: string | undefined): number {
  const hasWidth = candidates.some((c) => c.width !== undefined);
  if (hasWidth) {
    let best = -1;
    candidates.forEach((c, i) => {
      if (c.width !== undefined && (best === -1 || c.width < candidates[best]!.width!)) best = i;
    });
    return best;
  }
  const density = (c: { density?: number }) => c.density ?? 1;
  const exact = candidates.findIndex((c) => density(c) === 1);
  if (exact !== -1) return exact;
  if (src) return -1;
  let above = -1;
  let below = -1;
  candidates.forEach((c, i) => {
    const d = density(c);
    if (d > 1 && (above === -1 || d < density(candidates[above]!))) above = i;
    if (d < 1 && (below === -1 || d > density(candidates[below]!))) below = i;
  });
  return above !== -1 ? above : below;
}

/** An image element's attributes that the hints carry and the LCP rule reads. */
function imageExtra(state: HtmlState, element: Element): Partial<Ref> {
  const extra: Partial<Ref> = { as: 'image', ...corsOf(element) };
  if (attr(element, 'loading')?.trim().toLowerCase() === 'lazy') extra.lazy = true;
  const priority = attr(element, 'fetchpriority')?.trim().toLowerCase();
  if (priority === 'high' || priority === 'low' || priority === 'auto') extra.fetchpriority = priority;
  if (priority === 'high') extra.highPriority = true;
  const width = pixels(attr(element, 'width'));
  const height = pixels(attr(element, 'height'));
  // Icons, avatars and logos: not the page's largest paint however early they come.
  if (width !== undefined && height !== undefined ? width * height < 10_000 : (width ?? height ?? Infinity) < 100) extra.tiny = true;
  if (state.inChrome(element)) extra.chrome = true;
  return extra;
}

/** A `width`/`height` attribute in CSS pixels (HTML's rules for non-negative integers, roughly). */
function pixels(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number.parseInt(value.trim(), 10);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Add an element's `src` and `srcset` as one candidate group. The ref a hint names is `src`
 * when there is one (a preload's `href` is the `src` fallback of its `imagesrcset`), else the
 * smallest density (a `w`-only set: the narrowest width); it carries the whole set and `sizes`.
 * Returns it, unless the element is only an alternative.
 */
function addImageSet(
  state: HtmlState,
  element: Element,
  source: RefSource,
  srcAttr: string | undefined,
  srcsetAttr: string,
  sizesAttr: string,
  extra: Partial<Ref>,
  alternativeOnly = false,
): Ref | undefined {
  const src = srcAttr === undefined ? undefined : attr(element, srcAttr)?.trim();
  const srcset = attr(element, srcsetAttr);
  let candidates: { url: string; width?: number; density?: number }[] = [];
  if (srcset !== undefined && srcset.trim() !== '') {
    try {
      candidates = parseSrcset(srcset).map((c) => ({ ...c }));
    } catch (error) {
      state.warnings.push({
        ...position(element, srcsetAttr),
        code: 'BAD_SRCSET',
        message: `unreadable ${srcsetAttr}: ${(error as Error).message}`,
      });
    }
  }
  if (!src && candidates.length === 0) return undefined;
  if (candidates.length === 0 && src && !alternativeOnly) return addRef(state, element, srcAttr ?? srcsetAttr, src, source, extra);
  const group = ++state.group;
  const defaultIndex = src ? -1 : defaultCandidate(candidates, src);
  const hinted: Partial<Ref> = { ...extra, srcset: candidates.map((c) => ({ url: c.url, ...descriptorOf(c) })) };
  const sizes = attr(element, sizesAttr)?.trim();
  if (sizes) hinted.sizes = sizes;
  let named: Ref | undefined;
  if (src) {
    const isDefault = !alternativeOnly && defaultIndex === -1;
    const ref = addRef(state, element, srcAttr!, src, source, { ...(isDefault ? hinted : extra), candidate: { group, isDefault } });
    if (isDefault) named = ref;
  }
  candidates.forEach((c, i) => {
    const isDefault = !alternativeOnly && i === defaultIndex;
    const candidate: Ref['candidate'] = { group, isDefault };
    if (c.width !== undefined) candidate.width = c.width;
    if (c.density !== undefined) candidate.density = c.density;
    const ref = addRef(state, element, srcsetAttr, c.url, source, { ...(isDefault ? hinted : extra), candidate });
    if (isDefault) named = ref;
  });
  return named;
}

/** A srcset candidate's descriptor as written back into an `imagesrcset`. */
function descriptorOf(c: { width?: number; density?: number }): { descriptor?: string } {
  if (c.width !== undefined) return { descriptor: `${c.width}w` };
  if (c.density !== undefined) return { descriptor: `${c.density}x` };
  return {};
}

/** Record what one element references (exported for the tokenizer-driven extractor in html-tokens.ts). */
export function visitElement(element: Element, state: HtmlState): void {
  if (element.namespaceURI === SVG_NS) {
    visitSvg(element, state);
  } else if (element.namespaceURI === HTML_NS) {
    visitHtml(element, state);
  }
  const style = attr(element, 'style');
  if (style !== undefined && STYLE_ATTR_TO_READ.test(style)) {
    const at = valuePosition(state, element, 'style');
    const css = extractCss(style, { context: 'declarationList', line: at.line, column: at.column, inline: true });
    pushCss(state, css);
  }
}

function pushCss(state: HtmlState, css: FileExtract): void {
  // css.ts numbers its own candidate groups from 1; keep them distinct from this document's.
  const offset = state.group;
  let maxGroup = 0;
  for (const ref of css.refs) {
    if (state.inTemplate) ref.template = true;
    if (ref.candidate) {
      maxGroup = Math.max(maxGroup, ref.candidate.group);
      ref.candidate.group += offset;
    }
    state.refs.push(ref);
  }
  state.group += maxGroup;
  state.warnings.push(...css.warnings);
  for (const family of css.fontFamilies ?? []) state.fontFamilies.add(family);
  for (const weight of css.fontWeights ?? []) state.fontWeights.add(weight);
  if (css.fontSlanted) state.fontSlanted = true;
}

function visitSvg(element: Element, state: HtmlState): void {
  if (element.tagName !== 'image' && element.tagName !== 'use') return;
  // SVG 2 `href` wins over the older `xlink:href`.
  let value = attr(element, 'href');
  let name = 'href';
  if (value === undefined) {
    for (const a of element.attrs) {
      if (a.name === 'href' && a.prefix === 'xlink') {
        value = a.value;
        name = 'xlink:href';
      }
    }
  }
  if (value === undefined || value.trim() === '') return;
  if (element.tagName === 'image') {
    addRef(state, element, name, value.trim(), 'svg-image', { as: 'image' });
  } else {
    // <use href="sprite.svg#icon"> fetches sprite.svg; a bare "#icon" is in this document.
    addRef(state, element, name, value.trim(), 'svg-use', { as: 'image' });
  }
}

function visitHtml(element: Element, state: HtmlState): void {
  switch (element.tagName) {
    case 'base': {
      const href = attr(element, 'href');
      if (href !== undefined && !state.base && !state.inTemplate) state.base = { href: href.trim(), ...position(element, 'href') };
      return;
    }
    case 'script':
      return visitScript(element, state);
    case 'link':
      return visitLink(element, state);
    case 'style': {
      const type = attr(element, 'type')?.trim().toLowerCase();
      if (type && type !== 'text/css') return;
      const text = element.childNodes.find((n): n is TextNode => n.nodeName === '#text');
      if (!text) return;
      const loc = text.sourceCodeLocation;
      const css = extractCss(text.value, { line: loc?.startLine ?? 1, column: loc?.startCol ?? 1, inline: true });
      return pushCss(state, css);
    }
    case 'img':
      return visitImg(element, state);
    case 'source':
      return visitSource(element, state);
    case 'video': {
      addUrlAttr(state, element, 'src', 'video', { as: 'video', ...corsOf(element) });
      addUrlAttr(state, element, 'poster', 'video-poster', { as: 'image' });
      return;
    }
    case 'audio':
      return addUrlAttr(state, element, 'src', 'audio', { as: 'audio', ...corsOf(element) });
    case 'track':
      return addUrlAttr(state, element, 'src', 'track', { as: 'track' });
    case 'iframe':
      return addUrlAttr(state, element, 'src', 'iframe', { as: 'document' });
    case 'embed':
      return addUrlAttr(state, element, 'src', 'embed', { as: 'embed' });
    case 'object':
      return addUrlAttr(state, element, 'data', 'object', { as: 'object' });
    case 'astro-island':
      return visitAstroIsland(element, state);
    case 'input': {
      if (attr(element, 'type')?.trim().toLowerCase() !== 'image') return;
      addUrlAttr(state, element, 'src', 'input-image', { as: 'image' });
      return;
    }
    default:
      return;
  }
}

function visitScript(element: Element, state: HtmlState): void {
  const type = (attr(element, 'type') ?? '').trim().toLowerCase();
  const module = type === 'module';
  if (!module && !CLASSIC_SCRIPT_TYPES.has(type)) return; // JSON, templates, importmap, speculationrules…
  const src = attr(element, 'src')?.trim();
  const extra: Partial<Ref> = { as: 'script', ...corsOf(element) };
  if (module) extra.module = true;
  if (hasAttr(element, 'async')) extra.async = true;
  if (hasAttr(element, 'defer')) extra.defer = true;
  if (hasAttr(element, 'nomodule')) extra.nomodule = true;
  if (src) {
    addRef(state, element, 'src', src, 'script', extra);
    return;
  }
  if (module) {
    // An inline module's static imports are fetched like those of a module file.
    const text = element.childNodes.find((n): n is TextNode => n.nodeName === '#text');
    if (!text || !/\b(?:import|export)\b/.test(text.value)) return;
    const loc = text.sourceCodeLocation;
    const js = extractJs(text.value, { line: loc?.startLine ?? 1, column: loc?.startCol ?? 1 });
    for (const ref of js.refs) {
      ref.inline = true;
      if (state.inTemplate) ref.template = true;
      state.refs.push(ref);
    }
    state.warnings.push(...js.warnings);
  }
}

function visitLink(element: Element, state: HtmlState): void {
  const rels = new Set((attr(element, 'rel') ?? '').toLowerCase().split(/[\t\n\f\r ]+/).filter(Boolean));
  const href = attr(element, 'href')?.trim();
  const cors = corsOf(element);
  const media = mediaOf(element);

  if (rels.has('stylesheet') && href) {
    // Alternate and disabled stylesheets are not fetched for the first render.
    if (!rels.has('alternate') && !hasAttr(element, 'disabled')) {
      addRef(state, element, 'href', href, 'stylesheet', { as: 'style', ...cors, ...media });
    }
  }
  if (rels.has('preload')) {
    const as = (attr(element, 'as') ?? '').trim().toLowerCase();
    const extra: Partial<Ref> = { ...cors, ...media };
    if (isResourceType(as)) extra.as = as;
    else if (as !== '') {
      state.warnings.push({
        ...position(element, 'as'),
        code: 'BAD_PRELOAD_AS',
        message: `<link rel=preload> with as="${as}", which browsers ignore`,
      });
      return;
    }
    const priority = attr(element, 'fetchpriority')?.trim().toLowerCase();
    if (priority === 'high' || priority === 'low' || priority === 'auto') extra.fetchpriority = priority;
    if (as === 'image' && hasAttr(element, 'imagesrcset')) {
      addImageSet(state, element, 'preload', href === undefined ? undefined : 'href', 'imagesrcset', 'imagesizes', extra);
    } else if (href) {
      addRef(state, element, 'href', href, 'preload', extra);
    }
  }
  if (rels.has('modulepreload') && href) {
    addRef(state, element, 'href', href, 'modulepreload', { as: 'script', module: true, ...cors });
  }
  if ((rels.has('icon') || rels.has('apple-touch-icon')) && href) {
    addRef(state, element, 'href', href, 'icon', { as: 'image' });
  }
  if (rels.has('manifest') && href) {
    addRef(state, element, 'href', href, 'manifest', { as: 'manifest', ...cors });
  }
  if ((rels.has('preconnect') || rels.has('dns-prefetch')) && href) {
    addRef(state, element, 'href', href, 'preconnect', cors);
  }
}

/** An `<img>`: alone, or the fallback of a `<picture>` whose hints take its attributes. */
function visitImg(element: Element, state: HtmlState): void {
  const extra = imageExtra(state, element);
  const parent = element.parentNode;
  const picture = parent !== null && 'tagName' in parent && parent.tagName === 'picture' ? state.pictures.get(parent) : undefined;
  if (picture === undefined) {
    extra.element = ++state.elements;
    addImageSet(state, element, 'img', 'src', 'srcset', 'sizes', extra);
    return;
  }
  // The <img> carries the picture's fetchpriority, loading and size, for the sources before it too.
  for (const ref of picture.refs) {
    for (const key of ['lazy', 'fetchpriority', 'highPriority', 'tiny', 'chrome'] as const) {
      if (extra[key] !== undefined) (ref as unknown as Record<string, unknown>)[key] = extra[key];
    }
  }
  extra.element = picture.element;
  if (picture.settled) {
    addImageSet(state, element, 'img', 'src', 'srcset', 'sizes', extra, true);
    return;
  }
  const negated = picture.media === undefined ? undefined : negateMedia(picture.media);
  if (picture.media !== undefined && negated === undefined) {
    addImageSet(state, element, 'img', 'src', 'srcset', 'sizes', extra, true);
    return;
  }
  if (negated !== undefined) extra.media = negated;
  addImageSet(state, element, 'img', 'src', 'srcset', 'sizes', extra);
}

function visitSource(element: Element, state: HtmlState): void {
  const parent = element.parentNode;
  const parentName = parent && 'tagName' in parent ? parent.tagName : '';
  if (parentName === 'picture' && parent !== null) {
    let picture = state.pictures.get(parent);
    if (picture === undefined) state.pictures.set(parent, (picture = { element: ++state.elements, refs: [], settled: false }));
    const type = attr(element, 'type')?.trim().toLowerCase();
    const extra: Partial<Ref> = { as: 'image', element: picture.element };
    if (state.inChrome(element)) extra.chrome = true;
    let media = attr(element, 'media')?.trim();
    if (media !== undefined && (media === '' || screenMatch(media) === 'always')) media = undefined;
    const first = state.refs.length;
    // One with an uncommon type may be skipped by the browser, so it is only an alternative (listed
    // with the `all` srcset policy); so is one after the candidates a hint can tell apart.
    const uncommon = type !== undefined && type !== '' && !COMMON_IMAGE_TYPES.has(type);
    const never = media !== undefined && screenMatch(media) === 'never';
    let alternativeOnly = picture.settled || uncommon || never;
    if (!alternativeOnly && picture.media !== undefined) {
      // After one conditional source: this one is taken exactly where that one is not.
      const negated = media === undefined ? negateMedia(picture.media) : undefined;
      if (negated === undefined) {
        alternativeOnly = true;
        picture.settled = true;
      } else media = negated;
    }
    if (media !== undefined) extra.media = media;
    if (type) extra.mimeType = type;
    const hinted = addImageSet(state, element, 'picture-source', undefined, 'srcset', 'sizes', extra, alternativeOnly);
    for (const r of state.refs.slice(first)) if (r.candidate && type) r.candidate.format = type;
    if (hinted !== undefined) picture.refs.push(hinted);
    if (!alternativeOnly) {
      if (media === undefined || picture.media !== undefined) picture.settled = true;
      else picture.media = media;
    }
    return;
  }
  if (parentName === 'video' || parentName === 'audio') {
    const src = attr(element, 'src')?.trim();
    if (src) addRef(state, element, 'src', src, 'media-source', { as: parentName, ...mediaOf(element) });
  }
}

/**
 * Astro's `<astro-island>`: a `client="load"` (or `client="only"`) island hydrates at load by
 * importing its component, its renderer and the before-hydration script; `visible`, `idle` and
 * `media` islands wait, so their modules are not for the first render.
 */
function visitAstroIsland(element: Element, state: HtmlState): void {
  const client = attr(element, 'client')?.trim().toLowerCase();
  if (client !== 'load' && client !== 'only') return;
  for (const name of ['component-url', 'renderer-url', 'before-hydration-url']) {
    addUrlAttr(state, element, name, 'modulepreload', { as: 'script', module: true });
  }
}
