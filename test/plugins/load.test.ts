/**
 * What loading `@push-manifest/vite` costs a build: the plugin module must not load the runtime
 * (route table, handler, server), which only `vite preview` uses.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// The runtime's probe: imports a built entry in a fresh process with every module resolution recorded.
const probe = fileURLToPath(new URL('../runtime/light-entry/probe.mjs', import.meta.url));

describe('loading @push-manifest/vite', () => {
  it('loads the crawler it builds with, not the runtime only preview uses', async () => {
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('@push-manifest/vite')).href;
    const { stdout } = await run(process.execPath, [probe, entry, ''], { timeout: 20_000 });
    const { resolved } = JSON.parse(stdout) as { resolved: string[] };
    expect(resolved.some((url) => url.endsWith('/core/dist/bundle/index.js'))).toBe(true);
    expect(resolved.filter((url) => url.includes('/core/dist/runtime/'))).toEqual([]);
  });
});
