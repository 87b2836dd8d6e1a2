// pnpm soak — `push-manifest serve` under mixed hostile load for about 60 s, loopback only:
// h2load page views, a client that resets every push, clients that drop the connection
// mid-response, slow clients that trickle headers, and the manifest rewritten every second (valid
// and invalid alternately). Reports server errors, responses checked, RSS and open descriptors at
// start (idle, and under load after a sixth of the run) and end, reloads taken and refused. Exits 1
// when a target is missed (RSS growth from the sample under load to the end under 10%, no fd leak).
// Usage: node bench/soak.mjs [--seconds 60] [--cli <another build's cli/dist/main.js>] [--parts h2load,resets,drops,slow,rewrites] [--memory]
// --parts runs only those loads (to tell which one grows memory); --memory preloads
// bench/soak-memory.cjs into the server: a full GC then process.memoryUsage() every 5 s, reported
// as a series (heap used after GC, external, arrayBuffers), and RSS measured after a GC too.
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, cli: { type: 'string' }, parts: { type: 'string', default: 'h2load,resets,drops,slow,rewrites' }, memory: { type: 'boolean', default: false } } });
const SECONDS = Math.min(600, Math.max(5, Number(values.seconds)));
const PARTS = new Set(values.parts.split(','));
for (const part of PARTS) if (!['h2load', 'resets', 'drops', 'slow', 'rewrites'].includes(part)) throw new Error(`--parts: unknown part ${part}`);

const work = mkdtempSync(join(tmpdir(), 'pm-soak-'));
const site = join(work, 'site');
cpSync(join(repo, 'fixtures/serve'), site, { recursive: true });
// A file too big for the body cache, so dropped connections hit the streaming-from-disk path.
const big = Buffer.alloc(2 * 1024 * 1024, 'x');
writeFileSync(join(site, 'big.bin'), big);
const manifestPath = join(site, 'push-manifest.json');
const validManifest = readFileSync(manifestPath, 'utf8');
const files = {
  '/': readFileSync(join(site, 'index.html')),
  '/css/app.css': readFileSync(join(site, 'css/app.css')),
  '/js/main.js': readFileSync(join(site, 'js/main.js')),
  '/fonts/open-sans-300.woff2': readFileSync(join(site, 'fonts/open-sans-300.woff2')),
};

const child = spawn(process.execPath, [values.cli ?? join(repo, 'packages/cli/dist/main.js'), 'serve', site, '--h2c', '--port', '0'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, NO_COLOR: '1', ...(values.memory ? { NODE_OPTIONS: `--expose-gc --require ${join(repo, 'bench/soak-memory.cjs')}` } : {}) },
});
let stderr = '';
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 20_000);
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    const match = /serving .* at (http:\/\/[^\s/]+)\//.exec(stderr);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  });
  child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
});
let exited = null;
child.once('exit', (code, signal) => (exited = `${code ?? signal}`));
const { port } = new URL(url);

const proc = () => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return { rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024, fds: readdirSync(`/proc/${child.pid}/fd`).length };
};

const counts = { checked: 0, wrong: 0, serverErrors: 0, pushesReset: 0, dropped: 0, slowCut: 0, slowNotCut: 0, h2loadRequests: 0, h2loadFailed: 0, rewrites: 0 };
const until = (deadline) => Date.now() < deadline;

/** One page view that resets every pushed stream; checks the page and a pushed-free asset. */
async function resettingClient(deadline) {
  while (until(deadline)) {
    const session = http2.connect(url, { settings: { enablePush: true } });
    session.on('error', () => undefined);
    session.on('stream', (pushed) => {
      pushed.on('error', () => undefined);
      pushed.close(http2.constants.NGHTTP2_CANCEL);
      counts.pushesReset++;
    });
    for (const path of ['/', '/css/app.css', '/js/main.js']) {
      const { status, body } = await new Promise((resolve) => {
        const req = session.request({ ':path': path, accept: path === '/' ? 'text/html' : '*/*', 'sec-fetch-dest': path === '/' ? 'document' : 'empty' });
        const chunks = [];
        let status = 0;
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (c) => chunks.push(c));
        req.on('error', () => resolve({ status: -1, body: Buffer.alloc(0) }));
        req.on('close', () => resolve({ status, body: Buffer.concat(chunks) }));
        req.setTimeout(10_000, () => req.close());
      });
      if (status >= 500) counts.serverErrors++;
      if (status === 200 && body.equals(files[path])) counts.checked++;
      else counts.wrong++;
    }
    session.destroy();
  }
}

/** Request the 2 MB file and drop the connection after the first chunk. */
async function droppingClient(deadline) {
  while (until(deadline)) {
    await new Promise((resolve) => {
      const session = http2.connect(url);
      session.on('error', () => undefined);
      const req = session.request({ ':path': Math.random() < 0.5 ? '/big.bin' : '/' });
      req.on('error', () => undefined);
      req.once('data', () => {
        session.destroy();
        counts.dropped++;
        resolve();
      });
      req.on('close', resolve);
      setTimeout(resolve, 5000).unref();
    });
  }
}

/** Trickle the HTTP/2 preface one byte every 500 ms: the server must cut it (headers timeout). */
async function slowClient(deadline) {
  while (until(deadline - 12_000)) {
    const closedBy = await new Promise((resolve) => {
      const socket = netConnect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      const text = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
      let index = 0;
      const timer = setInterval(() => index < text.length && socket.write(text[index++]), 500);
      const giveUp = setTimeout(() => {
        socket.destroy();
        resolve('client');
      }, 15_000);
      socket.once('close', () => {
        clearInterval(timer);
        clearTimeout(giveUp);
        resolve(index < text.length ? 'server' : 'client');
      });
    });
    if (closedBy === 'server') counts.slowCut++;
    else counts.slowNotCut++;
  }
}

