/**
 * `push-manifest inspect` as a user runs it (the built CLI), against the project's own `serve`
 * over TLS and HTTP/2, and against a deliberately wrong server whose mistakes `--manifest` flags.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDevCertificate } from '../../packages/cli/dist/dev-certificate.js';
import { runCli } from '../cli/helpers.js';
import { CLI, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { startWrongServer, WRONG_MANIFEST, type WrongServer } from './wrong-server.js';

const fixture = fileURLToPath(new URL('../../fixtures/serve', import.meta.url));
const fixtureManifest = join(fixture, 'push-manifest.json');
const HINTS = ['/css/app.css', '/fonts/open-sans-300.woff2', '/js/main.js'];

/** Run `inspect --json` and parse its report. */
async function inspectJson(args: string[]) {
  const result = await runCli(['inspect', ...args, '--json']);
  return { ...result, report: result.stdout === '' ? undefined : JSON.parse(result.stdout) };
}

describe('inspect against push-manifest serve (TLS, HTTP/2)', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe([fixture, '--port', '0']);
  });
  afterAll(async () => {
    await serve.stop();
  });

  it('records the 103, the pushes before the response, the Link header and the digest cookie', async () => {
    const { code, report, stderr } = await inspectJson([`${serve.url}/`, '--insecure']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.protocol).toBe('h2');
    const nav = report.navigations[0];
    expect(nav.status).toBe(200);
    expect(nav.earlyHints).toHaveLength(1);
    expect(nav.earlyHints[0].links.map((l: { url: string }) => l.url)).toEqual(HINTS);
    expect(nav.earlyHints[0].at).toBeLessThanOrEqual(nav.responseAt);
    expect(nav.pushes.map((p: { path: string }) => p.path)).toEqual(HINTS);
    for (const pushed of nav.pushes) {
      expect(pushed).toMatchObject({ status: 200, beforeResponse: true });
      expect(pushed.bytes).toBeGreaterThan(0);
      expect(pushed.finishedAt).toBeGreaterThanOrEqual(pushed.promisedAt);
    }
    expect(nav.pushes[1].contentType).toBe('font/woff2');
    const font = nav.links.find((l: { url: string }) => l.url === '/fonts/open-sans-300.woff2');
    expect(font).toMatchObject({ rel: ['preload'], as: 'font', crossorigin: '' });
    expect(nav.links.find((l: { url: string }) => l.url === '/js/main.js').rel).toEqual(['modulepreload']);
    expect(nav.cookies).toEqual([expect.objectContaining({ name: 'pm_digest', digest: true, value: expect.any(String) })]);
    expect(nav.summary.pushed).toEqual(HINTS);
    expect(nav.summary.bytesPushed).toBe(nav.pushes.reduce((n: number, p: { bytes: number }) => n + p.bytes, 0));
    expect(nav.summary.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
  });

  it('--manifest with the manifest it serves: matches, exit 0; for /about/ too, over HTTP/1.1', async () => {
    const home = await runCli(['inspect', `${serve.url}/`, '-k', '--manifest', fixtureManifest]);
    expect(home.stderr).toMatch(/route \/index\.html, 3 resources\n\s+matches/);
    expect(home.code).toBe(0);
    const about = await inspectJson([`${serve.url}/about/`, '-k', '--h1', '--manifest', fixtureManifest]);
    expect(about.code).toBe(0);
    expect(about.report.protocol).toBe('http/1.1');
    expect(about.report.manifest).toMatchObject({ route: '/about/index.html', ok: true, mismatches: [] });
    // Over HTTP/1.1 nothing is pushed, so the Link header marks everything nopush.
    expect(about.report.navigations[0].links.every((l: { nopush: boolean }) => l.nopush)).toBe(true);
  });

  it('--manifest with a different manifest: lists what is missing and extra, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-inspect-other-'));
    try {
      const other = join(dir, 'other.json');
      writeFileSync(other, JSON.stringify({ 'index.html': { '/css/app.css': { type: 'style', weight: 256 }, '/css/print.css': { type: 'style', weight: 255 } } }));
      const { code, report } = await inspectJson([`${serve.url}/`, '-k', '--manifest', other]);
      expect(code).toBe(1);
      const kinds = report.manifest.mismatches.map((m: { kind: string; url: string }) => `${m.kind} ${m.url}`);
      expect(kinds).toEqual(expect.arrayContaining(['missing /css/print.css', 'extra /fonts/open-sans-300.woff2', 'extra /js/main.js']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--repeat: nothing pushed again on the same connection, nor on a new one carrying the digest cookie', async () => {
    const { code, report } = await inspectJson([`${serve.url}/`, '-k', '--repeat']);
    expect(code).toBe(0);
    expect(report.navigations.map((n: { label: string }) => n.label)).toEqual(['first', 'same-connection', 'new-connection']);
    expect(report.navigations[2].request.cookie).toMatch(/^pm_digest=/);
    for (const diff of report.repeat) {
      expect(diff).toMatchObject({ pushedAgain: [], notPushedAgain: HINTS, newlyPushed: [] });
    }
    // Still hinted, now all nopush: the browser holds them.
    expect(report.navigations[1].links.map((l: { nopush: boolean }) => l.nopush)).toEqual([true, true, true]);
  });

  it('prints an aligned timeline on stderr, nothing on stdout', async () => {
    const { code, stdout, stderr } = await runCli(['inspect', `${serve.url}/`, '-k']);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const pushLines = stderr.split('\n').filter((line) => line.includes(' PUSH '));
    expect(pushLines).toHaveLength(3);
    // Columns line up: the status of every push starts at the same offset.
    const at = pushLines.map((line) => line.search(/ 200 /));
    expect(new Set(at).size).toBe(1);
    expect(stderr).not.toMatch(/\x1b\[/);
  });
});

