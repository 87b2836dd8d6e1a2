/**
 * The Apache export against the real httpd (mod_http2, mod_ssl, mod_headers): `apache2ctl -t`
 * on the snippet inside a TLS <VirtualHost>, then Link headers, pushes (nghttp) and 103 Early
 * Hints (curl -v) from one server started for this file.
 */
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportApache } from '@push-manifest/core/export';
import { parseLinkHeader } from '@push-manifest/core/runtime';
import { configTest, curl, freePort, makeTlsDir, nghttpPushes, serverCommand, startServer, type RunningServer } from './real-server.js';
import { expectEveryPageLinked, expectPatternRoutes } from './server-checks.js';
import { ASSET_URLS, PAGE_URLS, makeExportSite, patternManifest, runtimeLink, runtimePushes, siteManifest } from './site.js';

const MODULES = '/usr/lib/apache2/modules';

/** A whole httpd config: its own ServerRoot, two TLS vhosts (plain, and push + early hints) on two ports. */
function apacheConf(dir: string, root: string, cert: string, key: string, vhosts: { port: number; snippet: string }[]): string {
  const modules = ['mpm_event', 'authz_core', 'mime', 'dir', 'headers', 'socache_shmcb', 'ssl', 'http2'];
  const lines = [
    `ServerRoot ${dir}`,
    `DefaultRuntimeDir ${dir}`,
    `PidFile ${join(dir, 'httpd.pid')}`,
    `ErrorLog ${join(dir, 'error.log')}`,
    'LogLevel warn',
    'ServerName 127.0.0.1',
    // As root, httpd serves as an unprivileged user (it refuses root); as anyone else, as itself.
    ...(userInfo().uid === 0 ? ['User nobody', 'Group nogroup'] : []),
    ...modules.map((name) => `LoadModule ${name}_module ${MODULES}/mod_${name}.so`),
    'StartServers 1',
    'ServerLimit 1',
    'ThreadsPerChild 8',
    'MaxRequestWorkers 8',
    `TypesConfig ${join(dir, 'mime.types')}`,
    'AddType text/html .html',
    'AddType text/css .css',
    'AddType text/javascript .js',
    'AddType font/woff2 .woff2',
    'AddType image/jpeg .jpg',
    `DocumentRoot ${root}`,
    'DirectoryIndex index.html',
    `<Directory ${root}>`,
    '  Require all granted',
    '</Directory>',
    `SSLSessionCache shmcb:${join(dir, 'ssl_scache')}(512000)`,
  ];
  vhosts.forEach(({ port, snippet }, i) => {
    const file = join(dir, `push-manifest-${i}.conf`);
    writeFileSync(file, snippet);
    lines.push(
      `Listen 127.0.0.1:${port}`,
      `<VirtualHost 127.0.0.1:${port}>`,
      '  Protocols h2 http/1.1',
      '  SSLEngine on',
      `  SSLCertificateFile ${cert}`,
      `  SSLCertificateKeyFile ${key}`,
      `  Include ${file}`,
      '</VirtualHost>',
    );
  });
  writeFileSync(join(dir, 'mime.types'), '');
  const conf = join(dir, 'httpd.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  return conf;
}

describe('Apache export, checked by httpd itself', () => {
  let server: RunningServer;
  let plainPort: number;
  let pushPort: number;
  let patternPort: number;
  beforeAll(async () => {
    const { dir, cert, key } = await makeTlsDir('apache');
    plainPort = await freePort();
    pushPort = await freePort();
    patternPort = await freePort();
    const conf = apacheConf(dir, makeExportSite(), cert, key, [
      { port: plainPort, snippet: exportApache(siteManifest(), { manifestName: 'push-manifest.json' }).text },
      { port: pushPort, snippet: exportApache(siteManifest(), { push: true, earlyHints: true }).text },
      { port: patternPort, snippet: exportApache(patternManifest()).text },
    ]);
    // apache2ctl reads Debian's envvars, then runs apache2 with these arguments.
    await configTest(serverCommand('apache2ctl'), ['-t', '-f', conf]);
    server = await startServer(serverCommand('apache2'), ['-DFOREGROUND', '-f', conf], pushPort, {}, join(dir, 'error.log'));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes a regular-expression route so that it matches what the runtime matches', async () => {
    await expectPatternRoutes(patternPort);
  });

  it('answers every page, in every URL form, with the runtime\'s Link header (a "%" in a URL kept as it is)', async () => {
    await expectEveryPageLinked(plainPort, { assets: false });
    expect(runtimeLink('/blog.html')).toContain('</css/50%25.css>');
  });

  it('adds no Link header to assets, even those under a page folder', async () => {
    for (const url of ASSET_URLS) expect((await curl(plainPort, url)).links, url).toEqual([]);
  });

  it('does not push without --push (every link is nopush)', async () => {
    expect(await nghttpPushes(plainPort, '/')).toEqual([]);
  });

  it('with --push and --early-hints, nghttp sees a PUSH_PROMISE for each pushable entry, once', async () => {
    for (const [key, urls] of Object.entries(PAGE_URLS)) {
      for (const url of urls) {
        const pushes = await nghttpPushes(pushPort, url);
        expect(pushes, url).toEqual([...new Set(pushes)]);
        expect([...pushes].sort(), url).toEqual([...runtimePushes(key)].sort());
      }
    }
  });

  it('with --early-hints, curl -v sees a 103 with the Link value before the 200', async () => {
    const page = await curl(pushPort, '/index.html', ['-v']);
    expect(page.responses.map((r) => r.status)).toEqual([103, 200]);
    // mod_http2 adds a bare `rel=preload` link for each H2PushResource (the modules, which it will
    // not push from a modulepreload link); browsers ignore a preload without as=.
    expect(page.responses[0]!.headers.filter(([name]) => name === 'link').map(([, value]) => value)).toEqual([
      `</js/main.js>; rel=preload, </js/dep.js>; rel=preload, ${runtimeLink('/index.html', true)}`,
    ]);
    expect(page.links).toEqual([runtimeLink('/index.html', true)]);
    // For `/`, mod_dir's internal redirect to index.html adds the hint a second time (mod_http2
    // collects H2EarlyHint per request): the same links twice, harmless to a browser.
    const dir = await curl(pushPort, '/', ['-v']);
    expect(dir.responses.map((r) => r.status)).toEqual([103, 200]);
    const hinted = dir.responses[0]!.headers.filter(([name]) => name === 'link').map(([, value]) => value).join(', ');
    expect(new Set(parseLinkHeader(hinted).map((link) => link.url))).toEqual(new Set(parseLinkHeader(runtimeLink('/index.html')).map((link) => link.url)));
  });

  it('with --push alone, pushes from H2PushResource', async () => {
    expect(exportApache(siteManifest(), { push: true }).text).toContain('    H2PushResource "/css/50%25.css"');
  });
});

describe('Apache export options', () => {
  it('before 2.4.58 has no H2EarlyHint line, and says the 103 needs --push', () => {
    expect(exportApache(siteManifest(), { earlyHints: true, push: true, targetVersion: '2.4.57' }).warnings).toEqual([expect.stringContaining('without as=')]);
    const result = exportApache(siteManifest(), { earlyHints: true, targetVersion: '2.4.57' });
    expect(result.text).not.toContain('H2EarlyHint ');
    expect(result.warnings).toEqual([expect.stringContaining('use --push too')]);
  });

  it('turns H2EarlyHints on once, for the virtual host (httpd allows it nowhere narrower)', () => {
    const lines = exportApache(siteManifest(), { earlyHints: true }).text.split('\n');
    expect(lines.filter((line) => line.includes('H2EarlyHints'))).toEqual(['H2EarlyHints on']);
  });

  it('matches each page exactly (LocationMatch with an anchored regex), escaping regex metacharacters', () => {
    const { text } = exportApache(siteManifest());
    expect(text).toContain('<LocationMatch "^(?:/blog\\\\.html|/blog)$">');
    expect(text).toContain('<LocationMatch "^(?:/my page/index\\\\.html|/my page/|/my page)$">');
    expect(text).toContain('<LocationMatch "^(?:/café\\\\.html|/café)$">');
  });
});
