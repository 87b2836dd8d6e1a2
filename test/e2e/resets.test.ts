/**
 * Clients that reset streams must never take the server down. On Node 20.20, a stream answered with
 * `respondWithFile`/`respondWithFD` and reset by the client while the file is being read makes the
 * process die of SIGSEGV (the native file pipe writes into the destroyed stream): a few hundred
 * cancelled requests were enough, with files of any size. This runs the built `serve` in a child
 * process, so a crash shows up as the child's exit signal rather than killing the test runner.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const fixture = fileURLToPath(new URL('../../fixtures/serve', import.meta.url));
/** Larger than the body cache's per-file limit (64 KiB): always read from disk. */
const BIG = Buffer.alloc(200 * 1024, 'push-manifest ');

describe('serve with clients that reset their streams', () => {
  let serve: ServeProcess;
  let site: string;
  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'pm-resets-'));
    cpSync(fixture, site, { recursive: true });
    writeFileSync(join(site, 'big.bin'), BIG);
    // The page pushes the big file as well, so pushed streams are read from disk too.
    writeFileSync(
      join(site, 'push-manifest.json'),
      JSON.stringify({ 'index.html': { '/css/app.css': { type: 'style', weight: 2 }, '/big.bin': { type: 'fetch', weight: 1 } } }),
    );
    serve = await startServe([site, '--port', '0', '--h2c']);
  });
  afterAll(async () => {
    if (serve.child.exitCode === null && serve.child.signalCode === null) await serve.stop();
    rmSync(site, { recursive: true, force: true });
  });

  const alive = () => ({ exitCode: serve.child.exitCode, signal: serve.child.signalCode });
  /** Resolves when serve exits, with how. */
  let exited: Promise<string>;
  beforeAll(() => {
    exited = new Promise((resolve) => serve.child.once('exit', (code, signal) => resolve(`serve exited: code ${String(code)}, signal ${String(signal)}`)));
  });

  /** One connection: a request per path, each cancelled as soon as its response headers arrive, every push cancelled. */
  const cancelling = (paths: readonly string[], extra: Record<string, string> = {}) =>
    new Promise<void>((resolve) => {
      const session = http2.connect(serve.url);
      session.on('error', () => undefined);
      session.on('stream', (pushed) => {
        pushed.on('error', () => undefined);
        pushed.close(http2.constants.NGHTTP2_CANCEL);
      });
      // A request counts as done at its response (which it then cancels) or its end. Not only at
      // 'close': Node's client does not always emit 'close' on a stream it cancelled.
      let left = paths.length;
      const settle = (state: { done: boolean }) => {
        if (state.done) return;
        state.done = true;
        if (--left === 0) {
          // The RST_STREAM frames go out before the connection is dropped.
          setImmediate(() => {
            session.destroy();
            resolve();
          });
        }
      };
      for (const path of paths) {
        const state = { done: false };
        const req = session.request({ ':path': path, accept: 'text/html', ...extra });
        req.on('error', () => settle(state));
        req.on('response', () => {
          req.close(http2.constants.NGHTTP2_CANCEL);
          settle(state);
        });
        req.on('close', () => settle(state));
      }
    });

  it('survives hundreds of requests and pushes cancelled mid-response (disk and memory, whole files and ranges)', async () => {
    const started = Date.now();
    for (let round = 0; round < 400 && Date.now() - started < 20_000; round++) {
      const extra: Record<string, string> = round % 4 === 3 ? { range: 'bytes=100-150000' } : {};
      const outcome = await Promise.race([
        cancelling(['/', '/big.bin', '/big.bin', '/css/app.css', '/', '/big.bin', '/js/main.js', '/big.bin'], extra).then(() => 'ok'),
        exited,
        new Promise<string>((resolve) => setTimeout(() => resolve('round timed out'), 10_000)),
      ]);
      expect(outcome, `round ${round}, serve ${JSON.stringify(alive())}: ${serve.stderr()}`).toBe('ok');
    }
    // Still serving, whole bodies, with pushes.
    const session = http2.connect(serve.url);
    try {
      const body = await new Promise<{ status: number; length: number; pushes: string[] }>((resolve, reject) => {
        const pushes: string[] = [];
        session.on('stream', (pushed, headers) => {
          pushes.push(String(headers[':path']));
          pushed.resume();
        });
        const req = session.request({ ':path': '/big.bin' });
        let status = 0;
        let length = 0;
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (chunk: Buffer) => (length += chunk.length));
        req.on('end', () => resolve({ status, length, pushes }));
        req.on('error', reject);
      });
      expect(body).toEqual({ status: 200, length: BIG.length, pushes: [] });
    } finally {
      session.destroy();
    }
    expect(alive()).toEqual({ exitCode: null, signal: null });
  });
});
