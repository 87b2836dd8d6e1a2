import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = new URL('../../packages/cli/dist/main.js', import.meta.url).pathname;
const fixtures = new URL('../../fixtures/sites/', import.meta.url).pathname;
const golden = new URL('../crawl/golden/', import.meta.url).pathname;
const temps: string[] = [];

afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function copyOf(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pm-cli-gen-'));
  temps.push(dir);
  const root = join(dir, name);
  await cp(join(fixtures, name), root, { recursive: true });
  return root;
}

const exists = (file: string) => stat(file).then(() => true, () => false);

describe('push-manifest generate', () => {
  it('writes <root>/push-manifest.json by default, matching the golden file, and reruns byte-identical', async () => {
    const root = await copyOf('basic');
    const first = await run(['generate', '--root', root]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    const written = await readFile(join(root, 'push-manifest.json'), 'utf8');
    expect(written).toBe(await readFile(join(golden, 'basic.json'), 'utf8'));
    expect(first.stderr).toMatch(/1 page, 4 listed resources/);
    // The manifest now sits in the root: it is never taken as input, and the output is the same.
    const second = await run(['generate', '--root', root]);
    expect(second.code).toBe(0);
    expect(await readFile(join(root, 'push-manifest.json'), 'utf8')).toBe(written);
  });

  it('--out - prints only the manifest on stdout', async () => {
    const result = await run(['generate', '--root', join(fixtures, 'multi-page'), '--out', '-', '--follow-imports']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await readFile(join(golden, 'multi-page.json'), 'utf8'));
  });

  it('follows module imports by default; --no-follow-imports turns it off', async () => {
    const byDefault = await run(['generate', '--root', join(fixtures, 'multi-page'), '--out', '-']);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toBe(await readFile(join(golden, 'multi-page.json'), 'utf8'));
    expect(byDefault.stdout).toContain('"/js/greet.js"');
    const off = await run(['generate', '--root', join(fixtures, 'multi-page'), '--out', '-', '--no-follow-imports']);
    expect(off.code).toBe(0);
    expect(off.stdout).not.toContain('"/js/greet.js"');
    expect(off.stdout).toContain('"/js/main.js"');
  });

  it('prints each warning as one "file:line:col message" line on stderr and still exits 0', async () => {
    const result = await run(['generate', '--root', join(fixtures, 'edge-cases'), '--out', '-', '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const loud = await run(['generate', '--root', join(fixtures, 'edge-cases'), '--out', '-']);
    const lines = loud.stderr.split('\n').filter((line) => line.startsWith('warning '));
    // The crawl's warnings, then the one line on what the legacy format left out.
    const warnings = lines.filter((line) => !line.includes('format left out'));
    expect(lines.filter((line) => line.includes('format left out'))).toEqual([
      'warning the multi format left out 2 preconnect hints, 1 responsive image, which its old readers would misuse; --format v1 keeps every hint (read by push-manifest\'s own runtime and exports)',
    ]);
    expect(warnings).toHaveLength(3);
    for (const line of warnings) expect(line).toMatch(/^warning \S*index\.html:\d+:\d+ \S.*$/);
    expect(warnings[0]).toContain('index.html:52:8 /assets/img/missing.png not found');
  });

  it('prints the first warnings of each kind and counts the rest, unless --verbose', async () => {
    const root = await copyOf('basic');
    await writeFile(join(root, 'index.html'), Array.from({ length: 130 }, (_, i) => `<img src="gone-${i}.png">`).join('\n'));
    const normal = await run(['generate', '--root', root, '--out', '-']);
    const lines = normal.stderr.split('\n').filter((line) => line.startsWith('warning '));
    expect(lines).toHaveLength(5);
    expect(lines[3]).toBe('warning … 127 more: missing files (130 in all)');
    expect(lines[4]).toBe('warning (--verbose prints every warning; --warnings <file.json> writes them all as data)');
    const verbose = await run(['generate', '--root', root, '--out', '-', '--verbose']);
    expect(verbose.stderr.split('\n').filter((line) => line.startsWith('warning '))).toHaveLength(130);
  });

  it('--format, --types, --max and --base reach the crawler', async () => {
    const result = await run(['generate', '--root', join(fixtures, 'basic'), '--out', '-', '--format', 'polymer', '--types', 'style,image', '--max', '2', '--base', '/b/']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, Record<string, { type: string }>>;
    const [route] = Object.keys(json);
    // Escaped for prpl-server, with the folder URL /b/ as an alias.
    expect(route).toBe('/b/(?:index\\.html)?');
    // With every image listed, the stylesheet's background (found first, in the head) comes before <img>s.
    expect(Object.keys(json[route!]!)).toEqual(['/b/css/style.css', '/b/img/bg.png']);
  });

  it('--fonts declared lists the fonts a page declares but never uses; the default leaves them out', async () => {
    const root = await copyOf('basic');
    await writeFile(join(root, 'css', 'style.css'), '@font-face { font-family: Body; src: url("../fonts/body.woff2") format("woff2") }\n');
    const fontsOf = (stdout: string) => Object.entries(JSON.parse(stdout) as Record<string, { type: string }>).filter(([, r]) => r.type === 'font').map(([url]) => url);
    const used = await run(['generate', '--root', root, '--out', '-', '--no-cache']);
    expect(used.code).toBe(0);
    expect(fontsOf(used.stdout)).toEqual([]);
    const declared = await run(['generate', '--root', root, '--out', '-', '--no-cache', '--fonts', 'declared']);
    expect(declared.code).toBe(0);
    expect(fontsOf(declared.stdout)).toEqual(['/fonts/body.woff2']);
    expect((await run(['generate', '--root', root, '--out', '-', '--fonts', 'some'])).code).toBe(2);
  });

  it('--origin (repeatable) makes absolute URLs on the site its own', async () => {
    const root = await copyOf('basic');
    await writeFile(join(root, 'index.html'), '<link rel=stylesheet href="https://a.example/css/style.css"><script src="https://b.example/js/app.js"></script>');
    const result = await run(['generate', '--root', root, '--out', '-', '--origin', 'https://a.example', '--origin', 'https://b.example']);
    expect(result.code).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual(['/css/style.css', '/fonts/body.woff2', '/js/app.js']);
  });

  it('--json prints a summary on stdout', async () => {
    const root = await copyOf('basic');
    const result = await run(['generate', '--root', root, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { pages: number; resources: number; warnings: unknown[]; out: string };
    expect(summary).toMatchObject({ pages: 1, resources: 4, warnings: [], out: join(root, 'push-manifest.json') });
  });

  it('missing root: exit 2, one line, nothing written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-cli-gen-'));
    temps.push(dir);
    const out = join(dir, 'out.json');
    const result = await run(['generate', '--root', join(dir, 'no-such-site'), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no-such-site');
    expect(await exists(out)).toBe(false);
  });

  it('empty glob: exit 2, one line, nothing written', async () => {
    const root = await copyOf('basic');
    const result = await run(['generate', 'nothing/*.html', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('no HTML pages match nothing/*.html')]);
    expect(await exists(join(root, 'push-manifest.json'))).toBe(false);
  });

  it('a manifest the chosen format cannot hold: exit 2 after the crawl, nothing written', async () => {
    const root = await copyOf('multi-page');
    const result = await run(['generate', '--root', root, '--format', 'single']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error .*single.*3/m);
    expect(await exists(join(root, 'push-manifest.json'))).toBe(false);
  });

  it('bad flags: exit 2 with a message', async () => {
    for (const args of [['--max', '0'], ['--max-bytes', 'lots'], ['--types', 'style,bogus'], ['--json', '--out', '-']]) {
      const result = await run(['generate', '--root', join(fixtures, 'basic'), ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect((await run(['generate', '--out', '-'], tmpdir())).code).toBe(2);
  });

  it('reads push-manifest.config.json from the cwd; flags override it', async () => {
    const root = await copyOf('basic');
    const dir = join(root, '..');
    await writeFile(join(dir, 'push-manifest.config.json'), JSON.stringify({ root: 'basic', out: 'from-config.json', max: 1 }));
    const fromConfig = await run(['generate'], dir);
    expect(fromConfig.code).toBe(0);
    const written = JSON.parse(await readFile(join(dir, 'from-config.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual(['/css/style.css']);
    const overridden = await run(['generate', '--max', '2', '--out', '-'], dir);
    expect(Object.keys(JSON.parse(overridden.stdout) as object)).toEqual(['/css/style.css', '/fonts/body.woff2']);
  });

  it('loads a JS config given with --config, resolving its paths from its folder', async () => {
    const root = await copyOf('multi-page');
    const configDir = join(root, '..');
    await writeFile(
      join(configDir, 'site.config.mjs'),
      "export default { root: 'multi-page', followImports: true, types: ['script'], firstImage: false };\n",
    );
    const result = await run(['generate', '--config', join(configDir, 'site.config.mjs'), '--out', '-'], tmpdir());
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    expect(Object.keys(json['index.html']!)).toEqual(['/js/main.js', '/js/greet.js', '/js/helper.js']);
    const noFirst = await run(['generate', '--config', join(configDir, 'site.config.mjs'), '--out', '-', '--types', 'style'], tmpdir());
    expect(Object.keys((JSON.parse(noFirst.stdout) as Record<string, object>)['index.html']!)).toEqual(['/css/site.css']);
  });

  it('a config file that is not JSON: exit 2 naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-cli-gen-'));
    temps.push(dir);
    await writeFile(join(dir, 'push-manifest.config.json'), '{ root: nope');
    const result = await run(['generate'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('push-manifest.config.json');
  });
});
