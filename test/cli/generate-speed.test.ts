import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = new URL('../../packages/cli/dist/main.js', import.meta.url).pathname;
const site = new URL('../../fixtures/sites/multi-page', import.meta.url).pathname;
const scratch = mkdtempSync(path.join(tmpdir(), 'pm-cli-speed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh folder for a manifest (the writer wants its folder to exist). */
function outIn(name: string): string {
  mkdirSync(path.join(scratch, name));
  return path.join(scratch, name, 'push-manifest.json');
}

/** The user cache folder of these runs (their cwd, scratch, belongs to no package). */
const xdg = path.join(scratch, 'xdg');
const userCache = path.join(xdg, 'push-manifest');

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: xdg } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('push-manifest generate --threads / --no-cache', () => {
  it('keeps the parse cache in the user cache folder when the cwd is in no package, never in the root or beside the manifest, and reuses it', async () => {
    const out = outIn('with-cache');
    const before = readdirSync(site).sort();
    const first = await run(['generate', '--root', site, '--out', out, '--threads', '2'], scratch);
    expect(first.code).toBe(0);
    // The parse cache and the result cache (incremental generate).
    expect(readdirSync(userCache).map((n) => n.replace(/-[0-9a-f]{16}\.json$/, '')).sort()).toEqual(['crawl', 'pages']);
    expect(readdirSync(path.dirname(out))).toEqual(['push-manifest.json']);
    expect(readdirSync(site).sort()).toEqual(before);
    const manifest = readFileSync(out, 'utf8');
    const second = await run(['generate', '--root', site, '--out', out, '--verbose'], scratch);
    expect(second.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(manifest);
  });

  it('a manifest written into the root leaves nothing else there; --cache-dir chooses the folder', async () => {
    const root = path.join(scratch, 'site-copy');
    cpSync(site, root, { recursive: true });
    const before = readdirSync(root).sort();
    const chosen = path.join(scratch, 'chosen-cache');
    const result = await run(['generate', '--root', root, '--cache-dir', chosen], scratch);
    expect(result.code).toBe(0);
    expect(readdirSync(root).sort()).toEqual([...before, 'push-manifest.json'].sort());
    expect(readdirSync(chosen).map((n) => n.replace(/-[0-9a-f]{16}\.json$/, '')).sort()).toEqual(['crawl', 'pages']);
  });

  it('--no-cache writes no cache, and gives the same manifest', async () => {
    const cached = readFileSync(path.join(scratch, 'with-cache', 'push-manifest.json'), 'utf8');
    const out = outIn('no-cache');
    const result = await run(['generate', '--root', site, '--out', out, '--no-cache', '--threads', '1'], scratch);
    expect(result.code).toBe(0);
    expect(readdirSync(path.dirname(out))).toEqual(['push-manifest.json']);
    expect(readFileSync(out, 'utf8')).toBe(cached);
  });

  it('--threads must be a positive whole number: exit 2, nothing written', async () => {
    for (const bad of ['0', 'two', '1.5']) {
      const out = outIn(`bad-${bad}`);
      const result = await run(['generate', '--root', site, '--out', out, '--threads', bad], scratch);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--threads/);
      expect(existsSync(out)).toBe(false);
    }
  });
});
