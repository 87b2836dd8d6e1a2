/** Network failures of `inspect` as one line a person can act on. */
import { PushManifestError } from '../errors.js';

/** Node's codes for a certificate the client refused. */
const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Turn a socket, TLS or HTTP/2 error into a `NETWORK` {@link PushManifestError} naming the server. */
export function networkError(error: unknown, url: URL): PushManifestError {
  const err = error as NodeJS.ErrnoException;
  const code = err.code ?? '';
  const where = url.host;
  let message: string;
  if (CERT_CODES.has(code)) {
    // Node 24 appends advice after a `;` ("try running Node.js with --use-system-ca"): the reason alone, then ours.
    const reason = (err.message ?? code).split(';')[0];
    message = `the TLS certificate of ${where} was refused: ${reason} (--insecure skips the check, for a local server's self-signed certificate)`;
  } else if (code === 'ECONNREFUSED') {
    message = `cannot connect to ${where}: connection refused`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    message = `cannot resolve the host ${url.hostname}`;
  } else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    message = `cannot reach ${where} (${code})`;
  } else if (code === 'ECONNRESET' || code === 'EPIPE') {
    message = `${where} closed the connection (${code})`;
  } else if (/wrong version number|packet length too long|http request/i.test(err.message ?? '')) {
    message = `${where} does not speak TLS (is it http:// ?)`;
  } else {
    message = `cannot inspect ${url.href}: ${err.message ?? String(error)}`;
  }
  return new PushManifestError('NETWORK', message, { cause: error });
}

/** The error for an inspection that ran out of time. */
export function timeoutError(url: URL, ms: number): PushManifestError {
  return new PushManifestError('NETWORK', `no complete answer from ${url.href} within ${ms} ms (--timeout)`);
}
