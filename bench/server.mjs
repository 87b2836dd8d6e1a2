// pnpm bench:server — `push-manifest serve` against the ceiling for any Node HTTP/2 server (a
// minimal server that only calls respondWithFile), in the same run, on loopback, with bounded
// load. Both servers run as child processes on their own ports with the same certificate.
// Usage: node bench/server.mjs [--requests 20000] [--views 1000] [--rounds 5] [--only h2load|views] [--baseline <cli/dist/main.js>]
// --baseline runs another build of the CLI (say, main's) as a fourth server in the same rounds.
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { requests: { type: 'string', default: '20000' }, views: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' }, only: { type: 'string' }, baseline: { type: 'string' } },
});
const REQUESTS = Number(values.requests);
const VIEWS = Number(values.views);
const ROUNDS = Number(values.rounds);
// --only views: just the page views with pushes (quicker when working on the push path).
const ONLY = values.only;
if (ONLY !== undefined && ONLY !== 'h2load' && ONLY !== 'views') throw new Error(`--only h2load|views, got ${ONLY}`);
const PUSHES = ['/css/app.css', '/fonts/open-sans-300.woff2', '/js/main.js'];

const { generate } = createRequire(join(repo, 'packages/cli/package.json'))('selfsigned');
const work = mkdtempSync(join(tmpdir(), 'pm-bench-server-'));
const site = join(work, 'site');
mkdirSync(site);
cpSync(join(repo, 'fixtures/serve'), site, { recursive: true });
const pems = await generate([{ name: 'commonName', value: 'bench' }], {
  keyType: 'ec',
  curve: 'P-256',
  extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
});
writeFileSync(join(work, 'cert.pem'), pems.cert);
writeFileSync(join(work, 'key.pem'), pems.private);

/** Start a child and resolve with the URL it prints (stdout for the ceiling, stderr for serve). */
function start(name, args, stream) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${text}`)), 20_000);
    child[stream].on('data', (chunk) => {
      text += chunk;
      const match = /(https?:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}: ${text}`)));
  });
}

const stop = ({ child }) =>
  new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });

/** CPU time (user + system, ms) a child has used so far, from /proc (Linux). */
function cpuMs(child) {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ=100)
  } catch {
    return Number.NaN;
  }
}

async function h2load(url) {
  const args = ['-n', String(REQUESTS), '-c', '10', '-m', '10', '-t', '1', '-H', 'accept-encoding: br, gzip', url];
  const { stdout } = await run('h2load', args, { timeout: 120_000, maxBuffer: 1 << 22 });
  const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(stdout)?.[1]);
  const succeeded = Number(/requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(stdout)?.[1]);
  // h2load files a 103 Early Hints under 3xx (it buckets the first :status it sees), so a page with
  // hints shows up as 3xx: require no failures and no 4xx/5xx instead of "all 2xx".
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  if (!(succeeded === REQUESTS && codes && Number(codes[3]) + Number(codes[4]) === 0)) throw new Error(`h2load ${url}: not every request succeeded\n${stdout}`);
  return rps;
}

