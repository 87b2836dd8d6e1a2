#!/usr/bin/env node
/**
 * `pnpm bench:browser`: the gain of the hints on example/site's front page in headless Chromium,
 * at RTT 100 ms, 5 cold loads per variant, interleaved: no hints, the default manifest, and the
 * manifest after `measure --learn --write`. Runs on a copy of the site (the learned manifest is
 * written there). Targets (issue 14): default LCP at least 1 RTT earlier than no hints, learned at
 * least 2 RTT earlier, nothing fetched twice.
 *
 *   node bench/browser.mjs [--rtt 100] [--runs 5] [--down <kbit/s>]
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const rtt = Number(flag('--rtt', '100'));
const runs = flag('--runs', '5');
const down = flag('--down', undefined);

const cli = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const example = fileURLToPath(new URL('../example/site', import.meta.url));
const site = mkdtempSync(join(tmpdir(), 'pm-bench-browser-'));
cpSync(example, site, { recursive: true });

function run(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
const before = load();
try {
  const argv = ['measure', '--root', site, '--pages', 'index.html', '--rtt', String(rtt), '--runs', runs, '--learn', '--write', '--json', '--quiet'];
  if (down) argv.push('--down', down);
  const { code, out } = await run(argv);
  if (code !== 0) throw new Error(`measure exited with ${code}`);
  const page = JSON.parse(out).pages[0];
  const after = page.afterLearn;
  const rtts = (ms) => (ms / rtt).toFixed(2);
  const rows = [
    ['variant', 'LCP ms', 'FCP ms', 'LCP gain', 'duplicates'],
    ['no hints', page.plain.lcp, page.plain.fcp, '', page.plain.duplicates.length],
    ['default manifest', page.hinted.lcp, page.hinted.fcp, `${page.gain.lcp} ms = ${rtts(page.gain.lcp)} RTT`, page.hinted.duplicates.length],
  ];
  if (after) {
    rows.push([`after --learn --write (vs ${after.hinted.lcp + after.gain.lcp} ms unhinted)`, after.hinted.lcp, after.hinted.fcp, `${after.gain.lcp} ms = ${rtts(after.gain.lcp)} RTT`, after.duplicates.length]);
  }
  console.log(`example/site /index.html, RTT ${rtt} ms${down ? `, ${down} kbit/s down` : ''}, ${runs} runs per variant (medians)`);
  const widths = [48, 10, 10, 24, 10];
  for (const row of rows) console.log(row.map((c, i) => String(c).padEnd(widths[i])).join(''));
  console.log(`learned: ${(page.learned ?? []).map((l) => `${l.url} (${l.type})`).join(', ') || 'nothing'}`);
  console.log(`load average before ${before}, after ${load()}`);
  const met = page.gain.lcp >= rtt && (after?.gain.lcp ?? 0) >= 2 * rtt && page.hinted.duplicates.length === 0 && (after?.duplicates.length ?? 0) === 0;
  console.log(met ? 'targets met' : 'targets NOT met (default ≥ 1 RTT, learned ≥ 2 RTT, no duplicates)');
} finally {
  rmSync(site, { recursive: true, force: true });
}
