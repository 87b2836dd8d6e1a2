/**
 * A parse-result cache for the crawler: a rerun on an unchanged site reads and hashes every file
 * but parses none of them.
 *
 * Entries are keyed by the SHA-1 of the file's bytes (and its kind), never by path or mtime, so a
 * touched-but-unchanged file still hits and a changed file always misses. To skip even reading an
 * unchanged file, the cache also remembers each path's size, mtime, ctime and inode with the key
 * of its bytes (as git's index does): when all four match, the bytes are taken as unchanged. The whole cache is
 * invalidated when the extractor changes: its version is a hash of the crawl code itself plus the
 * parser versions, so a new build never serves results of an old extractor.
 *
 * One file of JSON Lines per site root. A run that changed little appends what it added (new
 * entries, files' new stats) to the file as one segment closed by its own trailer, so a one-page
 * edit does not rewrite a large site's hundreds of MB; once what no run uses passes a quarter of the
 * file (DEAD_SHARE), or the run changed much, the file is written afresh with only the entries that
 * run used (so it never grows without bound), atomically (temp file, then rename). A cache file
 * that cannot be read or parsed, is cut short or has another version is ignored: the run parses
 * everything and rewrites it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
export { defaultCacheDir, type CacheDirOptions } from '../util/cache-dir.js';
import { appendLinesAt, LineFileWriter } from '../util/json-lines.js';
import { LineSpans, LineStore } from '../util/line-store.js';
import { isFileReadError, type FileExtract, type FileParser, type FileSignature } from './types.js';

/** Bumped when the cache file's layout changes. */
const CACHE_FORMAT = 5;

/**
 * A run appends to the old file while the bytes of what no run uses (entries of files gone or
 * changed, F lines said again) stay under this share of it; past it, the file is written afresh.
 */
const DEAD_SHARE = 1 / 4;
/** New entries held in memory for an append, at most (bytes of their lines, and a share of the old file). */
const HELD_BYTES = 32 << 20;
const HELD_SHARE = 1 / 4;

/** Counters of a {@link CachingParser}, for tests and `--verbose`. */
export interface ParseCacheStats {
  /** Files whose parse result came from the cache. */
  hits: number;
  /** Files parsed by the inner parser (and now cached). */
  misses: number;
  /** True when an existing cache file (or an entry of it) was corrupt or of another version, and so ignored. */
  discarded: boolean;
}

/** A {@link FileParser} that answers from the cache where it can. `close()` saves it (best effort). */
export interface CachingParser extends FileParser {
  /**
   * Write the cache file (atomically) if this run changed it; entries the run did not use are
   * dropped. Rejects when the folder cannot be written (`close()` swallows that).
   */
  save(): Promise<void>;
  /** Counters so far. */
  readonly stats: ParseCacheStats;
  /** The cache file this parser reads and writes. */
  readonly file: string;
}

/** Options of {@link createCachingParser}. */
export interface ParseCacheOptions {
  /** Folder that holds the cache files (created on save). */
  dir: string;
  /** The site root: one cache file per root, so two sites do not evict each other's entries. */
  root: string;
  /** Override the extractor version (tests); default {@link extractorVersion}(). */
  version?: string;
}

/**
 * The cache file is JSON Lines, so that entries can stay unparsed text until a run uses them (a
 * parsed extract takes several times the memory of its JSON), and so that a run can write them as
 * it goes:
 *   {"format":5,"version":"…"}                            header
 *   E<TAB><key><TAB><FileExtract as JSON>                 N parse results, key `<kind>:<sha1 of the bytes>`
 *   F<TAB>[path, size, mtimeMs, ctimeMs, ino, key]        M files as they were when hashed
 *   T<TAB>{"entries":N,"files":M}                         trailer; missing or other counts: a file cut short
 * then any number of appended segments, each its E and F lines and a trailer that also names the
 * byte at which the segment starts: `T<TAB>{"entries":n,"files":m,"at":<offset>}` (so two appends
 * written over each other do not pass for one). A later line for a key or a path wins. The file
 * must end with a sound trailer; anything else (a segment cut short) makes the whole file ignored.
 * JSON text never holds a raw tab or newline, so the lines split safely.
 */
interface CacheHeader {
  format: number;
  version: string;
}

