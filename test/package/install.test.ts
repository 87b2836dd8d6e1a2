/**
 * The packages as a user gets them: packed, installed with npm into a project outside the repo,
 * then the CLI run from there (`--version`, `generate`, `validate`, `serve`, a config file with
 * `defineConfig`), every documented import resolved at run time and by tsc (`node16` and
 * `bundler` resolution), and each tarball linted by publint.
 */
import { spawn } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:http2';
import { dirname, join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, installPacked, type InstalledProject } from './pack.js';

const repo = new URL('../../', import.meta.url).pathname;
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
let project: InstalledProject;

beforeAll(async () => {
  project = await installPacked();
  await cp(join(repo, 'example/site'), join(project.dir, 'site'), { recursive: true });
}, 400_000);
afterAll(async () => {
  if (project) await rm(dirname(project.dir), { recursive: true, force: true });
});

/** Every subpath a package exports, as an import specifier (`@push-manifest/core/runtime`). */
function exportedSpecifiers(pkg: InstalledProject['packages'][number]): string[] {
  return Object.keys(pkg.manifest.exports ?? {}).map((sub) => (sub === '.' ? pkg.manifest.name : `${pkg.manifest.name}${sub.slice(1)}`));
}
const isJson = (specifier: string) => specifier.endsWith('.json');

describe('the packed packages, installed with npm outside the repo', () => {
  it('npx push-manifest --version prints the version', async () => {
    const { stdout } = await project.exec('npx', ['--no-install', 'push-manifest', '--version']);
    const cli = project.packages.find((p) => p.dir === 'cli')!;
    expect(stdout.trim()).toBe(cli.manifest.version);
  });

  it('generate on the example site, then validate it against the site', async () => {
    const generated = await project.exec('npx', ['--no-install', 'push-manifest', 'generate', '--root', 'site']);
    expect(generated.stderr).toMatch(/\d+ pages, \d+ listed resources/);
    const manifest = JSON.parse(await readFile(join(project.dir, 'site/push-manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest)).toContain('index.html');
    const validated = await project.exec('npx', ['--no-install', 'push-manifest', 'validate', 'site/push-manifest.json', '--root', 'site']);
    expect(validated.stderr).toMatch(/valid multi manifest, .*every file present under site/);
    // The parse cache went to the project's node_modules, not into the site.
    expect(await readFile(join(project.dir, 'node_modules/.cache/push-manifest', (await import('node:fs')).readdirSync(join(project.dir, 'node_modules/.cache/push-manifest')).find((f) => f.startsWith('crawl'))!), 'utf8')).toBeTruthy();
  });

  it('a config file with defineConfig from @push-manifest/core', async () => {
    await writeFile(
      join(project.dir, 'push-manifest.config.mjs'),
      "import { defineConfig } from '@push-manifest/core';\nexport default defineConfig({ root: 'site', out: 'from-config.json', types: ['style'], firstImage: false });\n",
    );
    try {
      await project.exec('npx', ['--no-install', 'push-manifest', 'generate']);
      const manifest = JSON.parse(await readFile(join(project.dir, 'from-config.json'), 'utf8')) as Record<string, Record<string, { type?: string }>>;
      const types = new Set(Object.values(manifest).flatMap((page) => Object.values(page).flatMap((r) => (r.type ? [r.type] : []))));
      expect([...types]).toEqual(['style']);
    } finally {
      await rm(join(project.dir, 'push-manifest.config.mjs'));
    }
  });

  it('serve --port 0 answers a request over HTTP/2', async () => {
    const bin = join(project.dir, 'node_modules/.bin/push-manifest');
    const child = spawn(bin, ['serve', 'site', '--port', '0'], { cwd: project.dir, env: { ...cleanEnv(), NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${text}`)), 20_000);
        child.stderr.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const match = /serving .* at (https:\/\/[^\s/]+)\//.exec(text);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${text}`)));
      });
      const session = connect(url, { rejectUnauthorized: false });
      const status = await new Promise<number>((resolve, reject) => {
        session.once('error', reject);
        const request = session.request({ ':path': '/' });
        request.once('response', (headers) => resolve(Number(headers[':status'])));
        request.once('error', reject);
        request.resume();
      });
      session.destroy();
      expect(status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('every exported subpath imports at run time', async () => {
    const specifiers = project.packages.flatMap(exportedSpecifiers).filter((s) => !s.endsWith('/package.json'));
    expect(specifiers.length).toBeGreaterThan(3);
    const script = specifiers.map((s) => (isJson(s) ? `await import(${JSON.stringify(s)}, { with: { type: 'json' } });` : `await import(${JSON.stringify(s)});`)).join('\n');
    await writeFile(join(project.dir, 'imports.mjs'), `${script}\nconsole.log('ok');\n`);
    const { stdout } = await project.exec(process.execPath, ['imports.mjs']);
    expect(stdout.trim()).toBe('ok');
  });

  it('the documented imports and every exported subpath have types under moduleResolution node16 and bundler', async () => {
    const specifiers = project.packages.flatMap(exportedSpecifiers).filter((s) => !isJson(s));
    const source = [
      // The README's examples.
      "import { defineConfig, generateManifest, writeManifestFile, type PushManifestConfig } from '@push-manifest/core';",
      "import { createPushHandler, createStaticRoot, serveStatic } from '@push-manifest/core/runtime';",
      ...specifiers.map((s, i) => `import * as entry${i} from ${JSON.stringify(s)};`),
      'const config: PushManifestConfig = defineConfig({ root: "dist", followImports: true, max: 12 });',
      'export const used = [config, generateManifest, writeManifestFile, createPushHandler, createStaticRoot, serveStatic, ' + specifiers.map((_, i) => `entry${i}`).join(', ') + '];',
      // A wrong option must be a type error: proves the types are real, not `any`.
      '// @ts-expect-error unknown option',
      'defineConfig({ tpyes: ["style"] });',
    ].join('\n');
    await writeFile(join(project.dir, 'imports.ts'), `${source}\n`);
    const common = { strict: true, noEmit: true, types: ['node'], target: 'ES2022', lib: ['ES2023'] };
    // Our .d.ts files are checked in full once (node16, the stricter resolution); the bundler run
    // checks only that the same imports resolve (a full check of @types/node and fastify's types
    // takes most of a minute on a loaded 2-core machine).
    for (const [name, options] of [
      ['node16', { module: 'node16', moduleResolution: 'node16', skipLibCheck: false }],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true }],
    ] as const) {
      await writeFile(join(project.dir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...common, ...options }, files: ['imports.ts'] }));
      const result = await project.exec(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { timeout: 170_000 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error), failed: true }));
      expect(result.stdout, `tsc (${name})`).toBe('');
    }
  }, 180_000);

  it('publint finds nothing to say about any tarball', async () => {
    for (const pkg of project.packages) {
      const tarball = await readFile(pkg.tarball);
      const { messages, pkg: packageJson } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer }, level: 'suggestion' });
      expect(messages.map((m) => formatMessage(m, packageJson) ?? m.code), pkg.manifest.name).toEqual([]);
    }
  });
});
