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
 * One file of JSON Lines per site root in the cache folder (see {@link LineTag}), written atomically
 * when the run changed it: from the run's first change on, each page's lines as it is taken or
 * crawled (its P and F lines, and the table entries it adds first seen), the shared files' F lines
 * at the end; read a line at a time. A large site's cache is never one string in memory, and a
 * cold run holds neither every page's entry nor the tables. Any file that cannot be read, does not
 * parse, is cut short or has another format, version or options key is ignored (every page is
 * crawled, and the file rewritten).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PreconnectHint } from '../manifest/model.js';
import { LineFileWriter, readLines } from '../util/json-lines.js';
import type { FaceDescriptor } from './fonts.js';
import type { CrawlWarning, FileStat, PageCrawl, PageResource, ResourceGraph, SiteUrl } from './graph.js';
import type { FileParser, FileSignature } from './types.js';

/** Bumped when the file's layout changes. */
const FORMAT = 3;

/** A stat's result as one number: the size of a file, or why there is none. */
type StatCode = number;
const MISSING = -1;
const FOLDER = -2;
const NOT_SERVED = -3;

function statCode(stat: FileStat): StatCode {
  if ('size' in stat) return stat.size;
  return stat.absent === 'folder' ? FOLDER : stat.absent === 'not-served' ? NOT_SERVED : MISSING;
}

/**
 * A {@link PageResource} without `descend` (only the walk reads it): url index, type, criticality,
 * crossorigin, rel, media, flags (shownImage 1, highPriority 2, mainImage 4), family, face index
 * (-1: none), element, imagesrcset, imagesizes, fetchpriority, mimeType. JSON null is undefined.
 */
type EncodedResource = [number, string, string, string | null, string | null, string | null, number, string | null, number, number | null, string | null, string | null, string | null, string | null];

/** One page's crawl. */
interface EncodedPage {
  /** Stylesheets and modules its walk went into, as indices into the path table. */
  walked: number[];
  /** Its references, as indices into the resource table. */
  resources: number[];
  preconnect: PreconnectHint[];
  families: string[];
  weights: number[];
  slanted: boolean;
  text: readonly number[];
}

/** A warning without its file (the key it is kept under). */
type KeptWarning = Omit<CrawlWarning, 'file'>;

