/**
 * Warnings summarised for people: at most a screenful (the first few of each kind, then counts per
 * kind), all with --verbose, all as data with --warnings. The TTY path runs under a real pseudo
 * terminal (util-linux `script`), where the progress line must stay at the bottom.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const cli = new URL('../../packages/cli/dist/main.js', import.meta.url).pathname;
const fixtures = new URL('../../fixtures/sites/', import.meta.url).pathname;
let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-warnings-'));
  root = join(dir, 'site');
  await cp(join(fixtures, 'basic'), root, { recursive: true });
  // Many pages with three kinds of problem: missing images, a reference out of the root, broken CSS.
  for (let page = 0; page < 40; page++) {
    const imgs = Array.from({ length: 20 }, (_, i) => `<img src="gone-${page}-${i}.png">`).join('\n');
    await writeFile(join(root, `page-${page}.html`), `<link rel="stylesheet" href="broken-${page}.css">\n<img src="../../outside-${page}.png">\n${imgs}\n`);
    await writeFile(join(root, `broken-${page}.css`), `a { color: red; }\n}}} @media { b {\n`);
  }
  // Crawled last (pages go in path order), with a kind of problem no other page has: its warning
  // comes while the progress line is up.
  await writeFile(join(root, 'zz-last.html'), Buffer.from('<p>caf\xe9</p>\n', 'latin1'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const warningLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('warning '));

describe('warnings without a TTY (a CI log)', () => {
  it('shows at most a screenful: the first few of each kind, then a count per kind', async () => {
    const result = await runCli(['generate', '--root', root, '--out', '-', '--no-cache']);
    expect(result.code).toBe(0);
    const lines = warningLines(result.stderr);
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines.filter((line) => line.includes('not found'))).toHaveLength(3);
    expect(lines).toContainEqual(expect.stringMatching(/^warning … 797 more: missing files \(800 in all\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^warning … \d+ more: references out of the root \(40 in all\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^warning … \d+ more: malformed CSS \(\d+ in all\)$/));
    expect(lines.at(-1)).toContain('--warnings <file.json>');
    expect(result.stderr).toMatch(/\d+ warnings\n$/);
  });

  it('--verbose prints every warning', async () => {
    const result = await runCli(['generate', '--root', root, '--out', '-', '--no-cache', '--verbose']);
    const lines = warningLines(result.stderr);
    expect(lines.filter((line) => line.includes('not found'))).toHaveLength(800);
    expect(lines.some((line) => line.includes(' more: '))).toBe(false);
  });

  it('--warnings <file.json> writes every warning as data', async () => {
    const file = join(dir, 'warnings.json');
    const result = await runCli(['generate', '--root', root, '--out', '-', '--no-cache', '--warnings', file]);
    expect(result.code).toBe(0);
    const warnings = JSON.parse(await readFile(file, 'utf8')) as Array<{ file: string; code: string; message: string; line?: number }>;
    const count = (code: string) => warnings.filter((w) => w.code === code).length;
    expect(count('MISSING')).toBe(800);
    expect(count('OUTSIDE_ROOT')).toBe(40);
    expect(count('CSS_PARSE')).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ file: expect.stringContaining(root), message: expect.any(String) });
  });
});

/** Run the CLI under a pseudo terminal of `rows` lines; the raw bytes the terminal got. */
function underPty(args: string[], rows: number): Promise<string> {
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const { CI: _ci, ...env } = process.env;
  return new Promise((resolve, reject) => {
    execFile('script', ['-q', '-e', '-c', `stty rows ${rows} cols 120; ${quoted} >/dev/null`, '/dev/null'], { env: { ...env, NO_COLOR: '1', TERM: 'xterm' }, timeout: 60_000, maxBuffer: 8 << 20 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
}

/** What a terminal shows: each line's text after its last carriage return / erase. */
const screenLines = (raw: string) =>
  raw
    .split(/\r?\n/)
    .map((line) => line.split(/\r(?:\x1b\[2K)?/).at(-1) ?? '')
    .filter((line) => line.length > 0);

describe('warnings on a TTY', () => {
  it('fit in the terminal, with the progress line redrawn below each warning', async () => {
    const raw = await underPty(['generate', '--root', root, '--out', '-', '--no-cache', '--threads', '1'], 30);
    const shown = screenLines(raw);
    expect(shown.length, shown.join('\n')).toBeLessThanOrEqual(30);
    expect(shown.filter((line) => line.includes('not found'))).toHaveLength(3);
    expect(shown).toContainEqual(expect.stringMatching(/^warning … 797 more: missing files \(800 in all\)$/));
    expect(shown.at(-1)).toMatch(/^42 pages, .* warnings$/);
    // While the crawl runs, a warning is printed above the live progress line, which comes back under it.
    expect(raw).toMatch(/warning [^\n]*zz-last\.html[^\n]*UTF-8[^\n]*\r?\n\r\x1b\[2Kcrawling \d+\/42 pages/);
    // No progress line is left on the screen at the end.
    expect(shown.some((line) => line.startsWith('crawling'))).toBe(false);
  });
});
