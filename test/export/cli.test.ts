/** `push-manifest export`: the built CLI, its files, exit codes and messages. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_TARGETS } from '@push-manifest/core/export';
import { runCli } from '../cli/helpers.js';
import { MANIFEST_FILE, PAGE_URLS, makeExportSite, runtimeLink, SITE_FILES } from './site.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pm-export-cli-'));

describe('push-manifest export', () => {
  it('writes nginx config to --out, atomically, and says what it did on stderr', async () => {
    const dir = tmp();
    const out = join(dir, 'push.conf');
    const result = await runCli(['export', '--to', 'nginx', '--manifest', MANIFEST_FILE, '--out', out, '--push']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/→ .*push\.conf \(nginx, 5 pages\)/);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# nginx config generated from .*site-manifest\.json by push-manifest \d+\.\d+\.\d+;/);
    expect(text).toContain('http2_push "/css/app.css";');
  });

  it('prints the Link value per route for --to link, as lines or --json', async () => {
    const [lines, json] = await Promise.all([
      runCli(['export', '--to', 'link', '-m', MANIFEST_FILE]),
      runCli(['export', '--to', 'link', '-m', MANIFEST_FILE, '--json', '--push']),
    ]);
    expect(lines.code).toBe(0);
    expect(lines.stdout.trimEnd().split('\n')).toEqual(Object.keys(PAGE_URLS).map((key) => `${key}\t${runtimeLink(key)}`));
    expect(JSON.parse(json.stdout)).toEqual(Object.fromEntries(Object.keys(PAGE_URLS).map((key) => [key, runtimeLink(key, true)])));
  });

  it('lists the resources as a Workbox precache list with content revisions (--root)', async () => {
    const root = makeExportSite();
    const result = await runCli(['export', '--to', 'workbox', '-m', MANIFEST_FILE, '--root', root]);
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout) as { url: string; revision: string }[];
    expect(entries.map((e) => e.url)).toEqual(['/css/app.css', '/fonts/f.woff2', '/js/main.js', '/js/dep.js', '/img/hero.jpg', '/css/wide.css', '/css/50%25.css']);
    const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
    expect(entries[0]!.revision).toBe(hash(SITE_FILES['css/app.css']!));
    expect(entries[6]!.revision).toBe(hash(SITE_FILES['css/50%.css']!));
    const noRoot = await runCli(['export', '--to', 'workbox', '-m', MANIFEST_FILE]);
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr).toMatch(/needs --root/);
  });

  it('merges into an existing firebase.json named by --out', async () => {
    const dir = tmp();
    const out = join(dir, 'firebase.json');
    writeFileSync(out, JSON.stringify({ hosting: { public: 'dist' }, functions: { source: 'fn' } }, null, 2));
    const result = await runCli(['export', '--to', 'firebase', '-m', MANIFEST_FILE, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(firebase, merged, 5 pages)');
    const json = JSON.parse(readFileSync(out, 'utf8')) as { hosting: { public: string; headers: unknown[] }; functions: unknown };
    expect(json.functions).toEqual({ source: 'fn' });
    expect(json.hosting.public).toBe('dist');
    expect(json.hosting.headers).toHaveLength(5);
  });

  it('warns, naming the route, for a route the target cannot express, and still writes the rest', async () => {
    const dir = tmp();
    const manifest = join(dir, 'polymer.json');
    writeFileSync(manifest, JSON.stringify({ '/': { '/app.css': { type: 'style', weight: 1 } }, '^/shop/.*$': { '/shop.css': { type: 'style', weight: 1 } } }));
    const result = await runCli(['export', '--to', 'netlify', '-m', manifest]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning ^/shop/.*$: a regular-expression route cannot be written in Netlify _headers');
    expect(result.stdout).toContain('\n/\n  Link: </app.css>; rel=preload; as=style; nopush\n');
  });

  it('fails on bad input with one line naming it, and writes nothing (an old file stays as it was)', async () => {
    const dir = tmp();
    const out = join(dir, 'push.conf');
    writeFileSync(out, 'old\n');
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ '/index.html': { '/app.css': { type: 'stylesheet', weight: 1 } } }));
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{');
    // Independent runs, side by side: each CLI start costs a second or two on a loaded machine.
    const [bad, broken, unknown, version, missing] = await Promise.all([
      runCli(['export', '--to', 'nginx', '-m', invalid, '--out', out]),
      runCli(['export', '--to', 'apache', '-m', notJson, '--out', out]),
      runCli(['export', '--to', 'lighttpd', '-m', MANIFEST_FILE, '--out', out]),
      runCli(['export', '--to', 'nginx', '-m', MANIFEST_FILE, '--out', out, '--target-version', 'latest']),
      runCli(['export', '--to', 'nginx', '-m', join(dir, 'nope.json'), '--out', out]),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('invalid.json');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json: not JSON/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("argument 'lighttpd' is invalid");
    expect(version.code).toBe(2);
    expect(version.stderr).toContain('target version "latest" is not a version number');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: no such file');

    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(existsSync(join(dir, 'firebase.json'))).toBe(false);
  });

  it('offers exactly the targets core knows', async () => {
    const help = await runCli(['export', '--help']);
    for (const target of EXPORT_TARGETS) expect(help.stdout).toContain(`"${target}"`);
    expect(help.stdout.match(/"[a-z0-9]+"/g)?.filter((t) => !['"auto"', '"single"', '"multi"', '"polymer"', '"v1"', '"-"', '"/"'].includes(t))).toEqual(EXPORT_TARGETS.map((t) => `"${t}"`));
  });
});