describe('inspect --manifest against a deliberately wrong server', () => {
  let wrong: WrongServer;
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    wrong = await startWrongServer();
    dir = mkdtempSync(join(tmpdir(), 'pm-inspect-wrong-'));
    manifest = join(dir, 'push-manifest.json');
    writeFileSync(manifest, JSON.stringify(WRONG_MANIFEST));
  });
  afterAll(async () => {
    await wrong.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (path: string) => inspectJson([`${wrong.url}${path}`, '-k', '--manifest', manifest]);

  it('a font hinted without crossorigin: mistyped, exit 1', async () => {
    const { code, report } = await check('/font');
    expect(code).toBe(1);
    expect(report.manifest.mismatches).toEqual([
      expect.objectContaining({ kind: 'mistyped', url: '/fonts/f.woff2', params: [{ name: 'crossorigin', expected: 'anonymous' }], message: expect.stringMatching(/font hinted without crossorigin/) }),
    ]);
    expect(report.navigations[0].summary.problems).toEqual([expect.objectContaining({ kind: 'font-without-crossorigin', severity: 'error' })]);
  });

  it('a duplicate push: exit 1, and the text output says so', async () => {
    const { code, report } = await check('/dup');
    expect(code).toBe(1);
    expect(report.manifest.mismatches).toEqual([]);
    expect(report.navigations[0].summary.problems).toContainEqual(expect.objectContaining({ kind: 'pushed-twice', url: '/css/app.css' }));
    const text = await runCli(['inspect', `${wrong.url}/dup`, '-k', '--manifest', manifest]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/problem \/css\/app\.css is pushed twice/);
  });

  it('a stale hashed file: the old name pushed with 404 and hinted, the new one missing, exit 1', async () => {
    const { code, report } = await check('/stale');
    expect(code).toBe(1);
    expect(report.manifest.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'missing', url: '/js/app.9c1b.js' }),
        expect.objectContaining({ kind: 'extra', url: '/js/app.3f2a.js', message: expect.stringMatching(/stale, the manifest now lists \/js\/app\.9c1b\.js/) }),
      ]),
    );
    expect(report.navigations[0].summary.problems).toContainEqual(expect.objectContaining({ kind: 'push-failed', message: expect.stringMatching(/status 404/) }));
  });

  it('a Link header over 3 KB: every link matches, the size alone fails it, exit 1', async () => {
    const { code, report } = await check('/big');
    expect(code).toBe(1);
    expect(report.manifest.mismatches).toEqual([]);
    expect(report.navigations[0].summary.linkHeaderBytes).toBeGreaterThan(3072);
    expect(report.navigations[0].summary.problems).toContainEqual(expect.objectContaining({ kind: 'link-header-size', severity: 'error' }));
  });

  it('links out of manifest order: exit 1', async () => {
    const { code, report } = await check('/order');
    expect(code).toBe(1);
    expect(report.manifest.mismatches).toEqual([expect.objectContaining({ kind: 'out-of-order', url: '/css/app.css' })]);
  });

  // CI is unset for the child: Node's colour detection gives 2 colours (none) under a bare CI=true.
  it('colours on a terminal, none with NO_COLOR (a pseudo-terminal from util-linux script)', async () => {
    const onTty = (env: Record<string, string | undefined>) =>
      new Promise<string>((resolve, reject) => {
        const command = [process.execPath, CLI, 'inspect', `${wrong.url}/font`, '-k'].map((arg) => `'${arg}'`).join(' ');
        execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined, CI: undefined, TERM: 'xterm-256color', ...env }, timeout: 20_000 }, (error, stdout) =>
          error && error.code !== 0 ? reject(error) : resolve(stdout),
        );
      });
    const coloured = await onTty({});
    expect(coloured).toMatch(/\x1b\[31mproblem\x1b\[39m \/fonts\/f\.woff2 is a font hinted without crossorigin/);
    const plain = await onTty({ NO_COLOR: '1' });
    expect(plain).toMatch(/problem \/fonts\/f\.woff2 is a font hinted without crossorigin/);
    expect(plain).not.toMatch(/\x1b\[/);
  });

  it('a page that matches: exit 0 (the test above can fail)', async () => {
    const { code, report } = await check('/good');
    expect(report.manifest).toMatchObject({ route: '/good.html', ok: true });
    expect(code).toBe(0);
  });
});

