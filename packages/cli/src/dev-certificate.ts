/** A throwaway self-signed certificate for `serve` without `--cert/--key` (local use only). */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

/** PEM certificate and key. */
export interface Certificate {
  cert: string;
  key: string;
}

/**
 * Make a certificate valid for a week for `host`, `localhost`, 127.0.0.1 and ::1. EC P-256: a 2048-bit
 * RSA key takes about a second to generate on a slow machine, P-256 a few milliseconds.
 */
export async function makeDevCertificate(host: string): Promise<Certificate> {
  const names = new Set(['localhost', host]);
  const ips = new Set(['127.0.0.1', '::1']);
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [];
  for (const name of names) {
    if (isIP(name)) ips.add(name);
    else if (name && name !== '0.0.0.0' && name !== '::') altNames.push({ type: 2, value: name });
  }
  for (const ip of ips) if (ip !== '0.0.0.0' && ip !== '::') altNames.push({ type: 7, ip });
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'push-manifest serve (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
