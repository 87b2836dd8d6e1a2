import { execFile } from 'node:child_process';
import type http2 from 'node:http2';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createPushHandler, createStaticRoot } from '@push-manifest/core/runtime';
import { close, compatServer, listen, makeSite, siteManifest, streamServer } from '../helpers/push-site.js';

const run = promisify(execFile);
const site = makeSite();
const servers: http2.Http2Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await close(s);
});

/** Frame-level events nghttp -nv printed, in order: `PUSH_PROMISE <path>`, `103`, `RESPONSE <status>`. */
function frames(output: string): string[] {
  const events: string[] = [];
  let pending: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const header = /recv \(stream_id=(\d+)\) ([^:]*:?[^:]+): (.*)$/.exec(line);
    if (header) {
      pending[header[2] as string] = header[3] as string;
      continue;
    }
    if (/recv PUSH_PROMISE frame/.test(line)) {
      events.push(`PUSH_PROMISE ${pending[':path']}`);
      pending = {};
    } else if (/recv HEADERS frame <[^>]*stream_id=(\d+)>/.test(line)) {
      const stream = Number(/stream_id=(\d+)/.exec(line)?.[1]);
      const status = pending[':status'];
      if (stream % 2 === 1) events.push(status === '103' ? '103' : `RESPONSE ${status}`);
      else events.push(`PUSHED ${status}`);
      pending = {};
    }
  }
  return events;
}

describe.each([
  ['compat', compatServer],
  ['stream', streamServer],
] as const)('nghttp -nv against the http2 %s API', (_name, make) => {
  it('sees the 103, then every PUSH_PROMISE, before the page response', async () => {
    const root = createStaticRoot(site);
    const handler = await createPushHandler({ manifest: siteManifest(), root });
    const server = make(handler, root);
    servers.push(server);
    const port = await listen(server);
    const { stdout } = await run('nghttp', ['-nv', '-H', 'accept: text/html', `http://127.0.0.1:${port}/`], { timeout: 15_000 });
    const events = frames(stdout);
    const response = events.indexOf('RESPONSE 200');
    expect(response).toBeGreaterThan(0);
    expect(events[0]).toBe('103');
    const promises = events.filter((e) => e.startsWith('PUSH_PROMISE'));
    expect(promises).toEqual(['PUSH_PROMISE /css/app.css', 'PUSH_PROMISE /fonts/f.woff2', 'PUSH_PROMISE /js/main.js', 'PUSH_PROMISE /js/dep.js']);
    for (const p of promises) expect(events.indexOf(p)).toBeLessThan(response);
    expect(events.filter((e) => e === 'PUSHED 200')).toHaveLength(4);
    expect(handler.stats().pushed).toBe(4);
  });
});
