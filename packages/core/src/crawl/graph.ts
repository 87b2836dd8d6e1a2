/**
 * The resource graph: for each page, every file it pulls in, found transitively (page → CSS →
 * `@import`ed CSS → fonts and images; page → module script → its static imports, when asked).
 * Parse results and file stats are memoised by absolute path, so a stylesheet shared by a
 * thousand pages is read and parsed once; `@import` cycles end at a file already on the path.
 *
 * A page's walk is synchronous except where it needs a shared file that is not parsed yet: on a
 * large site nearly every stylesheet is parsed after the first pages, and one `await` (a promise
 * and a microtask) per ref of every stylesheet of every page was a large part of a crawl.
 *
 * What a page reaches through a shared file is the same for every page that reaches it in the same
 * context, so those {@link PageResource}s are made once and shared: a page's walk pushes references
 * to them. (A new object per page for every image and font its stylesheets name was a million
 * objects on a 5,000-page site, and their garbage collection a tenth of a crawl.)
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { lookup } from 'mrmime';
import type { CrossOrigin, PreconnectHint, ResourceRel, ResourceType } from '../manifest/model.js';
import { criticalityRank, type Criticality } from '../manifest/order.js';
import { isServedRealPath } from '../util/served-path.js';
import type { FaceDescriptor } from './fonts.js';
import { screenMatch } from './media.js';
import { fileBaseUrl, resolveRef, type Site } from './resolve.js';
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
  /** Follow static imports of module scripts (parses JavaScript). Default true. */
  followImports?: boolean;
  /**
   * List stylesheets (and what they pull in) whose `media` never matches a screen at load
   * (`print`, `speech`, `not all`). Default false: a browser fetches them at low priority, after
   * the first render.
   */
  nonScreenMedia?: boolean;
  /** List `<script nomodule>` too (only old browsers fetch them). */
  nomodule?: boolean;
}

/**
 * A URL of the site, one object per URL per crawl: every page's reference to the URL points here.
 * `listing` belongs to {@link PageLister}, which keeps its per-URL bookkeeping on it instead of in
 * maps keyed by URL.
 */
export interface SiteUrl {
  readonly url: string;
  readonly file: string;
  /** Size on disk, for `maxBytes`. */
  readonly size: number;
  listing?: unknown;
}

/** What a stylesheet's or module's refs inherit from the reference that brought the file in. Interned: equal contexts are one object. */
export interface Inherited {
  readonly criticality?: Criticality;
  readonly media?: string;
  readonly crossorigin?: string;
  readonly module?: boolean;
  readonly template?: boolean;
}

/**
 * One reference a page makes to a resource, directly or through its stylesheets and modules,
 * before merging, filtering and weighting. Immutable: the ones reached through a shared file are
 * shared by every page that reaches the file in the same context. A page's discovery order is
 * its position in {@link PageCrawl.resources}.
 */
export interface PageResource {
  readonly target: SiteUrl;
  readonly type: ResourceType;
  readonly criticality: Criticality;
  readonly crossorigin?: CrossOrigin;
  readonly rel?: ResourceRel;
  readonly media?: string;
  /** An image an HTML element shows right away: may be the page's "first image". */
  readonly shownImage: boolean;
  readonly highPriority: boolean;
  /** An `@font-face` source: the face's family (lower-cased), if the rule names one. */
  readonly family: string | undefined;
  /** An `@font-face` source: the face's weight, style and `unicode-range`. */
  readonly face: FaceDescriptor | undefined;
  /** An image an element shows in the page's main content (not its banner, navigation or footer; not tiny): may be its LCP image. */
  readonly mainImage: boolean;
  /** The element a responsive image hint comes from, numbered per page: the hints of one `<picture>` go together. */
  readonly element: number | undefined;
  /** A responsive image's candidates, resolved (the Link `imagesrcset`). */
  readonly imagesrcset: string | undefined;
  readonly imagesizes: string | undefined;
  readonly fetchpriority: 'high' | 'low' | 'auto' | undefined;
  readonly mimeType: string | undefined;
  /** A stylesheet or module script the walk goes into, and what its refs inherit. */
  readonly descend?: { readonly kind: 'css' | 'js'; readonly context: Inherited };
}