/** A segment's last line: how many lines of each kind the segment holds, and (appended segments) where it starts. */
interface CacheTrailer {
  entries: number;
  files: number;
  at?: number;
}

let cachedVersion: string | undefined;

/**
 * The version of the extraction code: a hash over the crawl sources next to this module (the built
 * `.js` files, or the `.ts` sources under a test runner) and the versions of parse5 and css-tree.
 * Any change to how files are parsed changes it, which invalidates every cache entry.
 */
export function extractorVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  const hash = createHash('sha1');
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const name of readdirSync(dir).sort()) {
    if (/\.(js|ts)$/.test(name) && !name.endsWith('.d.ts')) hash.update(name).update(readFileSync(path.join(dir, name)));
  }
  const require = createRequire(import.meta.url);
  for (const dep of ['parse5', 'css-tree']) {
    hash.update(dep).update(packageVersion(require, dep));
  }
  cachedVersion = hash.digest('base64url');
  return cachedVersion;
}

/** A dependency's version, found by walking up from its entry point (css-tree does not export package.json). */
function packageVersion(require: NodeJS.Require, name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '';
    }
    const up = path.dirname(dir);
    if (up === dir) return '';
    dir = up;
  }
}

const isFileExtract = (value: unknown): value is FileExtract => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<FileExtract>;
  return (v.kind === 'html' || v.kind === 'css' || v.kind === 'js') && Array.isArray(v.refs) && Array.isArray(v.warnings);
};

/** What a file looked like when it was hashed: size, mtime, ctime, inode, and the key of its parse result. */
type FileSeen = FileSignature;

const isFileSeen = (value: unknown): value is FileSeen =>
  Array.isArray(value) && value.length === 5 && value.slice(0, 4).every((n) => typeof n === 'number') && typeof value[4] === 'string';

const sameFile = (seen: FileSeen, info: Stats) =>
  seen[0] === info.size && seen[1] === info.mtimeMs && seen[2] === info.ctimeMs && seen[3] === info.ino;

interface Loaded {
  /** Entries by key: where each one's JSON text is in the old file, read when a run uses it. */
  entries: Map<string, number>;
  files: Map<string, FileSeen>;
  discarded: boolean;
  /** The old file, open until the run saves (undefined: there was none, or it is not used). */
  store: LineStore | undefined;
  spans: LineSpans;
  /** Bytes of the old file's lines that a later line of the same key overrode. */
  deadBytes: number;
  /** The old file's F lines, overridden ones too, and their bytes (newlines included). */
  fileLines: number;
  fileBytes: number;
}

const TAB = 9;

/**
 * Open a cache file: its F lines parsed, its E lines indexed (a large site's entries are hundreds
 * of MB, past what one string may hold). A wrong header, a count that does not match, a file cut
 * short or a bad line gives an empty cache and `discarded: true`.
 */
