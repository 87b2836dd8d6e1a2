/**
 * Crash safety of `generate`: killed with SIGKILL at random points, 20 times, the manifest on
 * disk is always the previous one or the new one, complete (byte for byte one of the two), and
 * the next run leaves no temp file behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/serve-process.js';

const work = mkdtempSync(join(tmpdir(), 'pm-crash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A site of `pages` pages sharing a stylesheet and a font, a manifest of some 20 KB. */
function writeSite(root: string, pages: number): void {
  mkdirSync(join(root, 'css'), { recursive: true });
  writeFileSync(join(root, 'css/app.css'), '@font-face{font-family:f;src:url(/f.woff2)}body{font-family:f}\n');
  writeFileSync(join(root, 'f.woff2'), 'font');
  for (let i = 0; i < pages; i++) {
    mkdirSync(join(root, `p${i}`), { recursive: true });
    writeFileSync(join(root, `p${i}/index.html`), `<!doctype html><link rel=stylesheet href=/css/app.css><script type=module src=/p${i}/m.js></script>\n`);
    writeFileSync(join(root, `p${i}/m.js`), 'export {}\n');
  }
}

const generate = (root: string, out: string) => spawnSync(process.execPath, [CLI, 'generate', '--root', root, '--out', out, '--quiet'], { encoding: 'utf8', timeout: 60_000 });

describe('generate killed with SIGKILL', () => {
  it('leaves the previous manifest or the complete new one, and the next run no temp file (20 tries)', async () => {
    const root = join(work, 'site');
    const out = join(work, 'push-manifest.json');
    writeSite(root, 40);
    expect(generate(root, out).status).toBe(0);
    const previous = readFileSync(out, 'utf8');
    // The next manifest differs: one more page.
    writeSite(root, 41);
    const nextOut = join(work, 'expected.json');
    const started = Date.now();
    expect(generate(root, nextOut).status).toBe(0);
    const fullRunMs = Date.now() - started;
    const next = readFileSync(nextOut, 'utf8');
    expect(next).not.toBe(previous);
    rmSync(nextOut);

    const outcomes = { previous: 0, next: 0 };
    for (let attempt = 0; attempt < 20; attempt++) {
      writeFileSync(out, previous);
      const child = spawn(process.execPath, [CLI, 'generate', '--root', root, '--out', out, '--quiet'], { stdio: 'ignore' });
      // Spread the kills over the whole run, the write at its end included.
      const at = Math.floor(((attempt + Math.random()) / 20) * fullRunMs * 1.1);
      await new Promise((resolve) => setTimeout(resolve, at));
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      const now = readFileSync(out, 'utf8');
      expect(now === previous || now === next, `attempt ${attempt}: a manifest of ${now.length} bytes, neither old nor new`).toBe(true);
      outcomes[now === previous ? 'previous' : 'next']++;
    }
    // Whatever temp files the kills left, the next run removes them.
    expect(generate(root, out).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(next);
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(outcomes.previous + outcomes.next).toBe(20);
  }, 120_000);
});
