import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileParser, createParserPool, defaultThreads, generateManifest, type FileExtract } from '@push-manifest/core';
import { canonical, EVERYTHING, smallCorpus } from './speed-helpers.js';

const corpus = smallCorpus();
const fixtures = new URL('../../fixtures/sites/', import.meta.url).pathname;
const fixtureSites = readdirSync(fixtures).sort();
afterAll(() => rmSync(path.dirname(corpus.dir), { recursive: true, force: true }));

describe('parser pool (worker threads)', () => {
  it('gives a byte-identical manifest and warnings to the in-process parser on a generated site', async () => {
    const inProcess = await generateManifest({ root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types], parser: createFileParser() });
    const pool = createParserPool({ threads: 2, inlineJobs: 0 });
    const pooled = await generateManifest({ root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types], parser: pool });
    // The workers really parsed (every file, since nothing was kept in-process).
    expect(pool.stats.threads).toBe(2);
    expect(pool.stats.inProcess).toBe(0);
    expect(pool.stats.inWorkers).toBe(inProcess.stats.files);
    expect(inProcess.manifest.pages.size).toBe(50);
    expect(inProcess.warnings.length).toBeGreaterThan(0);
    expect(canonical(pooled)).toBe(canonical(inProcess));
  });

  it('finds the fixture sites', () => {
    expect(fixtureSites).toEqual(expect.arrayContaining(['basic', 'css-imports', 'edge-cases', 'malformed', 'multi-page']));
  });

  it.each(fixtureSites)('gives a byte-identical manifest on fixtures/sites/%s', async (site) => {
    const root = path.join(fixtures, site);
    const inProcess = await generateManifest({ root, ...EVERYTHING, types: [...EVERYTHING.types], parser: createFileParser() });
    const pool = createParserPool({ threads: 2, inlineJobs: 0 });
    const pooled = await generateManifest({ root, ...EVERYTHING, types: [...EVERYTHING.types], parser: pool });
    expect(pool.stats.inWorkers).toBe(inProcess.stats.files);
    expect(canonical(pooled)).toBe(canonical(inProcess));
  });

  it('gives the same result with the default options of generateManifest (threads and tiny-run fallback)', async () => {
    const reference = await generateManifest({ root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types], threads: 1 });
    const threaded = await generateManifest({ root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types], threads: 2 });
    expect(canonical(threaded)).toBe(canonical(reference));
  });

  it('parses in-process when given one thread, and for the first jobs of a run', async () => {
    const single = createParserPool({ threads: 1, inlineJobs: 0 });
    await generateManifest({ root: corpus.root, parser: single });
    expect(single.stats.threads).toBe(0);
    expect(single.stats.inWorkers).toBe(0);
    expect(single.stats.inProcess).toBeGreaterThan(50);

    const small = createParserPool({ threads: 2, inlineJobs: 10_000 });
    await generateManifest({ root: corpus.root, parser: small });
    expect(small.stats.threads).toBe(0);
    expect(small.stats.inProcess).toBeGreaterThan(50);
  });

  it('passes a read error back from a worker exactly as the in-process parser reports it', async () => {
    const pool = createParserPool({ threads: 2, inlineJobs: 0 });
    try {
      const missing = path.join(corpus.root, 'no-such-page.html');
      const [fromWorker, inProcess] = await Promise.all([pool.parse('html', missing), createFileParser().parse('html', missing)]);
      expect(fromWorker).toEqual(inProcess);
      expect(fromWorker).toMatchObject({ kind: 'error', code: 'ENOENT' });
      expect(pool.stats.inWorkers).toBe(1);
    } finally {
      await pool.close();
    }
    await expect(pool.parse('html', path.join(corpus.root, 'index.html'))).rejects.toThrow(/after close/);
  });

  it('lets an idle calling thread take back jobs queued for a busy worker, with the same results', async () => {
    const files = readdirSync(corpus.root, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.html'))
      .sort()
      .map((name) => path.join(corpus.root, name));
    expect(files.length).toBeGreaterThanOrEqual(40);
    // A page that keeps the worker busy for a few hundred milliseconds (about 8 MB of markup).
    const big = path.join(path.dirname(corpus.dir), 'big.html');
    writeFileSync(big, `<!doctype html><title>big</title>${'<p>Some text <a href="/a.html">a link</a> <img src="/i.png" alt=""></p>\n'.repeat(100_000)}`);
    const pool = createParserPool({ threads: 2, inlineJobs: 0, mainThreadParses: true });
    const local = createFileParser();
    const expected = await Promise.all([big, ...files].map((file) => local.parse('html', file)));
    const nap = new Int32Array(new SharedArrayBuffer(4));
    try {
      // Bounded tries: the first may find the worker still starting (this thread then takes every job).
      for (let attempt = 0; attempt < 10 && !(pool.stats.stolen > 0 && pool.stats.inWorkers > 0); attempt++) {
        // The big page first, then the rest, all queued for the one worker (which takes the oldest).
        const pending = [big, ...files].map((file) => pool.parse('html', file));
        // This thread busy a moment (asleep), so that the worker reads the big page and claims it;
        // once idle, this thread takes the newest queued jobs back while the worker parses.
        Atomics.wait(nap, 0, 0, 100);
        expect(await Promise.all(pending)).toEqual(expected);
      }
      expect(pool.stats.stolen).toBeGreaterThan(0);
      expect(pool.stats.inWorkers).toBeGreaterThan(0);
      // A job is parsed once: by the worker, or here (taken back before the worker read it, or at once).
      expect(pool.stats.stolen).toBeLessThanOrEqual(pool.stats.inProcess);
      expect((pool.stats.inWorkers + pool.stats.inProcess) % (files.length + 1)).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('gives the same manifest when the calling thread parses beside a worker (the default layout)', async () => {
    const reference = await generateManifest({ root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types], parser: createFileParser() });
    const pool = createParserPool({ threads: 2, inlineJobs: 0, mainThreadParses: true });
    const pooled = await generateManifest({ root: corpus.root, ...EVERYTHING, types: [...EVERYTHING.types], parser: pool });
    expect(pool.stats.threads).toBe(1);
    // No job inline: each went to the worker's queue (the worker parsed it, or this thread took it
    // back, all of them while the worker starts), or was parsed here at once when the queue was full.
    expect(pool.stats.inWorkers + pool.stats.stolen).toBeGreaterThan(0);
    expect(pool.stats.inWorkers + pool.stats.inProcess).toBe(reference.stats.files);
    expect(canonical(pooled)).toBe(canonical(reference));
  });

  it("hands over a worker's JSON text of a parseBytes result once, for the parse cache to store as it is", async () => {
    const pool = createParserPool({ threads: 2, inlineJobs: 0 });
    try {
      const file = path.join(corpus.root, 'index.html');
      const bytes = readFileSync(file);
      const [fromWorker, inProcess] = await Promise.all([pool.parseBytes!('html', file, bytes), createFileParser().parse('html', file)]);
      expect(pool.stats.inWorkers).toBe(1);
      expect(fromWorker).toEqual(inProcess);
      expect(pool.takeText!(fromWorker as FileExtract)).toBe(JSON.stringify(inProcess));
      expect(pool.takeText!(fromWorker as FileExtract)).toBeUndefined();
      // parse() results keep no text: only the cache's reads (parseBytes) want one.
      const parsed = await pool.parse('html', file);
      expect(pool.takeText!(parsed as FileExtract)).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it("leaves a user's own worker thread alone: importing core there starts no parser worker code", async () => {
    // The pool's worker entry must load only in the pool's workers: elsewhere it would answer the
    // user's messages on their parentPort (and read workerData that is not the pool's).
    const core = new URL('../../packages/core/dist/index.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       import(${JSON.stringify(core)}).then(() => parentPort.once('message', (m) => parentPort.postMessage({ echo: m })), (e) => parentPort.postMessage({ failed: String(e) }));`,
      { eval: true },
    );
    try {
      const answer = new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      worker.postMessage('ping');
      await expect(answer).resolves.toEqual({ echo: 'ping' });
    } finally {
      await worker.terminate();
    }
  });

  it('uses one thread per core, at most four, by default', () => {
    expect(defaultThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultThreads()).toBeLessThanOrEqual(4);
  });

  it('rejects a thread count that is not a positive whole number', async () => {
    await expect(generateManifest({ root: corpus.root, threads: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(generateManifest({ root: corpus.root, threads: 1.5 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
