import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCachingParser, defaultCacheDir, extractorVersion, generateManifest } from '@push-manifest/core';
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
