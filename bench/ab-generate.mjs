#!/usr/bin/env node
/**
 * A/B harness for crawl speed work: min-of-N wall and CPU time of generateManifest in one warm
 * process. On a shared machine the minimum of several runs moves far less than one cold run does.
 * Usage: node bench/ab-generate.mjs <site root> [runs=4] [threads=1]   (needs a fresh `pnpm build`)
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const [root, n = '4', threads = '1'] = process.argv.slice(2);
const core = await import(pathToFileURL(path.resolve('packages/core/dist/index.js')).href);
let best = Infinity, bestCpu = Infinity;
for (let i = 0; i < Number(n); i++) {
  const c0 = process.cpuUsage(); const s = performance.now();
  await core.generateManifest({ root, threads: Number(threads), cache: false });
  const ms = performance.now() - s; const c = process.cpuUsage(c0);
  best = Math.min(best, ms); bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
}
console.log(`min wall ${best.toFixed(0)} ms, min cpu ${bestCpu.toFixed(0)} ms`);
