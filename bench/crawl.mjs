#!/usr/bin/env node
/**
 * `pnpm bench`: the crawl benchmark of issue 3 ("Speed").
 *
 * Generates (or reuses) the deterministic corpus of bench/corpus.mjs, then measures, each mode in its
 * own child process so peak RSS is per mode (each child bounds V8's heap growth as the CLI does):
 *   floor    read every HTML and CSS file and parse it once (parse5 `parse`, css-tree `parse`), one thread
 *   tree     for comparison: `single` with parse5's tree-based HTML extractor (html.ts) instead of the
 *            tokenizer-driven one (html-tokens.ts); must give the same manifest
 *   single   generateManifest with its default options (what `push-manifest generate` does), in-process, no cache
 *   threads  the same with worker threads (--threads, default 2), no cache
 *   cold     what `push-manifest generate` does on a first run: worker threads (--threads, default 2)
 *            and both caches (parse and result), starting from an empty cache folder (fills it)
 *   cached   the same again with nothing changed (the rerun a user sees): every page from the
 *            result cache (incremental generate), nothing parsed
 *   sheet    incremental generate after an edit to one shared stylesheet that about 5% of the pages
 *            reach (on a copy of the corpus, primed with a cold run once; each round edits it anew)
 *   page     incremental generate after an edit to one page (the same copy)
 *   stream   `single`, but each page written to the manifest file as it is listed (what the CLI's
 *            `generate` does): the model is never held; run it on `--pages 100000` for peak RSS
 *   full     every type and every srcset candidate listed, module imports followed, in-process, no
 *            cache: the manifest recall is computed from, per reference kind, against the
 *            generator's own counts (counts.json)
 * With sheet or page, a cold run (no cache) on the edited copy at the end checks that the last
 * incremental run gave its manifest (`incrementalMatchesCold`). With cold and --repeat, each rerun
 * (cached, sheet, page) is also given as a share of the same round's cold run: the figure issue 15
 * sets its targets in.
 * Prints a table and writes bench/results/latest.json.
 *
 * Usage: pnpm bench [-- --pages 5000 --css 300 --threads 2 --modes floor,single,threads,cold,cached --repeat 1]
 * `--repeat N` runs the modes round-robin N times (floor, single, floor, single, …) and reports, per
 * mode, the median run and the median of the per-round ratios, each against the floor measured in
 * the same round: on a machine whose speed drifts, a ratio of neighbours moves less than one of
 * medians taken minutes apart.
 * (`pnpm bench` builds first; running `node bench/crawl.mjs` directly needs a fresh `pnpm build`.)
 * No assertion on time anywhere: this prints numbers, it does not judge them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generateCorpus, NEGATIVE_KINDS, parseArgs } from './corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const coreDist = path.join(repo, 'packages/core/dist');
const MODES = ['floor', 'tree', 'single', 'threads', 'cold', 'cached', 'sheet', 'page', 'full', 'stream'];
/** Modes run on the edited copy of the corpus. */
const EDIT_MODES = ['sheet', 'page'];
/** Reruns after a cold run: their targets are shares of it. */
const RERUN_MODES = ['cached', ...EDIT_MODES];

/** Crawl options of the `full` run: list everything the crawler can find, so recall can be computed. */
export const FULL_CRAWL = {
  types: ['script', 'style', 'font', 'image', 'fetch', 'document', 'audio', 'video', 'track', 'worker', 'embed', 'object', 'manifest'],
  srcset: 'all',
  followImports: true,
};

// ---------------------------------------------------------------------------------------------
// Child side: one mode, one process. Prints one JSON line on stdout.

function listFiles(dir, out = { html: [], css: [] }) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listFiles(full, out);
    else if (entry.name.endsWith('.html')) out.html.push(full);
    else if (entry.name.endsWith('.css')) out.css.push(full);
  }
  return out;
}

async function runFloor(root) {
  // The parsers core depends on, resolved from core (they are not root dependencies).
  const fromCore = createRequire(path.join(repo, 'packages/core/package.json'));
  const { parse } = await import(pathToFileURL(fromCore.resolve('parse5')).href);
  const csstree = await import(pathToFileURL(fromCore.resolve('css-tree')).href);
  const started = performance.now();
  const { html, css } = listFiles(root);
  let bytes = 0;
  for (const file of html) {
    const data = readFileSync(file);
    bytes += data.length;
    parse(data.toString('utf8'));
  }
  for (const file of css) {
    const data = readFileSync(file);
    bytes += data.length;
    csstree.parse(data.toString('utf8'));
  }
  return { ms: performance.now() - started, pages: html.length, files: html.length + css.length, bytes };
}

