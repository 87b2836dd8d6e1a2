/**
 * The result cache of incremental generate: each page's finished crawl (its references, preconnect
 * hints and what its CSS asks of fonts), kept with everything the crawl depended on, so a rerun
 * takes the crawl of an unchanged page as it is, and crawls only pages whose inputs changed.
 *
 * A page's crawl is a function of the bytes of the page and of every stylesheet and module its walk
 * went into, of what the stat of every file their refs resolve to found (present and its size, or
 * missing, a folder, not served), of the site (root, base, origins), of the crawl options, and of
 * the crawler's code. The cache keeps the first two per file, checks them on a rerun (size, mtime,
 * ctime and inode first; the bytes' hash only when those changed, so a touched file still counts
 * as unchanged) and is thrown away whole when any of the others differ.
 *
 * What it keeps is the crawl, not the manifest list: the lister gives a URL that pages share the
 * type, CORS mode and rel of its first reference in page order, so a page's list depends on the
 * pages before it. Listing every page again, in order, is cheap, and makes a rerun's manifest the
 * same as a cold run's by construction. Warnings are kept per file and told again for a page taken
 * from the cache, as the crawl would have told them.
 *
 * One file of JSON Lines per site root in the cache folder (see {@link LineTag}). While few pages
 * have changed since its tables were last built (STALE_SHARE), a run that changed something keeps
 * those tables and appends a segment: the lines of what it crawled or found changed, the entries
 * they add, and a trailer of its own; kept pages' lines stay where they are. Otherwise (the tables
 * are stale, the run changed too much to hold, or another run replaced the file) it writes the next
 * file whole, atomically: from the run's first change on, each page's lines as it is taken or
 * crawled (its P and F lines, and the table entries it adds first seen), the shared files' F lines
 * at the end, kept pages' lines copied as bytes, unread, when it keeps the old tables. The old file
 * is read a line at a time, each page's line when the run asks for it (result-cache-file.ts), so
 * neither a cold run nor a rerun holds every page's entry or the tables. Any file that cannot be
 * read, does not parse, is cut short or has another format, version or options key is ignored
 * (every page is crawled, and the file rewritten); a line found damaged when read makes its page
 * crawled.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { appendLinesAt, HeldLines, LineFileWriter, type LineSink } from '../util/json-lines.js';
import { RecentIndexMap, RecentMap } from '../util/recent-map.js';
import type { FaceDescriptor } from './fonts.js';
import type { CrawlWarning, FileStat, PageCrawl, PageResource, ResourceGraph, SiteUrl } from './graph.js';
import { FORMAT, line, ResultCacheFile, type CacheHeader, type EncodedPage, type EncodedResource, type KeptWarning, type LineTag } from './result-cache-file.js';
import type { FileParser, FileSignature } from './types.js';

/** A stat's result as one number: the size of a file, or why there is none. */
type StatCode = number;
const MISSING = -1;
const FOLDER = -2;
const NOT_SERVED = -3;

function statCode(stat: FileStat): StatCode {
  if ('size' in stat) return stat.size;
  return stat.absent === 'folder' ? FOLDER : stat.absent === 'not-served' ? NOT_SERVED : MISSING;
}

/** Counters of a {@link PageResultCache}. */
export interface ResultCacheStats {
  /** Pages whose crawl came from the cache. */
  reused: number;
  /** True when a cache file was there but could not be used (damaged, another version, other options). */
  discarded: boolean;
}

/** Options of {@link PageResultCache.open}. */
export interface ResultCacheOptions {
  /** The cache folder. */
  dir: string;
  /** The site root: one file per root. */
  root: string;
  /** The crawler's version ({@link extractorVersion}). */
  version: string;
  /** Everything else the crawl depends on (site and crawl options), as a string; another key discards the cache. */
  key: string;
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('base64url');

/** Keys each generation of {@link Tables}' content index holds: it dedups what pages near each other share, in bounded memory. */
const CONTENT_WINDOW = 20_000;

/**
 * The resource tables of the file being built, indexed by object identity (the crawl's objects are
 * shared). Each new entry is written as its line at once (`emit`), so the tables of a large site
 * are never held: only the indices that find an entry already written.
 */
class Tables {
  urls = 0;
  faces = 0;
  resources = 0;
  // Weak: a page's own references are dropped once it is listed, and must not live on here.
  private readonly urlIndex = new WeakMap<SiteUrl, number>();
  private readonly faceIndex = new WeakMap<FaceDescriptor, number>();
  private readonly resourceIndex = new WeakMap<PageResource, number>();
  /**
   * By content too: each page's own refs are objects of their own, yet most are the same on every
   * page (the template's stylesheet and scripts). One object for them all is safe: the lister never
   * changes a reference, and the face index keeps the faces' identity, which font matching reads.
   * Only the keys used lately: a site's responsive images give every page entries of its own, and
   * an index of them all would grow with the site. What drops out is written again if it comes
   * back, which costs a line, never a wrong index.
   */
  private readonly contentIndex = new RecentMap<string, number>(CONTENT_WINDOW);

