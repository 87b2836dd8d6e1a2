import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestJsonSchema, pushManifestSchema } from '@push-manifest/core/manifest';
import { fixtureJson } from './helpers.js';

const run = promisify(execFile);
const committed = new URL('../../packages/core/schema/push-manifest.schema.json', import.meta.url).pathname;
const script = new URL('../../packages/core/scripts/write-schema.mjs', import.meta.url).pathname;

describe('published JSON Schema', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pm-schema-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the committed file is what the zod schema generates (run packages/core/scripts/write-schema.mjs after a change)', async () => {
    expect(await readFile(committed, 'utf8')).toBe(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
  });

  it('the script (on the built package) writes the committed file', async () => {
    const out = join(dir, 'schema.json');
    await run(process.execPath, [script, out]);
    expect(await readFile(out, 'utf8')).toBe(await readFile(committed, 'utf8'));
  });

  it('documents every field and the allowed types', () => {
    const text = JSON.stringify(manifestJsonSchema());
    for (const field of ['type', 'weight', 'crossorigin', 'rel', 'nopush', 'media', 'preconnect', 'modulepreload', 'manifest']) {
      expect(text).toContain(`"${field}"`);
    }
  });

  it('the zod schema accepts every valid fixture shape', () => {
    for (const name of ['http2-push-manifest/single.json', 'http2-push-manifest/multi.json', 'polymer/prpl-server.json', 'polymer/polymer-cli.json', 'ours/multi.json', 'ours/v1.json']) {
      expect(pushManifestSchema.safeParse(fixtureJson(name)).success, name).toBe(true);
    }
    expect(pushManifestSchema.safeParse({ '/a.css': { type: 'stylesheet' } }).success).toBe(false);
  });
});
