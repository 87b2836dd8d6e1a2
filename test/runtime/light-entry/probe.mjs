// Imports one entry of the BUILT core with every module resolution recorded, uses it, and prints
// what was loaded (ESM resolutions and the CommonJS require cache) as JSON on stdout.
import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const resolved = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => resolved.push(url));
register('./hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

const [entry, use] = process.argv.slice(2);
const mod = await import(entry);
if (use === 'handler') {
  const handler = await mod.createPushHandler({ manifest: { '/app.css': { type: 'style', weight: 1 } } });
  if (typeof handler.middleware !== 'function') throw new Error('no middleware');
  await handler.close();
}
// Let the loader thread's last messages arrive.
await new Promise((resolve) => setTimeout(resolve, 100));
port1.close();
const cjs = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify({ resolved, cjs, exports: Object.keys(mod) }));
