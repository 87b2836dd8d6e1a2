/**
 * The resource graph: for each page, every file it pulls in, found transitively (page → CSS →
 * `@import`ed CSS → fonts and images; page → module script → its static imports, when asked).
 * Parse results and file stats are memoised by absolute path, so a stylesheet shared by a
 * thousand pages is read and parsed once; `@import` cycles end at a file already on the path.
 *
 * A page's walk is synchronous except where it needs a shared file that is not parsed yet: on a
 * large site nearly every stylesheet is parsed after the first pages, and one `await` (a promise
 * and a microtask) per ref of every stylesheet of every page was a large part of a crawl.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, sep } from 'node:path';
import { lookup } from 'mrmime';
import type { CrossOrigin, ResourceRel, ResourceType } from '../manifest/model.js';
import { criticalityRank, type Criticality } from '../manifest/order.js';
import { fileBaseUrl, type Site } from './resolve.js';
import { resolveRefMemo } from './resolve-memo.js';
import { isFileReadError, type FileExtract, type FileKind, type FileParser, type FileReadError, type Ref } from './types.js';

/** A problem worth telling the user; the crawl goes on. */
export interface CrawlWarning {
  /** Absolute path of the file the problem is in. */
  file: string;
  line?: number;
  column?: number;
  /** Stable code: MISSING, OUTSIDE_ROOT, BAD_URL, NOT_UTF8, UNREADABLE, CSS_PARSE, HTML_TRUNCATED… */
  code: string;
  message: string;
}

/** Options that decide what the crawl follows. */
export interface GraphOptions {
  /** `default`: the `src` or smallest-density candidate of each srcset/image-set; `all`: every candidate. */
  srcset?: 'default' | 'all';
  /** Follow static imports of module scripts (parses JavaScript). */
  followImports?: boolean;
  /** List `<script nomodule>` too (only old browsers fetch them). */
  nomodule?: boolean;
}

/** One resource a page needs, before filtering and weighting. */
export interface PageResource {
  url: string;
  file: string;
  type: ResourceType;
  criticality: Criticality;
  seq: number;
  crossorigin?: CrossOrigin;
  rel?: ResourceRel;
  media?: string;
  /** Size on disk, for `maxBytes`. */
  size: number;
  /** An image an HTML element shows right away: may be the page's "first image". */
  shownImage: boolean;
  highPriority: boolean;
}

/** What crawling one page found. */
export interface PageCrawl {
  file: string;
  resources: PageResource[];
  /** Cross-origin origins, in discovery order. */
  preconnect: string[];
}

/** A regular file's size, or why there is no usable file. */
type FileStat = { size: number } | { absent: 'missing' | 'folder' };

/** A ref after resolution and stat: a file to list, an origin to preconnect, a warning, or nothing. */
type Prepared = { url: string; file: string; size: number } | { origin: string } | { warning: CrawlWarning } | null;

/** What a ref inherits from the file that brought its file in. */
interface Inherited {
  criticality?: Criticality;
  media?: string;
  crossorigin?: string;
  module?: boolean;
  template?: boolean;
}

/** Per-page walking state. */
interface PageState {
  resources: PageResource[];
  preconnect: Set<string>;
  /** Stylesheets and modules already walked on this page: ends cycles and repeats. */
  walked: Set<string>;
  seq: number;
}

const IMAGE_SOURCES = new Set<Ref['source']>(['img', 'picture-source', 'input-image', 'svg-image', 'svg-use', 'video-poster']);

/**
 * Media a browser never applies to a screen, so such a stylesheet does not block rendering
 * (`media="print" onload="this.media='all'"` is the usual way to load CSS without blocking).
 */
const NON_SCREEN_MEDIA = /^\s*(?:(?:only\s+)?(?:print|speech)|not\s+all)\s*$/i;

/** The preload `as` value for a file, from its extension alone. */
export function typeFromExtension(file: string): ResourceType {
  const ext = extname(file).toLowerCase();
  switch (ext) {
    case '.json':
      return 'fetch';
    case '.js':
    case '.mjs':
    case '.cjs':
      return 'script';
    case '.css':
      return 'style';
    case '.woff2':
    case '.woff':
    case '.ttf':
    case '.otf':
    case '.eot':
      return 'font';
    case '.vtt':
      return 'track';
    case '.html':
    case '.htm':
      return 'document';
    case '.webmanifest':
      return 'manifest';
    default: {
      const mime = lookup(ext) ?? '';
      if (mime.startsWith('image/')) return 'image';
      if (mime.startsWith('video/')) return 'video';
      if (mime.startsWith('audio/')) return 'audio';
      if (mime.startsWith('font/')) return 'font';
      return 'fetch';
    }
  }
}

