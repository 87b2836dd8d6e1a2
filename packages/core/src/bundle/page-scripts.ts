/**
 * Which emitted files a page's HTML loads with `<script src>`: how an adapter tells which
 * entrypoint an HTML page belongs to when the HTML plugin does not say (html-webpack-plugin and
 * HtmlRspackPlugin inject each page's entry chunks as script tags).
 */
import { join } from 'node:path';
import { extractFile } from '../crawl/extract.js';
import { fileUrlPath, normaliseBase, resolveRef, SITE_ORIGIN, type Site } from '../crawl/resolve.js';
import type { FileExtract } from '../crawl/types.js';

/**
 * An emitted HTML page, parsed once: {@link pageScriptFiles} reads its scripts, and
 * {@link bundleManifest} crawls it without parsing it again (pass it as the page's `parsed`).
 */
export interface ParsedHtml {
  readonly extract: FileExtract;
}

/** Parse an emitted HTML page's text (as the in-memory crawl would). */
export function parseHtml(html: string): ParsedHtml {
  const extract = extractFile('html', html);
  extract.bytes = Buffer.byteLength(html);
  return { extract };
}

/** The file names (relative to the output folder) of the page's scripts, in document order. */
export function pageScriptFiles(html: string | ParsedHtml, page: string, base: string): string[] {
  const site: Site = { root: join('/', 'out'), base: normaliseBase(base) };
  const pageUrl = new URL(fileUrlPath(site, join(site.root, ...page.split('/'))), SITE_ORIGIN);
  const files: string[] = [];
  const parsed = typeof html === 'string' ? parseHtml(html) : html;
  for (const ref of parsed.extract.refs) {
    if (ref.source !== 'script') continue;
    const resolution = resolveRef(ref.url, pageUrl, site);
    if (resolution.kind === 'local') files.push(resolution.file.slice(site.root.length + 1).split(/[\\/]/).join('/'));
  }
  return files;
}
