// Micro-benchmark of the runtime's per-request work, without sockets: the route lookup and the
// decision for a navigation that pushes nothing (the common case: Chromium disables push).
// Run: pnpm build && node bench/runtime-hot-path.mjs   (numbers are noisy on a shared machine)
import { performance } from 'node:perf_hooks';
import { createPushHandler, RouteTable } from '../packages/core/dist/runtime/index.js';

const PAGES = 1000;
const pages = new Map();
for (let i = 0; i < PAGES; i++) {
  const resources = [];
  for (let j = 0; j < 12; j++) resources.push({ url: `/assets/page-${i}/file-${j}.${j % 3 === 0 ? 'css' : 'js'}`, type: j % 3 === 0 ? 'style' : 'script', weight: 256 - j });
  pages.set(i === 0 ? '/index.html' : `/section-${i % 50}/page-${i}/index.html`, resources);
}
const manifest = { pages };

let t = performance.now();
const table = RouteTable.fromManifest(manifest);
const buildMs = performance.now() - t;

const urls = [];
for (let i = 0; i < PAGES; i++) urls.push(i === 0 ? '/' : `/section-${i % 50}/page-${i}/${i % 2 ? '' : '?utm=x'}`);

function time(label, n, fn) {
  for (let i = 0; i < Math.min(n, 100_000); i++) fn(i); // warm up
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const ms = performance.now() - start;
  console.log(`${label}: ${(n / (ms / 1000) / 1e6).toFixed(2)} M ops/s (${((ms * 1e6) / n).toFixed(0)} ns/op)`);
}

console.log(`route table for ${PAGES} pages x 12 resources built in ${buildMs.toFixed(1)} ms`);
let sink = 0;
time('RouteTable.match', 2_000_000, (i) => {
  sink += table.match(urls[i % PAGES]).links.length;
});

const handler = await createPushHandler({ manifest, earlyHints: false });
const headers = { accept: 'text/html', 'sec-fetch-dest': 'document' };
const exchange = (i) => ({ method: 'GET', url: urls[i % PAGES], headers, rawHeaders: undefined, stream: undefined, secure: false, sendEarlyHints: () => false });
time('prepare (navigation, Link only)', 2_000_000, (i) => {
  const added = handler.runtime.prepare(exchange(i));
  sink += added.link.length;
});
console.log(sink > 0 ? 'ok' : 'unexpected');
