/**
 * What loading `@push-manifest/vite` costs a build: the plugin module must not load the runtime
 * (route table, handler, server), which only `vite preview` uses. Checked in a fresh Node process
 * with a module resolve hook that records every core module the import reaches.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'pm-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The core modules (paths under core's dist) an import of `specifier` loads, in a fresh process. */
function coreModulesLoadedBy(specifier: string): string[] {
  writeFileSync(join(dir, 'hook.mjs'), `export async function resolve(s, c, next) { const r = await next(s, c); const m = /\\/core\\/dist\\/(.+)$/.exec(r.url); if (m) process.stdout.write(m[1] + '\\n'); return r; }\n`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register('./hook.mjs', import.meta.url);\n`);
  const url = pathToFileURL(createRequire(import.meta.url).resolve(specifier)).href;
  const out = execFileSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', `await import(${JSON.stringify(url)})`], { encoding: 'utf8', timeout: 30_000 });
  return out.split('\n').filter(Boolean);
}

describe('loading @push-manifest/vite', () => {
  it('loads the crawler it builds with, not the runtime only preview uses', () => {
    const loaded = coreModulesLoadedBy('@push-manifest/vite');
    expect(loaded).toContain('bundle/index.js');
    expect(loaded.filter((file) => file.startsWith('runtime/'))).toEqual([]);
  });
});
