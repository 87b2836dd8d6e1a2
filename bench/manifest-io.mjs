#!/usr/bin/env node
// Time reading (JSON.parse + parseManifest) and writing (serializeManifest) of a large generated
// manifest: 5,000 pages × 30 resources, the size `generate` produces on the crawl bench corpus.
// Run after `pnpm build`: `node bench/manifest-io.mjs [pages] [resourcesPerPage]`.
import { performance } from 'node:perf_hooks';
import { parseManifest, serializeManifest } from '../packages/core/dist/manifest/index.js';

const pages = Number(process.argv[2] ?? 5000);
const perPage = Number(process.argv[3] ?? 30);
const types = ['style', 'font', 'script', 'image'];
const manifest = { pages: new Map() };
for (let p = 0; p < pages; p++) {
  const resources = [];
  for (let r = 0; r < perPage; r++) {
    const shared = r < perPage / 2;
    const type = types[r % types.length];
    resources.push({
      url: shared ? `/assets/shared-${r}.${type}` : `/section-${p % 50}/asset-${p}-${r}.${type}?v=${r}`,
      type,
      weight: 256 - r * 8,
      ...(type === 'font' ? { crossorigin: 'anonymous' } : {}),
    });
  }
  manifest.pages.set(`/section-${p % 50}/page-${p}/index.html`, resources);
}

const time = (label, fn, runs = 5) => {
  fn(); // warm-up
  const samples = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  console.log(`${label.padEnd(28)} median ${samples[Math.floor(runs / 2)].toFixed(1)} ms  (min ${samples[0].toFixed(1)}, max ${samples[runs - 1].toFixed(1)})`);
  return result;
};

const text = time('serializeManifest (multi)', () => serializeManifest(manifest, 'multi'));
console.log(`manifest: ${pages} pages × ${perPage} resources, ${(text.length / 1048576).toFixed(1)} MiB of JSON`);
const json = time('JSON.parse', () => JSON.parse(text));
time('parseManifest (validate+model)', () => parseManifest(json));
time('JSON.parse + parseManifest', () => parseManifest(JSON.parse(text)));
