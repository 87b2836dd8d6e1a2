/**
 * Writing a manifest page by page as a crawl lists them, instead of from a whole {@link Manifest}:
 * a 100,000-page site's model and its text were each hundreds of MB. Each page is checked and
 * rendered when it is added and its text goes to a spool file beside the target; `finish` writes
 * the pages in the writers' sorted order into a temp file and renames it over the target, so
 * readers still see the old file or the new one. The bytes are those of {@link serializeManifest}
 * for the same pages: both render through the same per-page functions and layouts.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { PushManifestError } from '../errors.js';
import { atomicTempPath, removeStaleTemps, writeFileAtomic } from '../util/atomic-write.js';
import { isPatternKey, type Manifest, type PreconnectHint, type Resource, type RouteKey } from './model.js';
import { checkPage, urlVerdicts } from './check-model.js';
import { formatProblem, type ManifestProblem } from './problems.js';
import type { ManifestFormat } from './formats/detect.js';
import { compareCodeUnits } from './formats/entries.js';
import { describeLeftOut, legacyPage, leftOutCounts, leftOutSeen, type LeftOut } from './formats/legacy.js';
import { MULTI_KEYS } from './formats/multi.js';
import { PAGES_LAYOUT, renderPagePair, type PageKeyRules } from './formats/pages.js';
import { polymerKeys } from './formats/polymer.js';
import { renderV1Page, V1_LAYOUT } from './formats/v1.js';
import { leftOutWarning, resolveAutoFormat, serializeManifest, type AutoFormatOptions } from './write.js';

/** The formats a {@link ManifestStream} writes (`single` holds one page: write it with `writeManifestFile`). */
export type StreamFormat = 'multi' | 'polymer' | 'v1' | 'auto';

/** What {@link ManifestStream.finish} wrote. */
export interface ManifestStreamResult {
  /** The format written (`auto` resolved). */
  format: ManifestFormat;
  /** Pages added. */
  pages: number;
  /** What a legacy format left out, as {@link leftOutWarning} says it; undefined when nothing was. */
  leftOutWarning: string | undefined;
}

/** A manifest file being written page by page. */
export interface ManifestStream {
  /** Add one page (each route once). Throws `ENOENT`/`BAD_INPUT` when the spool file cannot be written. */
  add(route: RouteKey, resources: readonly Resource[], preconnect?: readonly PreconnectHint[]): void;
  /**
   * Write the file: check, sort, rename into place. Throws as {@link serializeManifest} (and then
   * writes nothing) or when the file cannot be written. The spool file is removed either way.
   */
  finish(options?: AutoFormatOptions): Promise<ManifestStreamResult>;
  /** Give up: remove the spool file, leave the target as it was. */
  abort(): void;
}

/** Spool bytes gathered before one write. */
const CHUNK = 1 << 20;

/** The error `writeManifestFile` gives for a file that cannot be written. */
function writeError(file: string, error: unknown): PushManifestError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new PushManifestError('ENOENT', `${file}: its folder does not exist`, { file, cause: error });
  return new PushManifestError('BAD_INPUT', `${file}: cannot write it (${code ?? (error as Error).message})`, { file, cause: error });
}

/** How one format renders its pages. */
interface Layout {
  head: string;
  separator: string;
  tail: string;
  empty: string;
  legacy: boolean;
  key(route: RouteKey): string;
  render(key: string, resources: readonly Resource[], preconnect: readonly PreconnectHint[] | undefined): string;
}

function layoutOf(format: 'multi' | 'polymer' | 'v1'): Layout {
  if (format === 'v1') return { ...V1_LAYOUT, legacy: false, key: (route) => route, render: (route, resources, preconnect) => renderV1Page(route, resources, preconnect) };
  const rules: PageKeyRules = format === 'multi' ? MULTI_KEYS : polymerKeys('/');
  return { ...PAGES_LAYOUT, legacy: true, key: (route) => rules.routeToKey(route), render: (key, resources) => renderPagePair(key, resources) };
}

/**
 * Start writing the manifest `file` in `format`. `auto` resolves as `serializeManifest` does: a
 * site of one page (see `finish`'s `sitePages`) is written `single`, more pages `multi`; a
 * pattern route (which only code, never a crawl, makes) needs `polymer` or `v1` named.
 */
