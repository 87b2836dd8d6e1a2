/**
 * A closed HTTP/2 connection is garbage once it is closed, not when its idle timer would have
 * fired (idleTimeoutMs, 60 s by default): Node leaves a destroyed session's timer armed, and the
 * timer list held every dropped connection (session, socket, streams, push diary) for a minute.
 * The soak's push-resetting client grew the server's heap by about 1 MB a second that way.
 */
import { rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@push-manifest/core/manifest';
import { createPushServer } from '@push-manifest/core/runtime';
import { makeSite, siteManifest } from '../helpers/push-site.js';

const site = makeSite();
afterAll(() => rmSync(site, { recursive: true, force: true }));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// Bigger than the body cache and the client's flow-control window: its push is still being sent
// when the client drops the connection.
writeFileSync(join(site, 'img/big.jpg'), Buffer.alloc(2 * 1024 * 1024, 'x'));
const bigPush: Manifest = { pages: new Map([['/index.html', [{ url: '/img/big.jpg', type: 'image', weight: 1 }]]]) };

/**
 * One page view on its own connection, then the connection dropped: with every push reset (the
 * soak's resetting client; the server ends the session through destroy()), or with a push left
 * unread mid-body (the socket closes under open streams, which Node ends without destroy()).
 */
async function view(url: string, pushes: 'reset' | 'unread'): Promise<void> {
  const session = http2.connect(url, { settings: { enablePush: true } });
  session.on('error', () => undefined);
  session.on('stream', (pushed) => {
    pushed.on('error', () => undefined);
    if (pushes === 'reset') pushed.close(http2.constants.NGHTTP2_CANCEL);
  });
  await new Promise<void>((resolve) => {
    const req = session.request({ ':path': '/', accept: 'text/html', 'sec-fetch-dest': 'document' });
    req.on('error', () => resolve());
    req.resume();
    req.on('close', () => resolve());
  });
  await new Promise<void>((resolve) => {
    session.once('close', () => resolve());
    session.destroy();
  });
}

describe('dropped HTTP/2 connections', () => {
  it.each([
    ['every push reset', 'reset', siteManifest()],
    ['a push left unread mid-body', 'unread', bigPush],
  ] as const)('are collectable as soon as they closed, long before the idle timeout (%s)', async (_name, pushes, manifest) => {
    const server = await createPushServer({ root: site, manifest, h2c: true, log: () => undefined });
    // The server's sessions, seen (weakly) through the pushes it answers on them.
    const seen: WeakRef<http2.Http2Session>[] = [];
    const settings = server.handler.runtime.settings;
    const respond = settings.respondPush;
    settings.respondPush = (stream, file, onError) => {
      if (stream.session !== undefined && !seen.some((ref) => ref.deref() === stream.session)) seen.push(new WeakRef(stream.session));
      respond(stream, file, onError);
    };
    try {
      for (let i = 0; i < 20; i++) await view(server.url, pushes);
      expect(seen).toHaveLength(20);
      // The server sees each socket close a moment after the client, and WeakRefs are cleared only
      // after the job that made them: up to 50 turns of 20 ms, each ending in a full GC (the idle
      // timeout that held them is 60 s).
      let alive = seen.length;
      for (let round = 0; round < 50 && alive > 0; round++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        gc();
        alive = seen.filter((ref) => ref.deref() !== undefined).length;
      }
      expect(alive).toBe(0);
    } finally {
      await server.close();
    }
  });
});
