import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isPatternKey, PushManifestError, isPushManifestError } from '@push-manifest/core';

const run = promisify(execFile);
const cli = new URL('../packages/cli/dist/main.js', import.meta.url).pathname;

describe('workspace', () => {
  it('tells pattern keys from literal paths', () => {
    expect(isPatternKey('^/shop/.*$')).toBe(true);
    expect(isPatternKey('/a.html')).toBe(false);
  });

  it('recognises its own error class', () => {
    expect(isPushManifestError(new PushManifestError('BAD_INPUT', 'x'))).toBe(true);
    expect(isPushManifestError(new Error('x'))).toBe(false);
  });

  it('built CLI prints its version and exits 2 on an unknown command', async () => {
    const { stdout } = await run(process.execPath, [cli, '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    await expect(run(process.execPath, [cli, 'frobnicate'])).rejects.toMatchObject({ code: 2 });
  });
});