async function loadCache(file: string, version: string): Promise<Loaded> {
  const empty = (discarded: boolean): Loaded => ({
    entries: new Map(),
    files: new Map(),
    discarded,
    store: undefined,
    spans: new LineSpans(),
    deadBytes: 0,
    fileLines: 0,
    fileBytes: 0,
  });
  const loaded = empty(false);
  let header: Partial<CacheHeader> | undefined;
  /** Sound trailers so far, and the E and F lines since the last one (the segment being read). */
  let segments = 0;
  let segmentStart = 0;
  let entryLines = 0;
  let fileLines = 0;
  let bad = false;
  const visit = (bytes: Buffer, start: number, end: number, offset: number): boolean => {
    if (header === undefined) {
      header = JSON.parse(bytes.toString('utf8', start, end)) as Partial<CacheHeader>;
      segmentStart = offset + end - start + 1;
      return header.format === CACHE_FORMAT && header.version === version;
    }
    const tag = bytes[start];
    if (bytes[start + 1] !== TAB) bad = true;
    else if (tag === 69 /* E */) {
      const tab = bytes.indexOf(TAB, start + 2);
      if (tab < 0 || tab >= end) bad = true;
      else {
        // The whole line: copied as it is to the next file; its JSON is past the key (ASCII, one byte a character).
        const key = bytes.toString('utf8', start + 2, tab);
        const before = loaded.entries.get(key);
        if (before !== undefined) loaded.deadBytes += loaded.spans.length(before) + 1;
        loaded.entries.set(key, loaded.spans.push(offset, end - start));
        entryLines++;
      }
    } else if (tag === 70 /* F */) {
      const value = JSON.parse(bytes.toString('utf8', start + 2, end)) as unknown;
      if (!Array.isArray(value) || typeof value[0] !== 'string' || !isFileSeen(value.slice(1))) bad = true;
      else {
        loaded.files.set(value[0], value.slice(1) as unknown as FileSeen);
        loaded.fileLines++;
        loaded.fileBytes += end - start + 1;
        fileLines++;
      }
    } else if (tag === 84 /* T */) {
      const trailer = JSON.parse(bytes.toString('utf8', start + 2, end)) as Partial<CacheTrailer>;
      const at = segments === 0 ? undefined : segmentStart;
      if (trailer.entries !== entryLines || trailer.files !== fileLines || trailer.at !== at) bad = true;
      else {
        segments++;
        segmentStart = offset + end - start + 1;
        entryLines = fileLines = 0;
      }
    } else bad = true;
    return !bad;
  };
  let opened: { store: LineStore; complete: boolean };
  try {
    opened = await LineStore.open(file, visit);
  } catch (error) {
    return empty((error as NodeJS.ErrnoException).code !== 'ENOENT' || header !== undefined);
  }
  // Ends with a trailer: nothing after the last sound segment.
  const sound = opened.complete && !bad && segments > 0 && entryLines === 0 && fileLines === 0;
  if (!sound) {
    await opened.store.close();
    return empty(header !== undefined || opened.store.size > 0);
  }
  loaded.store = opened.store;
  return loaded;
}

/** An entry's JSON text from the old file, or undefined when it has none (or cannot be read now). */
function entryText(loaded: Loaded, key: string): string | undefined {
  const at = loaded.entries.get(key);
  if (at === undefined || loaded.store === undefined) return undefined;
  // `E<TAB><key><TAB>` before it.
  const skip = key.length + 3;
  try {
    return loaded.store.line(loaded.spans.offset(at) + skip, loaded.spans.length(at) - skip);
  } catch {
    return undefined;
  }
}

/** An entry's whole E line from the old file as bytes (to copy it undecoded), or undefined as {@link entryText}. */
function entryLine(loaded: Loaded, key: string): Buffer | undefined {
  const at = loaded.entries.get(key);
  if (at === undefined || loaded.store === undefined) return undefined;
  try {
    return loaded.store.bytes(loaded.spans.offset(at), loaded.spans.length(at));
  } catch {
    return undefined;
  }
}

