/** Clients that send request paths exactly as given (no URL normalisation), for attack tests. */
import { connect as netConnect } from 'node:net';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';

/** A response as the wire carried it. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP/1.1 request over a raw socket: the request line is written byte for byte. */
export function rawHttp1(port: number, target: string, extraHeaders = '', method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw HTTP/1.1 request timed out')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split === -1 ? all.length : split).toString('latin1');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: split === -1 ? Buffer.alloc(0) : all.subarray(split + 4) });
    });
    socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extraHeaders}\r\n`);
  });
}

/** One HTTP/2 request with a hand-set `:path` on an open session. */
export function rawHttp2(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ':method': method, ...headers }, { endStream: true });
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.setTimeout(10_000, () => req.close());
    req.on('response', (h) => {
      responseHeaders = h;
    });
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('close', () =>
      resolve({ status: Number(responseHeaders[':status']), headers: responseHeaders, body: Buffer.concat(chunks) }),
    );
  });
}

/** Open a cleartext HTTP/2 session (or TLS with `rejectUnauthorized: false` for https URLs). */
export function h2session(url: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { rejectUnauthorized: false });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}
