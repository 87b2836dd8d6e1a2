/**
 * What loading a bundler plugin costs a build. Importing `@push-manifest/vite` or
 * `@push-manifest/webpack` happens while the bundler loads its config, before it starts: the
 * plugin entry must load neither the crawler (parse5, css-tree), which the plugin loads itself
 * once the build has started, nor zod (options are validated then too), nor the runtime, which
 * only `vite preview` uses.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// The runtime's probe: imports a built entry in a fresh process with every module resolution recorded.
const probe = fileURLToPath(new URL('../runtime/light-entry/probe.mjs', import.meta.url));

async function loaded(specifier: string): Promise<{ all: string[]; exports: string[] }> {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve(specifier)).href;
  const { stdout } = await run(process.execPath, [probe, entry, ''], { timeout: 20_000 });
  const { resolved, cjs, exports } = JSON.parse(stdout) as { resolved: string[]; cjs: string[]; exports: string[] };
  return { all: [...resolved, ...cjs], exports };
}

const heavy = /[\\/](parse5|css-tree|zod|es-module-lexer|srcset)[\\/]|[\\/]core[\\/]dist[\\/](crawl|bundle[\\/]index\.js|runtime)/;

describe.each([
  ['@push-manifest/vite', 'pushManifest'],
  ['@push-manifest/webpack', 'PushManifestPlugin'],
])('loading %s', (specifier, name) => {
  it('loads the bundle step’s light loader, not the crawler, zod or the runtime', async () => {
    const { all, exports } = await loaded(specifier);
    expect(exports).toContain(name);
    expect(all.filter((url) => heavy.test(url))).toEqual([]);
    // The probe did see the plugin's graph: the loader it starts the bundle step with.
    expect(all.some((url) => url.endsWith('/core/dist/bundle/loader.js'))).toBe(true);
  });
});
