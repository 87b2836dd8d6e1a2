/** Shared helpers for the crawl speed tests (pool, cache, tokenizer): a small generated site and a counting parser. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileParser, type FileParser, type GenerateResult } from '@push-manifest/core';
import { generateCorpus, type Corpus } from '../../bench/corpus.mjs';

/** Crawl options that list everything, so a difference anywhere in the extract shows in the manifest. */
export const EVERYTHING = {
  types: ['script', 'style', 'font', 'image', 'fetch', 'document', 'audio', 'video', 'track', 'worker', 'embed', 'object', 'manifest'],
  srcset: 'all',
  followImports: true,
} as const;

/** A 50-page generated site (every reference kind, shared assets, malformed pages) in a fresh temp folder. */
export function smallCorpus(): Corpus {
  const dir = mkdtempSync(path.join(tmpdir(), 'pm-speed-'));
  return generateCorpus({ pages: 50, css: 12, images: 30, fonts: 6, scripts: 8, modules: 6, libs: 8, minKB: 3, maxKB: 12, malformed: 0.2 }, path.join(dir, 'corpus'));
}

/** Everything a crawl produced, as one string: equal strings mean byte-identical output. */
export function canonical(result: GenerateResult): string {
  return JSON.stringify({
    pages: [...result.manifest.pages],
    preconnect: [...(result.manifest.preconnect ?? new Map())],
    // Warnings arrive in completion order, which depends on timing: compare them as a sorted set.
    warnings: result.warnings.map((w) => JSON.stringify(w)).sort(),
    files: result.stats.files,
    bytes: result.stats.bytes,
  });
}

/** The in-process parser, counting how often each file is really parsed. */
export function countingParser(): FileParser & { calls: Map<string, number>; total(): number } {
  const inner = createFileParser();
  const calls = new Map<string, number>();
  return {
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    parse(kind, absPath) {
      calls.set(absPath, (calls.get(absPath) ?? 0) + 1);
      return inner.parse(kind, absPath);
    },
  };
}