  /** The old file's URLs by URL, when the file being built starts with its tables ({@link adopt}). */
  private adopted: Map<string, number> | undefined;
  private adoptedUrls: readonly [string, string, number][] = [];

  constructor(private readonly emit: (line: string) => void) {}

  /**
   * Start from the old file's tables, copied as they are: their entries keep their indices, and a
   * URL or resource of this run that is one of them is not written again.
   */
  adopt(urls: readonly [string, string, number][], faces: number, resources: number): void {
    this.adopted = new Map();
    for (let i = urls.length - 1; i >= 0; i--) this.adopted.set(urls[i]![0], i);
    this.adoptedUrls = urls;
    this.urls = urls.length;
    this.faces = faces;
    this.resources = resources;
  }

  /** An old R line's JSON, copied at index `i`: a resource of this run with the same content takes it. */
  know(key: string, i: number): void {
    this.contentIndex.set(key, i);
  }

  url(target: SiteUrl): number {
    let i = this.urlIndex.get(target);
    if (i === undefined) {
      // An old entry only as it is: a file whose size changed gets a line of its own.
      const old = this.adopted?.get(target.url);
      const known = old === undefined ? undefined : this.adoptedUrls[old]!;
      if (known !== undefined && known[1] === target.file && known[2] === target.size) i = old!;
      else {
        i = this.urls++;
        this.emit(line('U', [target.url, target.file, target.size]));
      }
      this.urlIndex.set(target, i);
    }
    return i;
  }

  face(face: FaceDescriptor | undefined): number {
    if (face === undefined) return -1;
    let i = this.faceIndex.get(face);
    if (i === undefined) {
      i = this.faces++;
      this.emit(line('A', face));
      this.faceIndex.set(face, i);
    }
    return i;
  }

  /** An encoded resource, once per content (within the window). */
  add(encoded: EncodedResource): number {
    const key = JSON.stringify(encoded);
    let i = this.contentIndex.get(key);
    if (i === undefined) {
      i = this.resources++;
      this.emit(`R\t${key}`);
      this.contentIndex.set(key, i);
    }
    return i;
  }

