/**
 * `push-manifest serve <root>`: flags in, `createPushServer` out, until SIGINT/SIGTERM. Everything a
 * library user would also want (static serving, pushes, hints, graceful close) lives in core.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createPushServer, type PushStats } from '@push-manifest/core/runtime';
import { PushManifestError } from '@push-manifest/core/manifest';
import { makeDevCertificate } from '../dev-certificate.js';
import { EXIT, ExitError } from '../exit.js';
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
  immutable?: string[];
  verbose?: boolean;
}

function integer(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw new ExitError(EXIT.USAGE, `--${name} must be an integer from 0 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new PushManifestError('ENOENT', `${file}: cannot read the --${flag} file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file, cause: error });
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
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new PushManifestError('ENOENT', `${rootArg}: no such folder`, { file: rootArg });
  }
  const port = integer('port', flags.port, 8443, 65535);
  const maxPushes = integer('max-pushes', flags.maxPushes, 10, 1000);
  const host = flags.host ?? '127.0.0.1';
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new ExitError(EXIT.USAGE, '--cert and --key go together');
  if (flags.h2c && flags.cert !== undefined) throw new ExitError(EXIT.USAGE, '--h2c is cleartext: it takes no --cert/--key');

  // No manifest is not an error for the default path (a plain static server is still useful);
  // a manifest named explicitly must exist.
  const manifestPath = flags.manifest === undefined ? join(root, 'push-manifest.json') : resolve(flags.manifest);
  const haveManifest = existsSync(manifestPath);
  if (!haveManifest) {
    if (flags.manifest !== undefined) throw new PushManifestError('ENOENT', `${flags.manifest}: no such manifest`, { file: flags.manifest });
    out.warn(`no manifest at ${manifestPath}: serving files without pushes or hints`);
  }

  let tls: { cert: string; key: string } | undefined;
  if (!flags.h2c) {
    if (flags.cert !== undefined && flags.key !== undefined) {
      tls = { cert: readPem('cert', flags.cert), key: readPem('key', flags.key) };
    } else {
      tls = await makeDevCertificate(host);
      out.info('using a self-signed certificate made at start (local use only: browsers will warn; pass --cert/--key for a real one)');
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
