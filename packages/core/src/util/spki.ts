import { createHash, createPublicKey } from 'node:crypto';

/**
 * The base64 SHA-256 of a certificate's public key, for Chromium's
 * `--ignore-certificate-errors-spki-list`: the browser then trusts that one key as if a CA had
 * signed it, and caches its responses (it does not cache a host whose errors it merely ignores).
 */
export function spkiHash(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