  resource(r: PageResource): number {
    let i = this.resourceIndex.get(r);
    if (i === undefined) {
      const flags = (r.shownImage ? 1 : 0) | (r.highPriority ? 2 : 0) | (r.mainImage ? 4 : 0);
      const n = <T>(value: T | undefined) => (value === undefined ? null : value);
      const encoded: EncodedResource = [
          this.url(r.target),
          r.type,
          r.criticality,
          n(r.crossorigin),
          n(r.rel),
          n(r.media),
          flags,
          n(r.family),
          this.face(r.face),
          n(r.element),
          n(r.imagesrcset),
          n(r.imagesizes),
          n(r.fetchpriority),
          n(r.mimeType),
      ];
      i = this.add(encoded);
      this.resourceIndex.set(r, i);
    }
    return i;
  }
}

/** Decoded resources of the old file kept at once: a page's template refs are the same objects page after page. */
const DECODED_WINDOW = 20_000;

/**
 * The next file copies the old one's tables as they are, and so each kept page's lines unread,
 * while fewer than one page in this many has been crawled again or dropped since the tables were
 * last built afresh; past that, the run builds them afresh (renumbering every kept page), which
 * drops the entries no page uses any more.
 */
const STALE_SHARE = 4;

/** What a run holds in memory to append to the old file, at most (of its lines' length, and a share of the old file); past it, the run writes the next file whole. */
const SEGMENT_LIMIT = 32 << 20;
const SEGMENT_SHARE = 1 / 4;

/** Per old file's page or file ({@link ResultCacheFile.idOf}): what this run found out about it. */
const FILE_CHECKED = 1;
const FILE_SAME = 2;
const TARGETS_CHECKED = 4;
const TARGETS_SAME = 8;
const REPLAYED = 16;
/** A page of the old file this run took or crawled (one it did neither is gone from the site). */
const LISTED = 32;

/**
 * The result cache of one run: {@link reuse} answers a page's crawl from the cache when its inputs
 * are unchanged, {@link crawled} records a fresh one, {@link save} writes the next cache file.
 * Attach it to the run's graph and parser first ({@link attach}). The old file stays open for the
 * run (its lines are read when used); {@link save} or {@link abandon} closes it.
 */
export class PageResultCache {
  readonly stats: ResultCacheStats;
  private graph: ResourceGraph | undefined;
  private parser: FileParser | undefined;
  /** What {@link fileUnchanged}, {@link targetsUnchanged} and the warnings' replay found, by the old file's id. */
  private readonly state: Uint8Array;
  /** Signatures of files whose stat changed but whose bytes did not. */
  private readonly refreshed = new Map<string, FileSignature>();
  /** The old file's resources as this run's objects, by old index (those used lately), and its URLs. */
  private readonly decoded: RecentIndexMap<PageResource>;
  private readonly decodedUrls: (SiteUrl | undefined)[] = [];
  /**
   * Pages taken from the old file before the next file was started (then written from {@link old}),
   * with the path indices of the files their walks went into.
   */
  private keptBefore: { page: string; walked: readonly number[] }[] = [];
  private keptCount = 0;
  /**
   * The next cache file, started on the run's first change (a page crawled): from then on each page
   * is written as it is taken or crawled, so the run does not hold every page's entry.
   */
  private writer: LineFileWriter | undefined;
  /**
   * Whether the next file starts with the old file's tables as they are (see {@link STALE_SHARE}):
   * then a kept page's lines are copied unread, their indices still right.
   */
  private copyingTables = false;
  /**
   * The segment this run appends to the old file instead of writing the next file, while it changed
   * little (see {@link start}): its new table entries and the lines of what it crawled or found
   * changed. Kept pages' lines stay where they are.
   */
  private segment: HeldLines | undefined;
  /**
   * What the next file owes from before it was started (the old R lines when it copies the tables,
   * then the pages kept so far), written in the background with the writer's backpressure;
   * {@link settle} and {@link save} wait for it. New R lines wait in {@link heldResources} until the
   * old ones are copied: an R line's index is its place in the file.
   */
  private catchingUp: Promise<void> | undefined;
  private heldResources: string[] | undefined;
  /** The first error of the catch-up (the old file could not be read): the next file is then dropped. */
  private catchUpError: unknown;
  private pagesWritten = 0;
  /**
   * The next file's path table (each new path written as its N line), the walked files it names
   * (their F lines come at the end: later pages may still walk them), and the files whose F line is
   * written (a page's goes with its P line, once its crawl is done).
   */
  private pathCount = 0;
  private readonly pathIndex = new Map<string, number>();
  private readonly files = new Set<string>();
  private readonly filesWritten = new Set<string>();
  /** Old resource index → this run's (-1: not yet), for pages taken from the old file. */
  private readonly remapped: Int32Array;
  /** Targets and warnings seen this run, by file. */
  private readonly targets = new Map<string, Map<string, StatCode>>();
  private readonly warnings = new Map<string, Map<string, KeptWarning>>();
  /** Files the walks of pages crawled this run went into: their targets and warnings are this run's. */
  private readonly walkedNow = new Set<string>();
  private readonly tables = new Tables((text) => {
    const writer = this.start();
    if (this.heldResources !== undefined && text.startsWith('R')) this.heldResources.push(text);
    else writer.add(text);
  });

  private constructor(
    private readonly file: string,
    private readonly old: ResultCacheFile | undefined,
    private readonly options: ResultCacheOptions,
    discarded: boolean,
  ) {
    this.stats = { reused: 0, discarded };
    this.state = new Uint8Array(old?.idCount ?? 0);
    this.remapped = new Int32Array(old?.resourceCount ?? 0).fill(-1);
    this.decoded = new RecentIndexMap(old?.resourceCount ?? 0, DECODED_WINDOW);
  }

