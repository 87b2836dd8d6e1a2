/**
 * URLs with `,` and `;` (issue 8): a browser requests `/a,b.css?v=1;2` as written, so the manifest
 * carries it raw and every runtime path must stay safe and correct with it: the Link header (one
 * link, not split at the comma), 103 Early Hints over HTTP/2 and HTTP/1.1 (Node's writeEarlyHints),
 * the PUSH_PROMISE `:path`, client-requested pushes, the route table and static serving.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import type http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '@push-manifest/core/manifest';
import {
  createPushHandler,
  createStaticRoot,
  formatLink,
  parseLinkHeader,
  planClientPush,
  resourceLink,
  RouteTable,
} from '@push-manifest/core/runtime';
import { close, compatServer, connect, get1, http1Server, listen, navigate, streamServer } from '../helpers/push-site.js';

const CSS = '/a,b.css?v=1;2';
const FONT = '/f;o,nt.woff2';
const files: Record<string, string> = {
  'index.html': `<!doctype html><link rel=stylesheet href="${CSS}"><h1>home</h1>\n`,
  'p,q;r.html': '<!doctype html><h1>p</h1>\n',
  'a,b.css': 'body{color:red}\n',
  'f;o,nt.woff2': 'wOF2-bytes\n',
};
const root = mkdtempSync(join(tmpdir(), 'pm-comma-urls-'));
for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
mkdirSync(join(root, 'sub'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Read from JSON, as `serve` would: the reader accepts the raw characters. */
const manifest: Manifest = parseManifest({
  'index.html': { [CSS]: { type: 'style', weight: 2 }, [FONT]: { type: 'font', weight: 1 } },
  'p,q;r.html': { [CSS]: { type: 'style', weight: 1 } },
});

const cssLink = `<${CSS}>; rel=preload; as=style`;
const fontLink = `<${FONT}>; rel=preload; as=font; crossorigin`;

describe('the Link writer and parser', () => {
  it('write , and ; raw inside <…> and read the link back whole', () => {
    const value = formatLink(resourceLink({ url: CSS, type: 'style', weight: 1 }, false));
    expect(value).toBe(cssLink);
    const both = `${value}, ${fontLink}`;
    expect(parseLinkHeader(both).map((link) => [link.url, link.params.get('as')])).toEqual([
      [CSS, 'style'],
      [FONT, 'font'],
    ]);
  });

  it('still refuse what could break the header: CR, LF, <, >, controls, space, non-ASCII', () => {
    for (const url of ['/a\r\nx: y', '/a\nb', '/a>b', '/a<b', '/a\u0001', '/a b', '/caf\u00e9', '/a\u2028']) {
      expect(() => formatLink({ url, params: [['rel', 'preload']] }), JSON.stringify(url)).toThrow(TypeError);
    }
  });
});

describe('the route table', () => {
  const table = RouteTable.fromManifest(manifest);
  it('finds a page whose path has , and ; (and its clean URL), with the raw URLs in its headers', () => {
    const route = table.match('/p,q;r.html');
    expect(route?.key).toBe('/p,q;r.html');
    expect(table.match('/p,q;r')?.key).toBe('/p,q;r.html');
    expect(route?.linkHeader).toBe(`${cssLink}; nopush`);
    expect(table.match('/')?.pushes.map((push) => push.url)).toEqual([CSS, FONT]);
    expect(table.match('/')?.earlyHintsForNode).toEqual([cssLink, fontLink]);
  });
});

describe('client-requested pushes', () => {
  it('keep , and ; as the client wrote them, absolute or relative', () => {
    const origin = { scheme: 'https', authority: 'x.example' };
    expect(planClientPush(`<${CSS}>; rel=preload; as=style, <f;o,nt.woff2>; rel=preload`, '/', origin).urls).toEqual([CSS, FONT]);
  });
});

describe('over the wire', () => {
  const servers: (http.Server | http2.Http2Server)[] = [];
  const sessions: http2.ClientHttp2Session[] = [];
  afterAll(async () => {
    for (const session of sessions) session.destroy();
    for (const server of servers) await close(server);
  });

  for (const kind of ['compat', 'stream'] as const) {
    it(`HTTP/2 (${kind}): 103 and Link name the raw URLs, the PUSH_PROMISE :path is the raw URL, and the pushed body is the file`, async () => {
      const staticRoot = createStaticRoot(root);
      const handler = await createPushHandler({ manifest, root: staticRoot, digest: false });
      const server = kind === 'compat' ? compatServer(handler, staticRoot) : streamServer(handler, staticRoot);
      servers.push(server);
      const session = await connect(await listen(server));
      sessions.push(session);
      const nav = await navigate(session, '/', { accept: 'text/html', 'sec-fetch-dest': 'document', 'accept-encoding': 'identity' });
      expect(nav.status).toBe(200);
      expect(nav.early.map((headers) => headers.link)).toEqual([`${cssLink}, ${fontLink}`]);
      expect(parseLinkHeader(String(nav.headers.link)).map((link) => link.url)).toEqual([CSS, FONT]);
      expect(nav.pushes.map((push) => push.path)).toEqual([CSS, FONT]);
      expect(nav.pushes.map((push) => push.body)).toEqual([files['a,b.css'], files['f;o,nt.woff2']]);
      // And the browser's own request for the raw URL is served the same file.
      const direct = await navigate(session, CSS, { accept: 'text/css' });
      expect([direct.status, direct.body]).toEqual([200, files['a,b.css']]);
    });
  }

  it("HTTP/1.1: Node's writeEarlyHints accepts the links, and the file is served", async () => {
    const staticRoot = createStaticRoot(root);
    const handler = await createPushHandler({ manifest, root: staticRoot, earlyHints: 'always', digest: false });
    const server = http1Server(handler, staticRoot);
    servers.push(server);
    const port = await listen(server);
    const page = await get1(port, '/');
    expect(page.status).toBe(200);
    expect(page.early).toEqual([103]);
    expect(parseLinkHeader(String(page.headers.link)).map((link) => link.url)).toEqual([CSS, FONT]);
    const css = await get1(port, CSS, { accept: 'text/css' });
    expect([css.status, css.body]).toEqual([200, files['a,b.css']]);
  });
});
