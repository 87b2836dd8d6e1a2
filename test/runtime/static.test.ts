/**
 * Static serving against real servers on loopback, on all three code paths (raw HTTP/2 streams,
 * the HTTP/2 compatibility API, node:http over a raw socket). Request paths are sent byte for byte
 * so no client normalises `..` or `%2e%2e` away before the server sees it.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import http, { type Server } from 'node:http';
import http2, { type ClientHttp2Session, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticRoot, serveStatic, serveStaticStream, type StaticRoot } from '@push-manifest/core/runtime';
import { h2session, rawHttp1, rawHttp2, type RawResponse } from '../helpers/raw-clients.js';

const SECRET = 'TOP-SECRET-do-not-serve';
const APP_JS = `export const answer = 42; // ${'padding '.repeat(40)}\n`;

let base: string;
let site: string;
let staticRoot: StaticRoot;
let rawServer: Http2Server;
let compatServer: Http2Server;
let h1Server: Server;
const sessions: ClientHttp2Session[] = [];

function buildSite() {
  base = mkdtempSync(join(tmpdir(), 'pm-static-'));
  site = join(base, 'site');
  const outside = join(base, 'outside');
  // A sibling whose name starts with the root's name: a `startsWith` containment check would let it through.
  const sibling = join(base, 'site-secret');
  for (const dir of [site, outside, sibling, join(site, 'sub'), join(site, 'docs'), join(site, '.git'), join(site, '.well-known'), join(site, 'etc')]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  writeFileSync(join(sibling, 'x.txt'), SECRET);
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(site, 'about.html'), '<!doctype html><title>about</title>');
  writeFileSync(join(site, 'docs', 'index.html'), '<!doctype html><title>docs</title>');
  writeFileSync(join(site, 'sub', 'page.html'), '<!doctype html><title>sub</title>');
  writeFileSync(join(site, 'etc', 'hosts.txt'), 'a harmless file under the root');
  writeFileSync(join(site, 'app.js'), APP_JS);
  writeFileSync(join(site, 'app.js.br'), brotliCompressSync(APP_JS));
  writeFileSync(join(site, 'app.js.gz'), gzipSync(APP_JS));
  writeFileSync(join(site, 'style.css'), 'body { color: red }\n');
  writeFileSync(join(site, 'app.3f9a2c1b.js'), 'console.log(1)\n');
  writeFileSync(join(site, 'index-BkX3a9Qz.js'), 'console.log(2)\n');
  writeFileSync(join(site, 'digits.txt'), '0123456789');
  // A file literally named `%2e%2e`: reachable only as `/%252e%252e`, proof that we decode once.
  writeFileSync(join(site, '%2e%2e'), 'literal percent name');
  writeFileSync(join(site, '.env'), SECRET);
  writeFileSync(join(site, '.git', 'config'), SECRET);
  writeFileSync(join(site, '.well-known', 'security.txt'), 'Contact: mailto:security@example.com\n');
  symlinkSync(join(site, 'style.css'), join(site, 'inner-link.css'));
  symlinkSync(join(outside, 'secret.txt'), join(site, 'out-link.txt'));
  symlinkSync(outside, join(site, 'out-dir'));
  symlinkSync(join(sibling, 'x.txt'), join(site, 'prefix-link.txt'));
  symlinkSync(join(site, '.env'), join(site, 'dot-link.txt'));
  // A precompressed sibling that leads out of the root must not be served either.
  writeFileSync(join(site, 'leaky.js'), 'console.log("plain")\n');
  symlinkSync(join(outside, 'secret.txt'), join(site, 'leaky.js.br'));
}

const listen = (server: Server | Http2Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

type Fetch = (path: string, headers?: Record<string, string>, method?: string) => Promise<RawResponse>;
const transports: { name: string; fetch: () => Fetch }[] = [];

beforeAll(async () => {
  buildSite();
  staticRoot = createStaticRoot(site, { cacheMs: 1000 });

  rawServer = http2.createServer();
  rawServer.on('stream', (stream, headers) => {
    serveStaticStream(staticRoot, stream, headers).then(
      (served) => {
        if (!served) stream.respond({ ':status': 404 }, { endStream: true });
      },
      () => stream.respond({ ':status': 500 }, { endStream: true }),
    );
  });
  compatServer = http2.createServer((req, res) => {
    serveStatic(staticRoot, req, res).then((served) => {
      if (!served) {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  h1Server = http.createServer((req, res) => {
    serveStatic(staticRoot, req, res).then((served) => {
      if (!served) {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  const [rawPort, compatPort, h1Port] = await Promise.all([listen(rawServer), listen(compatServer), listen(h1Server)]);
  const rawSession = await h2session(`http://127.0.0.1:${rawPort}`);
  const compatSession = await h2session(`http://127.0.0.1:${compatPort}`);
  sessions.push(rawSession, compatSession);
  transports.push(
    { name: 'http2 stream API', fetch: () => (path, headers, method) => rawHttp2(rawSession, path, headers, method) },
    { name: 'http2 compat API', fetch: () => (path, headers, method) => rawHttp2(compatSession, path, headers, method) },
    {
      name: 'http/1.1',
      fetch: () => (path, headers = {}, method) =>
        rawHttp1(h1Port, path, Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join(''), method),
    },
  );
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await Promise.all([rawServer, compatServer, h1Server].map((server) => new Promise((done) => server?.close(done))));
  rmSync(base, { recursive: true, force: true });
});

// [request target, expected status]. Raw HTTP/1.1 may answer 400 from Node's own parser for
// characters it refuses; that is accepted wherever the server itself answers 400.
const ATTACKS: [string, number][] = [
  ['/../outside/secret.txt', 400],
  ['/../../../../etc/passwd', 400],
  ['/sub/../../outside/secret.txt', 400],
  ['/%2e%2e/outside/secret.txt', 400],
  ['/%2E%2E/%2E%2E/etc/passwd', 400],
  ['/.%2e/outside/secret.txt', 400],
  ['/..%2foutside%2fsecret.txt', 400],
  ['/%2e%2e%2foutside%2fsecret.txt', 400],
  ['/%252e%252e/outside/secret.txt', 404],
  ['/%252e%252e%252foutside%252fsecret.txt', 404],
  ['/%2e%2e%252foutside/secret.txt', 404],
  ['/index.html%00.txt', 400],
  ['/%00', 400],
  ['/..%5coutside%5csecret.txt', 400],
  ['/%5c..%5c..%5cetc%5cpasswd', 400],
  ['/%E0%A4%A', 400],
  ['/%', 400],
  ['/etc/passwd', 404],
  ['//etc/passwd', 404],
  ['///etc/passwd', 404],
  ['/C:/Windows/win.ini', 400],
  ['/out-link.txt', 404],
  ['/out-dir/secret.txt', 404],
  ['/prefix-link.txt', 404],
  ['/dot-link.txt', 404],
  ['/.env', 404],
  ['/.git/config', 404],
  ['/%2egit/config', 404],
  ['/sub/.env', 404],
  ['/.well-known/../.env', 400],
];

describe.each(['http2 stream API', 'http2 compat API', 'http/1.1'])('attack list over %s', (name) => {
  const fetch: Fetch = (...args) => transports.find((t) => t.name === name)!.fetch()(...args);

  it.each(ATTACKS)('%s → %i, never a file from outside the root', async (target, status) => {
    const response = await fetch(target);
    expect(response.body.toString()).not.toContain(SECRET);
    expect(response.status).toBe(status);
  });

  it('a backslash sent raw is refused', async () => {
    const response = await fetch('/..\\outside\\secret.txt');
    expect(response.body.toString()).not.toContain(SECRET);
    expect(response.status).toBe(400);
  });

  it('decodes exactly once: /%252e%252e is the file literally named %2e%2e', async () => {
    const response = await fetch('/%252e%252e');
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('literal percent name');
  });

  it('serves /.well-known/ but no other dotfile', async () => {
    const response = await fetch('/.well-known/security.txt');
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('Contact:');
  });

  it('follows a symlink that stays inside the root', async () => {
    const response = await fetch('/inner-link.css');
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('body { color: red }\n');
    expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves //etc/hosts.txt from the root (slashes merged, never absolute)', async () => {
    const response = await fetch('//etc/hosts.txt');
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('a harmless file under the root');
  });

  it('never serves a precompressed sibling that leads out of the root', async () => {
    const response = await fetch('/leaky.js', { 'accept-encoding': 'br' });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body.toString()).toBe('console.log("plain")\n');
  });

  it('index.html for folders, a redirect for a folder without its slash, clean URLs', async () => {
    const home = await fetch('/');
    expect(home.status).toBe(200);
    expect(home.body.toString()).toContain('<title>home</title>');
    const docs = await fetch('/docs/');
    expect(docs.body.toString()).toContain('<title>docs</title>');
    const redirect = await fetch('/docs?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/?x=1'); // the query is kept
    const about = await fetch('/about');
    expect(about.status).toBe(200);
    expect(about.body.toString()).toContain('<title>about</title>');
    expect((await fetch('/style.css/')).status).toBe(404);
    expect((await fetch('/sub/')).status).toBe(404);
  });

  it('a redirect Location never points at another host', async () => {
    const response = await fetch('//docs');
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('/docs/');
  });

  it('content types, cache-control and validators', async () => {
    const html = await fetch('/index.html');
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['cache-control']).toBe('no-cache');
    expect(html.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(new Date(String(html.headers['last-modified'])).getTime()).not.toBeNaN();
    const hashed = await fetch('/app.3f9a2c1b.js');
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(hashed.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const vite = await fetch('/index-BkX3a9Qz.js');
    expect(vite.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await fetch('/style.css');
    expect(plain.headers['cache-control']).toBe('public, max-age=300');
    expect(plain.headers['content-length']).toBe('20');
  });

  it('304 for If-None-Match (weak comparison, lists) and If-Modified-Since', async () => {
    const first = await fetch('/style.css');
    const etag = String(first.headers.etag);
    const byTag = await fetch('/style.css', { 'if-none-match': `"other", ${etag}` });
    expect(byTag.status).toBe(304);
    expect(byTag.body.length).toBe(0);
    expect(byTag.headers.etag).toBe(etag);
    const strongForm = await fetch('/style.css', { 'if-none-match': etag.slice(2) });
    expect(strongForm.status).toBe(304);
    const stale = await fetch('/style.css', { 'if-none-match': '"nope"' });
    expect(stale.status).toBe(200);
    const byDate = await fetch('/style.css', { 'if-modified-since': String(first.headers['last-modified']) });
    expect(byDate.status).toBe(304);
    const older = await fetch('/style.css', { 'if-modified-since': new Date(Date.parse(String(first.headers['last-modified'])) - 60_000).toUTCString() });
    expect(older.status).toBe(200);
    // If-None-Match wins over If-Modified-Since.
    const both = await fetch('/style.css', { 'if-none-match': '"nope"', 'if-modified-since': String(first.headers['last-modified']) });
    expect(both.status).toBe(200);
  });

  it('HEAD: headers without a body', async () => {
    const response = await fetch('/style.css', {}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('20');
    expect(response.body.length).toBe(0);
  });

  it('single Range: 206, suffix, open-ended, 416, multiple ranges ignored, If-Range', async () => {
    const middle = await fetch('/digits.txt', { range: 'bytes=2-4' });
    expect(middle.status).toBe(206);
    expect(middle.body.toString()).toBe('234');
    expect(middle.headers['content-range']).toBe('bytes 2-4/10');
    expect(middle.headers['content-length']).toBe('3');
    const suffix = await fetch('/digits.txt', { range: 'bytes=-3' });
    expect(suffix.body.toString()).toBe('789');
    const open = await fetch('/digits.txt', { range: 'bytes=7-' });
    expect(open.body.toString()).toBe('789');
    const clamped = await fetch('/digits.txt', { range: 'bytes=8-100' });
    expect(clamped.body.toString()).toBe('89');
    const unsatisfiable = await fetch('/digits.txt', { range: 'bytes=10-' });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe('bytes */10');
    const multi = await fetch('/digits.txt', { range: 'bytes=0-1,4-5' });
    expect(multi.status).toBe(200);
    expect(multi.body.toString()).toBe('0123456789');
    const full = await fetch('/digits.txt');
    const dated = await fetch('/digits.txt', { range: 'bytes=0-0', 'if-range': String(full.headers['last-modified']) });
    expect(dated.status).toBe(206);
    // Our ETags are weak; If-Range needs a strong match, so the whole file comes back.
    const tagged = await fetch('/digits.txt', { range: 'bytes=0-0', 'if-range': String(full.headers.etag) });
    expect(tagged.status).toBe(200);
    expect(tagged.body.toString()).toBe('0123456789');
  });

  it('precompressed siblings by Accept-Encoding, with Vary and the original content type', async () => {
    const br = await fetch('/app.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(brotliDecompressSync(br.body).toString()).toBe(APP_JS);
    const gz = await fetch('/app.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(APP_JS);
    const refusedBr = await fetch('/app.js', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    expect(refusedBr.headers['content-encoding']).toBe('gzip');
    const identity = await fetch('/app.js');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toBe('Accept-Encoding');
    expect(identity.body.toString()).toBe(APP_JS);
    expect(br.headers.etag).not.toBe(identity.headers.etag);
  });
});

describe('request targets that are not paths', () => {
  it('HTTP/1.1 absolute-form and asterisk-form targets get 400, never a file', async () => {
    const h1 = transports.find((t) => t.name === 'http/1.1')!.fetch();
    for (const target of ['http://127.0.0.1/etc/passwd', 'file:///etc/passwd', '*']) {
      const response = await h1(target);
      expect(response.body.toString()).not.toContain(SECRET);
      expect(response.status, target).toBe(400);
    }
  });
});

describe('stat cache stays correct when files change', () => {
  it('a file edited right after being served is served new, with a new ETag and length', async () => {
    const file = join(site, 'changing.txt');
    writeFileSync(file, 'first');
    for (const { fetch } of transports) {
      writeFileSync(file, 'first');
      utimesSync(file, new Date(1_000_000), new Date(1_000_000));
      const before = await fetch()('/changing.txt');
      expect(before.body.toString()).toBe('first');
      writeFileSync(file, 'second, longer');
      const after = await fetch()('/changing.txt');
      expect(after.body.toString()).toBe('second, longer');
      expect(after.headers['content-length']).toBe('14');
      expect(after.headers.etag).not.toBe(before.headers.etag);
    }
  });

  it('a same-size edit with a new mtime is served new, also once the body is held in memory', async () => {
    const file = join(site, 'same-size.txt');
    for (const [i, { fetch }] of transports.entries()) {
      writeFileSync(file, 'aaaa');
      utimesSync(file, new Date(2_000_000 + i * 10_000), new Date(2_000_000 + i * 10_000));
      // A few requests so the HTTP/2 path loads the body into memory.
      for (let n = 0; n < 3; n++) {
        expect((await fetch()('/same-size.txt')).body.toString()).toBe('aaaa');
        await new Promise((r) => setTimeout(r, 20));
      }
      writeFileSync(file, 'bbbb');
      utimesSync(file, new Date(3_000_000 + i * 10_000), new Date(3_000_000 + i * 10_000));
      const after = await fetch()('/same-size.txt');
      expect(after.body.toString()).toBe('bbbb');
      expect(after.headers['last-modified']).toBe(new Date(3_000_000 + i * 10_000).toUTCString());
    }
  });

  it('lookup() is what the push handler uses: null outside the root, BAD_PATH on traversal', async () => {
    await expect(staticRoot.lookup('/out-link.txt')).resolves.toBeNull();
    await expect(staticRoot.lookup('/%2e%2e/x')).rejects.toMatchObject({ code: 'BAD_PATH' });
    const file = await staticRoot.lookup('/app.js?v=3', 'br');
    expect(file).toMatchObject({ encoding: 'br', contentType: 'text/javascript; charset=utf-8' });
    expect(file?.path.endsWith('app.js.br')).toBe(true);
    expect(file?.headers['content-length']).toBe(String(file?.size));
  });

  it('refuses to start on a missing root', () => {
    expect(() => createStaticRoot(join(base, 'nope'))).toThrow(/does not exist/);
    expect(() => createStaticRoot(join(site, 'style.css'))).toThrow(/not a folder/);
  });
});