/** Parse one entry's text; undefined when it is not a parse result (an edited or damaged line). */
function parseEntry(text: string): FileExtract | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return isFileExtract(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wrap a parser with the content-hash cache. A file whose size, mtime, ctime and inode are what they
 * were when it was last hashed is not even read; any other file is read and hashed, and on a miss
 * the inner parser (in-process or the worker pool) parses it. Read errors are never cached.
 */
export async function createCachingParser(inner: FileParser, options: ParseCacheOptions): Promise<CachingParser> {
  const version = options.version ?? extractorVersion();
  const rootKey = createHash('sha1').update(path.resolve(options.root)).digest('hex').slice(0, 16);
  const file = path.join(options.dir, `crawl-${rootKey}.json`);
  const stats: ParseCacheStats = { hits: 0, misses: 0, discarded: false };
  // Loaded on the first parse: a rerun whose every page comes from the result cache parses nothing, and
  // the cache file of a large site is tens of MB.
  let loading: Promise<Loaded> | undefined;
  let loaded: Loaded | undefined;
  const load = async (): Promise<Loaded> => {
    loading ??= loadCache(file, version).then((result) => {
      loaded = result;
      if (result.discarded) stats.discarded = true;
      return result;
    });
    return loading;
  };
  /**
   * Keys of the entries this run used: what the next cache file holds. Their lines go to the next
   * file as the run uses them (from the first change on), so a cold run does not hold every
   * extract's JSON until the end; an unchanged run writes nothing.
   */
  const used = new Set<string>();
  const seen = new Map<string, FileSeen>();
  /** Files the caller vouched for without asking for them (see {@link FileParser.retain}). */
  const retained = new Set<string>();
  let filesChanged = false;
  /**
   * The lines of new entries, held while they may go out as an append to the old file (see
   * {@link save}); past HELD_BYTES they start the next file instead.
   */
  const held = new Map<string, string>();
  let heldBytes = 0;
  let writer: LineFileWriter | undefined;
  /** The copy of the old entries used before the next file was started (see {@link startWriting}). */
  let catchingUp: Promise<void> | undefined;
  let saved = false;

  /** Copy an old entry's line to the next file as it is; false when it cannot be read now. */
  const copyOld = (loaded: Loaded, next: LineFileWriter, key: string): boolean => {
    const line = entryLine(loaded, key);
    if (line !== undefined) next.addBytes(line);
    return line !== undefined;
  };
  /**
   * The next file's writer, started on the first change. Every entry used before it was the old
   * file's: they are copied in the background, waiting for the writer as they go (a change late in
   * a large site's run comes after hundreds of MB of them), and whoever uses an entry waits for that.
   */
  const startWriting = (loaded: Loaded): LineFileWriter => {
    if (writer === undefined) {
      const next = (writer = new LineFileWriter(file));
      next.add(JSON.stringify({ format: CACHE_FORMAT, version }));
      for (const line of held.values()) next.add(line);
      const before = [...used].filter((key) => !held.has(key));
      held.clear();
      catchingUp = (async () => {
        for (const key of before) {
          // Unreadable now (the old file cannot be read): left out, and parsed again next time.
          if (!copyOld(loaded, next, key)) used.delete(key);
          if (next.backlogged) await next.drained();
        }
      })();
    }
    return writer;
  };
  /** Wait for the next file's writer: its catch-up, then its backlog. */
  const keepUp = async (next: LineFileWriter): Promise<void> => {
    await catchingUp;
    if (next.backlogged) await next.drained();
  };
  /** Record that this run used the old file's entry `key`, copying it once the next file is started. */
  const useOld = async (loaded: Loaded, key: string): Promise<void> => {
    if (saved || used.has(key)) return;
    used.add(key);
    // An entry of the old file stays there until something changes (and startWriting copies it).
    // Once the next file cannot be written, nothing is kept for it.
    if (writer === undefined || writer.error !== undefined) return;
    if (!copyOld(loaded, writer, key)) used.delete(key);
    await keepUp(writer);
  };
  /**
   * Record a new entry (its text `json`): held for an append to the old file while what is held is
   * small, else it goes to the next file (started now if it is not yet).
   */
  const useNew = async (loaded: Loaded, key: string, json: string): Promise<void> => {
    if (saved || used.has(key)) return;
    const line = `E\t${key}\t${json}`;
    if (writer === undefined && loaded.store !== undefined) {
      used.add(key);
      held.set(key, line);
      heldBytes += line.length;
      if (heldBytes <= Math.min(HELD_BYTES, loaded.store.size * HELD_SHARE)) return;
      // Too much to hold: the next file, which takes what is held with it.
      await keepUp(startWriting(loaded));
      return;
    }
    // Started before the key counts as used: what it copies from the old file is what was used before.
    const next = startWriting(loaded);
    used.add(key);
    if (next.error !== undefined) return;
    next.add(line);
    await keepUp(next);
  };

  /**
   * Append this run's new entries and files' new stats to the old file as one segment, when the old
   * file is sound and what no run uses would stay under DEAD_SHARE of it. False when the file must be
   * written afresh instead (also when another run replaced the file meanwhile).
   */
  const appendToOld = async (loaded: Loaded): Promise<boolean> => {
    const store = loaded.store;
    if (writer !== undefined || store === undefined || stats.discarded) return false;
    let dead = loaded.deadBytes;
    for (const [key, at] of loaded.entries) if (!used.has(key)) dead += loaded.spans.length(at) + 1;
    const files: string[] = [];
    let unchangedFiles = 0;
    for (const [name, info] of seen) {
      // The same object: the old file's F line still holds (a stat taken again is a new one).
      if (loaded.files.get(name) === info) unchangedFiles++;
      else files.push(`F\t${JSON.stringify([name, ...info])}`);
    }
    dead += (loaded.fileLines - unchangedFiles) * (loaded.fileBytes / Math.max(1, loaded.fileLines));
    if (dead >= store.size * DEAD_SHARE) return false;
    if (held.size === 0 && files.length === 0) return true;
    const segment = [...held.values(), ...files, `T\t${JSON.stringify({ entries: held.size, files: files.length, at: store.size })}`];
    return appendLinesAt(file, segment, store.size, store.ino);
  };

  const save = async (): Promise<void> => {
    // Nothing parsed: the file on disk is still what this run would write.
    if (loaded === undefined || saved) return;
    for (const name of retained) {
      if (seen.has(name)) continue;
      const known = loaded.files.get(name);
      if (known === undefined || !loaded.entries.has(known[4])) continue;
      await useOld(loaded, known[4]);
      // Kept only with its entry (unreadable now: the file is hashed again next time).
      if (used.has(known[4])) seen.set(name, known);
    }
    retained.clear();
    const unchanged = writer === undefined && stats.misses === 0 && !stats.discarded && !filesChanged && used.size === loaded.entries.size && seen.size === loaded.files.size;
    saved = true;
    // The old file stays open through the append: if another run replaced it, its entries are copied from it.
    let done: boolean;
    try {
      done = unchanged || (await appendToOld(loaded));
    } catch (error) {
      // A write that failed part way leaves a segment without its trailer: the next run ignores the file.
      await loaded.store?.close();
      throw error;
    }
    if (done) {
      await loaded.store?.close();
      return;
    }
    const next = startWriting(loaded);
    await catchingUp;
    try {
      for (const [name, info] of seen) {
        next.add(`F\t${JSON.stringify([name, ...info])}`);
        if (next.backlogged) await next.drained();
      }
      next.add(`T\t${JSON.stringify({ entries: used.size, files: seen.size })}`);
    } catch (error) {
      await next.abort();
      await loaded.store?.close();
      throw error;
    }
    // Every entry wanted from the old file is written: close it before the next is renamed over it.
    await loaded.store?.close();
    await next.commit();
  };

  /** The cached result for a key, if there is a sound one. */
  const lookup = async (loaded: Loaded, key: string): Promise<FileExtract | undefined> => {
    if (!loaded.entries.has(key)) return undefined;
    const json = entryText(loaded, key);
    const entry = json === undefined ? undefined : parseEntry(json);
    if (entry === undefined) {
      // A damaged line: parse the file again, and rewrite the cache without it.
      loaded.entries.delete(key);
      stats.discarded = true;
      return undefined;
    }
    stats.hits++;
    await useOld(loaded, key);
    return entry;
  };

  return {
    file,
    stats,
    save,
    contentOf: (absPath) => seen.get(absPath),
    retain(absPath) {
      retained.add(absPath);
    },
    async parse(kind, absPath) {
      const loaded = await load();
      // Stat before reading: if the file changes in between, the next run sees another stat and rehashes.
      // Synchronous, as the read below: a rerun is mostly stats, and the promise API cost more than the call.
      let info: Stats | undefined;
      try {
        info = statSync(absPath, { throwIfNoEntry: false });
      } catch {
        info = undefined;
      }
      const known = loaded.files.get(absPath);
      if (info !== undefined && known !== undefined && sameFile(known, info) && known[4].startsWith(`${kind}:`)) {
        const entry = await lookup(loaded, known[4]);
        if (entry !== undefined) {
          seen.set(absPath, known);
          return entry;
        }
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(absPath);
      } catch {
        // The inner parser turns the failure into the crawler's own FileReadError.
        return inner.parse(kind, absPath);
      }
      const key = `${kind}:${createHash('sha1').update(bytes).digest('base64url')}`;
      if (info !== undefined) {
        seen.set(absPath, [info.size, info.mtimeMs, info.ctimeMs, info.ino, key]);
        filesChanged = true;
      }
      const entry = await lookup(loaded, key);
      if (entry !== undefined) return entry;
      // Parse the bytes just hashed, not a second read of the file (which could also differ from them).
      const result = await (inner.parseBytes ? inner.parseBytes(kind, absPath, bytes) : inner.parse(kind, absPath));
      if (!isFileReadError(result)) {
        stats.misses++;
        // A worker's reply was this JSON: stored as it came rather than encoded again.
        await useNew(loaded, key, inner.takeText?.(result) ?? JSON.stringify(result));
      }
      return result;
    },
    async close() {
      try {
        await inner.close?.();
      } finally {
        // The cache only saves time: a folder that cannot be written must not fail the crawl.
        await save().catch(() => undefined);
      }
    },
  };
}
