/**
 * `push-manifest serve <root>`: flags in, `createPushServer` out, until SIGINT/SIGTERM. Everything a
 * library user would also want (static serving, pushes, hints, graceful close) lives in core.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { createPushServer, defaultCacheDir, type PushStats } from '@push-manifest/core/runtime';
import { checkManifestFiles, formatProblem, PushManifestError, readJsonFile, readManifestJson } from '@push-manifest/core/manifest';
import { loadDevCertificate } from '../dev-certificate.js';
import { EXIT, ExitError } from '../exit.js';
import { UsageError } from '../usage.js';
import type { Output } from '../output.js';

/** The flags commander hands us (see main.ts). */
interface ServeFlags {
  port?: string;
  host?: string;
  manifest?: string;
  cert?: string;
  key?: string;
  h2c?: boolean;
  push?: boolean;
  link?: boolean;
  earlyHints?: boolean;
  clientPush?: boolean;
  maxPushes?: string;
  debugHeaders?: boolean;
  cacheDir?: string;
  immutable?: string[];
  verbose?: boolean;
}

function integer(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw new UsageError(`--${name} must be an integer from 0 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new PushManifestError('ENOENT', `${file}: cannot read the --${flag} file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file, cause: error });
  }
}

/** A certificate and key TLS cannot use (not PEM, a key of another certificate) fail here, in one line. */
function checkTls(tls: { cert: string; key: string }, flags: ServeFlags): void {
  try {
    createSecureContext(tls);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new ExitError(EXIT.USAGE, `${flags.cert} / ${flags.key}: not a usable certificate and key (${reason})`);
  }
}

/**
 * Fail early and in one line when the port cannot be had: listening in the server itself would
 * leave a watched manifest running behind an error (and a stack trace) instead.
 */
async function checkPort(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((done, fail) => {
    probe.once('error', fail);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done()));
  }).catch((error: NodeJS.ErrnoException) => {
    throw new ExitError(EXIT.USAGE, listenProblem(error, host, port));
  });
}

function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is in use (another server?): pick another --port, or --port 0 for a free one`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges: pick a port above 1023, or --port 0 for a free one`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (--host)`;
    default:
      return `cannot listen on ${host}:${port} (${error.code ?? error.message})`;
  }
}

/** Warn, one line each and then a count, about files the manifest lists that the root does not have. */
async function checkAgainstRoot(manifestPath: string, root: string, out: Output): Promise<void> {
  const { manifest } = readManifestJson(await readJsonFile(manifestPath), { format: 'auto' });
  const missing = await checkManifestFiles(manifest, { root });
  for (const problem of missing) out.warn(formatProblem(problem, manifestPath));
  if (missing.length > 0) {
    out.warn(`${missing.length} file${missing.length === 1 ? '' : 's'} listed in ${manifestPath} not under ${root}: is it this site's manifest? (push-manifest validate ${manifestPath} --root ${root})`);
  }
}

const summary = (s: PushStats) =>
  `requests ${s.requests}, navigations ${s.navigations}, pushed ${s.pushed}, cancelled ${s.cancelled}, early hints ${s.earlyHints}, ` +
  `link headers ${s.linkHeaders}, skipped ${Object.entries(s.skipped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${why} ${n}`)
    .join(', ') || 'none'}`;

/** Serve `root` until a signal; resolves with the exit code. */
export async function serve(rootArg: string, rawFlags: Record<string, unknown>, out: Output): Promise<number> {
  const flags = rawFlags as ServeFlags;
  const root = resolve(rootArg);
  if (!existsSync(root)) throw new PushManifestError('ENOENT', `${rootArg}: no such folder`, { file: rootArg });
  if (!statSync(root).isDirectory()) throw new PushManifestError('BAD_INPUT', `${rootArg}: not a folder (serve takes the built site's folder)`, { file: rootArg });
  const port = integer('port', flags.port, 8443, 65535);
  const maxPushes = integer('max-pushes', flags.maxPushes, 10, 1000);
  const host = flags.host ?? '127.0.0.1';
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together');
  if (flags.h2c && flags.cert !== undefined) throw new UsageError('--h2c is cleartext: it takes no --cert/--key');
  await checkPort(host, port);

  // No manifest is not an error for the default path (a plain static server is still useful);
  // a manifest named explicitly must exist.
  const manifestPath = flags.manifest === undefined ? join(root, 'push-manifest.json') : resolve(flags.manifest);
  const haveManifest = existsSync(manifestPath);
  if (!haveManifest) {
    if (flags.manifest !== undefined) throw new PushManifestError('ENOENT', `${flags.manifest}: no such manifest`, { file: flags.manifest });
    out.warn(`no manifest at ${manifestPath}: serving files without pushes or hints`);
  } else {
    await checkAgainstRoot(manifestPath, root, out);
  }

  let tls: { cert: string; key: string } | undefined;
  if (!flags.h2c) {
    if (flags.cert !== undefined && flags.key !== undefined) {
      tls = { cert: readPem('cert', flags.cert), key: readPem('key', flags.key) };
      checkTls(tls, flags);
    } else {
      const dev = await loadDevCertificate(host, flags.cacheDir !== undefined ? resolve(flags.cacheDir) : defaultCacheDir(process.cwd(), { root }));
      tls = dev;
      out.info(`using a self-signed certificate (${dev.reused ? 'kept' : 'made now, kept'} in ${dev.file}; local use only, pass --cert/--key for a real one)`);
      out.info(`Chromium trusts it with --ignore-certificate-errors-spki-list=${dev.spki} (see docs/serve.md: --ignore-certificate-errors makes it fetch hints twice)`);
    }
  }

  const server = await createPushServer({
    root,
    ...(haveManifest ? { manifestPath, watch: true } : { manifest: { pages: new Map() } }),
    ...(tls ? { tls } : { h2c: true }),
    host,
    port,
    push: flags.push !== false,
    link: flags.link !== false,
    earlyHints: flags.earlyHints !== false,
    clientPush: flags.clientPush === true,
    maxPushes,
    debugHeaders: flags.debugHeaders === true,
    ...(flags.immutable !== undefined && flags.immutable.length > 0 ? { static: { immutable: flags.immutable } } : {}),
    log: (level, message) => (level === 'warn' ? out.warn(message) : level === 'info' ? out.info(message) : out.verbose(message)),
    ...(flags.verbose
      ? { onRequest: (e) => e.event === 'end' && out.verbose(`${e.protocol} ${e.method} ${e.path} ${e.status ?? '-'}`) }
      : {}),
  });
  out.info(`serving ${root} at ${server.url}/${flags.h2c ? ' (h2c: cleartext HTTP/2, prior knowledge)' : ''}`);

  let last = '';
  const counters = flags.verbose
    ? setInterval(() => {
        const line = summary(server.handler.stats());
        if (line !== last) out.verbose((last = line));
      }, 10_000)
    : undefined;
  counters?.unref();

  const signal = await new Promise<string>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  if (counters) clearInterval(counters);
  out.info(`${signal}: closing (in-flight requests may finish)`);
  await server.close();
  out.verbose(summary(server.handler.stats()));
  return EXIT.OK;
}
