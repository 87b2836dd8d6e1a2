/**
 * `push-manifest check` on a small built site, before and after a rebuild that renames its hashed
 * files, drops a page, adds one, and changes what a page references. The built CLI, as CI runs it.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/helpers.js';

/** The site as the first build wrote it. */
const BUILD_1: Record<string, string> = {
  'index.html': '<!doctype html><link rel=stylesheet href=/css/app.css><script type=module src=/js/app.3f2a.js></script><h1>home</h1>\n',
  'about.html': '<!doctype html><link rel=stylesheet href=/css/app.css><h1>about</h1>\n',
  'shop.html': '<!doctype html><link rel=stylesheet href=/css/app.css><link rel=stylesheet href=/css/shop.css><h1>shop</h1>\n',
  'css/app.css': 'body{color:#222}\n',
  'css/shop.css': '.cart{color:red}\n',
  'js/app.3f2a.js': 'import "./dep.5e6f7a81.js";\nconsole.log("app")\n',
  'js/dep.5e6f7a81.js': 'console.log("dep")\n',
};

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** The second build: new hashes, about.html gone, news.html new, shop.css gone, app.css now fetched in CORS mode. */
function rebuild(root: string): void {
  renameSync(join(root, 'js/app.3f2a.js'), join(root, 'js/app.9c1b.js'));
  unlinkSync(join(root, 'about.html'));
  unlinkSync(join(root, 'css/shop.css'));
  write(root, {
    'index.html': '<!doctype html><link rel=stylesheet href=/css/app.css crossorigin><script type=module src=/js/app.9c1b.js></script><img src=/img/hero.jpg><h1>home</h1>\n',
    'shop.html': '<!doctype html><link rel=stylesheet href=/css/app.css><h1>shop</h1>\n',
    'news.html': '<!doctype html><link rel=stylesheet href=/css/app.css><h1>news</h1>\n',
    'img/hero.jpg': 'jpeg\n',
  });
}

describe('check', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pm-check-'));
    write(join(dir, 'site'), BUILD_1);
    // The options are recorded where generate reads them: the config file (here followImports, the
    // default, said out loud: without it dep.5e6f7a81.js would not be listed and check would call it unreferenced).
    writeFileSync(join(dir, 'push-manifest.config.json'), JSON.stringify({ root: 'site', followImports: true }));
    const generated = await runCli(['generate'], dir);
    expect(generated.code).toBe(0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('right after generate: in sync, exit 0', async () => {
    const { code, stderr } = await runCli(['check'], dir);
    expect(stderr).toMatch(/^in sync: site\/push-manifest\.json against site \(3 pages crawled, 3 routes listed\)/m);
    expect(code).toBe(0);
  });

  it('a hint the legacy shape cannot hold is not drift (a media-conditional sheet, left out of multi by design)', async () => {
    write(join(dir, 'site'), { 'about.html': '<!doctype html><link rel=stylesheet href=/css/app.css><link rel=stylesheet href=/css/shop.css media="(min-width: 40em)"><h1>about</h1>\n' });
    expect((await runCli(['generate'], dir)).code).toBe(0);
    const { code, stdout } = await runCli(['check', '--json'], dir);
    expect(JSON.parse(stdout).items).toEqual([]);
    expect(code).toBe(0);
  });

  it('with options other than the recorded ones: drift (the options are what the config says)', async () => {
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ root: 'site', followImports: false }));
    const { code, stdout } = await runCli(['check', '--config', 'other.json', '--json'], dir);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).items).toEqual([expect.objectContaining({ kind: 'unreferenced', route: '/index.html', url: '/js/dep.5e6f7a81.js' })]);
  });

  it('after a rebuild: the renamed hashed file with its successor, pages gone and new, files missing, new and changed resources; exit 1', async () => {
    rebuild(join(dir, 'site'));
    const { code, stdout } = await runCli(['check', '--json'], dir);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const items = report.items.map((item: { kind: string; route: string; url?: string; successor?: string }) => [item.kind, item.route, item.url, item.successor].filter(Boolean).join(' '));
    expect(items.sort()).toEqual(
      [
        'changed /index.html /css/app.css',
        // The site's first reference to a file types it on every page (crawler rule): shop.html too.
        'changed /shop.html /css/app.css',
        'missing-file /shop.html /css/shop.css',
        'new-resource /index.html /img/hero.jpg',
        'page-gone /about.html',
        'page-not-in-manifest /news.html',
        'renamed /index.html /js/app.3f2a.js /js/app.9c1b.js',
      ].sort(),
    );
    expect(report.inSync).toBe(false);
  });

  it('prints the drift aligned on stderr, and generate again brings it back in sync', async () => {
    rebuild(join(dir, 'site'));
    const { code, stderr } = await runCli(['check'], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/renamed\s+\/index\.html\s+\/js\/app\.3f2a\.js\s+no such file; likely successor \/js\/app\.9c1b\.js/);
    expect(stderr).toMatch(/^drift: 7 differences, site\/push-manifest\.json against site/m);
    expect((await runCli(['generate'], dir)).code).toBe(0);
    expect((await runCli(['check'], dir)).code).toBe(0);
  });

  it('bad input is one line and exit 2: no manifest, no root', async () => {
    unlinkSync(join(dir, 'site', 'push-manifest.json'));
    const none = await runCli(['check'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/push-manifest\.json/);
    const noRoot = await runCli(['check', '--root', join(dir, 'nope'), '--manifest', join(dir, 'other.json')], dir);
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr.trim().split('\n')).toHaveLength(1);
  });
});