  /** Open the cache file of `options.root` (a missing or unusable one gives an empty cache). */
  static async open(options: ResultCacheOptions): Promise<PageResultCache> {
    const rootKey = createHash('sha1').update(path.resolve(options.root)).digest('hex').slice(0, 16);
    const file = path.join(options.dir, `pages-${rootKey}.json`);
    const read = await ResultCacheFile.open(file, { format: FORMAT, version: options.version, key: options.key });
    if (typeof read === 'string') return new PageResultCache(file, undefined, options, read === 'unusable');
    return new PageResultCache(file, read, options, false);
  }

  /** Use the run's graph (for stats and shared URLs) and parser (for what it read, and to keep its cache entries). */
  attach(graph: ResourceGraph, parser: FileParser): void {
    this.graph = graph;
    this.parser = parser;
    graph.onTarget = (from, file, stat) => {
      let targets = this.targets.get(from);
      if (targets === undefined) this.targets.set(from, (targets = new Map()));
      targets.set(file, statCode(stat));
    };
  }

  /** Note a warning of the run (every warning names the file it is in). */
  noteWarning(warning: CrawlWarning): void {
    const { file, ...rest } = warning;
    let kept = this.warnings.get(file);
    if (kept === undefined) this.warnings.set(file, (kept = new Map()));
    kept.set(JSON.stringify(rest), rest);
  }

  /** The page's crawl from the cache if nothing it depends on changed (its warnings told again), else undefined. */
  reuse(page: string): PageCrawl | undefined {
    const old = this.old;
    if (old === undefined || !old.hasPage(page) || !this.unchanged(page)) return undefined;
    const entry = old.page(page);
    if (entry === undefined) return undefined;
    const walked: string[] = [];
    for (const i of entry.walked) {
      const file = old.paths[i];
      if (typeof file !== 'string' || !this.unchanged(file)) return undefined;
      walked.push(file);
    }
    const resources: PageResource[] = [];
    for (const i of entry.resources) {
      const r = this.decodedResource(i);
      // A damaged line: the page is crawled, as for any doubt.
      if (r === undefined) return undefined;
      resources.push(r);
    }
    const graph = this.graph!;
    // Once a run per file (a shared sheet is walked by thousands of pages): its warnings told again,
    // and the parse cache told to keep its entry, though the run did not ask for it.
    for (const file of [page, ...walked]) {
      // Known: unchanged() found its line.
      const id = old.idOf(file, false)!;
      if ((this.state[id]! & REPLAYED) !== 0) continue;
      this.state[id]! |= REPLAYED;
      for (const warning of old.file(file)?.warnings ?? []) graph.warn({ file, ...warning });
      this.parser?.retain?.(file);
    }
    this.keptCount++;
    this.state[old.idOf(page, false)!]! |= LISTED;
    if (this.writer === undefined) {
      this.keptBefore.push({ page, walked: entry.walked });
      if (this.segment !== undefined) this.keepInSegment(page, entry.walked);
    } else if (this.copyingTables) this.copyKept(page, entry.walked);
    else this.writeKept(page, entry);
    this.stats.reused++;
    return {
      file: page,
      resources,
      preconnect: entry.preconnect,
      fontFamilies: new Set(entry.families),
      fontWeights: new Set(entry.weights),
      fontSlanted: entry.slanted,
      textCodePoints: entry.text,
    };
  }

  /** Record a page crawled this run (written to the next cache file now). */
  crawled(page: string, crawl: PageCrawl): void {
    const id = this.old?.idOf(page, false);
    if (id !== undefined) this.state[id]! |= LISTED;
    const walked: string[] = [];
    for (const r of crawl.resources) if (r.descend !== undefined && !walked.includes(r.target.file)) walked.push(r.target.file);
    // The graph resolved the refs of each of these this run (a file without refs made no onTarget call).
    for (const file of [page, ...walked]) {
      if (file !== page) this.walkedNow.add(file);
      if (!this.targets.has(file)) this.targets.set(file, new Map());
    }
    this.start();
    if (this.copyingTables && id !== undefined) this.knowOldResources(page);
    this.writePage(page, walked, true, {
      walked: [],
      resources: crawl.resources.map((r) => this.tables.resource(r)),
      preconnect: crawl.preconnect,
      families: [...crawl.fontFamilies],
      weights: [...crawl.fontWeights],
      slanted: crawl.fontSlanted,
      text: crawl.textCodePoints,
    });
  }

  /** Resolves once the next cache file's queued lines are down to a few chunks: the run waits here rather than pile them up in memory. */
  async settle(): Promise<void> {
    if (this.catchingUp !== undefined) await this.catchingUp;
    if (this.writer?.backlogged) await this.writer.drained();
  }

