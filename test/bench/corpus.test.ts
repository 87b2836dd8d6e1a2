import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus, NEGATIVE_KINDS, SPECIAL_KINDS, type CorpusParams } from '../../bench/corpus.mjs';

const SMALL: Partial<CorpusParams> = { pages: 60, css: 12, images: 30, fonts: 6, scripts: 8, modules: 6, libs: 8, malformed: 0.2 };
const scratch = mkdtempSync(path.join(tmpdir(), 'pm-corpus-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Hash of every file under dir: relative path and bytes, in sorted order. */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(path.relative(dir, full)).update('\0').update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

const attrs = (tag: string): Map<string, string> => {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/\s([\w:-]+)(?:="([^"]*)")?/g)) out.set(m[1]!.toLowerCase(), m[2] ?? '');
  return out;
};
const candidates = (srcset: string) => srcset.split(/,\s+/).filter(Boolean).length;

/**
 * Count references per kind in a generated page, independently of the generator's bookkeeping:
 * a tag scan over the bytes it wrote.
 */
function countPage(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const bump = (kind: string, n = 1) => {
    if (n > 0) out[kind] = (out[kind] ?? 0) + n;
  };
  const templates = [...text.matchAll(/<template[^>]*>([\s\S]*?)<\/template>/g)].map((m) => m[1]!).join('\n');
  const outside = text.replace(/<template[^>]*>[\s\S]*?<\/template>/g, '');
  bump('templateImage', (templates.match(/<img\b[^>]*>/g) ?? []).length);
  for (const [tag] of outside.matchAll(/<(?:link|script|img|source|use|video)\b[^>]*>/g)) {
    const name = /^<(\w+)/.exec(tag)![1]!;
    const a = attrs(tag);
    if (name === 'link') {
      const rel = (a.get('rel') ?? '').toLowerCase().split(/\s+/);
      const href = a.get('href') ?? '';
      if (rel.includes('icon')) bump('icon');
      else if (rel.includes('manifest')) bump('webmanifest');
      else if (rel.includes('alternate')) bump('alternate');
      else if (href.startsWith('https:')) bump('crossOrigin');
      else if (rel.includes('stylesheet')) bump('stylesheet');
      else if (rel.includes('modulepreload')) bump('modulepreload');
      else if (rel.includes('preload')) bump('preload');
    } else if (name === 'script' && a.has('src')) {
      if (a.get('src')!.startsWith('https:')) bump('crossOrigin');
      else if (a.has('nomodule')) bump('nomodule');
      else if (a.get('type') === 'module') bump('module');
      else bump('script');
    } else if (name === 'img') {
      const src = a.get('src') ?? '';
      bump(src.startsWith('data:') ? 'dataUri' : src.includes('/gone-') ? 'missing' : 'image');
      if (a.has('srcset')) bump('srcset', candidates(a.get('srcset')!));
    } else if (name === 'source') bump('sourceSrcset', candidates(a.get('srcset') ?? ''));
    else if (name === 'use') bump('svgUse');
    else if (name === 'video') bump('poster');
  }
  for (const [, css] of outside.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
    bump('inlineImport', (css!.match(/@import/g) ?? []).length);
    bump('inlineStyleUrl', (css!.match(/url\(/g) ?? []).length - (css!.match(/@import url\(/g) ?? []).length);
  }
  bump('styleAttrUrl', (outside.match(/style="[^"]*url\(/g) ?? []).length);
  return out;
}

describe('bench corpus generator', () => {
  const a = generateCorpus(SMALL, path.join(scratch, 'a'));

  it('is deterministic: the same seed gives the same bytes, another seed other bytes', () => {
    const b = generateCorpus(SMALL, path.join(scratch, 'b'));
    const c = generateCorpus({ ...SMALL, seed: 'another' }, path.join(scratch, 'c'));
    expect(treeHash(a.root)).toBe(treeHash(b.root));
    expect(readFileSync(path.join(a.dir, 'counts.json'), 'utf8')).toBe(readFileSync(path.join(b.dir, 'counts.json'), 'utf8'));
    expect(treeHash(c.root)).not.toBe(treeHash(a.root));
  });

  it('reuses a complete corpus with the same parameters and regenerates on a change', () => {
    expect(a.reused).toBe(false);
    expect(generateCorpus(SMALL, a.dir).reused).toBe(true);
    const other = generateCorpus({ ...SMALL, pages: 61 }, a.dir);
    expect(other.reused).toBe(false);
    expect(Object.keys(other.counts.pages)).toHaveLength(61);
    generateCorpus(SMALL, a.dir);
  });

  it('counts per page exactly the references it wrote', () => {
    const routes = Object.keys(a.counts.pages);
    expect(routes).toHaveLength(SMALL.pages!);
    for (const route of routes) {
      const text = readFileSync(path.join(a.root, route), 'latin1');
      expect(countPage(text), route).toEqual(a.counts.pages[route]!.refs);
    }
    const kinds = new Set(Object.values(a.counts.pages).flatMap((p) => Object.keys(p.refs)));
    // The small corpus exercises every kind of reference the benchmark measures.
    for (const kind of ['stylesheet', 'script', 'module', 'image', 'srcset', 'sourceSrcset', 'inlineStyleUrl', 'styleAttrUrl', 'templateImage', 'svgUse', 'missing', 'dataUri']) {
      expect(kinds.has(kind), kind).toBe(true);
    }
  });

  it('counts per CSS file the @import and @font-face rules it wrote', () => {
    for (const [url, info] of Object.entries(a.counts.css)) {
      const text = readFileSync(path.join(a.root, url), 'utf8');
      expect((text.match(/@import/g) ?? []).length, url).toBe(info.refs.import ?? 0);
      expect((text.match(/@font-face/g) ?? []).length, url).toBe(info.refs.font ?? 0);
    }
  });

  it('writes a file for every URL a page is expected to list, and none for the missing ones', () => {
    let checked = 0;
    for (const page of Object.values(a.counts.pages)) {
      for (const [kind, urls] of Object.entries(page.expect)) {
        // data: URIs are not files; every other negative kind (nomodule, fallback font…) is a real file not to list.
        if (kind === 'dataUri') continue;
        expect(NEGATIVE_KINDS.includes(kind) || !kind.startsWith('data')).toBe(true);
        if (kind === 'crossOrigin') {
          for (const origin of urls) expect(origin).toMatch(/^https:\/\/[a-z.]+$/);
          continue;
        }
        for (const url of urls) {
          const file = path.join(a.root, decodeURIComponent(new URL(url, 'http://x/').pathname));
          expect(existsSync(file), `${kind} ${url}`).toBe(kind !== 'missing');
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(SMALL.pages! * 10);
    expect(SPECIAL_KINDS).toContain('missing');
  });

  it('writes some malformed pages: truncated, invalid UTF-8, misnested', () => {
    const malformed = Object.entries(a.counts.pages).filter(([, p]) => p.malformed);
    expect(malformed.length).toBeGreaterThan(0);
    for (const [route, p] of malformed) {
      const bytes = readFileSync(path.join(a.root, route));
      if (p.malformed === 1) expect(bytes.toString('latin1').endsWith('<div class="trunc')).toBe(true);
      if (p.malformed === 2) expect(new TextDecoder('utf-8', { fatal: false }).decode(bytes)).toContain('\uFFFD');
      if (p.malformed === 3) expect(bytes.toString('utf8')).toContain('</b></i>');
    }
  });
});