/** Canonical text of a manifest model, to compare runs byte for byte. */
function canonical(manifest) {
  return JSON.stringify({ pages: [...manifest.pages], preconnect: [...(manifest.preconnect ?? new Map())] });
}

/** The default in-process parser, but with the tree-based HTML extractor (what `tree` measures). */
async function treeParser() {
  const { decodeUtf8, extractFile, extractReady } = await import(pathToFileURL(path.join(coreDist, 'crawl/extract.js')).href);
  const { extractHtml } = await import(pathToFileURL(path.join(coreDist, 'crawl/html.js')).href);
  const { readFile } = await import('node:fs/promises');
  return {
    async parse(kind, file) {
      let bytes;
      try {
        bytes = await readFile(file);
      } catch (error) {
        return { kind: 'error', code: error.code ?? 'EREAD', message: error.message };
      }
      if (kind === 'js') await extractReady();
      const { text, valid } = decodeUtf8(bytes);
      const extract = kind === 'html' ? extractHtml(text) : extractFile(kind, text);
      extract.bytes = bytes.byteLength;
      if (!valid) extract.warnings.unshift({ code: 'NOT_UTF8', message: 'not valid UTF-8; invalid bytes read as U+FFFD' });
      return extract;
    },
  };
}

/** `stream`: generate into a manifest file page by page; the hash is of the file written. */
async function runStream(root, args) {
  const core = await import(pathToFileURL(path.join(coreDist, 'index.js')).href);
  const file = path.join(args.scratch, 'stream.json');
  const stream = core.createManifestStream(file, 'auto');
  let listed = 0;
  const started = performance.now();
  const onPage = (route, resources, preconnect) => {
    stream.add(route, resources, preconnect);
    listed += resources.length;
  };
  const result = await core.generateManifest({ root, threads: 1, cache: false, onPage });
  await stream.finish({ sitePages: result.stats.sitePages });
  const ms = performance.now() - started;
  // Hashed a chunk at a time: reading the file whole would add its size to the peak RSS measured.
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk);
  const manifestSha1 = hash.digest('hex');
  rmSync(file, { force: true });
  return { ms, pages: result.stats.pages, files: result.stats.files, bytes: result.stats.bytes, warnings: result.warnings.length, listed, manifestSha1 };
}

async function runGenerate(root, mode, args) {
  if (mode === 'stream') return runStream(root, args);
  const core = await import(pathToFileURL(path.join(coreDist, 'index.js')).href);
  const options = { root, ...(mode === 'full' ? FULL_CRAWL : {}) };
  if (mode === 'tree') options.parser = await treeParser();
  if (mode === 'single' || mode === 'full' || mode === 'verify') Object.assign(options, { threads: 1, cache: false });
  else if (mode === 'threads') Object.assign(options, { threads: Number(args.threads ?? 2), cache: false });
  // cold, the reruns and the edits' priming run as the CLI does: its default threads and both caches.
  else Object.assign(options, { threads: Number(args.threads ?? 2), cache: args.cacheDir });
  const started = performance.now();
  const result = await core.generateManifest(options);
  const ms = performance.now() - started;
  const text = canonical(result.manifest);
  const out = {
    ms,
    pages: result.stats.pages,
    files: result.stats.files,
    bytes: result.stats.bytes,
    warnings: result.warnings.length,
    reused: result.stats.reused,
    listed: [...result.manifest.pages.values()].reduce((n, list) => n + list.length, 0),
    manifestSha1: createHash('sha1').update(text).digest('hex'),
  };
  if (args.manifestOut && mode !== 'prime') writeFileSync(args.manifestOut, JSON.stringify({ pages: [...result.manifest.pages], preconnect: [...(result.manifest.preconnect ?? new Map())], warnings: result.warnings }));
  if (mode === 'prime') out.sheetUse = sheetUse(result.manifest);
  return out;
}

/** Each stylesheet URL with the number of pages that list it (default types list every stylesheet a page's walk reaches). */
function sheetUse(manifest) {
  const use = {};
  for (const list of manifest.pages.values()) for (const r of list) if (r.type === 'style') use[r.url] = (use[r.url] ?? 0) + 1;
  return use;
}

