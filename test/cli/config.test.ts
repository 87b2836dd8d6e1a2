import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const site = new URL('../../example/site', import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-config-'));
  await cp(site, join(dir, 'site'), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withConfig(name: string, text: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  try {
    return await runCli(['generate', '--config', file, '--out', '-', '--no-cache'], dir);
  } finally {
    await rm(file);
  }
}

describe('config file validation', () => {
  it('a misspelled key is an error naming it and the closest valid key, exit 2, nothing written', async () => {
    const result = await withConfig('push-manifest.config.mjs', "export default { root: 'site', tpyes: ['style'] };\n");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error ${join(dir, 'push-manifest.config.mjs')}: unknown key "tpyes" (did you mean "types"?)\n`);
  });

  it('an unknown key with no near match lists the valid ones', async () => {
    const result = await withConfig('push-manifest.config.json', '{ "root": "site", "zzzzzz": 1 }');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown key "zzzzzz" \(valid keys: root, patterns, .*types.*\)\n$/);
  });

  it('a value of the wrong kind names the key', async () => {
    const types = await withConfig('push-manifest.config.json', '{ "root": "site", "types": ["styles"] }');
    expect(types.code).toBe(2);
    expect(types.stderr).toMatch(/: "types\.0": Invalid option: expected one of "script"\|"style"/);
    const max = await withConfig('push-manifest.config.json', '{ "root": "site", "max": 0 }');
    expect(max.code).toBe(2);
    expect(max.stderr).toContain('"max":');
  });

  it('a valid config applies', async () => {
    const result = await withConfig('push-manifest.config.json', '{ "root": "site", "types": ["style"], "firstImage": false }');
    expect(result.code, result.stderr).toBe(0);
    const manifest = JSON.parse(result.stdout) as Record<string, Record<string, { type: string }>>;
    const types = new Set(Object.values(manifest).flatMap((page) => Object.values(page).flatMap((r) => (r.type === undefined ? [] : [r.type]))));
    expect([...types]).toEqual(['style']);
  });
});