/** What crawling one page found. */
export interface PageCrawl {
  file: string;
  /** Every reference, in discovery order (depth first), repeats included. */
  resources: PageResource[];
  /** Cross-origin origins, in discovery order, once per CORS mode (see {@link PreconnectHint}). */
  preconnect: PreconnectHint[];
  /**
   * Font families the CSS the page reaches uses (its own `<style>`/`style=""` and every stylesheet
   * walked), lower-cased; `'*'` (`ANY_FONT_FAMILY`) when some value might name any.
   */
  fontFamilies: ReadonlySet<string>;
  /** Weights the page's CSS and HTML ask (see {@link FileExtract.fontWeights}); always holds 400. */
  fontWeights: ReadonlySet<number>;
  /** Whether the page's CSS or HTML asks italic or oblique text. */
  fontSlanted: boolean;
  /** The page's text's code points from U+0080 up, sorted. */
  textCodePoints: readonly number[];
}

/** A regular file's size, or why there is no usable file. */
export type FileStat = { size: number } | { absent: 'missing' | 'folder' | 'not-served' };

/** A ref after resolution and stat: a file to list, an origin to preconnect, a warning, or nothing. */
type Prepared = SiteUrl | PreconnectHint | { warning: CrawlWarning } | null;

/** A shared file's refs, resolved once, and the resources they make in each context it is reached in. */
interface SharedRefs {
  readonly prepared: readonly Prepared[];
  readonly byContext: Map<Inherited, (PageResource | undefined)[]>;
}

/** Per-page walking state. */
interface PageState {
  resources: PageResource[];
  /** Preconnect hints by `origin crossorigin`, in discovery order. */
  preconnect: Map<string, PreconnectHint>;
  fontFamilies: Set<string>;
  fontWeights: Set<number>;
  fontSlanted: boolean;
  /**
   * Stylesheets and modules already walked on this page, with the strongest context they were
   * walked in: ends cycles and repeats, but walks a file again when it is reached in a stronger
   * context (render-blocking after print-only, unconditional after under a media query).
   */
  walked: Map<string, Inherited>;
}

/** The page's own refs' context: nothing inherited. */
const TOP: Inherited = Object.freeze({});

const IMAGE_SOURCES = new Set<Ref['source']>(['img', 'picture-source', 'input-image', 'svg-image', 'svg-use', 'video-poster']);

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

/**
 * The preconnect hint a cross-origin ref asks for: with `crossorigin` when the fetch behind it is
 * a CORS fetch (the element's own `crossorigin`, as on `<link rel=preconnect crossorigin>`; fonts
 * and module scripts, which are always CORS), without it otherwise (images, classic scripts,
 * stylesheets), since browsers keep the two kinds of connection apart.
 */
