/** `serve` at start-up: bad input is one line and exit 2; the manifest is checked against the root; the dev certificate is kept. */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spkiHash } from '@push-manifest/core/runtime';
import { startServe } from '../helpers/serve-process.js';
import { manifestFixture, runCli } from './helpers.js';

const site = new URL('../../fixtures/serve', import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-serve-start-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(2);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('error'));
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

/** The certificate a TLS server at `url` presents. */
function peerCertificate(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.end();
      if (raw) resolve(raw.toString());
      else reject(new Error('no certificate'));
    });
    socket.once('error', reject);
  });
}

describe('serve start-up errors', () => {
  it('a root that is not a folder', async () => {
    expectOneLine(await runCli(['serve', join(site, 'index.html'), '--port', '0']), /index\.html: not a folder/);
    expectOneLine(await runCli(['serve', join(dir, 'nope'), '--port', '0']), /nope: no such folder/);
  });

  it('an unreadable or unusable certificate', async () => {
    expectOneLine(await runCli(['serve', site, '--port', '0', '--cert', join(dir, 'no.pem'), '--key', join(dir, 'no.pem')]), /no\.pem: cannot read the --cert file \(ENOENT\)/);
    const junk = join(dir, 'junk.pem');
    await writeFile(junk, 'not a certificate\n');
    expectOneLine(await runCli(['serve', site, '--port', '0', '--cert', junk, '--key', junk]), /not a usable certificate and key/);
  });

  it('a port that is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runCli(['serve', site, '--port', String(port), '--cache-dir', join(dir, 'cache')]);
      expectOneLine(result, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use .*--port 0`));
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });
});

describe('serve checks the manifest against the root', () => {
  it('warns once per listed file that is missing, then counts them, and still serves', async () => {
    const root = join(dir, 'other-site');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
    const manifest = manifestFixture('http2-push-manifest/multi.json');
    const server = await startServe([root, '--manifest', manifest, '--port', '0', '--cache-dir', join(dir, 'cache')]);
    try {
      const warnings = server.stderr().split('\n').filter((line) => line.startsWith('warning'));
      expect(warnings.filter((line) => line.includes('no file at'))).toHaveLength(3);
      expect(warnings).toContainEqual(expect.stringMatching(/^warning 3 files listed in .* not under .*other-site: is it this site's manifest\?/));
    } finally {
      await server.stop();
    }
  });

  it('says nothing when every file is there', async () => {
    const server = await startServe([site, '--port', '0', '--cache-dir', join(dir, 'cache')]);
    try {
      expect(server.stderr()).not.toContain('warning');
    } finally {
      await server.stop();
    }
  });
});

describe('the development certificate', () => {
  it('is kept in the cache folder and reused across restarts; serve prints its SPKI hash', async () => {
    const cacheDir = join(dir, 'cert-cache');
    const spkiOf = (stderr: string) => /--ignore-certificate-errors-spki-list=(\S+)/.exec(stderr)?.[1];
    const first = await startServe([site, '--port', '0', '--cache-dir', cacheDir]);
    const firstCert = await peerCertificate(first.url).finally(() => first.stop());
    expect(first.stderr()).toContain(`made now, kept in ${join(cacheDir, 'dev-certificate.json')}`);
    const pin = spkiOf(first.stderr());
    expect(pin).toBe(spkiHash(firstCert));

    const second = await startServe([site, '--port', '0', '--cache-dir', cacheDir]);
    const secondCert = await peerCertificate(second.url).finally(() => second.stop());
    expect(second.stderr()).toContain('kept in');
    expect(second.stderr()).not.toContain('made now');
    expect(new X509Certificate(secondCert).fingerprint256).toBe(new X509Certificate(firstCert).fingerprint256);
    expect(spkiOf(second.stderr())).toBe(pin);
    // The kept key is not readable by others.
    const { mode } = await import('node:fs').then((fs) => fs.statSync(join(cacheDir, 'dev-certificate.json')));
    expect(mode & 0o077).toBe(0);

    // A damaged file is replaced by a new certificate, not an error.
    await writeFile(join(cacheDir, 'dev-certificate.json'), '{ damaged');
    const third = await startServe([site, '--port', '0', '--cache-dir', cacheDir]);
    await third.stop();
    expect(third.stderr()).toContain('made now');
    expect(JSON.parse(await readFile(join(cacheDir, 'dev-certificate.json'), 'utf8'))).toHaveProperty('cert');
  });
});
