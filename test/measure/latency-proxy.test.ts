/**
 * The latency proxy: a request and its answer cross it once each way, so an exchange takes at
 * least one RTT; bytes keep their order; a bandwidth limit holds a large answer back for at least
 * its serialisation time. (Lower bounds only: a loaded machine can only make it slower.)
 */
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy } from '../../packages/core/src/measure/latency-proxy.js';

describe('latency proxy', () => {
  let echo: Server;
  let port: number;
  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    port = (echo.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

  async function exchange(proxyPort: number, bytes: Buffer): Promise<{ ms: number; data: Buffer }> {
    const socket = connect(proxyPort, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const started = performance.now();
    const chunks: Buffer[] = [];
    let got = 0;
    const done = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        got += chunk.length;
        if (got >= bytes.length) resolve();
      }),
    );
    socket.write(bytes);
    await done;
    socket.destroy();
    return { ms: performance.now() - started, data: Buffer.concat(chunks) };
  }

  it('adds one RTT to an exchange and keeps the bytes in order', async () => {
    const proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: port, rttMs: 80 });
    try {
      const payload = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));
      const { ms, data } = await exchange(proxy.port, payload);
      expect(ms).toBeGreaterThanOrEqual(79);
      expect(data.equals(payload)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('holds a large answer back for its serialisation time at the bandwidth limit', async () => {
    // 25 kB at 1000 kbit/s downstream: at least 200 ms on the way back.
    const proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: port, rttMs: 0, downKbps: 1000 });
    try {
      const { ms, data } = await exchange(proxy.port, Buffer.alloc(25_000, 7));
      expect(data.length).toBe(25_000);
      expect(ms).toBeGreaterThanOrEqual(195);
    } finally {
      await proxy.close();
    }
  });
});
