/**
 * `push-manifest serve` as a user runs it (the built CLI in a child process), checked with real
 * clients: nghttp sees PUSH_PROMISE frames, curl sees the 103 and the Link header, HTTP/1.1 still
 * works, h2c works, SIGTERM exits 0.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startServe, type ServeProcess } from '../helpers/serve-process.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('../../fixtures/serve', import.meta.url));
const HINTS = ['/css/app.css', '/fonts/open-sans-300.woff2', '/js/main.js'];

describe('serve over TLS with the fixture manifest', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe([fixture, '--port', '0', '--verbose']);
  });
  afterAll(async () => {
    if (serve.child.exitCode === null) await serve.stop();
  });

  it('says on stderr that the certificate is self-signed and prints the URL', () => {
    expect(serve.stderr()).toMatch(/self-signed certificate/);
    expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('nghttp -nv sees a PUSH_PROMISE for each hinted file before the page headers', async () => {
    const { stdout } = await run('nghttp', ['-nv', `${serve.url}/`], { timeout: 20_000 });
    // nghttp prints a frame's header lines, then the frame line: pair each PUSH_PROMISE with the
    // :path printed just before it, and note where the page's own 200 came.
    const page = /recv \(stream_id=(\d+)\) :status: 103/.exec(stdout)?.[1];
    expect(page).toBeDefined();
    const promised: string[] = [];
    let lastPath = '';
    let lastPromiseLine = -1;
    let pageStatusLine = -1;
    stdout.split('\n').forEach((line, i) => {
      const path = new RegExp(`recv \\(stream_id=${page}\\) :path: (\\S+)`).exec(line);
      if (path?.[1]) lastPath = path[1];
      if (line.includes('recv PUSH_PROMISE frame') && line.includes(`stream_id=${page}>`)) {
        promised.push(lastPath);
        lastPromiseLine = i;
      }
      if (line.includes(`recv (stream_id=${page}) :status: 200`)) pageStatusLine = i;
    });
    expect(promised).toEqual(HINTS);
    expect(pageStatusLine).toBeGreaterThan(lastPromiseLine);
    // Each promised stream was answered with 200.
    expect(stdout.match(/recv \(stream_id=\d*[02468]\) :status: 200/g)).toHaveLength(3);
  });

  it('curl --http2 sees the 103 Early Hints and the Link header', async () => {
    const { stderr } = await run('curl', ['--http2', '-k', '-sS', '-v', '-o', '/dev/null', `${serve.url}/`], { timeout: 20_000 });
    const early = stderr.indexOf('< HTTP/2 103');
    const final = stderr.indexOf('< HTTP/2 200');
    expect(early).toBeGreaterThan(-1);
    expect(final).toBeGreaterThan(early);
    const hint = stderr.slice(early, final);
    expect(hint).toMatch(/< link: <\/css\/app\.css>; rel=preload; as=style, <\/fonts\/open-sans-300\.woff2>; rel=preload; as=font; crossorigin, <\/js\/main\.js>; rel=modulepreload; crossorigin/);
    // curl disables push, so the final Link marks every link nopush.
    expect(stderr.slice(final)).toMatch(/< link: <\/css\/app\.css>; rel=preload; as=style; nopush/);
  });

  it('HTTP/1.1 clients get the page with a Link header and no 103', async () => {
    const { stdout, stderr } = await run('curl', ['--http1.1', '-k', '-sS', '-v', `${serve.url}/`], { timeout: 20_000 });
    expect(stderr).toMatch(/< HTTP\/1\.1 200 OK/);
    expect(stderr).not.toMatch(/< HTTP\/1\.1 103/);
    expect(stderr).toMatch(/< link: <\/css\/app\.css>; rel=preload; as=style/);
    expect(stdout).toContain('<title>push-manifest serve fixture</title>');
    const asset = await run('curl', ['--http1.1', '-k', '-sS', '-D', '-', '-o', '/dev/null', `${serve.url}/css/app.css`], { timeout: 20_000 });
    expect(asset.stdout).toMatch(/content-type: text\/css; charset=utf-8/i);
  });

  it('a Node client that accepts pushes gets the pushed bodies; a second page view on the connection gets no repeat', async () => {
    const session = http2.connect(serve.url, { rejectUnauthorized: false });
    try {
      const pushed = new Map<string, string>();
      const pushDone: Promise<void>[] = [];
      session.on('stream', (stream, headers) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        pushDone.push(new Promise((done) => stream.on('end', () => (pushed.set(String(headers[':path']), Buffer.concat(chunks).toString('latin1')), done()))));
      });
      const page = (cookie?: string) =>
        new Promise<string>((resolve, reject) => {
          const req = session.request({ ':path': '/', accept: 'text/html', ...(cookie ? { cookie } : {}) });
          let body = '';
          req.setEncoding('utf8');
          req.on('data', (c: string) => (body += c));
          req.on('end', () => resolve(body));
          req.on('error', reject);
        });
      expect(await page()).toContain('<title>');
      await Promise.all(pushDone);
      expect([...pushed.keys()].sort()).toEqual([...HINTS].sort());
      expect(pushed.get('/css/app.css')).toContain('@font-face');
      const count = pushDone.length;
      await page();
      expect(pushDone.length).toBe(count);
    } finally {
      session.close();
    }
  });

  it('refuses traversal through the real server', async () => {
    const { stdout } = await run('curl', ['--http2', '-k', '-sS', '--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', `${serve.url}/%2e%2e/%2e%2e/etc/passwd`], { timeout: 20_000 });
    expect(stdout).toBe('400');
  });

  it('SIGTERM: graceful shutdown, exit 0, counters at --verbose', async () => {
    const code = await serve.stop('SIGTERM');
    expect(code).toBe(0);
    expect(serve.stderr()).toMatch(/SIGTERM: closing/);
    expect(serve.stderr()).toMatch(/requests \d+, navigations \d+, pushed [1-9]\d*/);
  });
});

