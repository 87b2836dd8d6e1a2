/**
 * The SPKI flag `serve` prints is what lets Chromium trust its development certificate: with it, a
 * page loads with no certificate error (and so takes part in the HTTP cache, which Early Hints
 * preloads reach the page through); without it, the same navigation fails. Debian's Chromium,
 * driven by playwright-core, with no `ignoreHTTPSErrors`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const site = fileURLToPath(new URL('../../fixtures/serve', import.meta.url));
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let scratch: string;
let server: ServeProcess;
let spkiFlag: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'pm-serve-spki-'));
  server = await startServe([site, '--port', '0', '--cache-dir', join(scratch, 'cache')]);
  const match = /(--ignore-certificate-errors-spki-list=\S+)/.exec(server.stderr());
  if (!match?.[1]) throw new Error(`serve printed no SPKI flag: ${server.stderr()}`);
  spkiFlag = match[1];
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Navigate to `url` in a fresh profile with `args`; the response status, or the navigation error. */
async function load(url: string, args: string[]): Promise<{ status?: number; error?: string; secure?: boolean }> {
  // Chromium honours --ignore-certificate-errors-spki-list only with an explicit --user-data-dir,
  // which a persistent context gives it.
  const profile = mkdtempSync(join(scratch, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: [...ARGS, ...args], headless: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    try {
      const response = await page.goto(url, { timeout: 15_000 });
      const details = await response?.securityDetails();
      return { status: response?.status() ?? 0, secure: details !== null && details !== undefined };
    } catch (error) {
      return { error: (error as Error).message.split('\n')[0] ?? '' };
    }
  } finally {
    await context.close();
  }
}

describe('serve: the printed SPKI flag makes Chromium trust the development certificate', () => {
  it('loads the page with the flag, and fails on the certificate without it', async () => {
    const trusted = await load(`${server.url}/`, [spkiFlag]);
    expect(trusted).toMatchObject({ status: 200, secure: true });
    const untrusted = await load(`${server.url}/`, []);
    expect(untrusted.error).toMatch(/ERR_CERT_AUTHORITY_INVALID|ERR_CERT_/);
  });
});
