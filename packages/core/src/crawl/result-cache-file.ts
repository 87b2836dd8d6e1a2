/**
 * The result cache's file (see result-cache.ts): its layout, and the reader of the file a run
 * starts from. The reader scans the file once, keeping its small tables (paths, URLs, faces) and
 * where each resource, file and page line is, then reads a page's or file's line when the run asks
 * for it: the file of a 100,000-page site is about 250 MB, several times that as objects.
 */
import type { PreconnectHint } from '../manifest/model.js';
import { LineSpans, LineStore } from '../util/line-store.js';
import type { FaceDescriptor } from './fonts.js';
import type { CrawlWarning } from './graph.js';
import type { FileSignature } from './types.js';

/** Bumped when the file's layout changes. */
export const FORMAT = 4;

/**
 * A {@link PageResource} without `descend` (only the walk reads it): url index, type, criticality,
 * crossorigin, rel, media, flags (shownImage 1, highPriority 2, mainImage 4), family, face index
 * (-1: none), element, imagesrcset, imagesizes, fetchpriority, mimeType. JSON null is undefined.
 */
export type EncodedResource = [number, string, string, string | null, string | null, string | null, number, string | null, number, number | null, string | null, string | null, string | null, string | null];

/** One page's crawl. */
export interface EncodedPage {
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
export type KeptWarning = Omit<CrawlWarning, 'file'>;

/** What the cache keeps of a page or of a file a walk went into. */
export interface KeptFile {
  /** The file as it was when read. */
  signature: FileSignature;
  /** Every file its refs resolve to (path index) and what its stat found, in pairs. */
  targets: number[];
  warnings: KeptWarning[] | undefined;
}

/** The first line of the file: what the cache must match to be used. */
export interface CacheHeader {
  format: number;
  version: string;
  key: string;
}

/**
 * A line's tag: `N` a path, `U` a URL, `A` a face, `R` a resource, `F` a file (its signature,
 * targets and warnings), `P` a page (`[name, null]`: the page is gone), `T` the trailer (how many
 * lines of each tag come before it: a file cut short has none, or other counts; and `stale`,
 * below). Lines refer to others by index in their table, so only each table's own lines keep their
 * order: an entry is written when the run first needs it. A table may hold entries no page refers
 * to any more (see {@link ResultCacheFile.stale}).
 *
 * A run that changed few pages appends a segment to the file rather than rewrite it: its new table
 * entries (numbered on from the file's), the P and F lines of what it crawled or found changed,
 * and a trailer of its own that counts the segment's lines and names the byte it starts at
 * (`"at"`, so two appends written over each other do not pass for one). A later P or F line of a
 * name wins. The file must end with a sound trailer, else it is not used.
 */
export type LineTag = 'N' | 'U' | 'A' | 'R' | 'F' | 'P';
const TAGS: readonly LineTag[] = ['N', 'U', 'A', 'R', 'F', 'P'];

/** A line: its tag, a tab, one JSON value (JSON text never holds a raw newline, so lines split safely). */
export const line = (tag: LineTag | 'T', value: unknown) => `${tag}\t${JSON.stringify(value)}`;

const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * The name an F or P line is kept under: the JSON string that opens its array (`P\t["name",…`).
 * Undefined when the line does not start so.
 */
function lineName(bytes: Buffer, start: number, end: number): string | undefined {
  if (end - start < 5 || bytes[start + 2] !== 91 /* [ */ || bytes[start + 3] !== QUOTE) return undefined;
  for (let i = start + 4; i < end; i++) {
    const b = bytes[i];
    if (b === BACKSLASH) i++;
    else if (b === QUOTE) {
      try {
        const name = JSON.parse(bytes.toString('utf8', start + 3, i + 1)) as unknown;
        return typeof name === 'string' ? name : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function isEncodedPage(value: unknown): value is EncodedPage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<EncodedPage>;
  return [v.walked, v.resources, v.preconnect, v.families, v.weights, v.text].every(Array.isArray) && typeof v.slanted === 'boolean';
}

/** Parsed F lines kept at once: a file's line is asked for a few times in a row (checked, warnings told, written). */
const KEPT_FILES = 256;

/**
 * The cache file a run starts from. Pages, files and resources are read when asked for; a line
 * that turns out damaged then answers undefined (the page is crawled, as for any doubt).
 */
export class ResultCacheFile {
  /** The path table (N lines), the URL table (U: url, file, size) and the faces (A). */
  readonly paths: string[] = [];
  readonly urls: [string, string, number][] = [];
  readonly faces: FaceDescriptor[] = [];
  /** Where each R line is, by resource index. */
  private readonly resourceLines = new LineSpans();
  /** Pages and files by name, each with where its P line and its F line are (-1: none). */
  private readonly ids = new Map<string, number>();
  private readonly pageLine: number[] = [];
  private readonly fileLine: number[] = [];
  private readonly pageLines = new LineSpans();
  private readonly fileLines = new LineSpans();
  private readonly keptFiles = new Map<number, KeptFile | undefined>();
  private store: LineStore | undefined;
  /** Pages the file holds (a name's later P lines replace its earlier one; a gone page's removes it). */
  private pages = 0;
  /**
   * How many pages were crawled again or dropped since the file's tables were last built afresh:
   * a run that copies the old tables as they are (so it can copy kept pages' lines unread) leaves
   * the entries only those pages used in them, and builds them afresh once this grows.
   */
  stale = 0;

  private constructor() {}

  /** How many pages and resources the file holds. */
  get pageCount(): number {
    return this.pages;
  }

  /** The file's size and inode when it was read: an append must find it so still. */
  get identity(): { size: number; ino: number } {
    return { size: this.store!.size, ino: this.store!.ino };
  }

  /** The name of each page the file holds, with its {@link idOf} number. */
  *pageIds(): IterableIterator<[string, number]> {
    for (const [name, id] of this.ids) if (this.pageLine[id] !== -1) yield [name, id];
  }

  get resourceCount(): number {
    return this.resourceLines.size;
  }

  /**
   * Read `file`'s tables and index its lines: `missing` when there is none, `unusable` when it
   * cannot be read, a table line does not parse or has the wrong shape, a line has no known tag,
   * the trailer is missing or its counts do not match, or its format, version or key is another.
   */
  static async open(file: string, expected: CacheHeader): Promise<ResultCacheFile | 'missing' | 'unusable'> {
    const cache = new ResultCacheFile();
    let header = false;
    let trailer: Record<LineTag, number> & { stale?: unknown; at?: unknown } | undefined;
    /** Lines of each tag in the segment being read, and the byte it starts at. */
    let seen: Record<LineTag, number> = { N: 0, U: 0, A: 0, R: 0, F: 0, P: 0 };
    let segments = 0;
    let segmentStart = 0;
    let bad = false;
    const reject = () => {
      bad = true;
      return false;
    };
    const visit = (bytes: Buffer, start: number, end: number, offset: number): boolean => {
      if (!header) {
        const value = JSON.parse(bytes.toString('utf8', start, end)) as Partial<CacheHeader>;
        header = value.format === expected.format && value.version === expected.version && value.key === expected.key;
        segmentStart = offset + end - start + 1;
        return header;
      }
      if (bytes[start + 1] !== TAB) return reject();
      const tag = String.fromCharCode(bytes[start]!) as LineTag | 'T';
      if (tag === 'R') cache.resourceLines.push(offset, end - start);
      else if (tag === 'F' || tag === 'P') {
        const name = lineName(bytes, start, end);
        if (name === undefined) return reject();
        const id = cache.idOf(name);
        const [lines, byId] = tag === 'F' ? [cache.fileLines, cache.fileLine] : [cache.pageLines, cache.pageLine];
        // A name twice in one segment: damaged (a later segment's line replaces an earlier one's).
        if (byId[id] !== -1 && lines.offset(byId[id]!) >= segmentStart) return reject();
        if (tag === 'F') cache.fileLine[id] = cache.fileLines.push(offset, end - start);
        else {
          const had = cache.pageLine[id] !== -1;
          const gone = end - start >= 6 && bytes.toString('latin1', end - 6, end) === ',null]';
          cache.pageLine[id] = gone ? -1 : cache.pageLines.push(offset, end - start);
          cache.pages += (gone ? 0 : 1) - (had ? 1 : 0);
        }
      } else {
        const value = JSON.parse(bytes.toString('utf8', start + 2, end)) as unknown;
        if (tag === 'T' && typeof value === 'object' && value !== null) {
          trailer = value as Record<LineTag, number> & { stale?: unknown; at?: unknown };
          const at = segments === 0 ? undefined : segmentStart;
          if (!TAGS.every((t) => seen[t] === trailer![t]) || trailer.at !== at) return reject();
          segments++;
          segmentStart = offset + end - start + 1;
          seen = { N: 0, U: 0, A: 0, R: 0, F: 0, P: 0 };
          return true;
        } else if (tag === 'N' && typeof value === 'string') cache.paths.push(value);
        else if (tag === 'U' && Array.isArray(value) && value.length === 3) cache.urls.push(value as [string, string, number]);
        else if (tag === 'A' && typeof value === 'object' && value !== null) cache.faces.push(value as FaceDescriptor);
        else return reject();
      }
      seen[tag]++;
      return true;
    };
    let opened: { store: LineStore; complete: boolean };
    try {
      opened = await LineStore.open(file, visit);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' && !header ? 'missing' : 'unusable';
    }
    cache.store = opened.store;
    // Ends with a trailer: nothing after the last sound segment.
    if (!opened.complete || bad || !header || trailer === undefined || segments === 0 || !TAGS.every((tag) => seen[tag] === 0)) {
      await cache.close();
      return 'unusable';
    }
    // A file without the count (or with a nonsense one) is taken as built afresh.
    const stale = trailer.stale;
    if (typeof stale === 'number' && Number.isInteger(stale) && stale > 0) cache.stale = stale;
    return cache;
  }

  /** Whether the file holds a page of this name. */
  hasPage(name: string): boolean {
    const id = this.ids.get(name);
    return id !== undefined && this.pageLine[id] !== -1;
  }

  /** The file's number for a page or file it names (for the caller's own per-file state), or undefined. */
  idOf(name: string): number;
  idOf(name: string, add: false): number | undefined;
  idOf(name: string, add = true): number | undefined {
    let id = this.ids.get(name);
    if (id === undefined && add) {
      id = this.pageLine.length;
      this.ids.set(name, id);
      this.pageLine.push(-1);
      this.fileLine.push(-1);
    }
    return id;
  }

  /** How many names {@link idOf} has numbered. */
  get idCount(): number {
    return this.pageLine.length;
  }

  /** A page's crawl, or undefined when there is none or its line is damaged. */
  page(name: string): EncodedPage | undefined {
    const id = this.ids.get(name);
    const at = id === undefined ? -1 : this.pageLine[id]!;
    if (at === -1) return undefined;
    const value = this.parse(this.pageLines, at);
    return Array.isArray(value) && value[0] === name && isEncodedPage(value[1]) ? value[1] : undefined;
  }

  /** What the file keeps of a page or walked file, or undefined. */
  file(name: string): KeptFile | undefined {
    const id = this.ids.get(name);
    const at = id === undefined ? -1 : this.fileLine[id]!;
    if (at === -1) return undefined;
    if (this.keptFiles.has(at)) return this.keptFiles.get(at);
    const value = this.parse(this.fileLines, at);
    let kept: KeptFile | undefined;
    if (Array.isArray(value) && value.length === 4 && value[0] === name && Array.isArray(value[1]) && Array.isArray(value[2])) {
      const [, signature, targets, warnings] = value as [string, FileSignature, number[], KeptWarning[] | null];
      kept = { signature, targets, warnings: Array.isArray(warnings) ? warnings : undefined };
    }
    if (this.keptFiles.size >= KEPT_FILES) this.keptFiles.delete(this.keptFiles.keys().next().value!);
    this.keptFiles.set(at, kept);
    return kept;
  }

  /** A resource by index, or undefined when there is none or its line is damaged. */
  resource(i: number): EncodedResource | undefined {
    if (!(i >= 0 && i < this.resourceLines.size)) return undefined;
    const value = this.parse(this.resourceLines, i);
    return Array.isArray(value) && value.length === 14 && typeof value[0] === 'number' ? (value as EncodedResource) : undefined;
  }

  /** The bytes of a page's P line as they are (to copy it unread), or undefined when there is none. */
  pageLineBytes(name: string): Buffer | undefined {
    const id = this.ids.get(name);
    const at = id === undefined ? -1 : this.pageLine[id]!;
    return at === -1 ? undefined : this.lineBytes(this.pageLines, at);
  }

  /** The bytes of a file's F line as they are, or undefined when there is none. */
  fileLineBytes(name: string): Buffer | undefined {
    const id = this.ids.get(name);
    const at = id === undefined ? -1 : this.fileLine[id]!;
    return at === -1 ? undefined : this.lineBytes(this.fileLines, at);
  }

  /** The bytes of resource `i`'s R line as they are (a damaged one too: copied, it keeps its index). */
  resourceLineBytes(i: number): Buffer {
    return this.lineBytes(this.resourceLines, i);
  }

  /** Close the file (before the next one is renamed over it). */
  async close(): Promise<void> {
    this.keptFiles.clear();
    await this.store?.close();
  }

  private lineBytes(lines: LineSpans, i: number): Buffer {
    return this.store!.bytes(lines.offset(i), lines.length(i));
  }

  private parse(lines: LineSpans, i: number): unknown {
    try {
      return JSON.parse(this.store!.line(lines.offset(i) + 2, lines.length(i) - 2));
    } catch {
      return undefined;
    }
  }
}