  /** Finish the next cache file (atomically), when this run changed anything: the pages of this run, nothing else. */
  async save(): Promise<void> {
    const oldPages = this.old?.pageCount ?? 0;
    if (this.writer === undefined && this.segment === undefined && this.refreshed.size === 0 && this.keptCount === oldPages && !this.stats.discarded) {
      await this.old?.close();
      return;
    }
    this.start();
    try {
      // The walked files' lines (those this run can say anything new of, when it appends).
      await this.writeFiles();
      if (this.segment !== undefined) {
        if (await this.appendSegment()) {
          await this.old?.close();
          return;
        }
        // Another run replaced the file meanwhile: this run's file whole, from the old one still open.
        this.startFile();
      }
      await this.catchingUp;
      if (this.catchUpError !== undefined) throw this.catchUpError;
      await this.writeFiles();
    } catch (error) {
      await this.abandon();
      throw error;
    }
    const out = this.writer!;
    try {
      const counts: Record<LineTag, number> = { N: this.pathCount, U: this.tables.urls, A: this.tables.faces, R: this.tables.resources, F: this.filesWritten.size, P: this.pagesWritten };
      const old = this.old;
      const stale = this.copyingTables && old !== undefined ? this.staleAfter(old) : 0;
      out.add(line('T', { ...counts, stale }));
    } catch (error) {
      await out.abort();
      await this.old?.close();
      throw error;
    }
    // Every line wanted from the old file is written: close it before the next is renamed over it.
    await this.old?.close();
    await out.commit();
  }

  /** Drop the next cache file this run started (a run that failed): the old one stays as it was. */
  async abandon(): Promise<void> {
    this.segment = undefined;
    await this.catchingUp;
    await this.old?.close();
    await this.writer?.abort();
    this.writer = undefined;
  }

  /** The old file's stale count after this run: each of its pages not kept (crawled again or gone) leaves lines behind. */
  private staleAfter(old: ResultCacheFile): number {
    return old.stale + old.pageCount - this.keptCount;
  }

  /** Each walked file's F line not written yet, waiting for the writer as it goes. */
  private async writeFiles(): Promise<void> {
    for (const file of this.files) {
      if (!this.filesWritten.has(file)) this.writeFile(file, this.walkedNow.has(file));
      const out = this.start();
      if (out.backlogged) await out.drained();
    }
  }

  /**
   * Append the segment to the old file, with a P line `[name, null]` for each page of the old file
   * this run neither took nor crawled (gone from the site) and its trailer. False, writing
   * nothing, when the file is no longer the one this run read.
   */
  private async appendSegment(): Promise<boolean> {
    const old = this.old!;
    const lines = this.segment!.lines;
    let gone = 0;
    for (const [name, id] of old.pageIds()) {
      if ((this.state[id]! & LISTED) !== 0) continue;
      lines.push(line('P', [name, null]));
      gone++;
    }
    const { size, ino } = old.identity;
    const counts: Record<LineTag, number> = {
      N: this.pathCount - old.paths.length,
      U: this.tables.urls - old.urls.length,
      A: this.tables.faces - old.faces.length,
      R: this.tables.resources - old.resourceCount,
      F: this.filesWritten.size,
      P: this.pagesWritten + gone,
    };
    const stale = this.staleAfter(old);
    const trailer = line('T', { ...counts, stale, at: size });
    if (await appendLinesAt(this.file, [...lines, trailer], size, ino)) return true;
    lines.length -= gone;
    return false;
  }

  /**
   * Where the run's lines go from its first change on. While few pages have changed since the old
   * file's tables were built (STALE_SHARE), the run keeps those tables and holds its lines for an
   * append to the old file; once they outgrow SEGMENT_LIMIT, it writes the next file whole instead.
   */
  private start(): LineSink {
    const segment = this.segment;
    if (segment !== undefined) {
      if (segment.size <= Math.min(SEGMENT_LIMIT, this.old!.identity.size * SEGMENT_SHARE)) return segment;
      return this.startFile();
    }
    if (this.writer !== undefined) return this.writer;
    const old = this.old;
    if (old !== undefined && old.stale * STALE_SHARE < old.pageCount) {
      this.copyingTables = true;
      this.pathCount = old.paths.length;
      for (let i = old.paths.length - 1; i >= 0; i--) this.pathIndex.set(old.paths[i]!, i);
      this.tables.adopt(old.urls, old.faces.length, old.resourceCount);
      this.segment = new HeldLines();
      // The pages kept so far, as those kept from now on (their lines stay in the old file).
      for (const { page, walked } of this.keptBefore) this.keepInSegment(page, walked);
      return this.segment;
    }
    return this.startFile();
  }