async function pushViews(url) {
  const { stdout } = await run(process.execPath, [join(repo, 'bench/push-client.mjs'), url, String(VIEWS), '10'], { timeout: 120_000 });
  return JSON.parse(stdout);
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

const ceiling = await start('ceiling', [join(repo, 'bench/server-ceiling.mjs'), site, join(work, 'cert.pem'), join(work, 'key.pem'), PUSHES.join(',')], 'stdout');
const sameHeaders = await start('ceiling+headers', [join(repo, 'bench/server-ceiling.mjs'), site, join(work, 'cert.pem'), join(work, 'key.pem'), PUSHES.join(','), 'headers'], 'stdout');
const ours = await start(
  'serve',
  [join(repo, 'packages/cli/dist/main.js'), 'serve', site, '--port', '0', '--cert', join(work, 'cert.pem'), '--key', join(work, 'key.pem')],
  'stderr',
);

const serveArgs = (main) => [main, 'serve', site, '--port', '0', '--cert', join(work, 'cert.pem'), '--key', join(work, 'key.pem')];
const baseline = values.baseline === undefined ? undefined : await start('baseline', serveArgs(values.baseline), 'stderr');
const servers = [['ceiling', ceiling], ['ours', ours], ['sameHeaders', sameHeaders], ...(baseline ? [['baseline', baseline]] : [])];

const cases = [
  { name: 'html page with hints (GET /)', path: '/' },
  { name: 'plain asset (GET /css/app.css)', path: '/css/app.css' },
];
const results = {};
try {
  // Warm both (JIT, file caches), then alternate rounds so drift on a shared machine hits both alike.
  for (const [, server] of servers) await h2load(`${server.url}/`).catch(() => undefined);
  for (const c of ONLY === 'views' ? [] : cases) {
    const samples = Object.fromEntries(servers.map(([name]) => [name, []]));
    const cpu = Object.fromEntries(servers.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, server] of servers) {
        const before = cpuMs(server.child);
        samples[name].push(await h2load(server.url + c.path));
        cpu[name].push(((cpuMs(server.child) - before) / REQUESTS) * 1000);
      }
    }
    results[c.name] = {
      unit: 'req/s',
      ceiling: median(samples.ceiling),
      ours: median(samples.ours),
      // The minimal server sending the same headers as serve (ETag, Last-Modified, Cache-Control,
      // Accept-Ranges): what those headers cost, apart from our code.
      ceilingSameHeaders: median(samples.sameHeaders),
      samples,
      // Server CPU per 1,000 requests: steadier than req/s on a shared machine.
      cpuMsPer1000: { ceiling: median(cpu.ceiling), ours: median(cpu.ours), ceilingSameHeaders: median(cpu.sameHeaders), ...(baseline ? { baseline: median(cpu.baseline) } : {}) },
      ...(baseline ? { baseline: median(samples.baseline) } : {}),
    };
  }
  const samples = { ceiling: [], ours: [], baseline: [] };
  const cpu = { ceiling: [], ours: [], baseline: [] };
  let pushesPerView = {};
  for (let round = 0; ONLY !== 'h2load' && round < ROUNDS; round++) {
    let before = cpuMs(ceiling.child);
    const c = await pushViews(ceiling.url);
    cpu.ceiling.push(((cpuMs(ceiling.child) - before) / VIEWS) * 1000);
    before = cpuMs(ours.child);
    const o = await pushViews(ours.url);
    cpu.ours.push(((cpuMs(ours.child) - before) / VIEWS) * 1000);
    samples.ceiling.push(c.viewsPerSecond);
    samples.ours.push(o.viewsPerSecond);
    if (baseline) {
      before = cpuMs(baseline.child);
      const b = await pushViews(baseline.url);
      cpu.baseline.push(((cpuMs(baseline.child) - before) / VIEWS) * 1000);
      samples.baseline.push(b.viewsPerSecond);
    }
    pushesPerView = { ceiling: c.pushesPerView, ours: o.pushesPerView };
  }
  if (ONLY !== 'h2load') {
    if (!(pushesPerView.ours >= PUSHES.length)) throw new Error(`serve pushed ${pushesPerView.ours} per view, expected ${PUSHES.length}`);
    results['page views with pushes (new connection per view, HTML + 3 pushes)'] = {
      unit: 'views/s',
      ceiling: median(samples.ceiling),
      ours: median(samples.ours),
      samples,
      pushesPerView,
      // Server CPU per 1,000 views (TLS handshake, page, pushes): steadier than views/s.
      cpuMsPer1000: { ceiling: median(cpu.ceiling), ours: median(cpu.ours), ...(baseline ? { baseline: median(cpu.baseline) } : {}) },
      ...(baseline ? { baseline: median(samples.baseline) } : {}),
      cpuSamples: cpu,
    };
  }
} finally {
  await Promise.all(servers.map(([, server]) => stop(server)));
  rmSync(work, { recursive: true, force: true });
}

console.log(`push-manifest serve vs minimal respondWithFile server (${cpus().length} cores, median of ${ROUNDS})`);
for (const [name, r] of Object.entries(results)) {
  r.ratio = Number((r.ours / r.ceiling).toFixed(3));
  const cpu =
    r.ceilingSameHeaders !== undefined
      ? `\n${''.padEnd(70)} same-headers ceiling ${r.ceilingSameHeaders.toFixed(0)} req/s; server CPU per 1000 req: ours ${r.cpuMsPer1000.ours.toFixed(0)} ms, ceiling ${r.cpuMsPer1000.ceiling.toFixed(0)} ms, same-headers ${r.cpuMsPer1000.ceilingSameHeaders.toFixed(0)} ms`
      : `\n${''.padEnd(70)} server CPU per 1000 views: ours ${r.cpuMsPer1000.ours.toFixed(0)} ms, ceiling ${r.cpuMsPer1000.ceiling.toFixed(0)} ms`;
  const versus = r.baseline === undefined ? '' : `\n${''.padEnd(70)} baseline ${r.baseline.toFixed(0)} ${r.unit} (ours/baseline ${(r.ours / r.baseline).toFixed(3)}), CPU per 1000: baseline ${r.cpuMsPer1000.baseline.toFixed(0)} ms`;
  console.log(`${name.padEnd(70)} ours ${r.ours.toFixed(0).padStart(6)} ${r.unit}  ceiling ${r.ceiling.toFixed(0).padStart(6)}  ratio ${r.ratio.toFixed(2)}x${cpu}${versus}`);
}
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  command: `node bench/server.mjs --requests ${REQUESTS} --views ${VIEWS} --rounds ${ROUNDS}${ONLY ? ` --only ${ONLY}` : ''}${values.baseline ? ' --baseline <main build>' : ''}`,
  h2load: `h2load -n ${REQUESTS} -c 10 -m 10 -t 1 -H 'accept-encoding: br, gzip' <url>`,
  target: 0.9,
  results,
};
mkdirSync(join(repo, 'bench/results'), { recursive: true });
writeFileSync(join(repo, 'bench/results/server-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
