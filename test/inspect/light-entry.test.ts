/** `@push-manifest/core/inspect` must not load the crawler: `inspect` runs where only a URL is at hand. */
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const probe = fileURLToPath(new URL('../runtime/light-entry/probe.mjs', import.meta.url));
const entry = fileURLToPath(new URL('../../packages/core/dist/inspect/index.js', import.meta.url));

it('the inspect entry loads neither parse5, css-tree nor the crawl modules', async () => {
  const { stdout } = await run(process.execPath, [probe, pathToFileURL(entry).href, ''], { timeout: 20_000 });
  const result = JSON.parse(stdout) as { resolved: string[]; cjs: string[]; exports: string[] };
  expect(result.exports).toEqual(expect.arrayContaining(['inspectUrl', 'compareWithManifest']));
  expect(result.resolved.some((url) => url.endsWith('/runtime/route-table.js'))).toBe(true);
  expect([...result.resolved, ...result.cjs].filter((url) => /[\\/](parse5|css-tree|es-module-lexer|srcset)[\\/]|[\\/]crawl[\\/]/.test(url))).toEqual([]);
});