  /**
   * The next file's writer: its header, then (when it copies the old tables) those tables but their
   * R lines, and what the run held for an append, with the rest of what it owes from before caught
   * up in the background.
   */
  private startFile(): LineFileWriter {
    const writer = (this.writer = new LineFileWriter(this.file));
    const header: CacheHeader = { format: FORMAT, version: this.options.version, key: this.options.key };
    writer.add(JSON.stringify(header));
    const old = this.old;
    const held = this.segment?.lines ?? [];
    this.segment = undefined;
    if (this.copyingTables && old !== undefined) {
      // The small tables now, so that new entries follow them; the R lines in the catch-up.
      for (const name of old.paths) writer.add(line('N', name));
      for (const url of old.urls) writer.add(line('U', url));
      for (const face of old.faces) writer.add(line('A', face));
      this.heldResources = [];
      // Held lines in their order: table entries follow the old ones, and R lines the old R lines.
      for (const text of held) {
        if (text.startsWith('R')) this.heldResources.push(text);
        else writer.add(text);
      }
    }
    if (old !== undefined) {
      this.catchingUp = this.catchUp(writer, old).catch((error: unknown) => {
        this.catchUpError = error;
      });
    }
    return writer;
  }

  /**
   * Let a page crawled again take its old resources' entries where they are the same: what an edit
   * leaves of a page is most of it, and an append has not read the old R lines (as a copy does).
   */
  private knowOldResources(page: string): void {
    const old = this.old!;
    for (const i of old.page(page)?.resources ?? []) {
      if (i >= 0 && i < old.resourceCount) this.tables.know(old.resourceLineBytes(i).toString('utf8', 2), i);
    }
  }

  /**
   * A page kept while the run appends: its lines stay in the old file; its F line goes in the
   * segment only if its signature changed (a touched page). What the run held for it is dropped.
   */
  private keepInSegment(page: string, walked: readonly number[]): void {
    const old = this.old!;
    for (const i of walked) this.files.add(old.paths[i]!);
    // Only a touched page has a new signature; the others' lines are not even read again (a change
    // late in a large site's run comes after every other page was kept).
    if (this.refreshed.has(page) && !this.filesWritten.has(page)) this.writeFile(page, false);
    this.targets.delete(page);
    this.warnings.delete(page);
  }

  /** Write what the next file owes from before it was started, waiting for the writer as it goes. */
  private async catchUp(writer: LineFileWriter, old: ResultCacheFile): Promise<void> {
    if (this.heldResources !== undefined) {
      const count = old.resourceCount;
      for (let i = 0; i < count; i++) {
        const bytes = old.resourceLineBytes(i);
        writer.addBytes(bytes);
        this.tables.know(bytes.toString('utf8', 2), i);
        if (writer.backlogged) await writer.drained();
      }
      for (const text of this.heldResources) writer.add(text);
      this.heldResources = undefined;
    }
    // Pages kept while this ran are written as they are kept (the writer is there).
    const kept = this.keptBefore;
    this.keptBefore = [];
    for (const { page, walked } of kept) {
      if (this.copyingTables) this.copyKept(page, walked);
      else this.writeKept(page, old.page(page));
      if (writer.backlogged) await writer.drained();
    }
  }

  /**
   * Write a page taken from the old file, its resources renumbered into this run's tables. Its
   * line was read sound when the page was taken; should it not be now, the page is left out (and
   * crawled next time).
   */
  private writeKept(page: string, entry: EncodedPage | undefined): void {
    const old = this.old!;
    if (entry === undefined) return;
    const walked = entry.walked.map((i) => old.paths[i]!);
    const resources: number[] = [];
    for (const i of entry.resources) {
      const j = this.remap(i);
      if (j === undefined) return;
      resources.push(j);
    }
    this.writePage(page, walked, false, { ...entry, resources });
  }