async function child(args) {
  // As `push-manifest generate` runs (packages/cli/src/heap-growth.ts), so peak RSS is the command's.
  (await import(pathToFileURL(path.join(repo, 'packages/cli/dist/heap-growth.js')).href)).boundHeapGrowth();
  const cpu0 = process.cpuUsage();
  const result = args.child === 'floor' ? await runFloor(args.root) : await runGenerate(args.root, args.child, args);
  result.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  // CPU time of the whole process (all threads): on a shared machine it moves less than wall time.
  const cpu = process.cpuUsage(cpu0);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Recall: the crawler's manifest against what the generator says each page references.

/** Normalise a manifest URL the way counts.json writes them (path and query, percent-encoded). */
const normal = (url) => {
  const u = new URL(url, 'http://site.invalid/');
  // The crawler percent-encodes characters that are legal in a URL but unsafe in a Link header (`,`):
  // the same file, so the same reference.
  return (u.pathname + u.search).replace(/%(2C|3B|27|7C|5E|60|7B|7D|22)/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
};

function recall(counts, output) {
  const pages = new Map(output.pages);
  const preconnect = new Map(output.preconnect);
  const warnText = output.warnings.map((w) => `${w.message} ${w.file}`).join('\n');
  const perKind = {};
  const bump = (kind, field) => {
    perKind[kind] ??= { expected: 0, found: 0 };
    perKind[kind][field]++;
  };
  let missingPages = 0;
  for (const [route, page] of Object.entries(counts.pages)) {
    const listed = pages.get(route);
    if (listed === undefined) missingPages++;
    const urls = new Set((listed ?? []).map((r) => normal(r.url)));
    const origins = new Set(preconnect.get(route) ?? []);
    for (const [kind, list] of Object.entries(page.expect)) {
      for (const url of list) {
        bump(kind, 'expected');
        const hit =
          kind === 'crossOrigin' ? origins.has(url)
          : kind === 'missing' ? warnText.includes(url) || warnText.includes(decodeURI(url))
          : urls.has(url);
        if (hit) bump(kind, 'found');
        else if (perKind[kind].missed === undefined || perKind[kind].missed.length < 3) (perKind[kind].missed ??= []).push(`${route} ${url}`);
      }
    }
  }
  const rows = {};
  let expected = 0;
  let found = 0;
  for (const [kind, { expected: e, found: f, missed }] of Object.entries(perKind).sort()) {
    const negative = NEGATIVE_KINDS.includes(kind);
    rows[kind] = negative ? { expected: 0, wronglyListed: f, references: e } : { expected: e, found: f, recall: e ? f / e : 1, ...(missed ? { missedSample: missed } : {}) };
    if (!negative && kind !== 'missing' && kind !== 'crossOrigin') {
      expected += e;
      found += f;
    }
  }
  return { overall: expected ? found / expected : 1, expected, found, missingPages, perKind: rows };
}

// ---------------------------------------------------------------------------------------------
// Parent side.

const run = promisify(execFile);

async function measure(mode, root, extra) {
  const argv = [fileURLToPath(import.meta.url), '--child', mode, '--root', root];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) argv.push(`--${k}`, String(v));
  const { stdout } = await run(process.execPath, argv, { maxBuffer: 1 << 26, timeout: 15 * 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return child(args);
  const modes = (args.modes ?? MODES.join(',')).split(',');
  for (const m of modes) if (!MODES.includes(m)) throw new Error(`bench: unknown mode ${m} (one of ${MODES.join(', ')})`);
  const threads = Number(args.threads ?? 2);
  const corpusStarted = performance.now();
  const corpus = generateCorpus(args);
  process.stderr.write(`${corpus.reused ? 'reusing' : 'generated'} corpus ${corpus.root} (${((performance.now() - corpusStarted) / 1000).toFixed(1)} s)\n`);

  const scratch = mkdtempSync(path.join(tmpdir(), 'pm-bench-crawl-'));
  const cacheDir = path.join(scratch, 'cache');
  const manifestOut = path.join(scratch, 'full.json');
  const repeat = Number(args.repeat ?? 1);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 50) throw new Error(`bench: --repeat must be 1 to 50, got ${args.repeat}`);
  /** Every run of each mode, in round order. */
  const runs = Object.fromEntries(modes.map((m) => [m, []]));
  const results = {};
  let edits;
  try {
    if (modes.some((m) => EDIT_MODES.includes(m))) edits = await prepareEdits(corpus.root, scratch, threads);
    for (let round = 1; round <= repeat; round++) {
      for (const mode of modes) {
        process.stderr.write(`  ${mode}${repeat > 1 ? ` (round ${round}/${repeat})` : ''}…`);
        const extra = mode === 'threads' ? { threads } : mode === 'cold' || mode === 'cached' ? { cacheDir, threads } : mode === 'full' ? { manifestOut } : mode === 'stream' ? { scratch } : {};
        if (mode === 'cold') rmSync(cacheDir, { recursive: true, force: true });
        if (EDIT_MODES.includes(mode)) edits.edit(mode, round);
        const r = EDIT_MODES.includes(mode) ? await measure(mode, edits.root, { cacheDir: edits.cacheDir, threads }) : await measure(mode, corpus.root, extra);
        runs[mode].push(r);
        process.stderr.write(` ${(r.ms / 1000).toFixed(2)} s\n`);
      }
    }
    // The table shows each mode's median run (by wall time).
    for (const mode of modes) results[mode] = medianRun(runs[mode], (r) => r.ms);
    const report = {
      date: new Date().toISOString(),
      command: `pnpm bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version, note: 'shared machine: timings are noisy' },
      corpus: { params: corpus.params, totals: corpus.counts.totals, dir: corpus.root },
      modes: {},
    };
    const floor = results.floor?.ms;
    for (const [mode, r] of Object.entries(results)) {
      const mib = r.bytes / 2 ** 20;
      report.modes[mode] = {
        ...r,
        seconds: r.ms / 1000,
        pagesPerSecond: r.pages / (r.ms / 1000),
        mibPerSecond: mib / (r.ms / 1000),
        ...(floor ? { vsFloor: r.ms / floor, cpuVsFloor: r.cpuMs / results.floor.cpuMs } : {}),
      };
    }
    if (repeat > 1 && runs.floor) {
      report.rounds = {};
      for (const mode of modes) {
        const ratios = runs[mode].map((r, i) => r.ms / runs.floor[i].ms);
        const cpuRatios = runs[mode].map((r, i) => r.cpuMs / runs.floor[i].cpuMs);
        report.rounds[mode] = {
          seconds: runs[mode].map((r) => r.ms / 1000),
          vsFloor: ratios,
          vsFloorMedian: median(ratios),
          cpuVsFloorMedian: median(cpuRatios),
          maxRssMiB: Math.max(...runs[mode].map((r) => r.maxRssMiB)),
        };
        if (runs.cold && RERUN_MODES.includes(mode)) {
          const shares = runs[mode].map((r, i) => r.ms / runs.cold[i].ms);
          Object.assign(report.rounds[mode], { vsCold: shares, vsColdMedian: median(shares) });
        }
      }
    }
    if (edits) {
      report.edits = { sheet: edits.sheet, sheetPages: edits.sheetPages, page: edits.page, pages: edits.pages };
      const last = modes.filter((m) => EDIT_MODES.includes(m)).at(-1);
      const cold = await measure('verify', edits.root, {});
      report.incrementalMatchesCold = runs[last].at(-1).manifestSha1 === cold.manifestSha1;
    }
    if (results.full) report.recall = recall(corpus.counts, JSON.parse(readFileSync(manifestOut, 'utf8')));
    if (results.single) {
      const sha = results.single.manifestSha1;
      // Every run of every mode, single's other rounds included: the output must not depend on timing.
      const compared = modes.filter((m) => m !== 'floor' && m !== 'full' && m !== 'stream' && !EDIT_MODES.includes(m) && (m !== 'single' || repeat > 1));
      report.identicalManifests = Object.fromEntries(compared.map((m) => [m, runs[m].every((r) => r.manifestSha1 === sha)]));
    }
    print(report);
    mkdirSync(path.join(here, 'results'), { recursive: true });
    writeFileSync(path.join(here, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`wrote bench/results/latest.json\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A copy of the site to edit, its result cache primed with a cold run, the stylesheet closest to 5%
 * of the pages and a page to edit; `edit(mode, round)` makes a new edit (so every round has one).
 */
async function prepareEdits(root, scratch, threads) {
  const copy = path.join(scratch, 'edited-site');
  const cacheDir = path.join(scratch, 'edited-cache');
  cpSync(root, copy, { recursive: true });
  process.stderr.write('  prime (cold run on the copy)…');
  const primed = await measure('prime', copy, { cacheDir, threads });
  process.stderr.write(` ${(primed.ms / 1000).toFixed(2)} s\n`);
  const [sheet, sheetPages] = Object.entries(primed.sheetUse).sort(([, a], [, b]) => Math.abs(a / primed.pages - 0.05) - Math.abs(b / primed.pages - 0.05))[0];
  const sheetFile = path.join(copy, ...new URL(sheet, 'http://x/').pathname.split('/').map(decodeURIComponent));
  const { html } = listFiles(copy);
  const pageFile = html.sort()[Math.floor(html.length / 2)];
  return {
    root: copy,
    cacheDir,
    sheet,
    sheetPages,
    page: path.relative(copy, pageFile),
    pages: primed.pages,
    edit(mode, round) {
      // A real change each time (a rule, an element), not only a new mtime.
      if (mode === 'sheet') appendFileSync(sheetFile, `\n.bench-edit-${round} { color: #${(round % 4096).toString(16).padStart(3, '0')} }\n`);
      else {
        const text = readFileSync(pageFile, 'utf8');
        const added = `<p class="bench-edit">edit ${round}</p>`;
        writeFileSync(pageFile, text.includes('</body>') ? text.replace('</body>', `${added}</body>`) : `${text}${added}`);
      }
    },
  };
}

/** The middle run by `key` (the lower middle of an even count: a run that happened). */
function medianRun(items, key) {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The median of numbers (the mean of the two middle ones of an even count). */
function median(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function print(report) {
  const w = (s, n) => String(s).padStart(n);
  const lines = [];
  const { totals } = report.corpus;
  lines.push(`corpus: ${totals.html.files} pages, ${totals.css.files} CSS files, ${((totals.html.bytes + totals.css.bytes) / 2 ** 20).toFixed(1)} MiB HTML+CSS; ${report.machine.cpus} cores (${report.machine.note})`);
  lines.push(`${'mode'.padEnd(9)}${w('seconds', 9)}${w('pages/s', 9)}${w('MiB/s', 8)}${w('RSS MiB', 9)}${w('vs floor', 10)}${w('CPU s', 8)}${w('CPU vs floor', 14)}`);
  for (const [mode, r] of Object.entries(report.modes)) {
    const ratio = (x) => (x === undefined ? '' : `${x.toFixed(2)}x`);
    lines.push(`${mode.padEnd(9)}${w(r.seconds.toFixed(2), 9)}${w(r.pagesPerSecond.toFixed(0), 9)}${w(r.mibPerSecond.toFixed(1), 8)}${w(r.maxRssMiB.toFixed(0), 9)}${w(ratio(r.vsFloor), 10)}${w((r.cpuMs / 1000).toFixed(2), 8)}${w(ratio(r.cpuVsFloor), 14)}`);
  }
  if (report.rounds) {
    const n = report.rounds.floor.seconds.length;
    lines.push(`${n} rounds, each mode against the floor of its own round (median, range):`);
    for (const [mode, r] of Object.entries(report.rounds)) {
      if (mode === 'floor') {
        lines.push(`  floor    ${r.seconds.map((x) => x.toFixed(2)).join(' ')} s`);
        continue;
      }
      const range = `${Math.min(...r.vsFloor).toFixed(2)}-${Math.max(...r.vsFloor).toFixed(2)}x`;
      const pct = (x) => `${(x * 100).toFixed(1)}%`;
      const share = r.vsCold ? `, ${pct(r.vsColdMedian)} of cold (${pct(Math.min(...r.vsCold))}-${pct(Math.max(...r.vsCold))})` : '';
      lines.push(`  ${mode.padEnd(9)}${r.vsFloorMedian.toFixed(2)}x (${range}), CPU ${r.cpuVsFloorMedian.toFixed(2)}x, peak RSS ${r.maxRssMiB.toFixed(0)} MiB${share}`);
    }
  }
  if (report.edits) {
    const { sheet, sheetPages, page, pages } = report.edits;
    lines.push(`edits: sheet ${sheet} (reached by ${sheetPages} of ${pages} pages, ${((sheetPages / pages) * 100).toFixed(1)}%), page ${page}; last incremental run = cold run on the edited copy: ${report.incrementalMatchesCold}`);
  }
  if (report.identicalManifests) lines.push(`same manifest as single: ${JSON.stringify(report.identicalManifests)}`);
  if (report.recall) {
    lines.push(`recall ${(report.recall.overall * 100).toFixed(2)}% (${report.recall.found}/${report.recall.expected} expected URLs over all pages)`);
    for (const [kind, r] of Object.entries(report.recall.perKind)) {
      lines.push(
        'recall' in r
          ? `  ${kind.padEnd(15)}${w(r.found, 8)}/${String(r.expected).padEnd(8)}${w((r.recall * 100).toFixed(1), 6)}%`
          : `  ${kind.padEnd(15)}must not be listed: listed on ${r.wronglyListed} of ${r.references} page references`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
