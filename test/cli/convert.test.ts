import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseManifest, serializeManifest } from '@push-manifest/core/manifest';
import { manifestFixture, runCli } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-convert-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MULTI = manifestFixture('http2-push-manifest/multi.json');

describe('push-manifest convert', () => {
  it('writes to stdout by default: multi → polymer', async () => {
    const result = await runCli(['convert', MULTI, '--format', 'polymer']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '{',
        '  "/index\\\\.html": {',
        '    "/css/app.css": {',
        '      "type": "style",',
        '      "weight": 1',
        '    },',
        '    "/js/app.js": {',
        '      "type": "script",',
        '      "weight": 1',
        '    }',
        '  },',
        '  "/page\\\\.html": {',
        '    "/css/page.css": {',
        '      "type": "style",',
        '      "weight": 1',
        '    },',
        '    "/js/app.js": {',
        '      "type": "script",',
        '      "weight": 1',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('converts every format into every format it can hold, and back', async () => {
    const single = manifestFixture('http2-push-manifest/single.json');
    for (const [input, formats] of [
      [single, ['single', 'multi', 'polymer']],
      [MULTI, ['multi', 'polymer']],
      [manifestFixture('polymer/polymer-cli.json'), ['multi', 'polymer']],
      [manifestFixture('ours/multi.json'), ['multi', 'polymer']],
    ] as const) {
      const original = parseManifest(JSON.parse(await readFile(input, 'utf8')));
      for (const format of formats) {
        const out = join(dir, `${format}.json`);
        const result = await runCli(['convert', input, '--format', format, '--out', out]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toBe('');
        const text = await readFile(out, 'utf8');
        expect(text).toBe(serializeManifest(original, format));
        // And back: the model is unchanged.
        expect(serializeManifest(parseManifest(JSON.parse(text)), 'polymer')).toBe(serializeManifest(original, 'polymer'));
      }
    }
  });

  it('--out - writes to stdout, and the same input always gives the same bytes', async () => {
    const a = await runCli(['convert', manifestFixture('ours/multi.json'), '--format', 'multi', '--out', '-']);
    const b = await runCli(['convert', manifestFixture('ours/multi.json'), '--format', 'multi']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(await readFile(manifestFixture('ours/multi.json'), 'utf8'));
  });

  it('multi → single with several pages: exit 2, nothing written', async () => {
    const out = join(dir, 'single.json');
    const result = await runCli(['convert', MULTI, '--format', 'single', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error the single format holds one page, and this manifest has 2 .*\n$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('invalid manifest: exit 1, the first problem with its path, no output file, an existing one unchanged', async () => {
    const input = manifestFixture('invalid/many-problems.json');
    const out = join(dir, 'out.json');
    const result = await runCli(['convert', input, '--format', 'multi', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error ${input}: "index.html" → "/app.css" → type: expected one of script, style, font, image, fetch, document, audio, video, track, worker, embed, object, manifest (got "stylesheet") (and 5 more problems)\n`,
    );
    expect(await readdir(dir)).toEqual([]);
    await writeFile(out, 'previous manifest');
    expect((await runCli(['convert', manifestFixture('invalid/header-injection.json'), '--format', 'multi', '--out', out])).code).toBe(1);
    expect(await readFile(out, 'utf8')).toBe('previous manifest');
    expect(await readdir(dir)).toEqual(['out.json']);
  });

  it('non-JSON input: exit 2, one line naming the file, nothing written', async () => {
    const input = manifestFixture('invalid/truncated.json');
    const out = join(dir, 'out.json');
    const result = await runCli(['convert', input, '--format', 'multi', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toContain(`${input}: not JSON`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('usage errors exit 2: no --format, an unknown format', async () => {
    expect((await runCli(['convert', MULTI])).code).toBe(2);
    expect((await runCli(['convert', MULTI, '--format', 'xml'])).code).toBe(2);
  });

  it('overwrites the input in place atomically when --out names it', async () => {
    const file = join(dir, 'm.json');
    await writeFile(file, await readFile(MULTI));
    const result = await runCli(['convert', file, '--format', 'polymer', '--out', file]);
    expect(result.code).toBe(0);
    // Literal page keys escaped for prpl-server's ^key$ (an unescaped "." matches any character).
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')) as object)).toEqual(['/index\\.html', '/page\\.html']);
    expect(await readdir(dir)).toEqual(['m.json']);
  });
});