interface CacheFile {
  format: number;
  version: string;
  key: string;
  /** Pages and the files their walks went into, as they were when read. */
  files: Record<string, FileSignature>;
  /** Paths the targets and walks name: a page's hundred targets are mostly the same few files. */
  paths: string[];
  /** By file: every file its refs resolve to (path index) and what its stat found, in pairs. */
  targets: Record<string, number[]>;
  warnings: Record<string, KeptWarning[]>;
  /** url, file, size */
  urls: [string, string, number][];
  faces: FaceDescriptor[];
  resources: EncodedResource[];
  pages: Record<string, EncodedPage>;
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

const empty = (version: string, key: string): CacheFile => ({ format: FORMAT, version, key, files: {}, paths: [], targets: {}, warnings: {}, urls: [], faces: [], resources: [], pages: {} });

/** The first line of the file: what the cache must match to be used. */
interface CacheHeader {
  format: number;
  version: string;
  key: string;
}

/**
 * A line's tag: `N` a path, `U` a URL, `A` a face, `R` a resource, `F` a file (its signature,
 * targets and warnings), `P` a page, `T` the trailer (how many lines of each tag come before it:
 * a file cut short has none, or other counts). Lines refer to others by index in their table, so
 * only each table's own lines keep their order: an entry is written when the run first needs it.
 */
type LineTag = 'N' | 'U' | 'A' | 'R' | 'F' | 'P';
const TAGS: readonly LineTag[] = ['N', 'U', 'A', 'R', 'F', 'P'];

/** A line: its tag, a tab, one JSON value (JSON text never holds a raw newline, so lines split safely). */
const line = (tag: LineTag | 'T', value: unknown) => `${tag}\t${JSON.stringify(value)}`;

/**
 * Read a cache file a line at a time: `missing` when there is none, `unusable` when it cannot be
 * read, a line does not parse or has the wrong shape, the trailer is missing or its counts do not
 * match, or its format, version or key is another.
 */
async function readCacheFile(file: string, options: ResultCacheOptions): Promise<CacheFile | 'missing' | 'unusable'> {
  const cache = empty(options.version, options.key);
  let header: CacheHeader | undefined;
  let trailer: Record<LineTag, number> | undefined;
  const seen: Record<LineTag, number> = { N: 0, U: 0, A: 0, R: 0, F: 0, P: 0 };
  try {
    for await (const text of readLines(file)) {
      if (header === undefined) {
        const value = JSON.parse(text) as Partial<CacheHeader>;
        if (value.format !== FORMAT || value.version !== options.version || value.key !== options.key) return 'unusable';
        header = value as CacheHeader;
        continue;
      }
      if (trailer !== undefined || text[1] !== '\t') return 'unusable';
      const tag = text[0] as LineTag | 'T';
      const value = JSON.parse(text.slice(2)) as unknown;
      if (tag === 'T') {
        if (typeof value !== 'object' || value === null) return 'unusable';
        trailer = value as Record<LineTag, number>;
        continue;
      }
      if (!TAGS.includes(tag)) return 'unusable';
      seen[tag]++;
      if (tag === 'N' && typeof value === 'string') cache.paths.push(value);
      else if (tag === 'U' && Array.isArray(value) && value.length === 3) cache.urls.push(value as [string, string, number]);
      else if (tag === 'A' && typeof value === 'object' && value !== null) cache.faces.push(value as FaceDescriptor);
      else if (tag === 'R' && Array.isArray(value) && value.length === 14) cache.resources.push(value as EncodedResource);
      else if (tag === 'F' && Array.isArray(value) && value.length === 4 && typeof value[0] === 'string' && Array.isArray(value[1]) && Array.isArray(value[2])) {
        const [name, signature, targets, warnings] = value as [string, FileSignature, number[], KeptWarning[] | null];
        cache.files[name] = signature;
        cache.targets[name] = targets;
        if (Array.isArray(warnings)) cache.warnings[name] = warnings;
      } else if (tag === 'P' && Array.isArray(value) && typeof value[0] === 'string' && isEncodedPage(value[1])) cache.pages[value[0]] = value[1];
      else return 'unusable';
    }
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && header === undefined ? 'missing' : 'unusable';
  }
  if (header === undefined || trailer === undefined) return 'unusable';
  return TAGS.every((tag) => seen[tag] === trailer![tag]) ? cache : 'unusable';
}

function isEncodedPage(value: unknown): value is EncodedPage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<EncodedPage>;
  return [v.walked, v.resources, v.preconnect, v.families, v.weights, v.text].every(Array.isArray) && typeof v.slanted === 'boolean';
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('base64url');

/** Entries each generation of {@link Tables}' content index holds: it dedups what pages near each other share, in bounded memory. */
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
   * Two generations of at most {@link CONTENT_WINDOW} keys each: a site's responsive images give
   * every page entries of its own, and an index of them all would grow with the site. What drops
   * out is written again if it comes back, which costs a line, never a wrong index.
   */
  private contentIndex = new Map<string, number>();
  private previousContent = new Map<string, number>();

  constructor(private readonly emit: (line: string) => void) {}

