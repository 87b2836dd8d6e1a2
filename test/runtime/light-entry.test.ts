import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const probe = fileURLToPath(new URL('./light-entry/probe.mjs', import.meta.url));
const dist = (path: string) => fileURLToPath(new URL(`../../packages/core/dist/${path}`, import.meta.url));

async function loaded(entry: string, use = ''): Promise<{ resolved: string[]; cjs: string[]; exports: string[] }> {
  const { stdout } = await run(process.execPath, [probe, pathToFileURL(dist(entry)).href, use], { timeout: 20_000 });
  return JSON.parse(stdout) as { resolved: string[]; cjs: string[]; exports: string[] };
}

const crawlerOnly = /[\\/](parse5|css-tree|es-module-lexer|srcset)[\\/]|[\\/]crawl[\\/]/;

describe('the runtime entry stays light', () => {
  it('is built (pnpm test builds first)', () => {
    expect(existsSync(dist('runtime/index.js'))).toBe(true);
  });

  it('loads neither parse5 nor css-tree, even when a handler parses a manifest', async () => {
    const result = await loaded('runtime/index.js', 'handler');
    expect(result.exports).toContain('createPushHandler');
    // The hook did see the graph: the runtime's own modules and zod (manifest parsing).
    expect(result.resolved.some((url) => url.endsWith('/runtime/route-table.js'))).toBe(true);
    expect(result.resolved.some((url) => url.includes('/zod/'))).toBe(true);
    const all = [...result.resolved, ...result.cjs];
    expect(all.filter((url) => crawlerOnly.test(url))).toEqual([]);
  });

  it('the fastify entry does not load fastify itself or the crawler', async () => {
    const result = await loaded('runtime/fastify.js');
    const all = [...result.resolved, ...result.cjs];
    expect(all.filter((url) => crawlerOnly.test(url) || /[\\/]fastify[\\/]/.test(url))).toEqual([]);
  });

  it('the probe would notice parse5 if an entry loaded it', async () => {
    // The main entry may load the crawler; here only to prove the probe can see a CJS or ESM parse5.
    const result = await loaded('../node_modules/parse5/dist/index.js');
    expect([...result.resolved, ...result.cjs].some((url) => crawlerOnly.test(url))).toBe(true);
  });
});
