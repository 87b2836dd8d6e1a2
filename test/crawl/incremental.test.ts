/**
 * Incremental generate (issue 15): with `cache` set, a rerun takes the crawl of every page whose
 * inputs did not change from the result cache and crawls only the others, and its manifest and
 * warnings are always those of a cold run.
 */
import { readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileParser, generateManifest, type FileParser, type GenerateOptions, type GenerateResult } from '@push-manifest/core';
import { EVERYTHING, smallCorpus } from './speed-helpers.js';

const corpus = smallCorpus();
const scratch = mkdtempSync(path.join(tmpdir(), 'pm-incremental-test-'));
afterAll(() => {
  rmSync(path.dirname(corpus.dir), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

// `declared` lists every face a page's sheets declare, so "the pages that list a font" is exactly
// "the pages whose crawl reached it": the oracle for which pages a rerun must crawl again.
const base: GenerateOptions = { root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types], fonts: 'declared', threads: 1 };

/** The manifest and warnings, as one string (warnings sorted: they arrive in completion order). */
function output(result: GenerateResult): string {
  return JSON.stringify({
    pages: [...result.manifest.pages],
    preconnect: [...(result.manifest.preconnect ?? new Map())],
    warnings: result.warnings.map((w) => JSON.stringify(w)).sort(),
  });
}

/** A run through the result cache in `dir`, with the HTML pages it read. */
async function rerun(dir: string, options: Partial<GenerateOptions> = {}) {
  const read: string[] = [];
  const result = await generateManifest({ ...base, ...options, cache: dir, onRead: (kind, file) => kind === 'html' && read.push(file) });
  return { result, read: read.sort() };
}

/** A run without any cache: what every rerun must equal. */
const cold = (options: Partial<GenerateOptions> = {}) => generateManifest({ ...base, ...options, cache: false });

/** A route's page file (`/` and `/docs/` are folders' index.html). */
const pageFile = (route: string) => path.join(corpus.root, ...route.split('/'), route.endsWith('/') ? 'index.html' : '');

/** The pages (absolute paths) whose cold manifest lists `url`. */
function pagesListing(result: GenerateResult, url: string): string[] {
  return [...result.manifest.pages]
    .filter(([, list]) => list.some((r) => r.url === url))
    .map(([route]) => pageFile(route))
    .sort();
}

const allPages = (result: GenerateResult) => [...result.manifest.pages.keys()].map(pageFile).sort();

/** A cache folder with a full cache in it. */
async function primed(name: string, options: Partial<GenerateOptions> = {}) {
  const dir = path.join(scratch, name);
  const first = await rerun(dir, options);
  expect(first.result.stats.reused).toBe(0);
  return { dir, first };
}

/** Edit a file for the length of `fn`, then put it back. */
async function editing<T>(file: string, edit: (text: string) => string, fn: () => Promise<T>): Promise<T> {
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, edit(original));
  try {
    return await fn();
  } finally {
    writeFileSync(file, original);
  }
}

const sheets = readdirSync(path.join(corpus.root, 'assets/css')).filter((name) => name.endsWith('.css'));

describe('incremental generate', () => {
  it('reads no page on a rerun with nothing changed (and one with a file only touched), with the cold output', async () => {
    const { dir, first } = await primed('unchanged');
    const expected = output(await cold());
    expect(output(first.result)).toBe(expected);
    const again = await rerun(dir);
    expect(again.read).toEqual([]);
    expect(again.result.stats.reused).toBe(again.result.stats.pages);
    expect(output(again.result)).toBe(expected);

    const sheet = path.join(corpus.root, 'assets/css', sheets[0]!);
    const later = new Date(Date.now() + 120_000);
    utimesSync(sheet, later, later);
    const touched = await rerun(dir);
    expect(touched.read).toEqual([]);
    expect(output(touched.result)).toBe(expected);
  });

  it('with the default options too', async () => {
    const options = { fonts: 'used', types: undefined, srcset: undefined, followImports: undefined } as const;
    const { dir } = await primed('defaults', options);
    const again = await rerun(dir, options);
    expect(again.read).toEqual([]);
    expect(output(again.result)).toBe(output(await cold(options)));
  });

  it('crawls only an edited page again', async () => {
    const { dir, first } = await primed('page');
    const page = allPages(first.result)[7]!;
    const after = await editing(page, (text) => text.replace('</head>', '<link rel="stylesheet" href="/assets/css/added.css"><script src="/nowhere.js"></script></head>'), async () => {
      writeFileSync(path.join(corpus.root, 'assets/css/added.css'), 'body { background: url(../img/none.png) }\n');
      try {
        const run = await rerun(dir);
        expect(output(run.result)).toBe(output(await cold()));
        return run;
      } finally {
        rmSync(path.join(corpus.root, 'assets/css/added.css'));
      }
    });
    expect(after.read).toEqual([page]);
    // Put back: the page is crawled again, and the manifest is the first one.
    const back = await rerun(dir);
    expect(back.read).toEqual([page]);
    expect(output(back.result)).toBe(output(first.result));
  });

  it('crawls again exactly the pages that use an edited shared stylesheet', async () => {
    const { dir, first } = await primed('sheet');
    // The sheet most pages list, so the pages that do not are a real set too.
    const uses = sheets.map((name) => ({ name, pages: pagesListing(first.result, `/assets/css/${name}`) })).sort((a, b) => b.pages.length - a.pages.length);
    const sheet = uses[0]!;
    expect(sheet.pages.length).toBeGreaterThan(0);
    expect(sheet.pages.length).toBeLessThan(first.result.stats.pages);
    const run = await editing(path.join(corpus.root, 'assets/css', sheet.name), (text) => `${text}\n.x { font-weight: 900; background: url(../img/missing.png) }\n`, async () => {
      const r = await rerun(dir);
      expect(output(r.result)).toBe(output(await cold()));
      return r;
    });
    expect(run.read).toEqual(sheet.pages);
  });

  it('crawls again exactly the pages that reach an edited @imported stylesheet', async () => {
    const { dir, first } = await primed('import');
    // A sheet no page links: it is reached only through @import.
    const linked = new Set<string>();
    for (const page of allPages(first.result)) for (const m of readFileSync(page, 'utf8').matchAll(/assets\/css\/(c\d+\.css)/g)) linked.add(m[1]!);
    const imported = sheets.map((name) => ({ name, pages: pagesListing(first.result, `/assets/css/${name}`) })).find((s) => !linked.has(s.name) && s.pages.length > 0);
    expect(imported).toBeDefined();
    const run = await editing(path.join(corpus.root, 'assets/css', imported!.name), (text) => `@import "${sheets[0]}";\n${text}`, async () => {
      const r = await rerun(dir);
      expect(output(r.result)).toBe(output(await cold()));
      return r;
    });
    expect(run.read).toEqual(imported!.pages);
  });

  it('crawls again the pages that reach a deleted font, and again when it comes back', async () => {
    const { dir, first } = await primed('font');
    const fonts = readdirSync(path.join(corpus.root, 'assets/fonts'));
    const font = fonts.map((name) => ({ name, pages: pagesListing(first.result, `/assets/fonts/${name}`) })).find((f) => f.pages.length > 0)!;
    const file = path.join(corpus.root, 'assets/fonts', font.name);
    renameSync(file, `${file}.away`);
    try {
      const gone = await rerun(dir);
      expect(gone.read).toEqual(font.pages);
      expect(output(gone.result)).toBe(output(await cold()));
      expect(gone.result.warnings.some((w) => w.code === 'MISSING' && w.message.includes(font.name))).toBe(true);
    } finally {
      renameSync(`${file}.away`, file);
    }
    const back = await rerun(dir);
    expect(back.read).toEqual(font.pages);
    expect(output(back.result)).toBe(output(first.result));
  });

  it('crawls every page again when an option that changes the crawl changes; a listing option reuses them all', async () => {
    const { dir, first } = await primed('options');
    const srcset = await rerun(dir, { srcset: 'default' });
    expect(srcset.read).toEqual(allPages(first.result));
    expect(output(srcset.result)).toBe(output(await cold({ srcset: 'default' })));

    const types = await rerun(dir, { srcset: 'default', types: ['style'], max: 3 });
    expect(types.read).toEqual([]);
    expect(output(types.result)).toBe(output(await cold({ srcset: 'default', types: ['style'], max: 3 })));
  });

  it('crawls every page again after a crawler version change, or with a damaged cache file', async () => {
    const { dir, first } = await primed('version');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    expect(name).toBeDefined();
    const file = path.join(dir, name!);
    // The first line is the header, with the crawler version the file was written by.
    const [first_, ...rest] = readFileSync(file, 'utf8').split('\n');
    const header = JSON.parse(first_!) as { version: string };
    writeFileSync(file, [JSON.stringify({ ...header, version: `${header.version}-older` }), ...rest].join('\n'));
    const other = await rerun(dir);
    expect(other.read).toEqual(allPages(first.result));
    expect(output(other.result)).toBe(output(first.result));

    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 1000));
    const damaged = await rerun(dir);
    expect(damaged.read).toEqual(allPages(first.result));
    expect(output(damaged.result)).toBe(output(first.result));
    expect((await rerun(dir)).read).toEqual([]);
  });

  it('crawls only the page whose line in the cache file is damaged (lines are read when used), with the cold output', async () => {
    const { dir, first } = await primed('damaged-line');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    const file = path.join(dir, name!);
    const lines = readFileSync(file, 'utf8').split('\n');
    const victim = allPages(first.result)[3]!;
    const at = lines.findIndex((text) => text.startsWith(`P\t${JSON.stringify([victim]).slice(0, -1)},`));
    expect(at).toBeGreaterThan(0);
    // Still a P line of that page, with the counts intact: only reading it finds it broken.
    lines[at] = `P\t${JSON.stringify([victim, { walked: 'not a list' }])}`;
    writeFileSync(file, lines.join('\n'));
    const damaged = await rerun(dir);
    expect(damaged.read).toEqual([victim]);
    expect(damaged.result.stats.reused).toBe(allPages(first.result).length - 1);
    expect(output(damaged.result)).toBe(output(first.result));
    expect((await rerun(dir)).read).toEqual([]);
  });

  it('asks the parser to keep the parse entry of each file a kept page reached once a run, shared sheets included', async () => {
    // A shared stylesheet is reached by most pages: asking once per page cost about a million
    // redundant calls on a 100,000-page rerun.
    const { dir, first } = await primed('retain-once');
    const retained: string[] = [];
    const inner = createFileParser();
    const parser: FileParser = { parse: (kind, file) => inner.parse(kind, file), retain: (file) => void retained.push(file) };
    const run = await generateManifest({ ...base, cache: dir, parser });
    expect(run.stats.reused).toBe(allPages(first.result).length);
    expect(output(run)).toBe(output(first.result));
    expect(new Set(retained).size).toBe(retained.length);
    expect(retained.filter((file) => file.endsWith('.html')).sort()).toEqual(allPages(first.result));
    expect(retained.filter((file) => file.endsWith('.css')).length).toBeGreaterThan(1);
  });

  it('holds only a few pages past one that is slow to crawl, though the cache answers the rest at once', async () => {
    // The first page edited and slow to parse, every other page from the cache: the run must not take
    // them all while it waits to list the first (on a 100,000-page site that held every page's crawl).
    const { dir, first } = await primed('slow-first');
    const pages = allPages(first.result);
    const slow = pages[0]!;
    const inner = createFileParser();
    const taken = new Set<string>();
    let takenWhenFirstListed: number | undefined;
    const parser: FileParser = {
      async parse(kind, file) {
        if (file === slow) await new Promise((resolve) => setTimeout(resolve, 200));
        return inner.parse(kind, file);
      },
      // The result cache retains the parse entries of each page it answers.
      retain: (file) => file.endsWith('.html') && taken.add(file),
    };
    await editing(slow, (text) => `${text}<!-- edited -->`, async () => {
      const run = await generateManifest({
        ...base,
        cache: dir,
        parser,
        concurrency: 2,
        onProgress: (listed) => {
          if (listed > 0) takenWhenFirstListed ??= taken.size;
        },
      });
      expect(run.stats.reused).toBe(pages.length - 1);
      expect(output(run)).toBe(output(await cold()));
    });
    // At most 4 × concurrency pages are under way or waiting to be listed at once.
    expect(takenWhenFirstListed).toBeGreaterThan(0);
    expect(takenWhenFirstListed).toBeLessThan(8);
  });

  it('keeps the cache file near its cold size through many reruns that each crawl a few pages again', async () => {
    // Reruns copy the old file's tables as they are, so each page crawled again leaves entries only
    // it used; the file is built afresh once those grow, and every manifest is still the cold one.
    const { dir, first } = await primed('many-edits');
    const pages = allPages(first.result);
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    const file = path.join(dir, name!);
    const coldSize = statSync(file).size;
    const originals = new Map(pages.map((page) => [page, readFileSync(page, 'utf8')]));
    const sizes: number[] = [];
    try {
      for (let round = 0; round < 16; round++) {
        // Six pages a round, the last page among them: its change comes after every other page was taken.
        const edited = Array.from({ length: 6 }, (_, i) => pages[(pages.length - 1 + round * 6 + i) % pages.length]!).sort();
        for (const page of edited) writeFileSync(page, `${readFileSync(page, 'utf8')}<!-- round ${round} -->`);
        const run = await rerun(dir);
        expect(run.read).toEqual(edited);
        expect(output(run.result)).toBe(output(await cold()));
        sizes.push(statSync(file).size);
      }
    } finally {
      for (const [page, text] of originals) writeFileSync(page, text);
    }
    // Measured: at most 1.16x the cold file (never built afresh, it reached 1.51x by the 16th round).
    expect(Math.max(...sizes)).toBeLessThan(coldSize * 1.25);
  });

  it('appends what a one-page edit changed to the cache file, and the next run reads it back', async () => {
    const { dir, first } = await primed('append');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    const file = path.join(dir, name!);
    const before = readFileSync(file);
    const page = allPages(first.result)[7]!;
    await editing(page, (text) => text.replace('</body>', '<p>appended</p></body>'), async () => {
      const edited = await rerun(dir);
      expect(edited.read).toEqual([page]);
      expect(output(edited.result)).toBe(output(await cold()));
      const after = readFileSync(file);
      // The old file as it was, then one segment: the page's lines (and any new entries), a trailer.
      expect(after.subarray(0, before.length).equals(before)).toBe(true);
      const segment = after.subarray(before.length).toString('utf8').trimEnd().split('\n');
      expect(segment.filter((l) => l.startsWith('P\t'))).toEqual([expect.stringContaining(JSON.stringify(page))]);
      expect(JSON.parse(segment.at(-1)!.slice(2))).toMatchObject({ P: 1, F: 1, stale: 1, at: before.length });
      expect(after.length - before.length).toBeLessThan(before.length / 20);
      const again = await rerun(dir);
      expect(again.read).toEqual([]);
      expect(output(again.result)).toBe(output(edited.result));
      expect(statSync(file).size).toBe(after.length);
    });
  });

  it('appends the new stats of touched files once, then has nothing to write', async () => {
    const { dir, first } = await primed('touched');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    const file = path.join(dir, name!);
    const before = statSync(file).size;
    const page = allPages(first.result)[20]!;
    const sheet = path.join(corpus.root, 'assets/css', sheets[1]!);
    const later = new Date(Date.now() + 180_000);
    utimesSync(page, later, later);
    utimesSync(sheet, later, later);
    const touched = await rerun(dir);
    expect(touched.read).toEqual([]);
    expect(output(touched.result)).toBe(output(first.result));
    const segment = readFileSync(file).subarray(before).toString('utf8').trimEnd().split('\n');
    expect(segment.map((l) => l.slice(0, 2)).sort()).toEqual(['F\t', 'F\t', 'T\t']);
    expect(segment.filter((l) => l.startsWith('F\t')).map((l) => (JSON.parse(l.slice(2)) as [string])[0]).sort()).toEqual([page, sheet].sort());
    // The new stats are kept: the next run neither hashes them again nor writes anything.
    const size = statSync(file).size;
    expect((await rerun(dir)).read).toEqual([]);
    expect(statSync(file).size).toBe(size);
  });

  it('marks a page gone from the site in an append, and crawls it when it comes back', async () => {
    const { dir, first } = await primed('gone');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    const file = path.join(dir, name!);
    const page = allPages(first.result)[11]!;
    const away = path.join(scratch, 'gone-page.html');
    renameSync(page, away);
    try {
      const without = await rerun(dir);
      expect(without.read).toEqual([]);
      expect(output(without.result)).toBe(output(await cold()));
      expect(readFileSync(file, 'utf8')).toContain(`P\t${JSON.stringify([page, null])}\n`);
      // Said once: the next run has nothing to write.
      const size = statSync(file).size;
      expect((await rerun(dir)).read).toEqual([]);
      expect(statSync(file).size).toBe(size);
    } finally {
      renameSync(away, page);
    }
    const back = await rerun(dir);
    expect(back.read).toEqual([page]);
    expect(output(back.result)).toBe(output(first.result));
  });

  it('ignores a cache file whose appended segment is torn or misplaced, and crawls every page', async () => {
    const { dir, first } = await primed('torn');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    const file = path.join(dir, name!);
    const base = readFileSync(file, 'utf8');
    const page = allPages(first.result)[5]!;
    await editing(page, (text) => `${text}<!-- torn -->`, async () => {
      await rerun(dir);
      const segment = readFileSync(file, 'utf8').slice(base.length);
      expect(segment.length).toBeGreaterThan(0);
      for (const garbage of [base + segment.slice(0, Math.floor(segment.length / 2)), base + segment.replace(/"at":\d+/, `"at":${base.length - 1}`)]) {
        writeFileSync(file, garbage);
        const run = await rerun(dir);
        expect(run.read).toEqual(allPages(first.result));
        expect(output(run.result)).toBe(output(await cold()));
        expect((await rerun(dir)).read).toEqual([]);
      }
    });
  });

  it('keeps the old cache file and leaves no temp file when the run fails after pages were crawled', async () => {
    const { dir, first } = await primed('failed-run');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('pages-'));
    const before = readFileSync(path.join(dir, name!), 'utf8');
    // An edited stylesheet makes the run crawl pages again (so it starts the next cache file), then the run fails.
    const sheet = path.join(corpus.root, 'assets/css/added-for-failure.css');
    const page = allPages(first.result)[0]!;
    const failing = editing(page, (text) => text.replace('</head>', '<link rel="stylesheet" href="/assets/css/added-for-failure.css"></head>'), async () => {
      writeFileSync(sheet, 'body { color: red }\n');
      try {
        let listed = 0;
        return await generateManifest({ ...base, cache: dir, onPage: () => {
          if (++listed === 3) throw new Error('the manifest file cannot be written');
        } });
      } finally {
        rmSync(sheet, { force: true });
      }
    });
    await expect(failing).rejects.toThrow('the manifest file cannot be written');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(path.join(dir, name!), 'utf8')).toBe(before);
    expect((await rerun(dir)).read).toEqual([]);
  });
});