async function h2loadLoop(deadline) {
  while (until(deadline)) {
    try {
      const { stdout } = await run('h2load', ['-n', '2000', '-c', '4', '-m', '4', '-t', '1', '-H', 'accept: text/html', '-H', 'sec-fetch-dest: document', '-H', 'accept-encoding: br, gzip', `${url}/`], { timeout: 60_000 });
      const done = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(stdout);
      const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
      counts.h2loadRequests += Number(done?.[1] ?? 0);
      counts.h2loadFailed += Number(done?.[2] ?? 0) + Number(done?.[3] ?? 0);
      counts.serverErrors += Number(codes?.[4] ?? 0);
    } catch (error) {
      counts.h2loadFailed++;
    }
  }
}

async function rewriter(deadline) {
  let valid = false;
  while (until(deadline)) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    valid = !valid;
    writeFileSync(manifestPath, valid ? validManifest.replace('"weight": 256', `"weight": ${200 + (counts.rewrites % 50)}`) : '{ "index.html": { "/css/app.css": { "type": ');
    counts.rewrites++;
  }
}

/** With --memory, ask the server for a sample (after a full GC) and wait for it. */
const memorySamples = () => [...stderr.matchAll(/pm-soak-memory (\{.*\})/g)].map((match) => JSON.parse(match[1]));
async function sampleNow() {
  if (!values.memory) return undefined;
  const before = memorySamples().length;
  process.kill(child.pid, 'SIGUSR2');
  for (let tries = 0; tries < 50 && memorySamples().length === before; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
  return memorySamples().at(-1);
}

// Warm up, then measure from a steady start.
await run('h2load', ['-n', '500', '-c', '2', `${url}/`], { timeout: 60_000 }).catch(() => undefined);
const startMemory = await sampleNow();
const start = proc();
const t0 = Date.now();
const deadline = t0 + SECONDS * 1000;
const loads = { h2load: [h2loadLoop], resets: [resettingClient, resettingClient], drops: [droppingClient, droppingClient], slow: [slowClient, slowClient], rewrites: [rewriter] };
// RSS grows once in the first seconds of the mixed load as V8 sizes its heap for it (heap used after
// a GC does not): growth is measured from a sample taken under load, after a sixth of the run (at
// most 10 s), to the end; the idle figure before the load is reported beside it.
const STEADY_AFTER_MS = Math.min(10_000, (SECONDS * 1000) / 6);
let steady = start;
const steadySample = new Promise((resolve) => setTimeout(() => resolve((steady = proc())), STEADY_AFTER_MS));
await Promise.all([steadySample, ...Object.entries(loads).flatMap(([part, clients]) => (PARTS.has(part) ? clients.map((client) => client(deadline)) : []))]);
// Let the last reload settle and closed connections be reaped, then measure again.
writeFileSync(manifestPath, validManifest);
await new Promise((resolve) => setTimeout(resolve, 2000));
const endMemory = await sampleNow();
const end = proc();
const series = memorySamples();
child.kill('SIGTERM');
await new Promise((resolve) => (exited !== null ? resolve() : child.once('exit', resolve)));
rmSync(work, { recursive: true, force: true });

const reloads = (stderr.match(/manifest reloaded/g) ?? []).length;
const refused = (stderr.match(/manifest reload failed/g) ?? []).length;
const otherWarnings = stderr.split('\n').filter((line) => /warn|error/i.test(line) && !/reload/.test(line) && !/self-signed|no manifest/.test(line));
const report = {
  seconds: (Date.now() - t0) / 1000,
  serverErrors: counts.serverErrors + otherWarnings.length,
  serverExit: exited,
  responsesChecked: counts.checked,
  responsesWrong: counts.wrong,
  h2loadRequests: counts.h2loadRequests,
  h2loadFailed: counts.h2loadFailed,
  pushesReset: counts.pushesReset,
  droppedMidResponse: counts.dropped,
  slowClientsCut: counts.slowCut,
  slowClientsNotCut: counts.slowNotCut,
  manifestRewrites: counts.rewrites,
  reloadsTaken: reloads,
  reloadsRefused: refused,
  rss: {
    idleMb: Number(start.rssMb.toFixed(1)),
    steadyMb: Number(steady.rssMb.toFixed(1)),
    steadyAfterS: STEADY_AFTER_MS / 1000,
    endMb: Number(end.rssMb.toFixed(1)),
    growth: Number((end.rssMb / steady.rssMb - 1).toFixed(3)),
    growthFromIdle: Number((end.rssMb / start.rssMb - 1).toFixed(3)),
  },
  fds: { start: start.fds, steady: steady.fds, end: end.fds },
  parts: [...PARTS],
  ...(values.memory
    ? { memoryAfterGc: { start: startMemory, end: endMemory, heapUsedSeries: series.map((m) => m.heapUsed), rssSeries: series.map((m) => m.rss) } }
    : {}),
  warnings: otherWarnings.slice(0, 5),
};
console.log(JSON.stringify(report, null, 2));
const ok = report.serverErrors === 0 && (report.serverExit === '0' || report.serverExit === 'SIGTERM');
const targets = ok && report.responsesWrong === 0 && report.rss.growth < 0.1 && end.fds <= start.fds + 2 && counts.slowNotCut === 0;
process.exitCode = targets ? 0 : 1;
