/**
 * Limits on slow and greedy clients, over real sockets: a connection that trickles its first
 * request is cut at headersTimeoutMs (HTTP/2 and HTTP/1.1 on the TLS port), and the HTTP/2
 * SETTINGS the server sends bound concurrent streams and header lists.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createPushServer, DEFAULT_SERVER_LIMITS } from '@push-manifest/core/runtime';
import { makeDevCertificate } from '../../packages/cli/src/dev-certificate.js';
import { makeSite, siteManifest } from '../helpers/push-site.js';
import { h2session, rawHttp2 } from '../helpers/raw-clients.js';

const site = makeSite();
afterAll(() => rmSync(site, { recursive: true, force: true }));

/** Write `text` one byte every `everyMs`; resolve with the ms until the server closed the socket. */
function trickle(socket: import('node:net').Socket, text: string, everyMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    let index = 0;
    const timer = setInterval(() => {
      if (index < text.length && !socket.destroyed) socket.write(text[index++]!);
    }, everyMs);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    });
    // Bounded: give up after 5 s whatever happens.
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

describe('server limits', () => {
  it('HTTP/2 (h2c): a client trickling the connection preface is cut at headersTimeoutMs', async () => {
    const server = await createPushServer({ root: site, manifest: siteManifest(), h2c: true, limits: { headersTimeoutMs: 300 }, log: () => undefined });
    try {
      const socket = netConnect(server.port, '127.0.0.1');
      const closedAfter = await trickle(socket, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 100);
      expect(closedAfter).toBeGreaterThanOrEqual(250);
      expect(closedAfter).toBeLessThan(3000);
    } finally {
      await server.close();
    }
  });

  it('HTTP/1.1 on the TLS port: a client trickling its request line is cut too', async () => {
    const server = await createPushServer({ root: site, manifest: siteManifest(), tls: await makeDevCertificate('127.0.0.1'), limits: { headersTimeoutMs: 300 }, log: () => undefined });
    try {
      const socket = tlsConnect({ port: server.port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      const closedAfter = await trickle(socket, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 100);
      expect(closedAfter).toBeGreaterThanOrEqual(150);
      expect(closedAfter).toBeLessThan(3000);
    } finally {
      await server.close();
    }
  });

  it('the SETTINGS bound concurrent streams and the header list; a normal client is unaffected', async () => {
    const server = await createPushServer({ root: site, manifest: siteManifest(), h2c: true, log: () => undefined });
    const session = await h2session(server.url);
    try {
      await new Promise((resolve) => (session.remoteSettings.maxConcurrentStreams !== undefined ? resolve(undefined) : session.once('remoteSettings', resolve)));
      expect(session.remoteSettings.maxConcurrentStreams).toBe(DEFAULT_SERVER_LIMITS.maxConcurrentStreams);
      // Over the header-list limit: the stream is refused, the connection and the server live on.
      const huge = await rawHttp2(session, '/', { 'x-big': 'a'.repeat(DEFAULT_SERVER_LIMITS.maxHeaderListSize) }).catch((error: Error) => error);
      expect(huge instanceof Error ? 'refused' : huge.status).not.toBe(200);
      const fresh = await h2session(server.url);
      expect((await rawHttp2(fresh, '/css/app.css')).status).toBe(200);
      fresh.destroy();
    } finally {
      session.destroy();
      await server.close();
    }
  });
});
