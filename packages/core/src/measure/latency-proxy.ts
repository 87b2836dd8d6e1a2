/**
 * A TCP proxy on loopback that makes a network: every chunk waits RTT/2 in each direction (and,
 * with a bandwidth limit, its serialisation time behind the chunks before it). It sits under TLS
 * and HTTP/2, so handshakes, 103 Early Hints and flow control all pay the round trip they pay on a
 * real link; loopback alone delivers a 103 microseconds before the response and hides the gain.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** Options of {@link startLatencyProxy}. */
export interface LatencyProxyOptions {
  /** Where connections go. */
  targetHost: string;
  targetPort: number;
  /** Round-trip time added, in ms. */
  rttMs: number;
  /** Downstream (server → browser) bandwidth in kbit/s; unlimited when absent. */
  downKbps?: number;
  /** Upstream bandwidth in kbit/s; unlimited when absent. */
  upKbps?: number;
}

/** A running proxy. */
export interface LatencyProxy {
  readonly port: number;
  /** Close the listener and every connection. */
  close(): Promise<void>;
}

/**
 * One direction of a link: chunks leave in order, each `delay` ms after it has been "sent", and
 * not before the link has finished sending the ones before it at `kbps`.
 */
class Pipe {
  private readonly queue: { at: number; chunk: Buffer }[] = [];
  private busyUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly to: Socket,
    private readonly delayMs: number,
    private readonly kbps: number | undefined,
  ) {}

  push(chunk: Buffer): void {
    const now = performance.now();
    let sent = now;
    if (this.kbps !== undefined) {
      sent = Math.max(now, this.busyUntil) + (chunk.length * 8) / this.kbps;
      this.busyUntil = sent;
    }
    this.queue.push({ at: sent + this.delayMs, chunk });
    this.schedule();
  }

  /** End the far side once everything queued has been delivered. */
  end(): void {
    this.ended = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const head = this.queue[0];
    if (head === undefined) {
      if (this.ended && !this.to.destroyed) this.to.end();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) {
        const { chunk } = this.queue.shift()!;
        if (!this.to.destroyed) this.to.write(chunk);
      }
      this.schedule();
    }, Math.max(0, head.at - performance.now()));
  }

  destroy(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

/** Start a proxy on a free loopback port. */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const half = Math.max(0, options.rttMs) / 2;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(options.targetPort, options.targetHost);
    sockets.add(client).add(upstream);
    const up = new Pipe(upstream, half, options.upKbps);
    const down = new Pipe(client, half, options.downKbps);
    client.on('data', (chunk: Buffer) => up.push(chunk));
    upstream.on('data', (chunk: Buffer) => down.push(chunk));
    client.on('end', () => up.end());
    upstream.on('end', () => down.end());
    const close = () => {
      up.destroy();
      down.destroy();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // The browser gone: nothing left to deliver. The server gone: deliver what is queued, then end.
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', () => down.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
