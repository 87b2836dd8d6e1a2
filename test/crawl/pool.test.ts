import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileParser, createParserPool, defaultThreads, generateManifest } from '@push-manifest/core';
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

  it('uses one thread per core, at most four, by default', () => {
    expect(defaultThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultThreads()).toBeLessThanOrEqual(4);
  });

  it('rejects a thread count that is not a positive whole number', async () => {
    await expect(generateManifest({ root: corpus.root, threads: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(generateManifest({ root: corpus.root, threads: 1.5 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