  /**
   * Copy a kept page's P line as it is (the tables are the old file's, so its indices hold), and
   * its F line as it is unless what it says changed.
   */
  private copyKept(page: string, walked: readonly number[]): void {
    const old = this.old!;
    const bytes = old.pageLineBytes(page);
    if (bytes === undefined) return;
    const out = this.start();
    for (const i of walked) this.files.add(old.paths[i]!);
    out.addBytes(bytes);
    this.pagesWritten++;
    if (!this.filesWritten.has(page)) this.writeFile(page, false);
    this.targets.delete(page);
    this.warnings.delete(page);
  }

  /** A page's P line, and its F line: its crawl is done, so its targets and warnings are all in (and then dropped). */
  private writePage(page: string, walked: string[], now: boolean, entry: EncodedPage): void {
    const out = this.start();
    for (const file of walked) this.files.add(file);
    out.add(line('P', [page, { ...entry, walked: walked.map((file) => this.pathOf(file)) }]));
    this.pagesWritten++;
    if (!this.filesWritten.has(page)) this.writeFile(page, now);
    this.targets.delete(page);
    this.warnings.delete(page);
  }

  /**
   * A file's F line: its signature, the targets of its refs and its warnings, this run's (`now`: it
   * was crawled or walked this run) or the old file's. Left out when this run cannot vouch for the
   * file: the pages that depend on it are crawled next time.
   */
  private writeFile(file: string, now: boolean): void {
    const old = this.old;
    const oldFile = now ? undefined : old?.file(file);
    const signature = this.refreshed.get(file) ?? this.parser?.contentOf?.(file) ?? (this.checked(file, FILE_SAME) ? oldFile?.signature ?? old!.file(file)?.signature : signatureNow(file));
    let kept: number[] | undefined;
    if (now) {
      kept = [];
      for (const [target, code] of this.targets.get(file)!) kept.push(this.pathOf(target), code);
    } else if (oldFile !== undefined && oldFile.targets.every((n, i) => i % 2 === 1 || typeof old!.paths[n] === 'string')) {
      kept = this.copyingTables ? oldFile.targets : oldFile.targets.map((n, i) => (i % 2 === 0 ? this.pathOf(old!.paths[n]!) : n));
    }
    if (signature === undefined || kept === undefined) return;
    // Appending, a kept file whose signature holds needs no line: its old one says it all (its
    // warnings are the ones told again from it).
    if (this.segment !== undefined && !now && oldFile !== undefined && sameSignature(signature, oldFile.signature)) return;
    const warnings = this.warnings.get(file);
    const out = this.start();
    // Nothing new to say of a kept file (its warnings not told again this run): its line as it is.
    const bytes = this.copyingTables && oldFile !== undefined && warnings === undefined && sameSignature(signature, oldFile.signature) ? old!.fileLineBytes(file) : undefined;
    if (bytes !== undefined) out.addBytes(bytes);
    else {
      const told = now ? [...(warnings?.values() ?? [])] : warnings === undefined ? oldFile?.warnings : [...warnings.values()];
      const text = line('F', [file, signature, kept, told !== undefined && told.length > 0 ? told : null]);
      // Appending, a line the old file already ends with says nothing new (a sheet walked again, unchanged).
      if (this.segment !== undefined && old?.fileLineBytes(file)?.toString('utf8') === text) return;
      out.add(text);
    }
    this.filesWritten.add(file);
  }

  /** A path's index in the next file, its N line written when it is new. */
  private pathOf(name: string): number {
    let i = this.pathIndex.get(name);
    if (i === undefined) {
      i = this.pathCount++;
      this.start().add(line('N', name));
      this.pathIndex.set(name, i);
    }
    return i;
  }

  /**
   * An old resource as one of this run's, through this run's SiteUrl and face objects, so a URL or
   * face a fresh page shares is one entry. Undefined when its line is damaged.
   */
  private remap(i: number): number | undefined {
    let j = this.remapped[i];
    if (j === undefined) return undefined;
    if (j === -1) {
      const old = this.old!;
      const encoded = old.resource(i);
      const url = encoded === undefined ? undefined : old.urls[encoded[0]];
      if (encoded === undefined || url === undefined) return undefined;
      const [u, file, size] = url;
      encoded[0] = this.tables.url(this.graph?.siteUrl(u, file, size) ?? { url: u, file, size });
      encoded[8] = encoded[8] === -1 ? -1 : this.tables.face(old.faces[encoded[8]]);
      j = this.remapped[i] = this.tables.add(encoded);
    }
    return j;
  }

