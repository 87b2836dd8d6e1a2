/**
 * The Caddy export against the real Caddy 2.6: `caddy validate` on the snippet inside a TLS
 * site block, then Link headers in both URL forms, none on assets, and pushes with --push.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCaddy } from '@push-manifest/core/export';
import { configTest, freePort, makeTlsDir, nghttpPushes, serverCommand, startServer, type RunningServer } from './real-server.js';
import { expectEveryPageLinked, expectPatternRoutes } from './server-checks.js';
import { PAGE_URLS, makeExportSite, patternManifest, runtimePushes, siteManifest } from './site.js';

function caddyfile(dir: string, root: string, cert: string, key: string, sites: { port: number; snippet: string }[]): string {
  const lines = ['{', '  admin off', '  auto_https disable_redirects', `  storage file_system ${join(dir, 'data')}`, '}'];
  sites.forEach(({ port, snippet }, i) => {
    const file = join(dir, `push-manifest-${i}.caddy`);
    writeFileSync(file, snippet);
    lines.push(`https://127.0.0.1:${port} {`, `  tls ${cert} ${key}`, `  root * ${root}`, `  import ${file}`, '  file_server', '}');
  });
  const conf = join(dir, 'Caddyfile');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  return conf;
}

describe('Caddy export, checked by Caddy itself', () => {
  let server: RunningServer;
  let plainPort: number;
  let pushPort: number;
  let patternPort: number;
  beforeAll(async () => {
    const { dir, cert, key } = await makeTlsDir('caddy');
    plainPort = await freePort();
    pushPort = await freePort();
    patternPort = await freePort();
    const conf = caddyfile(dir, makeExportSite(), cert, key, [
      { port: plainPort, snippet: exportCaddy(siteManifest(), { manifestName: 'push-manifest.json' }).text },
      { port: pushPort, snippet: exportCaddy(siteManifest(), { push: true }).text },
      { port: patternPort, snippet: exportCaddy(patternManifest()).text },
    ]);
    // Caddy keeps its state under $HOME/XDG folders: point them into the temp folder.
    const env = { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
    await configTest(serverCommand('caddy'), ['validate', '--config', conf, '--adapter', 'caddyfile'], env);
    server = await startServer(serverCommand('caddy'), ['run', '--config', conf, '--adapter', 'caddyfile'], pushPort, env);
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

  it('pushes nothing without --push, and with it each pushable entry', async () => {
    expect(await nghttpPushes(plainPort, '/')).toEqual([]);
    for (const [key, urls] of Object.entries(PAGE_URLS)) {
      expect(await nghttpPushes(pushPort, urls[0] as string), key).toEqual(runtimePushes(key));
    }
  });
});

describe('Caddy export text', () => {
  it('escapes placeholders braces and quotes, and matches a path with "*" by regex', () => {
    const manifest = siteManifest();
    manifest.pages.set('/a*{b}.html', [{ url: '/css/app.css', type: 'style', weight: 1, media: '(x: "y")' }]);
    const { text } = exportCaddy(manifest);
    expect(text).toContain(String.raw`path_regexp "^(?:/a\*\{b\}\.html|/a\*\{b\})$"`);
    // The value is `media="(x: \"y\")"`; the Caddyfile lexer reads \" as a quote and keeps other backslashes.
    expect(text).toContain(String.raw`+Link "</css/app.css>; rel=preload; as=style; media=\"(x: \\"y\\")\"; nopush"`);
  });
});
