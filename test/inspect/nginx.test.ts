/**
 * `inspect` against a real nginx (Debian's 1.22, which still has `http2_push`), configured by hand
 * for the fixture site: TLS + HTTP/2 on a free loopback port, `http2_push` and `add_header Link`.
 * Once the export writers exist (issue 11), this config should come from them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDevCertificate } from '../../packages/cli/dist/dev-certificate.js';
import { runCli } from '../cli/helpers.js';

const fixture = fileURLToPath(new URL('../../fixtures/serve', import.meta.url));
const manifest = join(fixture, 'push-manifest.json');
const HINTS = ['/css/app.css', '/fonts/open-sans-300.woff2', '/js/main.js'];
const LINK = '</css/app.css>; rel=preload; as=style, </fonts/open-sans-300.woff2>; rel=preload; as=font; crossorigin, </js/main.js>; rel=modulepreload; crossorigin';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** Wait until the port accepts connections (nginx is up), at most ~10 s. */
async function waitForPort(port: number, nginx: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited ${nginx.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nginx did not listen on ${port}: ${log()}`);
}

describe('inspect against nginx with http2_push and add_header Link', () => {
  let dir: string;
  let nginx: ChildProcess;
  let url: string;
  let stderr = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pm-inspect-nginx-'));
    mkdirSync(join(dir, 'logs'));
    const { cert, key } = await makeDevCertificate('127.0.0.1');
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key);
    const port = await freePort();
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${join(dir, name)};`).join('\n');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `# One process in the foreground, as the test's user: no workers to switch to another user.
daemon off;
master_process off;
error_log ${join(dir, 'logs/error.log')} warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
${temp}
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${join(dir, 'cert.pem')};
    ssl_certificate_key ${join(dir, 'key.pem')};
    root ${fixture};
    location ~ ^/(index\\.html)?$ {
      http2_push /css/app.css;
      http2_push /fonts/open-sans-300.woff2;
      http2_push /js/main.js;
      add_header Link '${LINK}';
    }
  }
}
`,
    );
    nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitForPort(port, nginx, () => stderr);
    url = `https://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees the three pushes and the Link header; they match the manifest, exit 0', async () => {
    const { code, stdout } = await runCli(['inspect', `${url}/`, '-k', '--manifest', manifest, '--json']);
    const report = JSON.parse(stdout);
    const nav = report.navigations[0];
    expect(report.protocol).toBe('h2');
    expect(nav.pushes.map((p: { path: string }) => p.path)).toEqual(HINTS);
    expect(nav.pushes.map((p: { status: number }) => p.status)).toEqual([200, 200, 200]);
    expect(nav.pushes[1].contentType).toBe('font/woff2');
    expect(nav.links.map((l: { url: string }) => l.url)).toEqual(HINTS);
    expect(nav.earlyHints).toEqual([]);
    expect(report.manifest).toMatchObject({ route: '/index.html', ok: true, mismatches: [] });
    expect(code).toBe(0);
  });

  it('--repeat: nginx pushes again on a new connection (it keeps no cache digest)', async () => {
    const { code, stdout } = await runCli(['inspect', `${url}/`, '-k', '--repeat', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const fresh = report.repeat.find((diff: { label: string }) => diff.label === 'new-connection');
    expect(fresh.pushedAgain).toEqual(HINTS);
  });
});