function preconnectHint(origin: string, ref: Ref): PreconnectHint {
  const cors = ref.crossorigin !== undefined || ref.source === 'font-face' || ref.as === 'font' || ref.module === true || ref.source === 'js-import';
  return cors ? { origin, crossorigin: corsValue(ref.crossorigin) } : { origin };
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
  /** Resolved refs of shared files, and their resources per context: the same for every page that reaches the file. */
  private readonly sharedRefs = new Map<string, SharedRefs>();
  /** One {@link SiteUrl} per URL. */
  private readonly urls = new Map<string, SiteUrl>();
  /** Interned {@link Inherited} contexts, by their fields. */
  private readonly contexts = new Map<string, Inherited>();
  private realRoot: string | undefined;
  /** Real paths of the folders files were found in (null: none), so a file that is no link costs one lstat. */
  private readonly realFolders = new Map<string, string | null>();
  /**
   * Called with every file a ref resolves to and what its stat found, by the file the ref is in
   * (a page's refs each time the page is crawled, a shared file's once per run): the result cache
   * (result-cache.ts) keeps them to know when a crawl it holds is out of date.
   */
  onTarget: ((from: string, file: string, stat: FileStat) => void) | undefined;
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
   * The file's size if it is a regular file the site's static serving would serve (symlinks
   * followed, but not out of the root; no dot-folders). Synchronous on purpose: each distinct file is stat-ed once per run, from the page cache,
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

  /** {@link statFile} for the result cache, which checks that the files a held crawl reached are as they were. */
  fileStat(file: string): FileStat {
    return this.statFile(file);
  }

  /** The one {@link SiteUrl} of `url` in this crawl (made if new): a crawl from the result cache shares them with fresh ones. */
  siteUrl(url: string, file: string, size: number): SiteUrl {
    let target = this.urls.get(url);
    if (target === undefined) {
      target = { url, file, size, listing: undefined };
      this.urls.set(url, target);
    }
    return target;
  }

  private doStat(file: string): FileStat {
    const held = this.parser.stat?.(file);
    if (held !== undefined) return held;
    // The real path of every file, not only of symlinks: a folder on the way may be a link out of the
    // root. A file that is no link is its folder's real path and its name (the folder's resolved once
    // a run: realpath walks every folder of the path, for each of a site's thousands of files).
    let real: string;
    let own: Stats | undefined;
    try {
      own = lstatSync(file, { throwIfNoEntry: false });
      if (own === undefined) return { absent: 'missing' };
      if (own.isSymbolicLink()) {
        real = realpathSync.native(file);
        own = undefined;
      } else {
        const folder = this.realFolder(dirname(file));
        if (folder === null) return { absent: 'missing' };
        real = join(folder, basename(file));
      }
    } catch {
      return { absent: 'missing' };
    }
    this.realRoot ??= realpathSync.native(this.site.root);
    // What static serving would refuse (a dot-folder, a link out of the root) is not a file of the site.
    if (!isServedRealPath(this.realRoot, real) || !isServedRealPath(this.site.root, file)) return { absent: 'not-served' };
    try {
      const info = own ?? statSync(real);
      if (info.isFile()) return { size: info.size };
      return { absent: info.isDirectory() ? 'folder' : 'missing' };
    } catch {
      return { absent: 'missing' };
    }
  }

  /** A folder's real path, or null when it has none (missing); resolved once a run. */
  private realFolder(folder: string): string | null {
    let real = this.realFolders.get(folder);
    if (real === undefined) {
      try {
        real = realpathSync.native(folder);
      } catch {
        real = null;
      }
      this.realFolders.set(folder, real);
    }
    return real;
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
    const state: PageState = {
      resources: [],
      preconnect: new Map(),
      fontFamilies: new Set(extract.fontFamilies),
      fontWeights: new Set(extract.fontWeights).add(400),
      fontSlanted: extract.fontSlanted === true,
      walked: new Map(),
    };
    let baseUrl = fileBaseUrl(this.site, file);
    if (extract.base && extract.base.href !== '') {
      try {
        baseUrl = new URL(extract.base.href, baseUrl);
      } catch {
        this.warn({ file, line: extract.base.line, column: extract.base.column, code: 'BAD_URL', message: `<base href="${extract.base.href}"> is not a valid URL; ignored` });
      }
    }
    const prepared = extract.refs.map((ref) => this.prepare(ref, file, baseUrl));
    for (const ref of extract.refs) if (ref.srcset !== undefined) ref.resolvedSrcset = this.resolveSrcset(ref.srcset, baseUrl);
    await this.walkPrepared(extract.refs, prepared, undefined, 0, TOP, state);
    return {
      file,
      resources: state.resources,
      preconnect: [...state.preconnect.values()],
      fontFamilies: state.fontFamilies,
      fontWeights: state.fontWeights,
      fontSlanted: state.fontSlanted,
      textCodePoints: extract.textCodePoints ?? [],
    };
  }

  /**
   * A srcset with its URLs as the page's hints name them: site paths for the site's files, absolute
   * URLs for other origins; a candidate that does not resolve is dropped, as a browser drops it.
   */
  private resolveSrcset(candidates: NonNullable<Ref['srcset']>, baseUrl: URL): string {
    const out: string[] = [];
    for (const c of candidates) {
      const resolution = resolveRef(c.url, baseUrl, this.site);
      const url = resolution.kind === 'local' ? resolution.url : resolution.kind === 'cross-origin' ? new URL(c.url.trim(), baseUrl).href : undefined;
      if (url !== undefined) out.push(c.descriptor === undefined ? url : `${url} ${c.descriptor}`);
    }
    return out.join(', ');
  }

  /**
   * Walk refs in document order (so discovery order and warnings follow the document). `made`
   * holds the resources already made for a shared file's refs in this context (a page's own refs
   * have none). Returns a promise only when some shared file on the way still has to be parsed.
   */
  private walkPrepared(
    refs: readonly Ref[],
    prepared: readonly Prepared[],
    made: (PageResource | undefined)[] | undefined,
    start: number,
    inherited: Inherited,
    state: PageState,
  ): void | Promise<void> {
    for (let i = start; i < refs.length; i++) {
      const item = prepared[i];
      if (!item) continue;
      if ('size' in item) {
        const resource = made ? (made[i] ??= this.resourceFor(refs[i]!, item, inherited)) : this.resourceFor(refs[i]!, item, inherited);
        state.resources.push(resource);
        const pending = resource.descend && this.descend(resource.target.file, resource.descend.kind, resource.descend.context, state);
        // Go on from the next ref once the shared file is walked: the rest of the walk stays in order.
        if (pending) return pending.then(() => this.walkPrepared(refs, prepared, made, i + 1, inherited, state));
      } else if ('origin' in item) {
        const key = `${item.origin} ${item.crossorigin ?? ''}`;
        if (!state.preconnect.has(key)) state.preconnect.set(key, item);
      }
      // Skips building warn()'s key again for a shared file's warning on every page that reaches it.
      else if (!this.preparedWarned.has(item.warning)) {
        this.preparedWarned.add(item.warning);
        this.warn(item.warning);
      }
    }
  }

  /**
   * Walk into a stylesheet or module script, unless this page already walked it in a context at
   * least as strong. Each walk only ever strengthens the file's context (a class more critical,
   * or media dropped), so cycles end.
   */
  private descend(file: string, kind: 'css' | 'js', context: Inherited, state: PageState): void | Promise<void> {
    const before = state.walked.get(file);
    const walkIn = before === undefined ? context : this.strongest(before, context);
    if (walkIn === before) return;
    state.walked.set(file, walkIn);
    const done = this.parsed.get(file);
    if (done !== undefined || this.parsed.has(file)) return done ? this.walkShared(file, done, walkIn, state) : undefined;
    return this.parseShared(kind, file).then((extract) => (extract ? this.walkShared(file, extract, walkIn, state) : undefined));
  }

  /** Walk a shared file's refs; they are resolved and stat-ed once, and made into resources once per context. */
  private walkShared(file: string, extract: FileExtract, inherited: Inherited, state: PageState): void | Promise<void> {
    let shared = this.sharedRefs.get(file);
    if (shared === undefined) {
      // A shared file's URLs resolve against its own URL path, the same from every page.
      const baseUrl = fileBaseUrl(this.site, file);
      shared = { prepared: extract.refs.map((ref) => this.prepare(ref, file, baseUrl)), byContext: new Map() };
      this.sharedRefs.set(file, shared);
    }
    for (const family of extract.fontFamilies ?? []) state.fontFamilies.add(family);
    for (const weight of extract.fontWeights ?? []) state.fontWeights.add(weight);
    if (extract.fontSlanted) state.fontSlanted = true;
    let made = shared.byContext.get(inherited);
    if (made === undefined) {
      made = new Array<PageResource | undefined>(extract.refs.length);
      shared.byContext.set(inherited, made);
    }
    return this.walkPrepared(extract.refs, shared.prepared, made, 0, inherited, state);
  }

  /** The one {@link Inherited} object with these fields. */
  private context(fields: Inherited): Inherited {
    // Absent and present-but-empty differ: `-` marks an absent value, `+` starts a present one (which
    // comes last, so no text in it can fake a field boundary).
    const present = (value: string | undefined) => (value === undefined ? '-' : `+${value.length}:${value}`);
    const key = `${fields.criticality ?? '-'} ${fields.template ? 't' : '-'}${fields.module ? 'm' : '-'} ${present(fields.crossorigin)} ${present(fields.media)}`;
    let context = this.contexts.get(key);
    if (context === undefined) {
      context = Object.freeze(fields);
      this.contexts.set(key, context);
    }
    return context;
  }

  /**
   * The context that covers both: the more critical class, media only where both agree (needed
   * under one query and under another, or unconditionally: needed unconditionally), out of a
   * template if either is. CORS mode: the first one's.
   */
  private strongest(a: Inherited, b: Inherited): Inherited {
    const fields: { -readonly [K in keyof Inherited]: Inherited[K] } = {};
    const criticality = b.criticality !== undefined && (a.criticality === undefined || criticalityRank(b.criticality) < criticalityRank(a.criticality)) ? b.criticality : a.criticality;
    if (criticality !== undefined) fields.criticality = criticality;
    if (a.template && b.template) fields.template = true;
    if (a.module || b.module) fields.module = true;
    if (a.crossorigin !== undefined) fields.crossorigin = a.crossorigin;
    if (a.media !== undefined && a.media === b.media) fields.media = a.media;
    return this.context(fields);
  }

  /** Resolve a ref and check its file; null when it is not listed (with a warning where that is news). */
  private prepare(ref: Ref, from: string, baseUrl: URL): Prepared {
    if (ref.candidate && !ref.candidate.isDefault && (this.options.srcset !== 'all' || ref.source === 'font-face')) return null;
    if (ref.nomodule && !this.options.nomodule) return null;
    if (ref.source === 'js-import' && this.options.followImports === false) return null;
    // A stylesheet (or preload, <source>) for print or speech is not fetched for the first render.
    if (ref.media !== undefined && !this.options.nonScreenMedia && screenMatch(ref.media) === 'never') return null;
    const resolution = resolveRefMemo(ref, baseUrl, this.site);
    switch (resolution.kind) {
      case 'skip':
        return null;
      case 'cross-origin':
        return preconnectHint(resolution.origin, ref);
      case 'bad':
        return { warning: { file: from, line: ref.line, column: ref.column, code: resolution.code, message: `${resolution.message}; skipped` } };
      case 'local':
        break;
    }
    if (ref.source === 'preconnect') return null;
    // A browser runs only JavaScript as a module: `import './x.css'` is a bundler's idiom, not a fetch to hint.
    if (ref.source === 'js-import' && extname(resolution.file) !== '' && typeFromExtension(resolution.file) !== 'script') return null;
    const known = this.urls.get(resolution.url);
    if (known !== undefined) {
      this.onTarget?.(from, known.file, { size: known.size });
      return known;
    }
    const info = this.statFile(resolution.file);
    this.onTarget?.(from, resolution.file, info);
    if ('absent' in info) {
      const shown = this.shownPath(resolution.file);
      const warning: CrawlWarning =
        info.absent === 'folder'
          ? { file: from, line: ref.line, column: ref.column, code: 'NOT_A_FILE', message: `${resolution.url} is a folder (${shown}), not a file; not listed` }
          : info.absent === 'not-served'
            ? {
                file: from,
                line: ref.line,
                column: ref.column,
                code: 'NOT_SERVED',
                message: `${resolution.url} would not be served (${shown} is in a dot-folder or reached through a link out of the root); not listed`,
              }
            : { file: from, line: ref.line, column: ref.column, code: 'MISSING', message: `${resolution.url} not found (no file ${shown} under the root); not listed` };
      return { warning };
    }
    const target: SiteUrl = { url: resolution.url, file: resolution.file, size: info.size, listing: undefined };
    this.urls.set(resolution.url, target);
    return target;
  }

  /** The resource a ref makes in a context: pure, so the ones of shared files are made once per context. */
  private resourceFor(ref: Ref, target: SiteUrl, inherited: Inherited): PageResource {
    const template = inherited.template || ref.template === true;
    const module = ref.module === true || (ref.source === 'js-import' && inherited.module === true);
    const type: ResourceType = ref.as ?? typeFromExtension(target.file);
    const own = ref.media !== undefined && screenMatch(ref.media) !== 'always' ? ref.media : undefined;
    const media = own ?? inherited.media;
    // Whatever a non-blocking stylesheet or a template pulls in is not needed for the first render either.
    const criticality = template || inherited.criticality === 'other' ? 'other' : this.criticalityOf(ref, type, media, module);
    const cors = ref.crossorigin ?? inherited.crossorigin;
    const isSheet = ref.source === 'stylesheet' || ref.source === 'css-import';
    const isModule = this.options.followImports !== false && module && type === 'script' && (ref.source === 'script' || ref.source === 'modulepreload' || ref.source === 'js-import');
    let descend: PageResource['descend'];
    if (isSheet || isModule) {
      const next: { -readonly [K in keyof Inherited]: Inherited[K] } = { criticality };
      if (template) next.template = true;
      if (isModule) next.module = true;
      if (media !== undefined) next.media = media;
      if (isModule && cors !== undefined) next.crossorigin = cors;
      descend = { kind: isSheet ? 'css' : 'js', context: this.context(next) };
    }
    const shownImage = type === 'image' && IMAGE_SOURCES.has(ref.source) && ref.source !== 'svg-use' && !template;
    // Every field present, undefined or not: one object shape, so the lister's reads stay monomorphic.
    return {
      target,
      type,
      criticality,
      crossorigin: type === 'font' || module || cors !== undefined ? corsValue(cors) : undefined,
      rel: module && type === 'script' ? 'modulepreload' : undefined,
      media,
      // An SVG sprite behind <use> is an icon sheet, not the picture a page leads with.
      shownImage,
      highPriority: ref.highPriority === true,
      family: ref.family,
      face: ref.face,
      // `loading=lazy` is no reason to skip one: a lazy image in the first screen loads at once.
      mainImage: shownImage && ref.chrome !== true && ref.tiny !== true,
      element: ref.element,
      imagesrcset: ref.resolvedSrcset,
      imagesizes: ref.resolvedSrcset === undefined ? undefined : ref.sizes,
      fetchpriority: ref.fetchpriority,
      mimeType: ref.mimeType,
      descend,
    };
  }

  private criticalityOf(ref: Ref, type: ResourceType, media: string | undefined, module: boolean): Criticality {
    switch (ref.source) {
      case 'stylesheet':
      case 'css-import':
        return media !== undefined && screenMatch(media) === 'never' ? 'other' : 'style';
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