  url(target: SiteUrl): number {
    let i = this.urlIndex.get(target);
    if (i === undefined) {
      i = this.urls++;
      this.emit(line('U', [target.url, target.file, target.size]));
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
    if (i !== undefined) return i;
    i = this.previousContent.get(key);
    if (i === undefined) {
      i = this.resources++;
      this.emit(`R\t${key}`);
    }
    if (this.contentIndex.size >= CONTENT_WINDOW) {
      this.previousContent = this.contentIndex;
      this.contentIndex = new Map();
    }
    this.contentIndex.set(key, i);
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

/**
 * The result cache of one run: {@link reuse} answers a page's crawl from the cache when its inputs
 * are unchanged, {@link crawled} records a fresh one, {@link save} writes the next cache file.
 * Attach it to the run's graph and parser first ({@link attach}).
 */
export class PageResultCache {
  readonly stats: ResultCacheStats;
  private graph: ResourceGraph | undefined;
  private parser: FileParser | undefined;
  /** Answers of {@link fileUnchanged} and {@link targetsUnchanged}, by file. */
  private readonly fileChecked = new Map<string, boolean>();
  private readonly targetsChecked = new Map<string, boolean>();
  /** Signatures of files whose stat changed but whose bytes did not. */
  private readonly refreshed = new Map<string, FileSignature>();
  /** The old file's resources and URLs as this run's objects, by old index. */
  private readonly decoded: (PageResource | undefined)[] = [];
  private readonly decodedUrls: (SiteUrl | undefined)[] = [];
  /** Files whose kept warnings were told again this run. */
  private readonly replayed = new Set<string>();
  /** Pages taken from the old file before the next file was started (then written from {@link old}). */
  private readonly keptBefore: string[] = [];
  private keptCount = 0;
  /**
   * The next cache file, started on the run's first change (a page crawled): from then on each page
   * is written as it is taken or crawled, so the run does not hold every page's entry.
   */
  private writer: LineFileWriter | undefined;
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
  /** Old resource index → this run's, for pages taken from the old file. */
  private readonly remapped: (number | undefined)[] = [];
  /** Targets and warnings seen this run, by file. */
  private readonly targets = new Map<string, Map<string, StatCode>>();
  private readonly warnings = new Map<string, Map<string, KeptWarning>>();
  /** Files the walks of pages crawled this run went into: their targets and warnings are this run's. */
  private readonly walkedNow = new Set<string>();
  private readonly tables = new Tables((text) => this.start().add(text));

  private constructor(
    private readonly file: string,
    private readonly old: CacheFile,
    private readonly options: ResultCacheOptions,
    discarded: boolean,
  ) {
    this.stats = { reused: 0, discarded };
  }

  /** Read the cache file of `options.root` (a missing or unusable one gives an empty cache). */
  static async open(options: ResultCacheOptions): Promise<PageResultCache> {
    const rootKey = createHash('sha1').update(path.resolve(options.root)).digest('hex').slice(0, 16);
    const file = path.join(options.dir, `pages-${rootKey}.json`);
    const read = await readCacheFile(file, options);
    if (read === 'missing') return new PageResultCache(file, empty(options.version, options.key), options, false);
    if (read === 'unusable') return new PageResultCache(file, empty(options.version, options.key), options, true);
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
    const entry = this.old.pages[page];
    if (entry === undefined || !this.unchanged(page)) return undefined;
    const walked = entry.walked.map((i) => this.old.paths[i]!);
    if (!walked.every((file) => typeof file === 'string' && this.unchanged(file))) return undefined;
    const graph = this.graph!;
    for (const file of [page, ...walked]) {
      if (this.replayed.has(file)) continue;
      this.replayed.add(file);
      for (const warning of this.old.warnings[file] ?? []) graph.warn({ file, ...warning });
    }
    // The parse cache keeps its entries of files it was not asked for.
    this.parser?.retain?.(page);
    for (const file of walked) this.parser?.retain?.(file);
    this.keptCount++;
    if (this.writer === undefined) this.keptBefore.push(page);
    else this.writeKept(page);
    this.stats.reused++;
    return {
      file: page,
      resources: entry.resources.map((i) => this.decodedResource(i)),
      preconnect: entry.preconnect,
      fontFamilies: new Set(entry.families),
      fontWeights: new Set(entry.weights),
      fontSlanted: entry.slanted,
      textCodePoints: entry.text,
    };
  }

  /** Record a page crawled this run (written to the next cache file now). */
  crawled(page: string, crawl: PageCrawl): void {
    const walked: string[] = [];
    for (const r of crawl.resources) if (r.descend !== undefined && !walked.includes(r.target.file)) walked.push(r.target.file);
    // The graph resolved the refs of each of these this run (a file without refs made no onTarget call).
    for (const file of [page, ...walked]) {
      if (file !== page) this.walkedNow.add(file);
      if (!this.targets.has(file)) this.targets.set(file, new Map());
    }
    this.start();
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
    if (this.writer?.backlogged) await this.writer.drained();
  }

  /** Finish the next cache file (atomically), when this run changed anything: the pages of this run, nothing else. */
  async save(): Promise<void> {
    const oldPages = Object.keys(this.old.pages).length;
    if (this.writer === undefined && this.refreshed.size === 0 && this.keptCount === oldPages && !this.stats.discarded) return;
    const out = this.start();
    try {
      for (const file of this.files) {
        if (!this.filesWritten.has(file)) this.writeFile(file, this.walkedNow.has(file));
        if (out.backlogged) await out.drained();
      }
      const counts: Record<LineTag, number> = { N: this.pathCount, U: this.tables.urls, A: this.tables.faces, R: this.tables.resources, F: this.filesWritten.size, P: this.pagesWritten };
      out.add(line('T', counts));
    } catch (error) {
      await out.abort();
      throw error;
    }
    await out.commit();
  }

  /** Drop the next cache file this run started (a run that failed): the old one stays as it was. */
  async abandon(): Promise<void> {
    await this.writer?.abort();
    this.writer = undefined;
  }

  /** The next file's writer; on the first call, its header and the pages taken from the old file so far. */
  private start(): LineFileWriter {
    if (this.writer === undefined) {
      this.writer = new LineFileWriter(this.file);
      const header: CacheHeader = { format: FORMAT, version: this.options.version, key: this.options.key };
      this.writer.add(JSON.stringify(header));
      for (const page of this.keptBefore) this.writeKept(page);
      this.keptBefore.length = 0;
    }
    return this.writer;
  }

  /** Write a page taken from the old file, its resources renumbered into this run's tables. */
  private writeKept(page: string): void {
    const entry = this.old.pages[page]!;
    const walked = entry.walked.map((i) => this.old.paths[i]!);
    this.writePage(page, walked, false, { ...entry, resources: entry.resources.map((i) => this.remap(i)) });
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
    const signature = this.refreshed.get(file) ?? this.parser?.contentOf?.(file) ?? (this.fileChecked.get(file) === true ? this.old.files[file] : signatureNow(file));
    let kept: number[] | undefined;
    if (now) {
      kept = [];
      for (const [target, code] of this.targets.get(file)!) kept.push(this.pathOf(target), code);
    } else {
      const old = this.old.targets[file];
      kept = old?.map((n, i) => (i % 2 === 0 ? this.pathOf(this.old.paths[n]!) : n));
    }
    if (signature === undefined || kept === undefined) return;
    const warnings = this.warnings.get(file);
    const told = now ? [...(warnings?.values() ?? [])] : warnings === undefined ? this.old.warnings[file] : [...warnings.values()];
    this.start().add(line('F', [file, signature, kept, told !== undefined && told.length > 0 ? told : null]));
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

  /** An old resource as one of this run's, through this run's SiteUrl and face objects, so a URL or face a fresh page shares is one entry. */
  private remap(i: number): number {
    let j = this.remapped[i];
    if (j === undefined) {
      const [url, ...rest] = this.old.resources[i]!;
      const [u, file, size] = this.old.urls[url]!;
      const encoded: EncodedResource = [this.tables.url(this.graph?.siteUrl(u, file, size) ?? { url: u, file, size }), ...rest];
      encoded[8] = rest[7] === -1 ? -1 : this.tables.face(this.old.faces[rest[7] as number]);
      j = this.remapped[i] = this.tables.add(encoded);
    }
    return j;
  }

  /** Whether a page's or walked file's bytes, and the stats of what its refs resolve to, are as the cache has them. */
  private unchanged(file: string): boolean {
    return this.fileUnchanged(file) && this.targetsUnchanged(file);
  }

  private fileUnchanged(file: string): boolean {
    let answer = this.fileChecked.get(file);
    if (answer === undefined) {
      answer = this.checkFile(file);
      this.fileChecked.set(file, answer);
    }
    return answer;
  }

  private checkFile(file: string): boolean {
    const known = this.old.files[file];
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

  private targetsUnchanged(file: string): boolean {
    let answer = this.targetsChecked.get(file);
    if (answer === undefined) {
      const targets = this.old.targets[file];
      answer = targets !== undefined;
      for (let i = 0; answer && i < targets!.length; i += 2) {
        const target = this.old.paths[targets![i]!];
        // A path index out of the table (an edited file) answers "changed", as any doubt does.
        answer = typeof target === 'string' && statCode(this.graph!.fileStat(target)) === targets![i + 1];
      }
      this.targetsChecked.set(file, answer);
    }
    return answer;
  }

  private decodedResource(i: number): PageResource {
    let r = this.decoded[i];
    if (r === undefined) {
      const [url, type, criticality, crossorigin, rel, media, flags, family, face, element, imagesrcset, imagesizes, fetchpriority, mimeType] = this.old.resources[i]!;
      let target = this.decodedUrls[url];
      if (target === undefined) {
        const [u, file, size] = this.old.urls[url]!;
        target = this.decodedUrls[url] = this.graph!.siteUrl(u, file, size);
      }
      const v = <T>(value: T | null) => (value === null ? undefined : value);
      // Every field present, in the graph's order: one object shape for the lister.
      r = this.decoded[i] = {
        target,
        type,
        criticality,
        crossorigin: v(crossorigin),
        rel: v(rel),
        media: v(media),
        shownImage: (flags & 1) !== 0,
        highPriority: (flags & 2) !== 0,
        family: v(family),
        face: face === -1 ? undefined : this.old.faces[face],
        mainImage: (flags & 4) !== 0,
        element: v(element),
        imagesrcset: v(imagesrcset),
        imagesizes: v(imagesizes),
        fetchpriority: v(fetchpriority),
        mimeType: v(mimeType),
        descend: undefined,
      } as PageResource;
    }
    return r;
  }
}

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
