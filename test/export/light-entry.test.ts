import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// The runtime's probe: imports a built entry with every module resolution recorded.
const probe = fileURLToPath(new URL('../runtime/light-entry/probe.mjs', import.meta.url));
const dist = (path: string) => fileURLToPath(new URL(`../../packages/core/dist/${path}`, import.meta.url));
const crawlerOnly = /[\\/](parse5|css-tree|es-module-lexer|srcset|fast-glob)[\\/]|[\\/]crawl[\\/]/;

describe('the export entry stays light', () => {
  it('loads neither the crawler nor parse5/css-tree, only the runtime Link writer and the model', async () => {
    const { stdout } = await run(process.execPath, [probe, pathToFileURL(dist('export/index.js')).href, ''], { timeout: 20_000 });
    const result = JSON.parse(stdout) as { resolved: string[]; cjs: string[]; exports: string[] };
    expect(result.exports).toEqual(expect.arrayContaining(['exportManifest', 'exportNginx', 'EXPORT_TARGETS']));
    expect(result.resolved.some((url) => url.endsWith('/runtime/link-header.js'))).toBe(true);
    expect([...result.resolved, ...result.cjs].filter((url) => crawlerOnly.test(url))).toEqual([]);
  });
});