describe('serve options', () => {
  let site: string;
  beforeAll(() => {
    site = mkdtempSync(join(tmpdir(), 'pm-serve-'));
    cpSync(fixture, site, { recursive: true });
  });
  afterAll(() => rmSync(site, { recursive: true, force: true }));

  it('--h2c serves cleartext HTTP/2 (prior knowledge) with hints; SIGINT exits 0', async () => {
    const serve = await startServe([site, '--port', '0', '--h2c']);
    try {
      expect(serve.url).toMatch(/^http:\/\//);
      expect(serve.stderr()).not.toMatch(/self-signed/);
      const { stderr } = await run('curl', ['--http2-prior-knowledge', '-sS', '-v', '-o', '/dev/null', `${serve.url}/`], { timeout: 20_000 });
      expect(stderr).toMatch(/< HTTP\/2 103/);
      expect(stderr).toMatch(/< HTTP\/2 200/);
    } finally {
      expect(await serve.stop('SIGINT')).toBe(0);
    }
  });

  it('--no-early-hints --no-link: neither 103 nor Link', async () => {
    const serve = await startServe([site, '--port', '0', '--no-early-hints', '--no-link']);
    try {
      const { stderr } = await run('curl', ['--http2', '-k', '-sS', '-v', '-o', '/dev/null', `${serve.url}/`], { timeout: 20_000 });
      expect(stderr).not.toMatch(/< HTTP\/2 103/);
      expect(stderr).not.toMatch(/< link:/);
    } finally {
      await serve.stop();
    }
  });

  it('--no-push: nghttp sees no PUSH_PROMISE but the 103', async () => {
    const serve = await startServe([site, '--port', '0', '--no-push']);
    try {
      const { stdout } = await run('nghttp', ['-nv', `${serve.url}/`], { timeout: 20_000 });
      expect(stdout).not.toMatch(/PUSH_PROMISE/);
      expect(stdout).toMatch(/:status: 103/);
    } finally {
      await serve.stop();
    }
  });

  it('--cert/--key are used when given', async () => {
    const { makeDevCertificate } = await import('../../packages/cli/src/dev-certificate.js');
    const pems = await makeDevCertificate('127.0.0.1');
    writeFileSync(join(site, '..', `${site.split('/').pop()}-cert.pem`), pems.cert);
    const certFile = join(site, '..', `${site.split('/').pop()}-cert.pem`);
    const keyFile = join(site, '..', `${site.split('/').pop()}-key.pem`);
    writeFileSync(keyFile, pems.key);
    const serve = await startServe([site, '--port', '0', '--cert', certFile, '--key', keyFile]);
    try {
      expect(serve.stderr()).not.toMatch(/self-signed/);
      const { stdout } = await run('curl', ['--http2', '--cacert', certFile, '-sS', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', `${serve.url}/`], { timeout: 20_000 });
      expect(stdout).toBe('200 2');
    } finally {
      await serve.stop();
      rmSync(certFile, { force: true });
      rmSync(keyFile, { force: true });
    }
  });

  it('a missing default manifest: warns and serves files without hints', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'pm-serve-bare-'));
    writeFileSync(join(bare, 'index.html'), '<!doctype html><title>bare</title>');
    const serve = await startServe([bare, '--port', '0']);
    try {
      expect(serve.stderr()).toMatch(/no manifest at .*push-manifest\.json/);
      const { stdout, stderr } = await run('curl', ['--http2', '-k', '-sS', '-v', `${serve.url}/`], { timeout: 20_000 });
      expect(stdout).toContain('<title>bare</title>');
      expect(stderr).not.toMatch(/< link:/);
    } finally {
      await serve.stop();
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('the manifest file is watched and reloaded', async () => {
    const serve = await startServe([site, '--port', '0']);
    try {
      writeFileSync(join(site, 'push-manifest.json'), JSON.stringify({ 'index.html': { '/css/app.css': { type: 'style', weight: 1 } } }));
      let link = '';
      for (let i = 0; i < 50 && !/^< link: <\/css\/app\.css>; rel=preload; as=style; nopush\r?$/m.test(link); i++) {
        await new Promise((r) => setTimeout(r, 100));
        link = (await run('curl', ['--http2', '-k', '-sS', '-v', '-o', '/dev/null', `${serve.url}/`], { timeout: 20_000 })).stderr;
      }
      expect(link).toMatch(/^< link: <\/css\/app\.css>; rel=preload; as=style; nopush\r?$/m);
    } finally {
      await serve.stop();
      cpSync(join(fixture, 'push-manifest.json'), join(site, 'push-manifest.json'));
    }
  });

  it('--client-push --debug-headers: a link request header gets its push, and the response says so', async () => {
    const serve = await startServe([site, '--port', '0', '--client-push', '--debug-headers']);
    const session = http2.connect(serve.url, { rejectUnauthorized: false });
    try {
      const pushed: string[] = [];
      session.on('stream', (stream, headers) => {
        pushed.push(String(headers[':path']));
        stream.resume();
      });
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const req = session.request({ ':path': '/js/main.js', link: '</css/app.css>; rel=preload; as=style, <https://other.example/x.css>; rel=preload' });
        req.on('response', resolve);
        req.on('error', reject);
        req.resume();
      });
      expect(headers[':status']).toBe(200);
      expect(headers['x-http2-push-promise']).toBe('/css/app.css');
      expect(pushed).toEqual(['/css/app.css']);
    } finally {
      session.destroy();
      await serve.stop();
    }
  });

  it('bad input: exit 2 with one line', async () => {
    await expect(run(process.execPath, [CLI, 'serve', join(site, 'nope'), '--port', '0'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/no such folder/) });
    await expect(run(process.execPath, [CLI, 'serve', site, '--port', 'abc'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--port must be an integer/) });
    await expect(run(process.execPath, [CLI, 'serve', site, '--port', '0', '--manifest', join(site, 'missing.json')])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/no such manifest/) });
    await expect(run(process.execPath, [CLI, 'serve', site, '--port', '0', '--cert', join(site, 'index.html')])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--cert and --key go together/) });
  });
});