describe('inspect: bad input is one line and exit 2', () => {
  let wrong: WrongServer;
  beforeAll(async () => {
    wrong = await startWrongServer();
  });
  afterAll(async () => {
    await wrong.close();
  });

  const oneLine = (stderr: string, pattern: RegExp) => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(pattern);
  };

  it('a URL that is not http(s)', async () => {
    const { code, stderr } = await runCli(['inspect', 'ftp://127.0.0.1/']);
    expect(code).toBe(2);
    oneLine(stderr, /^error not an http\(s\) URL: ftp:\/\/127\.0\.0\.1\//);
  });

  it('an unreachable host (a port nobody listens on)', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const { code, stderr } = await runCli(['inspect', `https://127.0.0.1:${port}/`]);
    expect(code).toBe(2);
    oneLine(stderr, new RegExp(`^error cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`));
  });

  it('a self-signed certificate without --insecure', async () => {
    const { code, stderr } = await runCli(['inspect', `${wrong.url}/good`]);
    expect(code).toBe(2);
    oneLine(stderr, /^error the TLS certificate of 127\.0\.0\.1:\d+ was refused: self-signed certificate .*--insecure/);
  });

  it('a server that never answers, with --timeout', async () => {
    const started = Date.now();
    const { code, stderr } = await runCli(['inspect', `${wrong.url}/hang`, '-k', '--timeout', '400']);
    expect(code).toBe(2);
    oneLine(stderr, /^error no complete answer from https:\/\/127\.0\.0\.1:\d+\/hang within 400 ms \(--timeout\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a bad --timeout and a missing --manifest file', async () => {
    const bad = await runCli(['inspect', `${wrong.url}/good`, '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    oneLine(bad.stderr, /--timeout must be a whole number/);
    const missing = await runCli(['inspect', `${wrong.url}/good`, '-k', '--manifest', '/nonexistent/m.json']);
    expect(missing.code).toBe(2);
    oneLine(missing.stderr, /m\.json/);
  });
});

describe('inspect picks the protocol as a browser would', () => {
  it('an https server that offers no h2 by ALPN: HTTP/1.1, with its 103 and Link header', async () => {
    const { cert, key } = await makeDevCertificate('127.0.0.1');
    const server = https.createServer({ cert, key }, (_req, res) => {
      res.writeEarlyHints({ link: '</css/app.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'text/html', link: '</css/app.css>; rel=preload; as=style; nopush' });
      res.end('<!doctype html>\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const { code, report } = await inspectJson([`https://127.0.0.1:${port}/`, '-k']);
      expect(code).toBe(0);
      expect(report.protocol).toBe('http/1.1');
      expect(report.navigations[0].earlyHints.map((h: { links: { url: string }[] }) => h.links.map((l) => l.url))).toEqual([['/css/app.css']]);
      expect(report.navigations[0].links).toEqual([expect.objectContaining({ url: '/css/app.css', nopush: true })]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('serve --h2c with --h2c: cleartext HTTP/2, pushes included', async () => {
    const serve = await startServe([fixture, '--port', '0', '--h2c']);
    try {
      expect(serve.url).toMatch(/^http:/);
      const { code, report } = await inspectJson([`${serve.url}/`, '--h2c', '--manifest', fixtureManifest]);
      expect(report.protocol).toBe('h2');
      expect(report.navigations[0].pushes.map((p: { path: string }) => p.path)).toEqual(HINTS);
      expect(code).toBe(0);
    } finally {
      await serve.stop();
    }
  });
});
