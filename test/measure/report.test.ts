/// <reference lib="dom" />
/**
 * `push-manifest report`: the discovery depths of the waterfall fixture (HTML 0, sheet 1,
 * `@import`ed sheet 2, what that sheet names 3, a static import one more than its importer), and
 * the HTML opened from disk in headless Chromium with the network cut: every page has both
 * waterfalls, drawn and sized.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/helpers.js';

const fixture = fileURLToPath(new URL('../../fixtures/sites/waterfall', import.meta.url));
const example = fileURLToPath(new URL('../../example/site', import.meta.url));

describe('push-manifest report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-report-'));
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each resource its discovery depth without and with the hints', async () => {
    const out = join(dir, 'w.html');
    const result = await runCli(['report', '--root', fixture, '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const data = JSON.parse(result.stdout);
    const page = data.pages.find((p: { page: string }) => p.page === '/index.html');
    const byUrl = Object.fromEntries(page.resources.map((r: { url: string }) => [r.url, r]));
    expect(byUrl['/css/main.css']).toMatchObject({ depth: 1, linkDepth: 1, earlyDepth: 0, hinted: true });
    expect(byUrl['/css/theme.css']).toMatchObject({ depth: 2, linkDepth: 1, earlyDepth: 0, hinted: true });
    expect(byUrl['/fonts/open-sans-regular.woff2']).toMatchObject({ type: 'font', depth: 3, earlyDepth: 0, hinted: true, bytes: 43236 });
    // Not hinted by default (images other than the first shown one are left out by type), but a
    // hinted sheet brings it forward: one round trip after theme.css.
    expect(byUrl['/img/hero.png']).toMatchObject({ type: 'image', depth: 3, linkDepth: 2, earlyDepth: 1, hinted: false, leftOut: 'types' });
    // A static import: followed by default, so hinted with the module that imports it.
    expect(byUrl['/js/label.js']).toMatchObject({ depth: 2, earlyDepth: 0, hinted: true });
    expect(page.rounds).toEqual({ plain: 3, link: 2, early: 1 });
    expect(page.saved).toBe(2);
    expect(page.linkHeaderBytes).toBeGreaterThan(50);
    expect(data.summary).toMatchObject({ pages: 1, median: { plain: 3, hinted: 1 }, worst: { plain: 3, hinted: 1 } });
    // The same data is embedded in the page.
    const html = readFileSync(out, 'utf8');
    const embedded = JSON.parse(/<script type="application\/json" id="report-data">([^]*?)<\/script>/.exec(html)![1]!);
    expect(embedded.pages[0].rounds).toEqual(page.rounds);
  });

  it('with --manifest and --delivery link, depths follow that manifest', async () => {
    const manifest = join(dir, 'm.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(manifest, JSON.stringify({ 'index.html': { '/img/hero.png': { type: 'image', weight: 1 } } }));
    const result = await runCli(['report', '--root', fixture, '--manifest', manifest, '--delivery', 'link', '--out', join(dir, 'm.html'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const page = JSON.parse(result.stdout).pages[0];
    const hero = page.resources.find((r: { url: string }) => r.url === '/img/hero.png');
    expect(hero).toMatchObject({ depth: 3, linkDepth: 1, hinted: true });
    const css = page.resources.find((r: { url: string }) => r.url === '/css/main.css');
    expect(css).toMatchObject({ hinted: false, leftOut: 'not-in-manifest' });
    // The font is still found through the un-hinted @import chain.
    expect(page.rounds.link).toBe(3);
    expect(page.saved).toBe(0);
  });

  it('a missing root is one line and exit 2, and no file is written', async () => {
    const out = join(dir, 'none.html');
    const result = await runCli(['report', '--root', join(dir, 'nope'), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not exist/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('renders both waterfalls of every page in Chromium, offline, with sorting and filtering', async () => {
    const out = join(dir, 'example.html');
    const result = await runCli(['report', '--root', example, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 1000 } });
    const requests: string[] = [];
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(out).href);
    const sections = await page.$$eval('section.page', (nodes) =>
      nodes.map((s) => ({
        page: (s as HTMLElement).dataset.page,
        svgs: [...s.querySelectorAll('svg.waterfall')].map((svg) => {
          const box = svg.getBoundingClientRect();
          return { width: box.width, height: box.height, bars: svg.querySelectorAll('rect.bar').length };
        }),
      })),
    );
    expect(sections.map((s) => s.page).sort()).toEqual(['/about/index.html', '/index.html']);
    for (const s of sections) {
      expect(s.svgs).toHaveLength(2);
      for (const svg of s.svgs) {
        expect(svg.width).toBeGreaterThan(300);
        expect(svg.height).toBeGreaterThan(60);
        expect(svg.bars).toBeGreaterThan(3);
      }
    }
    await page.screenshot({ path: join(tmpdir(), 'pm-report-example.png'), fullPage: true });
    // Filtering hides the other page; sorting by page name puts /about first.
    await page.fill('#filter', 'about');
    expect(await page.$$eval('section.page', (nodes) => nodes.filter((n) => !(n as HTMLElement).hidden).map((n) => (n as HTMLElement).dataset.page))).toEqual(['/about/index.html']);
    await page.fill('#filter', '');
    await page.selectOption('#sort', 'page');
    expect(await page.$$eval('section.page', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.page))).toEqual(['/about/index.html', '/index.html']);
    // Nothing but the file itself was loaded.
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await context.close();
  });
});
