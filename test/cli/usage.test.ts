import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '@push-manifest/core';
import { runCli } from './helpers.js';

const site = new URL('../../example/site', import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-usage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A usage error is exactly one line on stderr, ends with where to look, and exits 2. */
function expectOneLineUsage(result: { code: number | null; stdout: string; stderr: string }, command: string) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`\\(see push-manifest ${command} --help\\)$`));
  expect(result.stderr).not.toContain('Usage:');
}

describe('usage errors', () => {
  it('a bad choice is one line and where to look, not the whole help', async () => {
    const result = await runCli(['generate', '--root', site, '--format', 'mutli']);
    expectOneLineUsage(result, 'generate');
    expect(result.stderr).toContain("argument 'mutli' is invalid");
  });

  it('a bad --types word is caught at parse time and the nearest type suggested', async () => {
    const result = await runCli(['generate', '--root', site, '--types', 'style,fnt']);
    expectOneLineUsage(result, 'generate');
    expect(result.stderr).toContain('unknown value "fnt" (did you mean font?)');
  });

  it('an unknown option keeps commander\'s suggestion on the same line', async () => {
    const result = await runCli(['generate', '--roo', site]);
    expectOneLineUsage(result, 'generate');
    expect(result.stderr).toContain('(Did you mean --root?)');
  });

  it('a usage error found by the command body also points to the help', async () => {
    expectOneLineUsage(await runCli(['serve', site, '--port', 'x']), 'serve');
    expectOneLineUsage(await runCli(['serve', site, '--cert', 'a.pem']), 'serve');
    expectOneLineUsage(await runCli(['convert', join(dir, 'x.json')]), 'convert');
  });

  it('a folder given where --root was meant gets a hint', async () => {
    const result = await runCli(['generate', 'site'], join(site, '..'));
    expectOneLineUsage(result, 'generate');
    expect(result.stderr).toContain('did you mean --root site?');
    // A glob that is not a folder gets no such hint.
    const glob = await runCli(['generate', '**/*.html'], join(site, '..'));
    expect(glob.code).toBe(2);
    expect(glob.stderr).not.toContain('did you mean');
  });

  it('an unknown command is one line too', async () => {
    const result = await runCli(['genrate']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('Usage:');
    expect(result.stderr).toContain('(see push-manifest --help)');
  });
});

describe('--help', () => {
  it('lists the valid values of every option that has a fixed set', async () => {
    const generate = (await runCli(['generate', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(generate).toContain('(values: ' + RESOURCE_TYPES.join(', ') + ')');
    expect(generate).toContain('(choices: "auto", "single", "multi", "polymer", "v1")');
    expect(generate).toContain('(choices: "default", "all")');
    expect(generate).toContain('(choices: "used", "declared")');
    const convert = (await runCli(['convert', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(convert).toContain('(choices: "single", "multi", "polymer", "v1")');
    const validate = (await runCli(['validate', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(validate).toContain('(choices: "auto", "single", "multi", "polymer", "v1")');
  });

  it('exits 0', async () => {
    expect((await runCli(['serve', '--help'])).code).toBe(0);
  });
});