export function createManifestStream(file: string, format: StreamFormat): ManifestStream {
  let chosen: 'multi' | 'polymer' | 'v1' | undefined = format === 'auto' ? undefined : format;
  let layout = chosen === undefined ? undefined : layoutOf(chosen);
  /** `auto` holds the first page until a second says the file is not `single`. */
  let held: Manifest | undefined;
  const seen = leftOutSeen();
  const check = urlVerdicts();
  let firstProblem: ManifestProblem | undefined;
  let problemCount = 0;
  const index: { key: string; start: number; length: number }[] = [];
  const spoolFile = atomicTempPath(file);
  let spool: number | undefined;
  let spooled = 0;
  let chunk: string[] = [];
  let chunkBytes = 0;
  let pages = 0;
  let done = false;

  const flush = () => {
    if (chunk.length === 0) return;
    try {
      spool ??= openSync(spoolFile, 'w+');
      writeSync(spool, chunk.join(''));
    } catch (error) {
      throw writeError(file, error);
    }
    chunk = [];
    chunkBytes = 0;
  };

  const spoolPage = (route: RouteKey, resources: readonly Resource[], preconnect: readonly PreconnectHint[] | undefined) => {
    const key = layout!.key(route);
    const kept = layout!.legacy ? legacyPage(resources, preconnect, chosen as 'multi' | 'polymer', seen) : resources;
    const text = layout!.render(key, kept, preconnect);
    const length = Buffer.byteLength(text);
    index.push({ key, start: spooled, length });
    spooled += length;
    chunk.push(text);
    chunkBytes += length;
    if (chunkBytes >= CHUNK) flush();
  };

  const close = () => {
    if (spool !== undefined) closeSync(spool);
    spool = undefined;
    rmSync(spoolFile, { force: true });
  };

  return {
    add(route, resources, preconnect) {
      if (done) throw new Error('manifest stream: add() after finish() or abort()');
      pages++;
      const problems: ManifestProblem[] = [];
      checkPage(route, resources, preconnect, check, problems);
      firstProblem ??= problems[0];
      problemCount += problems.length;
      if (chosen === undefined) {
        if (isPatternKey(route)) throw new PushManifestError('BAD_OPTION', `cannot write ${JSON.stringify(route)} page by page in the auto format: name polymer or v1`);
        if (held === undefined) {
          held = { pages: new Map([[route, [...resources]]]) };
          if (preconnect !== undefined && preconnect.length > 0) held.preconnect = new Map([[route, [...preconnect]]]);
          return;
        }
        chosen = 'multi';
        layout = layoutOf(chosen);
        for (const [heldRoute, heldResources] of held.pages) spoolPage(heldRoute, heldResources, held.preconnect?.get(heldRoute));
        held = undefined;
      }
      spoolPage(route, resources, preconnect);
    },

    async finish(options = {}) {
      if (done) throw new Error('manifest stream: finish() twice');
      done = true;
      try {
        if (chosen === undefined) {
          // One page or none: decided by the site's page count, as serializeManifest decides it.
          const manifest = held ?? { pages: new Map() };
          const written = resolveAutoFormat(manifest, options);
          const text = serializeManifest(manifest, written, options);
          await writeFileAtomic(file, text).catch((error: unknown) => {
            throw writeError(file, error);
          });
          return { format: written, pages, leftOutWarning: leftOutWarning(manifest, written) };
        }
        if (firstProblem !== undefined) {
          const more = problemCount > 1 ? ` (and ${problemCount - 1} more)` : '';
          throw new PushManifestError('INVALID_MANIFEST', `cannot write manifest: ${formatProblem(firstProblem)}${more}`, { path: firstProblem.path });
        }
        flush();
        await writeSorted(file, layout!, index, spool);
        const leftOut: LeftOut = leftOutCounts(seen);
        return { format: chosen, pages, leftOutWarning: chosen === 'v1' ? undefined : describeLeftOut(leftOut, chosen) };
      } finally {
        close();
      }
    },

    abort() {
      done = true;
      close();
    },
  };
}

/** Copy the spooled pages into a temp file in key order, then rename it over `file`. */
async function writeSorted(file: string, layout: Layout, index: { key: string; start: number; length: number }[], spool: number | undefined): Promise<void> {
  index.sort((a, b) => compareCodeUnits(a.key, b.key));
  for (let i = 1; i < index.length; i++) {
    if (index[i]!.key === index[i - 1]!.key) throw new PushManifestError('INVALID_MANIFEST', `cannot write manifest: two pages have the key ${JSON.stringify(index[i]!.key)}`);
  }
  await removeStaleTemps(file);
  const temp = atomicTempPath(file);
  let out: number | undefined;
  try {
    out = openSync(temp, 'w');
    if (index.length === 0 || spool === undefined) writeSync(out, layout.empty);
    else {
      const parts: Buffer[] = [Buffer.from(layout.head)];
      let bytes = parts[0]!.length;
      const separator = Buffer.from(layout.separator);
      for (let i = 0; i < index.length; i++) {
        const { start, length } = index[i]!;
        if (i > 0) parts.push(separator);
        const page = Buffer.allocUnsafe(length);
        readSync(spool, page, 0, length, start);
        parts.push(page);
        bytes += length + separator.length;
        if (bytes >= CHUNK) {
          writeSync(out, Buffer.concat(parts));
          parts.length = 0;
          bytes = 0;
        }
      }
      parts.push(Buffer.from(layout.tail));
      writeSync(out, Buffer.concat(parts));
    }
    closeSync(out);
    out = undefined;
    await rename(temp, file);
  } catch (error) {
    if (out !== undefined) closeSync(out);
    rmSync(temp, { force: true });
    throw error instanceof PushManifestError ? error : writeError(file, error);
  }
}
