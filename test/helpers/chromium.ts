/** Headless Chromium (Debian's, through playwright-core) trusting one test certificate by its SPKI pin. */
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The base64 SHA-256 of a certificate's public key, as `--ignore-certificate-errors-spki-list` takes it. */
export function spkiPin(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Run `body` in a fresh profile that trusts `certPem` by its key. Never `--ignore-certificate-errors`:
 * Chromium does not cache responses from a host with a certificate error, so every hinted file
 * would be fetched twice.
 */
export async function withPinnedChromium<T>(certPem: string, body: (context: BrowserContext) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'pm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: [...ARGS, `--ignore-certificate-errors-spki-list=${spkiPin(certPem)}`],
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
