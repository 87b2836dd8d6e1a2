// Preloaded into the server by `node bench/soak.mjs --memory` (NODE_OPTIONS=--expose-gc --require):
// every 5 s, a full GC and then process.memoryUsage() on stderr, so the soak can tell live JS heap
// from garbage not yet collected and from memory outside the heap (external, arrayBuffers).
const mb = (bytes) => Number((bytes / 1048576).toFixed(1));
const sample = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stderr.write(`pm-soak-memory ${JSON.stringify({ rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) })}\n`);
};
setInterval(sample, 5000).unref();
process.on('SIGUSR2', sample);
