/**
 * A `next` that throws (a non-Express framework, or application code run inside it) must not
 * become an unhandled rejection, which ends a Node process by default: it is logged.
 */
import { rmSync } from 'node:fs';
import http2 from 'node:http2';
import { afterAll, describe, expect, it } from 'vitest';
import { createPushHandler, createStaticRoot } from '@push-manifest/core/runtime';
import { close, connect, listen, makeSite, navigate, siteManifest } from '../helpers/push-site.js';

const site = makeSite();
afterAll(() => rmSync(site, { recursive: true, force: true }));

describe('a next() that throws', () => {
  it('is logged, never an unhandled rejection, on a navigation with pushes and on a plain request', async () => {
    const logs: string[] = [];
    // cacheMs 0: every pushed file is looked up on disk, the asynchronous path.
    const root = createStaticRoot(site, { cacheMs: 0 });
    const handler = await createPushHandler({ manifest: siteManifest(), root, log: (_level, message) => logs.push(message) });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const server = http2.createServer((req, res) =>
      handler.middleware(req, res, () => {
        res.end('ok');
        throw new Error('boom from next');
      }),
    );
    const port = await listen(server);
    const session = await connect(port);
    try {
      const page = await navigate(session, '/');
      expect(page.body).toBe('ok');
      expect(page.pushes.length).toBeGreaterThan(0);
      const css = await navigate(session, '/css/app.css', {});
      expect(css.body).toBe('ok');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
      expect(logs.filter((line) => line.includes('boom from next'))).toHaveLength(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      session.close();
      await close(server);
    }
  });
});