function corsValue(value: string | undefined): CrossOrigin {
  return value === 'use-credentials' ? 'use-credentials' : 'anonymous';
}

/** Crawls pages against one site, sharing parse results and stats between them. */
export class ResourceGraph {
  private readonly extracts = new Map<string, Promise<FileExtract | null>>();
  /** The shared files whose parse has finished, so a walk can go on without awaiting. */
  private readonly parsed = new Map<string, FileExtract | null>();
  private readonly stats = new Map<string, FileStat>();
  /** {@link shownPath}'s answers, by file. */
  private readonly shown = new Map<string, string>();
  private readonly warned = new Set<string>();
  /** Warnings of shared files' prepared refs already passed to {@link warn}: the same objects come back for every page. */
  private readonly preparedWarned = new Set<CrawlWarning>();
  /** Resolved refs of shared files: the same for every page that reaches the file. */
  private readonly preparedRefs = new Map<string, Prepared[]>();
  private realRoot: string | undefined;
  /** Files read and bytes parsed, for the summary. */
  filesParsed = 0;
  bytesParsed = 0;

  constructor(
    private readonly site: Site,
    private readonly parser: FileParser,
    private readonly options: GraphOptions,
    private readonly onWarning: (warning: CrawlWarning) => void,
  ) {}

  /** Report a warning once, however many pages lead to it. */
  warn(warning: CrawlWarning): void {
    const key = `${warning.file}\0${warning.line}\0${warning.column}\0${warning.code}\0${warning.message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.onWarning(warning);
  }

  /** Count a parse result and pass on its warnings. */
  private report(kind: FileKind, file: string, result: FileExtract | FileReadError): FileExtract | null {
    if (isFileReadError(result)) {
      this.warn({ file, code: 'UNREADABLE', message: `cannot read ${kind.toUpperCase()} file (${result.code}): ${result.message}` });
      return null;
    }
    this.filesParsed++;
    this.bytesParsed += result.bytes ?? 0;
    for (const w of result.warnings) {
      const warning: CrawlWarning = { file, code: w.code, message: w.message };
      if (w.line !== undefined) warning.line = w.line;
      if (w.column !== undefined) warning.column = w.column;
      this.warn(warning);
    }
    return result;
  }

  /** Parse a shared file (CSS, JS) once per run, however many pages reach it. */
  private parseShared(kind: FileKind, file: string): Promise<FileExtract | null> {
    let pending = this.extracts.get(file);
    if (!pending) {
      pending = this.parser.parse(kind, file).then((result) => {
        const extract = this.report(kind, file, result);
        this.parsed.set(file, extract);
        return extract;
      });
      this.extracts.set(file, pending);
    }
    return pending;
  }

  /**
   * The file's size if it is a regular file inside the root (symlinks followed, but not out of the
   * root). Synchronous on purpose: each distinct file is stat-ed once per run, from the page cache,
   * and the promise API cost ten times the system call.
   */
  private statFile(file: string): FileStat {
    let info = this.stats.get(file);
    if (info === undefined) {
      info = this.doStat(file);
      this.stats.set(file, info);
    }
    return info;
  }

  private doStat(file: string): FileStat {
    try {
      const link = lstatSync(file, { throwIfNoEntry: false });
      if (link === undefined) return { absent: 'missing' };
      if (link.isSymbolicLink()) {
        // A link may point anywhere; only a target inside the root is a file of the site.
        this.realRoot ??= realpathSync(this.site.root);
        const rel = relative(this.realRoot, realpathSync(file));
        if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { absent: 'missing' };
      }
      const info = link.isSymbolicLink() ? statSync(file) : link;
      if (info.isFile()) return { size: info.size };
      return { absent: info.isDirectory() ? 'folder' : 'missing' };
    } catch {
      return { absent: 'missing' };
    }
  }

  /**
   * A missing file's path as warnings show it (relative to the root, with `/`). Remembered: a page
   * template's broken reference comes back on every page, and `path.relative` resolves both paths
   * against the working folder each time.
   */
  private shownPath(file: string): string {
    let shown = this.shown.get(file);
    if (shown === undefined) {
      shown = relative(this.site.root, file).split(sep).join('/');
      this.shown.set(file, shown);
    }
    return shown;
  }

  /** Crawl one HTML page. Returns null when the page itself cannot be read. */
  async crawlPage(file: string): Promise<PageCrawl | null> {
    // Pages are not memoised: each is read once anyway, and keeping their trees would only cost memory.
    const extract = this.report('html', file, await this.parser.parse('html', file));
    if (!extract) return null;
    const state: PageState = { resources: [], preconnect: new Set(), walked: new Set(), seq: 0 };
    let baseUrl = fileBaseUrl(this.site, file);
    if (extract.base && extract.base.href !== '') {
      try {
        baseUrl = new URL(extract.base.href, baseUrl);
      } catch {
        this.warn({ file, line: extract.base.line, column: extract.base.column, code: 'BAD_URL', message: `<base href="${extract.base.href}"> is not a valid URL; ignored` });
      }
    }
    await this.walkRefs(extract.refs, file, baseUrl, {}, state);
    return { file, resources: state.resources, preconnect: [...state.preconnect] };
  }

  /**
   * Walk refs in document order (so seq follows discovery order and warnings come out in document
   * order). Returns a promise only when some shared file on the way still has to be parsed.
   */
  private walkRefs(refs: readonly Ref[], from: string, baseUrl: URL, inherited: Inherited, state: PageState): void | Promise<void> {
    const prepared = refs.map((ref) => this.prepare(ref, from, baseUrl));
    return this.walkPrepared(refs, prepared, 0, inherited, state);
  }

  /** Walk a shared file's refs; they are resolved and stat-ed once, for the first page that reaches it. */
  private walkShared(file: string, extract: FileExtract, inherited: Inherited, state: PageState): void | Promise<void> {
    let prepared = this.preparedRefs.get(file);
    if (prepared === undefined) {
      // A shared file's URLs resolve against its own URL path, the same from every page.
      const baseUrl = fileBaseUrl(this.site, file);
      prepared = extract.refs.map((ref) => this.prepare(ref, file, baseUrl));
      this.preparedRefs.set(file, prepared);
    }
    return this.walkPrepared(extract.refs, prepared, 0, inherited, state);
  }

  private walkPrepared(refs: readonly Ref[], prepared: readonly Prepared[], start: number, inherited: Inherited, state: PageState): void | Promise<void> {
    for (let i = start; i < refs.length; i++) {
      const item = prepared[i];
      if (!item) continue;
      if ('warning' in item) {
        // Skips building warn()'s key again for a shared file's warning on every page that reaches it.
        if (!this.preparedWarned.has(item.warning)) {
          this.preparedWarned.add(item.warning);
          this.warn(item.warning);
        }
      }
      else if ('origin' in item) state.preconnect.add(item.origin);
      else {
        const pending = this.visit(refs[i]!, item.url, item.file, item.size, inherited, state);
        // Go on from the next ref once the shared file is walked: the rest of the walk stays in order.
        if (pending !== undefined) return pending.then(() => this.walkPrepared(refs, prepared, i + 1, inherited, state));
      }
    }
  }

  /** Resolve a ref and check its file; null when it is not listed (with a warning where that is news). */
  private prepare(ref: Ref, from: string, baseUrl: URL): Prepared {
    if (ref.candidate && !ref.candidate.isDefault && (this.options.srcset !== 'all' || ref.source === 'font-face')) return null;
    if (ref.nomodule && !this.options.nomodule) return null;
    if (ref.source === 'js-import' && !this.options.followImports) return null;
    const resolution = resolveRefMemo(ref, baseUrl, this.site);
    switch (resolution.kind) {
      case 'skip':
        return null;
      case 'cross-origin':
        return { origin: resolution.origin };
      case 'bad':
        return { warning: { file: from, line: ref.line, column: ref.column, code: resolution.code, message: `${resolution.message}; skipped` } };
      case 'local':
        break;
    }
    if (ref.source === 'preconnect') return null;
    // A browser runs only JavaScript as a module: `import './x.css'` is a bundler's idiom, not a fetch to hint.
    if (ref.source === 'js-import' && extname(resolution.file) !== '' && typeFromExtension(resolution.file) !== 'script') return null;
    const info = this.statFile(resolution.file);
    if ('absent' in info) {
      const shown = this.shownPath(resolution.file);
      const warning: CrawlWarning =
        info.absent === 'folder'
          ? { file: from, line: ref.line, column: ref.column, code: 'NOT_A_FILE', message: `${resolution.url} is a folder (${shown}), not a file; not listed` }
          : { file: from, line: ref.line, column: ref.column, code: 'MISSING', message: `${resolution.url} not found (no file ${shown} under the root); not listed` };
      return { warning };
    }
    return { url: resolution.url, file: resolution.file, size: info.size };
  }

  private visit(ref: Ref, url: string, file: string, size: number, inherited: Inherited, state: PageState): void | Promise<void> {
    const template = inherited.template || ref.template === true;
    const module = ref.module === true || (ref.source === 'js-import' && inherited.module === true);
    const type: ResourceType = ref.as ?? typeFromExtension(file);
    const media = ref.media ?? inherited.media;
    // Whatever a non-blocking stylesheet or a template pulls in is not needed for the first render either.
    const criticality = template || inherited.criticality === 'other' ? 'other' : this.criticalityOf(ref, type, media, module);

    const resource: PageResource = {
      url,
      file,
      type,
      criticality,
      seq: state.seq++,
      size,
      // An SVG sprite behind <use> is an icon sheet, not the picture a page leads with.
      shownImage: type === 'image' && IMAGE_SOURCES.has(ref.source) && ref.source !== 'svg-use' && !ref.lazy && !template,
      highPriority: ref.highPriority === true,
    };
    const cors = ref.crossorigin ?? inherited.crossorigin;
    if (type === 'font' || module) resource.crossorigin = corsValue(cors);
    else if (cors !== undefined) resource.crossorigin = corsValue(cors);
    if (module && type === 'script') resource.rel = 'modulepreload';
    if (media !== undefined) resource.media = media;
    state.resources.push(resource);

    const isSheet = ref.source === 'stylesheet' || ref.source === 'css-import';
    const isModule = this.options.followImports && module && type === 'script' && (ref.source === 'script' || ref.source === 'modulepreload' || ref.source === 'js-import');
    if ((!isSheet && !isModule) || state.walked.has(file)) return;
    state.walked.add(file);
    const next: Inherited = isSheet
      ? { criticality, template }
      : { criticality, template, module: true };
    if (media !== undefined) next.media = media;
    if (!isSheet && cors !== undefined) next.crossorigin = cors;
    const descend = (extract: FileExtract | null): void | Promise<void> => (extract ? this.walkShared(file, extract, next, state) : undefined);
    const done = this.parsed.get(file);
    if (done !== undefined || this.parsed.has(file)) return descend(done ?? null);
    return this.parseShared(isSheet ? 'css' : 'js', file).then(descend);
  }

  private criticalityOf(ref: Ref, type: ResourceType, media: string | undefined, module: boolean): Criticality {
    switch (ref.source) {
      case 'stylesheet':
      case 'css-import':
        return media !== undefined && NON_SCREEN_MEDIA.test(media) ? 'other' : 'style';
      case 'font-face':
        return 'font';
      case 'script':
        return module || ref.async || ref.defer ? 'script' : 'blocking-script';
      case 'modulepreload':
      case 'js-import':
        return 'script';
      case 'preload':
        if (type === 'style') return 'style';
        if (type === 'font') return 'font';
        if (type === 'script') return 'script';
        if (type === 'image') return 'image';
        return 'other';
      case 'css-url':
        return 'image';
      default:
        if (type === 'image' && IMAGE_SOURCES.has(ref.source)) return ref.lazy ? 'other' : 'image';
        return 'other';
    }
  }

  /** Close the parser (worker pools). */
  async close(): Promise<void> {
    await this.parser.close?.();
  }
}

/**
 * Merge a page's repeats of one URL: the first reference types it, the most critical one places it.
 * The result keeps (and updates in place) the first entry of each URL, in discovery order: a page's
 * resources belong to its crawl alone, and copying each one cost a page's worth of garbage.
 */
export function mergeRepeats(resources: readonly PageResource[]): PageResource[] {
  const byUrl = new Map<string, PageResource>();
  for (const r of resources) {
    const seen = byUrl.get(r.url);
    if (!seen) {
      byUrl.set(r.url, r);
      continue;
    }
    if (criticalityRank(r.criticality) < criticalityRank(seen.criticality)) seen.criticality = r.criticality;
    // Needed under one media query here and unconditionally there: needed unconditionally.
    if (seen.media !== r.media) delete seen.media;
    seen.shownImage ||= r.shownImage;
    seen.highPriority ||= r.highPriority;
  }
  return [...byUrl.values()];
}
