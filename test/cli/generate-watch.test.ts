import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const cli = new URL('../../packages/cli/dist/main.js', import.meta.url).pathname;
const fixture = new URL('../../fixtures/sites/multi-page', import.meta.url).pathname;

interface Watching {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Start `generate --watch` on a fresh temp copy of the fixture site. */
function startWatch(root: string): Watching {
  const child = spawn(process.execPath, [cli, 'generate', '--root', root, '--watch', '--no-cache'], {
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** Wait until `check` holds, polling, or fail after `ms`. */
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const runs = (stderr: string) => stderr.split('\n').filter((line) => /^run \d+/.test(line));

describe('generate --watch', () => {
  let root: string;
  let watching: Watching | undefined;
  afterEach(() => {
    watching?.child.kill('SIGKILL');
    watching = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  it('rewrites the manifest on a change, leaves it alone when the result is the same, debounces bursts, survives a deleted page, and stops on SIGINT', async () => {
    root = mkdtempSync(join(tmpdir(), 'push-manifest-watch-'));
    cpSync(fixture, root, { recursive: true });
    const manifest = join(root, 'push-manifest.json');
    watching = startWatch(root);
    const w = watching;
    await until(() => w.stderr().includes('watching '), 'the first run');
    expect(runs(w.stderr())).toHaveLength(1);
    expect(readFileSync(manifest, 'utf8')).not.toContain('/css/added.css');

    // An edit that adds a resource rewrites the manifest.
    writeFileSync(join(root, 'css/added.css'), 'body { color: red }');
    writeFileSync(join(root, 'index.html'), readFileSync(join(root, 'index.html'), 'utf8').replace('</head>', '<link rel="stylesheet" href="/css/added.css"></head>'));
    await until(() => readFileSync(manifest, 'utf8').includes('/css/added.css'), 'the rewritten manifest');
    await until(() => runs(w.stderr()).some((line) => line.endsWith('written') && !line.startsWith('run 1:')), 'the run line');

    // An edit that changes nothing in the result leaves the file as it is (same inode and mtime).
    const before = statSync(manifest);
    const runsBefore = runs(w.stderr()).length;
    writeFileSync(join(root, 'index.html'), `${readFileSync(join(root, 'index.html'), 'utf8')}\n<!-- a comment -->\n`);
    await until(() => runs(w.stderr()).length > runsBefore, 'a run after the no-op edit');
    expect(runs(w.stderr()).at(-1)).toMatch(/unchanged$/);
    const after = statSync(manifest);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);

    // A burst of 20 quick writes gives one or two runs, not 20.
    const runsBeforeBurst = runs(w.stderr()).length;
    for (let i = 0; i < 20; i++) writeFileSync(join(root, 'css/added.css'), `body { color: red } /* ${i} */`);
    await until(() => runs(w.stderr()).length > runsBeforeBurst, 'a run after the burst');
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for any further (wrong) runs to show
    expect(runs(w.stderr()).length - runsBeforeBurst).toBeGreaterThanOrEqual(1);
    expect(runs(w.stderr()).length - runsBeforeBurst).toBeLessThanOrEqual(2);

    // A deleted page drops out of the manifest.
    expect(readFileSync(manifest, 'utf8')).toContain('/about/');
    unlinkSync(join(root, 'about/index.html'));
    await until(() => !readFileSync(manifest, 'utf8').includes('"/about/'), 'the page to leave the manifest');

    // SIGINT: exit 0, no temp file beside the manifest, the last manifest in place.
    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(manifest, 'utf8'))).toBeTypeOf('object');
  }, 60_000);

  it('exits 2 when the first run fails, as a plain generate does', async () => {
    root = mkdtempSync(join(tmpdir(), 'push-manifest-watch-'));
    watching = startWatch(join(root, 'missing'));
    expect(await watching.exited).toBe(2);
    expect(watching.stderr()).toMatch(/does not exist/);
  }, 30_000);
});