  /** Whether this run found `bit` of what it checks about an old file set (false for a file the old cache does not know). */
  private checked(file: string, bit: number): boolean {
    const id = this.old?.idOf(file, false);
    return id !== undefined && (this.state[id]! & bit) !== 0;
  }

  /** Whether a page's or walked file's bytes, and the stats of what its refs resolve to, are as the cache has them. */
  private unchanged(file: string): boolean {
    const id = this.old?.idOf(file, false);
    if (id === undefined) return false;
    return this.fileUnchanged(file, id) && this.targetsUnchanged(file, id);
  }

  private fileUnchanged(file: string, id: number): boolean {
    if ((this.state[id]! & FILE_CHECKED) === 0) this.state[id]! |= FILE_CHECKED | (this.checkFile(file) ? FILE_SAME : 0);
    return (this.state[id]! & FILE_SAME) !== 0;
  }

  private checkFile(file: string): boolean {
    const known = this.old!.file(file)?.signature;
    if (known === undefined) return false;
    const info = statSync(file, { throwIfNoEntry: false });
    if (info === undefined || !info.isFile() || info.size !== known[0]) return false;
    if (info.mtimeMs === known[1] && info.ctimeMs === known[2] && info.ino === known[3]) return true;
    // Touched, perhaps not changed: the bytes tell.
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return false;
    }
    const kind = known[4].slice(0, known[4].indexOf(':'));
    if (`${kind}:${sha1(bytes)}` !== known[4]) return false;
    this.refreshed.set(file, [info.size, info.mtimeMs, info.ctimeMs, info.ino, known[4]]);
    return true;
  }

  private targetsUnchanged(file: string, id: number): boolean {
    if ((this.state[id]! & TARGETS_CHECKED) === 0) {
      const old = this.old!;
      const targets = old.file(file)?.targets;
      let answer = targets !== undefined;
      for (let i = 0; answer && i < targets!.length; i += 2) {
        const target = old.paths[targets![i]!];
        // A path index out of the table (an edited file) answers "changed", as any doubt does.
        answer = typeof target === 'string' && statCode(this.graph!.fileStat(target)) === targets![i + 1];
      }
      this.state[id]! |= TARGETS_CHECKED | (answer ? TARGETS_SAME : 0);
    }
    return (this.state[id]! & TARGETS_SAME) !== 0;
  }

  /** An old resource as this run's object, or undefined when its line is damaged. */
  private decodedResource(i: number): PageResource | undefined {
    let r = this.decoded.get(i);
    if (r !== undefined) return r;
    const old = this.old!;
    const encoded = old.resource(i);
    if (encoded === undefined) return undefined;
    const [url, type, criticality, crossorigin, rel, media, flags, family, face, element, imagesrcset, imagesizes, fetchpriority, mimeType] = encoded;
    let target = this.decodedUrls[url];
    if (target === undefined) {
      const known = old.urls[url];
      if (known === undefined) return undefined;
      const [u, file, size] = known;
      target = this.decodedUrls[url] = this.graph!.siteUrl(u, file, size);
    }
    if (face !== -1 && old.faces[face] === undefined) return undefined;
    const v = <T>(value: T | null) => (value === null ? undefined : value);
    // Every field present, in the graph's order: one object shape for the lister.
    r = {
      target,
      type,
      criticality,
      crossorigin: v(crossorigin),
      rel: v(rel),
      media: v(media),
      shownImage: (flags & 1) !== 0,
      highPriority: (flags & 2) !== 0,
      family: v(family),
      face: face === -1 ? undefined : old.faces[face],
      mainImage: (flags & 4) !== 0,
      element: v(element),
      imagesrcset: v(imagesrcset),
      imagesizes: v(imagesizes),
      fetchpriority: v(fetchpriority),
      mimeType: v(mimeType),
      descend: undefined,
    } as PageResource;
    this.decoded.set(i, r);
    return r;
  }
}

const sameSignature = (a: FileSignature, b: FileSignature) => a.every((value, i) => value === b[i]);

/** A file's signature read now (when the parser could not say what it read). */
function signatureNow(file: string): FileSignature | undefined {
  try {
    const info = statSync(file);
    const bytes = readFileSync(file);
    const kind = /\.x?html?$/i.test(file) ? 'html' : /\.css$/i.test(file) ? 'css' : 'js';
    return [info.size, info.mtimeMs, info.ctimeMs, info.ino, `${kind}:${sha1(bytes)}`];
  } catch {
    return undefined;
  }
}
