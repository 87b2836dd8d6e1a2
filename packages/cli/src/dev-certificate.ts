/**
 * The self-signed certificate `serve` uses without `--cert/--key` (local use only). It is kept in
 * the cache folder and reused across restarts, so that its key, and so the SPKI hash a browser is
 * told to trust (`--ignore-certificate-errors-spki-list`), stays the same from one start to the next.
 */
import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { spkiHash } from '@push-manifest/core/runtime';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** PEM certificate and key. */
export interface Certificate {
  cert: string;
  key: string;
}

/** A development certificate as `serve` uses it. */
export interface DevCertificate extends Certificate {
  /** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo, what Chromium's SPKI list takes. */
  spki: string;
  /** The file it is kept in. */
  file: string;
  /** True when it was read from `file` rather than made now. */
  reused: boolean;
}

/** How long a made certificate is valid; it is made again when less than a day is left. */
const VALID_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

/** The host names and addresses a certificate for `host` covers. */
function subjectNames(host: string): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  if (isIP(host)) ips.add(host);
  else if (host) dns.add(host);
  for (const wildcard of ['0.0.0.0', '::']) ips.delete(wildcard);
  return { dns: [...dns].sort(), ips: [...ips].sort() };
}

/**
 * Make a certificate valid for {@link VALID_DAYS} days for `host`, `localhost`, 127.0.0.1 and ::1.
 * EC P-256: a 2048-bit RSA key takes about a second to generate on a slow machine, P-256 a few ms.
 */
export async function makeDevCertificate(host: string): Promise<Certificate> {
  const { dns, ips } = subjectNames(host);
  const altNames = [...dns.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))];
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'push-manifest serve (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + VALID_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}


/** A kept certificate still fits: it parses, covers every name for `host`, and has a day left. */
function stillGood(kept: Certificate, host: string): boolean {
  try {
    const x509 = new X509Certificate(kept.cert);
    if (!x509.checkPrivateKey(createPrivateKey(kept.key))) return false;
    if (Date.parse(x509.validTo) - Date.now() < DAY_MS) return false;
    const { dns, ips } = subjectNames(host);
    return dns.every((name) => x509.checkHost(name, { wildcards: false }) !== undefined) && ips.every((ip) => x509.checkIP(ip) !== undefined);
  } catch {
    return false;
  }
}

/**
 * The development certificate for `host`: the one kept in `cacheDir` when it still fits, else a
 * new one, saved there (key file mode 0600, written to a temp file and renamed). A cache folder
 * that cannot be written only costs the reuse: the new certificate is used all the same.
 */
export async function loadDevCertificate(host: string, cacheDir: string): Promise<DevCertificate> {
  const file = join(cacheDir, 'dev-certificate.json');
  try {
    const kept = JSON.parse(await readFile(file, 'utf8')) as Partial<Certificate>;
    if (typeof kept.cert === 'string' && typeof kept.key === 'string' && stillGood(kept as Certificate, host)) {
      return { cert: kept.cert, key: kept.key, spki: spkiHash(kept.cert), file, reused: true };
    }
  } catch {
    // Missing or damaged: make a new one below.
  }
  const made = await makeDevCertificate(host);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(temp, `${JSON.stringify(made)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
  return { ...made, spki: spkiHash(made.cert), file, reused: false };
}
