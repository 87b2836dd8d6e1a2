/**
 * The h2o export against the real h2o 2.2: `h2o -t`, then Link headers in both URL forms,
 * none on assets, and pushes from the Link header with --push.
 */
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportH2o } from '@push-manifest/core/export';
import { configTest, curl, freePort, makeTlsDir, nghttpPushes, serverCommand, startServer, type RunningServer } from './real-server.js';
import { expectEveryPageLinked, expectPatternRoutes } from './server-checks.js';
import { PAGE_URLS, makeExportSite, patternManifest, runtimeLink, runtimePushes, siteManifest } from './site.js';

const indent = (text: string, spaces: number) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');

function h2oConf(dir: string, root: string, cert: string, key: string, hosts: { port: number; snippet: string }[]): string {
  const lines = [`user: ${userInfo().username}`, `error-log: ${join(dir, 'error.log')}`, 'hosts:'];
  for (const { port, snippet } of hosts) {
    lines.push(
      `  "127.0.0.1:${port}":`,
      '    listen:',
      `      port: ${port}`,
      '      host: 127.0.0.1',
      '      ssl:',
      `        certificate-file: ${cert}`,
      `        key-file: ${key}`,
      '        ocsp-update-interval: 0',
      '    paths:',
      '      "/":',
      indent(snippet, 8),
      `        file.dir: ${root}`,
    );
  }
  const conf = join(dir, 'h2o.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  return conf;
}

describe('h2o export, checked by h2o itself', () => {
  let server: RunningServer;
  let plainPort: number;
  let pushPort: number;
  let patternPort: number;
  beforeAll(async () => {
    const { dir, cert, key } = await makeTlsDir('h2o');
    plainPort = await freePort();
    pushPort = await freePort();
    patternPort = await freePort();
    const conf = h2oConf(dir, makeExportSite(), cert, key, [
      { port: plainPort, snippet: exportH2o(siteManifest(), { manifestName: 'push-manifest.json' }).text },
      { port: pushPort, snippet: exportH2o(siteManifest(), { push: true }).text },
      { port: patternPort, snippet: exportH2o(patternManifest()).text },
    ]);
    await configTest(serverCommand('h2o'), ['-t', '-c', conf]);
    server = await startServer(serverCommand('h2o'), ['-c', conf], pushPort, {}, join(dir, 'error.log'));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes a regular-expression route so that it matches what the runtime matches', async () => {
    await expectPatternRoutes(patternPort);
  });

  it('answers every page, in every URL form, with the runtime\'s Link header, and assets with none', async () => {
    await expectEveryPageLinked(plainPort);
  });

  it('pushes nothing without --push (every link nopush), and with it each pushable entry', async () => {
    expect(await nghttpPushes(plainPort, '/')).toEqual([]);
    for (const [key, urls] of Object.entries(PAGE_URLS)) {
      // h2o pushes from rel=preload links only: module scripts are hinted, not pushed.
      const modules = ['/js/main.js', '/js/dep.js'];
      expect(await nghttpPushes(pushPort, urls[0] as string), key).toEqual(runtimePushes(key).filter((url) => !modules.includes(url)));
      expect((await curl(pushPort, urls[0] as string)).links, key).toEqual([runtimeLink(key, true)]);
    }
  });
});

describe('h2o export text', () => {
  it('writes Ruby single-quoted strings, so quotes, backslashes and #{} stay literal', () => {
    const manifest = siteManifest();
    manifest.pages.set("/it's#{x}.html", [{ url: '/css/app.css', type: 'style', weight: 1 }]);
    const { text } = exportH2o(manifest);
    expect(text).toContain(String.raw`      '/it\'s#{x}.html' => '</css/app.css>; rel=preload; as=style; nopush',`);
  });

  it('says which pages have modules h2o will not push', () => {
    expect(exportH2o(siteManifest(), { push: true }).warnings).toEqual([
      'h2o pushes only rel=preload links: the modulepreload entries of /index.html, /caf%C3%A9.html are hinted, not pushed',
    ]);
  });

  it('offers the casper setting with --push, commented out', () => {
    expect(exportH2o(siteManifest(), { push: true }).text).toContain('\n# http2-casper: ON\n');
  });
});
