import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestFixture, runCli } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-validate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('push-manifest validate', () => {
  it('exit 0 for a valid manifest of each historical shape, stdout empty', async () => {
    for (const name of ['http2-push-manifest/single.json', 'http2-push-manifest/multi.json', 'polymer/prpl-server.json', 'polymer/polymer-cli.json', 'ours/multi.json']) {
      const result = await runCli(['validate', manifestFixture(name)]);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/: valid (single|multi|polymer) manifest, \d+ pages?, \d+ resources?/);
    }
  });

  it('exit 1 listing every problem, one line each on stderr, with its JSON path', async () => {
    const file = manifestFixture('invalid/many-problems.json');
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const problemLines = result.stderr.split('\n').filter((line) => line.startsWith('error '));
    expect(problemLines).toHaveLength(6);
    expect(problemLines[0]).toBe(
      `error ${file}: "index.html" → "/app.css" → type: expected one of script, style, font, image, fetch, document, audio, video, track, worker, embed, object, manifest (got "stylesheet")`,
    );
    expect(problemLines[5]).toBe(`error ${file}: "/index.html": same page as "index.html" (both are /index.html)`);
    expect(result.stderr).toContain(`${file}: 6 problems`);
  });

  it('--json prints the problems as JSON on stdout', async () => {
    const result = await runCli(['validate', manifestFixture('invalid/header-injection.json'), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; format: string; problems: Array<{ path: string[]; message: string; text: string }> };
    expect(report.valid).toBe(false);
    expect(report.format).toBe('single');
    expect(report.problems.map((p) => p.path)).toEqual([['/app.css\r\nSet-Cookie: a=b'], ['/x.js>; rel=preload; as=script, </evil.js']]);
    expect(report.problems[1]?.message).toBe('resource URL contains ">" at position 5 (percent-encode it as %3E)');
    expect(result.stderr).not.toContain('error ');
  });

  it('--json reports a valid manifest too', async () => {
    const result = await runCli(['validate', manifestFixture('http2-push-manifest/multi.json'), '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, format: 'multi', pages: 2, resources: 4, problems: [] });
  });

  it('exit 2 with one line naming the file for non-JSON, a missing file and a folder', async () => {
    const truncated = manifestFixture('invalid/truncated.json');
    const notJson = await runCli(['validate', truncated]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(new RegExp(`^error ${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON \\(.+\\)\\n$`));
    const missing = await runCli(['validate', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error ${join(dir, 'nope.json')}: no such file\n`);
    expect((await runCli(['validate', dir])).code).toBe(2);
  });

  it('--root checks that every listed file exists under the root', async () => {
    const root = join(dir, 'site');
    await mkdir(join(root, 'css'), { recursive: true });
    await mkdir(join(root, 'js'), { recursive: true });
    await writeFile(join(root, 'css', 'app.css'), '');
    await writeFile(join(root, 'js', 'app.js'), '');
    const file = manifestFixture('http2-push-manifest/multi.json');
    const result = await runCli(['validate', file, '--root', root]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('error '))).toEqual([
      `error ${file}: "page.html" → "/css/page.css": no file at css/page.css under the root`,
    ]);
    await writeFile(join(root, 'css', 'page.css'), '');
    const ok = await runCli(['validate', file, '--root', root]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`every file present under ${root}`);
  });

  it('--root lists schema problems and missing files in one run', async () => {
    const file = join(dir, 'm.json');
    await writeFile(file, JSON.stringify({ 'index.html': { '/a.css': { type: 'style' }, '/b.js': { type: 'scripts' } } }));
    await mkdir(join(dir, 'site'));
    const result = await runCli(['validate', file, '--root', join(dir, 'site'), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { problems: Array<{ text: string }> };
    expect(report.problems.map((p) => p.text)).toEqual([
      expect.stringMatching(/^"index.html" → "\/b.js" → type: expected one of/),
      '"index.html" → "/a.css": no file at a.css under the root',
    ]);
  });

  it('exit 2 when --root is not a folder', async () => {
    const result = await runCli(['validate', manifestFixture('http2-push-manifest/multi.json'), '--root', join(dir, 'missing')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error ${join(dir, 'missing')}: no such folder\n`);
  });

  it('--base resolves polymer relative URLs, --from forces a format', async () => {
    const result = await runCli(['validate', manifestFixture('polymer/polymer-cli.json'), '--base', '/build/', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, format: 'polymer' });
    const forced = await runCli(['validate', manifestFixture('polymer/polymer-cli.json'), '--from', 'multi']);
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/resource URL must be an absolute path from the site root/);
  });
});
