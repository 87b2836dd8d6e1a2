/**
 * Running a real web server under a test's control: a self-signed certificate for 127.0.0.1,
 * a free port, the server in the foreground (bounded start-up wait, killed in `stop`), and the
 * clients that check it (curl --http2 for headers and 103s, nghttp -nv for PUSH_PROMISEs).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// selfsigned is the CLI's dependency (it makes serve's development certificate): load it from there.
const { generate } = createRequire(new URL('../../packages/cli/package.json', import.meta.url))('selfsigned') as {
  generate: (attrs: unknown, options: unknown) => Promise<{ cert: string; private: string }>;
};

/** A temp folder holding `cert.pem` and `key.pem` for 127.0.0.1. */
export async function makeTlsDir(prefix: string): Promise<{ dir: string; cert: string; key: string }> {
  const dir = mkdtempSync(join(tmpdir(), `pm-export-${prefix}-`));
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.private, { mode: 0o600 });
  return { dir, cert, key };
}

/** A server's command: `/usr/sbin` is not on every user's PATH, and nginx and apache2 live there. */
export function serverCommand(name: string): string {
  return existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A started server: its process and its output so far (for failure messages). */
export interface RunningServer {
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Start `command` in the foreground and wait (at most 15 s) until `port` accepts connections; `logFile` is quoted on failure. */
export async function startServer(command: string, args: string[], port: number, env: NodeJS.ProcessEnv = {}, logFile?: string): Promise<RunningServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (exited || child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };
  const log = () => (logFile !== undefined && existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  for (let i = 0; i < 150; i++) {
    if (exited) throw new Error(`${command} exited while starting: ${output}${log()}`);
    if (await accepts(port)) return { process: child, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${command} did not listen on ${port} within 15 s: ${output}${log()}`);
}

/** Run a config test; resolves with its output, rejects with it on a non-zero exit. */
export async function configTest(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 20_000, env: { ...process.env, ...env } });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  }
}

/** A response as curl --http2 saw it: status line(s) and headers of each response, 1xx included. */
export interface CurlResponse {
  /** Every response in order, e.g. a 103 then the 200. */
  responses: { status: number; headers: [string, string][] }[];
  /** The final response's `link` header values. */
  links: string[];
  status: number;
}

/** GET `path` over HTTP/2 with curl, headers of every response (1xx too) parsed. */
export async function curl(port: number, path: string, extra: string[] = []): Promise<CurlResponse> {
  const { stdout } = await run('curl', ['-sk', '--http2', '-o', '/dev/null', '-D', '-', ...extra, `https://127.0.0.1:${port}${path}`], { timeout: 15_000 });
  const responses: CurlResponse['responses'] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const status = /^HTTP\/\S+ (\d{3})/.exec(line);
    if (status !== null) responses.push({ status: Number(status[1]), headers: [] });
    else if (line.includes(':') && responses.length > 0) {
      const colon = line.indexOf(':');
      responses.at(-1)!.headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  const last = responses.at(-1);
  if (last === undefined) throw new Error(`curl got no response for ${path}: ${stdout}`);
  return { responses, status: last.status, links: last.headers.filter(([name]) => name === 'link').map(([, value]) => value) };
}

/** The `:path` of every PUSH_PROMISE `nghttp -nv` received for a GET of `path` (nghttp prints a frame's headers before the frame line). */
export async function nghttpPushes(port: number, path: string): Promise<string[]> {
  const { stdout } = await run('nghttp', ['-nv', `https://127.0.0.1:${port}${path}`], { timeout: 15_000 });
  const pushes: string[] = [];
  let pendingPath: string | undefined;
  for (const line of stdout.split('\n')) {
    const header = /recv \(stream_id=\d+\) :path: (.*)$/.exec(line);
    if (header !== null) pendingPath = header[1];
    else if (/recv PUSH_PROMISE frame/.test(line)) {
      if (pendingPath !== undefined) pushes.push(pendingPath);
      pendingPath = undefined;
    } else if (/recv \S+ frame/.test(line)) pendingPath = undefined;
  }
  return pushes;
}
