/** Headless Chromium (Debian's, through playwright-core) trusting one test certificate by its SPKI pin. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { spkiHash } from '@push-manifest/core/runtime';

/** Chromium's flags for a headless run on a closed network (no background fetches, no sandbox as root). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Run `body` in a fresh profile that trusts `certPem` by its key. Never `--ignore-certificate-errors`:
 * Chromium does not cache responses from a host with a certificate error, so every hinted file
 * would be fetched twice.
 */
export async function withPinnedChromium<T>(certPem: string, body: (context: BrowserContext) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'pm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiHash(certPem)}`],
    headless: true,
    ignoreHTTPSErrors: true,
  });
  try {
    return await body(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
