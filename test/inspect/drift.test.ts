/** checkDrift with the shapes whose routes cover several pages: the single format's `*`, and patterns. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDrift, parseManifest } from '@push-manifest/core';

let root: string;
const write = (files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pm-drift-'));
  write({
    'index.html': '<!doctype html><link rel=stylesheet href=/css/app.css><h1>home</h1>\n',
    'css/app.css': 'body{color:#222}\n',
    'shop/a.html': '<!doctype html><link rel=stylesheet href=/css/shop.css>\n',
    'shop/b.html': '<!doctype html><link rel=stylesheet href=/css/shop.css><link rel=stylesheet href=/css/b.css>\n',
    'css/shop.css': '.cart{}\n',
    'css/b.css': '.b{}\n',
  });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('checkDrift', () => {
  it('single format: `*` is compared with the union of every page it covers', async () => {
    const recorded = parseManifest({ '/css/app.css': { type: 'style', weight: 256 }, '/css/shop.css': { type: 'style', weight: 255 } });
    const report = await checkDrift(recorded, { root, cache: false, threads: 1 });
    expect(report.items).toEqual([expect.objectContaining({ kind: 'new-resource', route: '*', url: '/css/b.css' })]);
    expect(report.inSync).toBe(false);
  });

  it('polymer pattern: the pages it matches share one entry; the literal pages beside it still count', async () => {
    const recorded = parseManifest(
      {
        '/index.html': { '/css/app.css': { type: 'style', weight: 256 } },
        '^/shop/.*$': { '/css/shop.css': { type: 'style', weight: 256 }, '/css/b.css': { type: 'style', weight: 255 } },
      },
      { format: 'polymer' },
    );
    const report = await checkDrift(recorded, { root, cache: false, threads: 1 });
    expect(report.items).toEqual([]);
    expect(report.inSync).toBe(true);
  });
});
