/**
 * HTML → refs, with parse5. Walks the whole tree (including `<template>` content) in document
 * order and records every URL an element makes the browser fetch, with the attributes that decide
 * its type, order and CORS mode. Inline CSS goes through `css.ts` with the page's line numbers.
 */
import { defaultTreeAdapter, parse, type DefaultTreeAdapterMap, type DefaultTreeAdapterTypes, type ParserError, type TreeAdapter } from 'parse5';
import { parseSrcset } from 'srcset';
import { RESOURCE_TYPES, type ResourceType } from '../manifest/model.js';
import { extractCss } from './css.js';
import { extractJs } from './js.js';
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
  /** `<picture>`s whose image is already decided by a `<source>` without `media` of a common type. */
  settledPictures: Set<ParentNode>;
  /** Font families the document's `<style>` and `style=""` use (see {@link FileExtract.fontFamilies}). */
  fontFamilies: Set<string>;
}

/** A `style=""` worth parsing: one that may fetch something or name a font family. */
export const STYLE_ATTR_TO_READ = /url\(|image-set|font/i;

/** The extract of a document once its walk is done. */
export function htmlExtract(state: HtmlState, warnings: ExtractWarning[]): FileExtract {
  const result: FileExtract = { kind: 'html', refs: state.refs, warnings };
  if (state.base) result.base = state.base;
  if (state.fontFamilies.size > 0) result.fontFamilies = [...state.fontFamilies];
  return result;
}

/** Extract every reference from an HTML document. Pure: no I/O, no URL resolution. */
export function extractHtml(text: string): FileExtract {
  const state: HtmlState = { source: text, refs: [], warnings: [], group: 0, inTemplate: false, settledPictures: new Set(), fontFamilies: new Set() };
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

function walk(parent: ParentNode, state: HtmlState): void {
  for (const node of parent.childNodes) {
    if (!('tagName' in node)) continue;
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

/**
 * Add an element's `src` and `srcset` as one candidate group. The default candidate is `src`
 * when there is one, else the smallest density (a `w`-only set: the narrowest width).
 */
function addImageSet(
  state: HtmlState,
  element: Element,
  source: RefSource,
  srcAttr: string | undefined,
  srcsetAttr: string,
  extra: Partial<Ref>,
  alternativeOnly = false,
): void {
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
  if (!src && candidates.length === 0) return;
  if (candidates.length === 0 && src && !alternativeOnly) {
    addRef(state, element, srcAttr ?? srcsetAttr, src, source, extra);
    return;
  }
  const group = ++state.group;
  const defaultIndex = defaultCandidate(candidates, src);
  if (src) addRef(state, element, srcAttr!, src, source, { ...extra, candidate: { group, isDefault: !alternativeOnly && defaultIndex === -1 } });
  candidates.forEach((c, i) => {
    const candidate: Ref['candidate'] = { group, isDefault: !alternativeOnly && i === defaultIndex };
    if (c.width !== undefined) candidate.width = c.width;
    if (c.density !== undefined) candidate.density = c.density;
    addRef(state, element, srcsetAttr, c.url, source, { ...extra, candidate });
  });
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
    case 'img': {
      const lazy = attr(element, 'loading')?.trim().toLowerCase() === 'lazy';
      const high = attr(element, 'fetchpriority')?.trim().toLowerCase() === 'high';
      const extra: Partial<Ref> = { as: 'image', ...corsOf(element) };
      if (lazy) extra.lazy = true;
      if (high) extra.highPriority = true;
      // In a <picture> already served by a <source>, the <img> is only a fallback.
      const settled = element.parentNode !== null && state.settledPictures.has(element.parentNode);
      return addImageSet(state, element, 'img', 'src', 'srcset', extra, settled);
    }
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
    if (as === 'image' && hasAttr(element, 'imagesrcset')) {
      addImageSet(state, element, 'preload', href === undefined ? undefined : 'href', 'imagesrcset', extra);
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

function visitSource(element: Element, state: HtmlState): void {
  const parent = element.parentNode;
  const parentName = parent && 'tagName' in parent ? parent.tagName : '';
  if (parentName === 'picture') {
    const type = attr(element, 'type')?.trim().toLowerCase();
    const extra: Partial<Ref> = { as: 'image', ...mediaOf(element) };
    const first = state.refs.length;
    // A browser takes the first <source> that matches: after one without media (of a type it
    // decodes) the rest are never used. One with an uncommon type may be skipped by the browser,
    // so it is only an alternative (listed with the `all` srcset policy).
    const settled = parent !== null && state.settledPictures.has(parent);
    const uncommon = type !== undefined && type !== '' && !COMMON_IMAGE_TYPES.has(type);
    addImageSet(state, element, 'picture-source', undefined, 'srcset', extra, settled || uncommon);
    for (const r of state.refs.slice(first)) if (r.candidate && type) r.candidate.format = type;
    if (!uncommon && extra.media === undefined && parent !== null) state.settledPictures.add(parent);
    return;
  }
  if (parentName === 'video' || parentName === 'audio') {
    const src = attr(element, 'src')?.trim();
    if (src) addRef(state, element, 'src', src, 'media-source', { as: parentName, ...mediaOf(element) });
  }
}
