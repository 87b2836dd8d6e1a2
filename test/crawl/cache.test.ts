import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCachingParser, defaultCacheDir, extractorVersion, generateManifest, type FileParser } from '@push-manifest/core';
import { canonical, countingParser, EVERYTHING, smallCorpus } from './speed-helpers.js';

const corpus = smallCorpus();
const scratch = mkdtempSync(path.join(tmpdir(), 'pm-cache-test-'));
afterAll(() => {
  rmSync(path.dirname(corpus.dir), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const options = { root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types] };

/** One crawl through a caching parser over a counting in-process parser. */
async function crawl(dir: string, version?: string) {
  const counter = countingParser();
  const parser = await createCachingParser(counter, { dir, root: corpus.root, ...(version ? { version } : {}) });
  const result = await generateManifest({ ...options, parser });
  return { result, counter, stats: parser.stats, file: parser.file };
}

describe('parse cache', () => {
  it('skips every parse on a rerun with nothing changed, with the same output', async () => {
    const dir = path.join(scratch, 'rerun');
    const first = await crawl(dir);
    expect(first.stats).toMatchObject({ hits: 0, discarded: false });
    expect(first.stats.misses).toBe(first.counter.total());
    expect(first.counter.total()).toBe(first.result.stats.files);
    expect(existsSync(first.file)).toBe(true);

    const second = await crawl(dir);
    expect(second.counter.total()).toBe(0);
    expect(second.stats.hits).toBe(first.stats.misses);
    expect(canonical(second.result)).toBe(canonical(first.result));
  });

  it('keys on content, not time: a touched file still hits, a changed one is parsed again', async () => {
    const dir = path.join(scratch, 'changed');
    await crawl(dir);
    const sheet = path.join(corpus.root, 'assets/css/c3.css');
    const page = path.join(corpus.root, 'p/s7/7.html');
    const original = readFileSync(sheet, 'utf8');
    const later = new Date(Date.now() + 60_000);
    utimesSync(page, later, later);
    writeFileSync(sheet, `${original}\n.added { background: url(../img/i2.webp); }\n`);
    try {
      const after = await crawl(dir);
      expect([...after.counter.calls.keys()]).toEqual([sheet]);
      expect(after.stats.misses).toBe(1);
      const uncached = await generateManifest(options);
      expect(canonical(after.result)).toBe(canonical(uncached));
    } finally {
      writeFileSync(sheet, original);
    }
  });

  it('re-parses a file changed to the same size with its old mtime put back (ctime tells)', async () => {
    const dir = path.join(scratch, 'same-size');
    await crawl(dir);
    const sheet = path.join(corpus.root, 'assets/css/c4.css');
    const original = readFileSync(sheet, 'utf8');
    const before = statSync(sheet);
    // Same length, other bytes: a colour changed.
    const edited = original.replace(/#[0-9a-f]{3}\b/, (c) => (c === '#000' ? '#111' : '#000'));
    expect(edited.length).toBe(original.length);
    expect(edited).not.toBe(original);
    writeFileSync(sheet, edited);
    utimesSync(sheet, before.atime, before.mtime);
    try {
      const after = await crawl(dir);
      expect([...after.counter.calls.keys()]).toEqual([sheet]);
    } finally {
      writeFileSync(sheet, original);
    }
  });

  it('ignores a corrupt or truncated cache file, parses everything and writes a good one', async () => {
    const dir = path.join(scratch, 'corrupt');
    const first = await crawl(dir);
    const good = readFileSync(first.file, 'utf8');
    const lines = good.split('\n');
    const fileLine = lines.findIndex((l) => l.startsWith('F\t'));
    const damaged = [
      '{"format":4,"vers',
      'not json at all',
      good.slice(0, Math.floor(good.length / 2)),
      good.slice(0, -1), // the last newline missing
      [...lines.slice(0, fileLine), 'F\t["/x",1,2]', ...lines.slice(fileLine + 1)].join('\n'),
      [...lines.slice(0, 2), 'X\tunknown line', ...lines.slice(3)].join('\n'),
    ];
    for (const garbage of damaged) {
      writeFileSync(first.file, garbage);
      const run = await crawl(dir);
      expect(run.stats.discarded).toBe(true);
      expect(run.counter.total()).toBe(first.counter.total());
      expect(canonical(run.result)).toBe(canonical(first.result));
      // Rewritten whole: the next run hits everything again.
      const next = await crawl(dir);
      expect(next.counter.total()).toBe(0);
    }
  });

  it('appends what a small change adds to the file, and reads it back', async () => {
    const dir = path.join(scratch, 'append');
    const first = await crawl(dir);
    const before = readFileSync(first.file);
    const sheet = path.join(corpus.root, 'assets/css/c5.css');
    const original = readFileSync(sheet, 'utf8');
    writeFileSync(sheet, `${original}\n.appended { color: red }\n`);
    try {
      const after = await crawl(dir);
      expect([...after.counter.calls.keys()]).toEqual([sheet]);
      const appended = readFileSync(after.file);
      // The old file as it was, then one segment: the new entry, the sheet's new F line, a trailer.
      expect(appended.subarray(0, before.length).equals(before)).toBe(true);
      const segment = appended.subarray(before.length).toString('utf8').trimEnd().split('\n');
      expect(segment.map((l) => l.slice(0, 2))).toEqual(['E\t', 'F\t', 'T\t']);
      expect(JSON.parse(segment[2]!.slice(2))).toEqual({ entries: 1, files: 1, at: before.length });
      const rerun = await crawl(dir);
      expect(rerun.counter.total()).toBe(0);
      expect(rerun.stats.discarded).toBe(false);
      expect(canonical(rerun.result)).toBe(canonical(await generateManifest(options)));
    } finally {
      writeFileSync(sheet, original);
    }
  });

  it('rewrites the file whole once what no run uses passes a quarter of it, so it stays near a fresh one', async () => {
    const dir = path.join(scratch, 'compact');
    const first = await crawl(dir);
    const fresh = statSync(first.file).size;
    const pages = [...first.counter.calls.keys()].filter((f) => f.endsWith('.html')).sort().slice(0, 6);
    const originals = pages.map((f) => readFileSync(f, 'utf8'));
    let rewrites = 0;
    let largest = 0;
    try {
      for (let round = 1; round <= 12; round++) {
        const previous = readFileSync(first.file);
        // Six pages changed each round: each leaves its old entry dead in the file.
        pages.forEach((f, i) => writeFileSync(f, `${originals[i]}<p>round ${round}</p>`));
        const run = await crawl(dir);
        expect(run.counter.total()).toBe(pages.length);
        const now = readFileSync(first.file);
        if (!now.subarray(0, previous.length).equals(previous)) rewrites++;
        largest = Math.max(largest, now.length);
        const uncached = await generateManifest(options);
        expect(canonical(run.result)).toBe(canonical(uncached));
      }
    } finally {
      pages.forEach((f, i) => writeFileSync(f, originals[i]!));
    }
    expect(rewrites).toBeGreaterThan(0);
    expect(rewrites).toBeLessThan(12);
    expect(largest / fresh).toBeLessThan(1.4);
  });

  it('ignores a file with a torn or misplaced appended segment, and rewrites it whole', async () => {
    const dir = path.join(scratch, 'torn');
    const first = await crawl(dir);
    const base = readFileSync(first.file, 'utf8');
    const sheet = path.join(corpus.root, 'assets/css/c8.css');
    const original = readFileSync(sheet, 'utf8');
    writeFileSync(sheet, `${original}\n.torn { color: red }\n`);
    try {
      await crawl(dir);
      const appended = readFileSync(first.file, 'utf8');
      const segment = appended.slice(base.length);
      const damaged = [
        appended.slice(0, base.length + Math.floor(segment.length / 2)),
        // A whole segment, but not where its trailer says it starts (two appends over each other).
        base + segment.replace(/"at":\d+/, `"at":${base.length + 1}`),
        base + segment.replace(/"entries":1/, '"entries":2'),
      ];
      for (const garbage of damaged) {
        writeFileSync(first.file, garbage);
        const run = await crawl(dir);
        expect(run.stats.discarded).toBe(true);
        expect(run.counter.total()).toBe(first.counter.total());
        const next = await crawl(dir);
        expect(next.counter.total()).toBe(0);
        expect(next.stats.discarded).toBe(false);
      }
    } finally {
      writeFileSync(sheet, original);
    }
  });

  it('does not append to a cache file another run replaced while it ran', async () => {
    const dir = path.join(scratch, 'replaced');
    const first = await crawl(dir);
    const sheet = path.join(corpus.root, 'assets/css/c7.css');
    const original = readFileSync(sheet, 'utf8');
    writeFileSync(sheet, `${original}\n.replaced { color: red }\n`);
    try {
      const caching = await createCachingParser(countingParser(), { dir, root: corpus.root });
      let replaced = false;
      const parser: FileParser = {
        async parse(kind, absPath) {
          const result = await caching.parse(kind, absPath);
          if (!replaced) {
            // Once this run has read the file, another renames its own over it: the same size, but of
            // another crawler version (what appending to it would leave unreadable).
            const text = readFileSync(first.file, 'utf8');
            const other = text.replace(/"version":"(.)/, (_, c: string) => `"version":"${c === 'x' ? 'y' : 'x'}`);
            writeFileSync(`${first.file}.other`, other);
            renameSync(`${first.file}.other`, first.file);
            replaced = true;
          }
          return result;
        },
        close: async () => {
          await caching.close?.();
        },
      };
      await generateManifest({ ...options, parser });
      expect(replaced).toBe(true);
      // This run's file, whole (not the other's with this run's segment after it).
      const next = await crawl(dir);
      expect(next.stats.discarded).toBe(false);
      expect(next.counter.total()).toBe(0);
    } finally {
      writeFileSync(sheet, original);
    }
  });

  it('re-parses only the file whose cache entry is damaged', async () => {
    const dir = path.join(scratch, 'bad-entry');
    const first = await crawl(dir);
    const lines = readFileSync(first.file, 'utf8').split('\n');
    const entry = lines.findIndex((l) => l.startsWith('E\thtml:'));
    const key = lines[entry]!.split('\t')[1]!;
    lines[entry] = `E\t${key}\t{"kind":"html"}`;
    writeFileSync(first.file, lines.join('\n'));
    const run = await crawl(dir);
    expect(run.stats.discarded).toBe(true);
    expect(run.counter.total()).toBe(1);
    expect(canonical(run.result)).toBe(canonical(first.result));
    const next = await crawl(dir);
    expect(next.counter.total()).toBe(0);
  });

  it('drops the whole cache when the extractor version changes', async () => {
    const dir = path.join(scratch, 'version');
    await crawl(dir, 'old-extractor');
    const run = await crawl(dir, 'new-extractor');
    expect(run.stats.discarded).toBe(true);
    expect(run.stats.hits).toBe(0);
    expect(run.counter.total()).toBeGreaterThan(50);
  });

  it('is wired to generateManifest as `cache`: a folder path, or off with false', async () => {
    const dir = path.join(scratch, 'option');
    const first = await generateManifest({ ...options, cache: dir });
    // The parse cache, and incremental generate's result cache (test/crawl/incremental.test.ts).
    const files = readdirSync(dir).sort();
    expect(files.map((name) => name.replace(/-[0-9a-f]{16}\.json$/, ''))).toEqual(['crawl', 'pages']);
    const [header, ...lines] = readFileSync(path.join(dir, files[0]!), 'utf8').trimEnd().split('\n');
    const saved = JSON.parse(header!) as { version: string };
    const trailer = JSON.parse(lines.at(-1)!.replace(/^T\t/, '')) as { entries: number; files: number };
    expect(saved.version).toBe(extractorVersion());
    expect(trailer.entries).toBe(first.stats.files);
    expect(lines.filter((l) => l.startsWith('E\t'))).toHaveLength(first.stats.files);
    const second = await generateManifest({ ...options, cache: dir });
    // Every page from the result cache: nothing parsed, the same manifest and warnings.
    expect(second.stats).toMatchObject({ files: 0, reused: first.stats.pages });
    expect(canonical({ ...second, stats: first.stats })).toBe(canonical(first));
  });

  it('with cache: true uses defaultCacheDir(); with false writes nothing', async () => {
    const dir = defaultCacheDir(process.cwd(), { root: corpus.root });
    const { file } = await createCachingParser(countingParser(), { dir, root: corpus.root });
    rmSync(file, { force: true });
    try {
      await generateManifest({ ...options, cache: false });
      expect(existsSync(file)).toBe(false);
      await generateManifest({ ...options, cache: true });
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('lives in node_modules/.cache/push-manifest of the nearest package, else the user cache folder, never in the root', () => {
    const env = { XDG_CACHE_HOME: path.join(scratch, 'xdg') };
    const home = path.join(scratch, 'home');
    const loose = path.join(scratch, 'no-package', 'deep');
    mkdirSync(loose, { recursive: true });
    // scratch is under the OS temp folder, which has no package.json above it.
    expect(defaultCacheDir(loose, { env, home })).toBe(path.join(scratch, 'xdg', 'push-manifest'));
    expect(defaultCacheDir(loose, { env: {}, home })).toBe(path.join(home, '.cache', 'push-manifest'));
    expect(defaultCacheDir(loose, { env: { XDG_CACHE_HOME: 'relative' }, home })).toBe(path.join(home, '.cache', 'push-manifest'));

    const project = path.join(scratch, 'project');
    mkdirSync(path.join(project, 'dist', 'sub'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), '{}');
    const inProject = path.join(project, 'node_modules', '.cache', 'push-manifest');
    expect(defaultCacheDir(project, { env, home })).toBe(inProject);
    expect(defaultCacheDir(path.join(project, 'dist', 'sub'), { env, home, root: path.join(project, 'dist') })).toBe(inProject);
    // A package inside the root (the root is the package) is passed over.
    expect(defaultCacheDir(project, { env, home, root: project })).toBe(path.join(scratch, 'xdg', 'push-manifest'));
    writeFileSync(path.join(project, 'dist', 'package.json'), '{}');
    expect(defaultCacheDir(path.join(project, 'dist'), { env, home, root: path.join(project, 'dist') })).toBe(inProject);
  });

  it('does not fail the crawl when the cache folder cannot be written', async () => {
    const blocker = path.join(scratch, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const result = await generateManifest({ ...options, cache: path.join(blocker, 'cache') });
    expect(result.manifest.pages.size).toBe(50);
  });
});
