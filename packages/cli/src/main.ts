#!/usr/bin/env node
/**
 * The `push-manifest` command: commander wiring only. Each command lives in `commands/` and is
 * loaded when it runs, so `push-manifest validate` never loads the crawler and `serve` never
 * loads parse5.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { isPushManifestError, RESOURCE_TYPES } from '@push-manifest/core/manifest';
import { EXIT, ExitError } from './exit.js';
import { createOutput, type Output } from './output.js';
import { listOption, seeHelp, UsageError, withUsage } from './usage.js';
import type { ConvertFlags } from './commands/convert.js';
import type { ValidateFlags } from './commands/validate.js';
import type { InspectFlags } from './commands/inspect.js';
import type { CheckFlags } from './commands/check.js';
import type { ExportFlags } from './commands/export.js';

// Listed here rather than imported, so --help does not load the export writers.
const EXPORT_TARGET_NAMES = ['nginx', 'apache', 'h2o', 'caddy', 'netlify', 'cloudflare', 'firebase', 'vercel', 'link', 'workbox'] as const;

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

interface LogFlags {
  quiet?: boolean;
  verbose?: boolean;
}

/** The command being run (set before its action), for the `(see push-manifest <cmd> --help)` line. */
let running = '';

/**
 * Run a command body and turn its outcome into an exit code; errors become one line on stderr,
 * usage errors (a {@link UsageError}, a `BAD_OPTION`) followed by where to look.
 */
async function run(flags: LogFlags, body: (out: Output) => Promise<number>): Promise<void> {
  const out = createOutput(flags);
  try {
    process.exitCode = await body(out);
  } catch (error) {
    out.endProgress();
    const usage = error instanceof UsageError || (isPushManifestError(error) && error.code === 'BAD_OPTION');
    const hint = usage && running ? ` ${seeHelp(running)}` : '';
    if (error instanceof ExitError) {
      out.error(error.message + hint);
      process.exitCode = error.exitCode;
    } else if (isPushManifestError(error)) {
      out.error(error.message + hint);
      process.exitCode = error.code === 'INVALID_MANIFEST' ? EXIT.PROBLEMS : EXIT.USAGE;
    } else {
      throw error;
    }
  } finally {
    out.endProgress();
  }
}

/** Every command's registration goes through this: the log flags, and usage errors as one line (usage.ts). */
const withLogFlags = (command: Command) =>
  withUsage(command)
    .option('-q, --quiet', 'print only errors')
    .option('-v, --verbose', 'print more detail');

const program = new Command('push-manifest')
  .description('Find the resources each page of a built site needs early, and serve them as HTTP/2 pushes, Link preload headers and 103 Early Hints.')
  .version(version)
  .showHelpAfterError('(see push-manifest --help)')
  .exitOverride()
  .hook('preAction', (_program, command) => {
    running = command.name();
  });

withLogFlags(
  program
    .command('generate')
    .description('crawl HTML and CSS under --root and write a push manifest')
    .argument('[patterns...]', 'globs of HTML pages, relative to --root (default: **/*.html)')
    .option('-r, --root <dir>', 'the built site folder')
    .option('-o, --out <file>', 'where to write the manifest, or - for stdout (default: <root>/push-manifest.json)')
    .addOption(new Option('-f, --format <format>', 'manifest shape (default: auto)').choices(['auto', 'single', 'multi', 'polymer', 'v1']))
    .option('-b, --base <path>', 'URL path the site is served under')
    .option('--origin <url>', "the site's own origin (repeatable): absolute URLs on it are the site's files, not another origin", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('-c, --config <file>', 'config file (default: push-manifest.config.{js,mjs,json} in the cwd)')
    .option('--max <n>', 'most resources listed per page')
    .option('--max-bytes <n>', 'most bytes listed per page')
    .addOption(listOption('--types <list>', 'resource types listed, comma-separated (default: style,font,script and the LCP image)', RESOURCE_TYPES))
    .option('--no-first-image', 'do not add the LCP image of each page (fetchpriority=high, else the first of the main content) when --types leaves images out')
    .addOption(new Option('--srcset <policy>', 'srcset/image-set candidates: the default one, or all').choices(['default', 'all']))
    .addOption(new Option('--fonts <policy>', '@font-face fonts listed: those whose family the page\'s CSS uses (default), or every one declared').choices(['used', 'declared']))
    .option('--follow-imports', 'follow static imports of module scripts (the default)')
    .option('--no-follow-imports', 'do not follow static imports of module scripts (followed by default: the module graph is modulepreloaded)')
    .option('--non-screen-media', 'also list stylesheets whose media never matches a screen (print, speech)')
    .option('--nomodule', 'also list <script nomodule> scripts')
    .option('--threads <n>', 'threads that parse files, the main one included (default: one per core, at most 4; 1: no worker threads)')
    .option('--no-cache', 'parse every file again instead of reusing results cached by content hash')
    .option('--cache-dir <dir>', 'where the parse cache is kept (default: node_modules/.cache/push-manifest of the nearest package, else ~/.cache/push-manifest)')
    .option('--warnings <file>', 'write every warning to this file as JSON (the terminal shows a screenful: the first of each kind, then counts)')
    .option('--json', 'print a JSON summary on stdout')
    .option('--from-vite <manifest>', "read Vite's build manifest (dist/.vite/manifest.json) instead of crawling HTML: for server-rendered apps")
    .option('--route <route=entry>', 'with --from-vite: a route and its entry, such as /=src/main.ts (repeatable; default: the HTML entries)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--watch', 'keep running: regenerate on changes under --root, rewriting the manifest only when it changed'),
).action(async (patterns: string[], flags: LogFlags & Record<string, unknown>, command: Command) => {
  // A negatable flag always has a value in commander; only one given on the command line may override the config.
  if (command.getOptionValueSource('firstImage') !== 'cli') delete flags.firstImage;
  if (command.getOptionValueSource('followImports') !== 'cli') delete flags.followImports;
  if (flags.fromVite !== undefined) return run(flags, async (out) => (await import('./commands/from-vite.js')).generateFromVite(flags, out));
  return run(flags, async (out) => (await import('./commands/generate.js')).generate(patterns, flags, out));
});

withLogFlags(
  program
    .command('validate')
    .description('check a manifest against the schema, and with --root that every listed file exists')
    .argument('<manifest>', 'the manifest file')
    .option('-r, --root <dir>', 'the site folder the manifest describes')
    .addOption(new Option('--from <format>', 'format of the input (default: told from its shape)').choices(['auto', 'single', 'multi', 'polymer', 'v1']))
    .option('-b, --base <path>', 'URL path of the manifest folder, for relative URLs in the polymer format', '/')
    .option('--json', 'print the problems as JSON on stdout'),
).action(async (manifest: string, flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/validate.js')).validate(manifest, flags as ValidateFlags, out)),
);

withLogFlags(
  program
    .command('convert')
    .description('rewrite a manifest in another format')
    .argument('<manifest>', 'the manifest file to read')
    .addOption(new Option('-f, --format <format>', 'format to write').choices(['single', 'multi', 'polymer', 'v1']).makeOptionMandatory())
    .option('-o, --out <file>', 'where to write, or - for stdout', '-')
    .addOption(new Option('--from <format>', 'format of the input (default: told from its shape)').choices(['auto', 'single', 'multi', 'polymer', 'v1']))
    .option('-b, --base <path>', 'URL path of the manifest folder, for relative URLs in the polymer format', '/'),
).action(async (manifest: string, flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/convert.js')).convert(manifest, flags as unknown as ConvertFlags, out)),
);

withLogFlags(
  program
    .command('serve')
    .description('serve a built site over HTTP/2 with pushes, Link headers and 103 Early Hints from its manifest')
    .argument('<root>', 'the built site folder')
    .option('-p, --port <port>', 'port, 0 picks a free one', '8443')
    .option('-H, --host <host>', 'interface to listen on', '127.0.0.1')
    .option('-m, --manifest <file>', 'manifest (default: <root>/push-manifest.json)')
    .option('--cert <file>', 'TLS certificate (PEM)')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--h2c', 'cleartext HTTP/2, for use behind a TLS-terminating proxy')
    .option('--no-push', 'do not push')
    .option('--no-link', 'do not send Link preload headers')
    .option('--no-early-hints', 'do not send 103 Early Hints')
    .option('--client-push', 'push what a request asks for in its link request header')
    .option('--max-pushes <n>', 'most pushes per response', '10')
    .option('--debug-headers', 'add an x-http2-push-promise header per push')
    .option('--cache-dir <dir>', 'where the development certificate is kept (default: node_modules/.cache/push-manifest of the nearest package, else ~/.cache/push-manifest)')
    .option('--immutable <glob>', 'also cache these files (root-relative glob, repeatable) for a year, immutable', (glob: string, all: string[]) => [...all, glob], []),
).action(async (root: string, flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/serve.js')).serve(root, flags, out)),
);

withLogFlags(
  program
    .command('inspect')
    .description('navigate to a URL as a browser would and show the 103s, pushes and Link header it gets; with --manifest, compare')
    .argument('<url>', 'the page, http:// or https://')
    .option('-m, --manifest <file>', 'compare with this manifest\'s entry for the page; exit 1 on a mismatch')
    .option('--json', 'print the report as JSON on stdout')
    .option('-k, --insecure', 'accept any TLS certificate (a local self-signed one)')
    .option('--h1', 'use HTTP/1.1')
    .option('--h2c', 'cleartext HTTP/2 with prior knowledge (http:// URLs)')
    .option('--repeat', 'navigate again on the same connection, and on a new one with the cookies set')
    .option('--timeout <ms>', 'give up after this long', '10000'),
).action(async (url: string, flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/inspect.js')).inspect(url, flags as InspectFlags, out)),
);

withLogFlags(
  program
    .command('check')
    .description('crawl the site again (same config and flags as generate) and report where the manifest drifted; exit 1 on drift')
    .argument('[patterns...]', 'globs of HTML pages, relative to --root (default: as in the config, else **/*.html)')
    .option('-r, --root <dir>', 'the built site folder')
    .option('-m, --manifest <file>', 'the manifest to check (default: the config\'s out, else <root>/push-manifest.json)')
    .option('-c, --config <file>', 'config file (default: push-manifest.config.{js,mjs,json} in the cwd)')
    .option('-b, --base <path>', 'URL path the site is served under')
    .option('--origin <url>', "the site's own origin (repeatable)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--max <n>', 'most resources listed per page')
    .option('--max-bytes <n>', 'most bytes listed per page')
    .option('--types <list>', 'resource types listed, comma-separated')
    .option('--no-first-image', 'do not add the first image of each page when --types leaves images out')
    .addOption(new Option('--srcset <policy>', 'srcset/image-set candidates').choices(['default', 'all']))
    .addOption(new Option('--fonts <policy>', '@font-face fonts listed').choices(['used', 'declared']))
    .option('--follow-imports', 'follow static imports of module scripts (the default)')
    .option('--no-follow-imports', 'do not follow static imports of module scripts')
    .option('--non-screen-media', 'also list stylesheets whose media never matches a screen (print, speech)')
    .option('--nomodule', 'also list <script nomodule> scripts')
    .option('--no-cache', 'parse every file again instead of reusing cached results')
    .option('--json', 'print the drift report as JSON on stdout'),
).action(async (patterns: string[], flags: LogFlags & Record<string, unknown>, command: Command) => {
  if (command.getOptionValueSource('firstImage') !== 'cli') delete flags.firstImage;
  if (command.getOptionValueSource('followImports') !== 'cli') delete flags.followImports;
  return run(flags, async (out) => (await import('./commands/check.js')).check(patterns, flags as CheckFlags, out));
});

withLogFlags(
  program
    .command('export')
    .description("write a manifest as a web server's or CDN's config (Link headers, pushes, 103 Early Hints)")
    .addOption(new Option('-t, --to <target>', 'what to write for').choices([...EXPORT_TARGET_NAMES]).makeOptionMandatory())
    .option('-m, --manifest <file>', 'the manifest (default: <root>/push-manifest.json, or ./push-manifest.json)')
    .option('-r, --root <dir>', 'the built site folder (workbox: the files hashed for revisions)')
    .option('-o, --out <file>', 'where to write, or - for stdout (firebase, vercel: merged into the file if it exists)', '-')
    .option('--push', 'also write server push directives (nginx http2_push, Apache H2PushResource, Caddy push, h2o)')
    .option('--early-hints', 'also write 103 Early Hints directives (Apache H2EarlyHint; nginx 1.29+)')
    .option('--target-version <version>', 'the server version to write for (default: Debian 12\'s)')
    .option('--json', 'link: print { route: value } JSON instead of lines')
    .addOption(new Option('--from <format>', 'format of the manifest (default: told from its shape)').choices(['auto', 'single', 'multi', 'polymer', 'v1']))
    .option('-b, --base <path>', 'URL path of the manifest folder, for relative URLs in the polymer format', '/'),
).action(async (flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/export.js')).exportCommand(flags as unknown as ExportFlags, version, out)),
);

withLogFlags(
  program
    .command('report')
    .description('draw, per page, how many round trips each resource waits for with and without the hints, as one HTML file')
    .option('-r, --root <dir>', 'the built site folder')
    .option('-m, --manifest <file>', 'hints from this manifest (default: what generate would write)')
    .option('-o, --out <file>', 'the HTML file to write', 'report.html')
    .option('--json', 'print the report data as JSON on stdout')
    .addOption(new Option('--delivery <how>', 'how hints reach the browser: 103 Early Hints (depth 0) or a Link header (depth 1)').choices(['early-hints', 'link']))
    .option('-b, --base <path>', 'URL path the site is served under')
    .option('--max <n>', 'most resources listed per page (default manifest only)')
    .option('--types <list>', 'resource types listed (default manifest only)')
    .option('--no-follow-imports', 'the default manifest does not follow static module imports'),
).action(async (flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/report.js')).report(flags, out)),
);

withLogFlags(
  program
    .command('measure')
    .description('load pages cold in headless Chromium with the hints and without, behind a simulated round-trip time, and compare FCP and LCP')
    .argument('[url]', 'a running HTTP/2 server to measure against itself with hints stripped (instead of --root)')
    .option('-r, --root <dir>', 'the built site folder, served with its manifest and without')
    .option('-m, --manifest <file>', 'hints for --root (default: <root>/push-manifest.json, else what generate would write)')
    .option('--pages <globs>', 'pages to load: globs relative to --root, or paths with a URL (repeatable, comma-separated; default: up to 10, the front page first)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--runs <n>', 'cold loads per page and variant', '5')
    .option('--rtt <ms>', 'round-trip time the proxy adds', '100')
    .option('--down <kbit/s>', 'downstream bandwidth limit')
    .option('--timeout <ms>', 'time a load may take before the page is reported as not loading')
    .option('--report <file>', 'write the report page with both waterfalls of every page')
    .option('--json', 'print the measurement as JSON on stdout')
    .option('--browser <path>', 'Chromium to run (default: CHROME_PATH, then /usr/bin/chromium, google-chrome…)')
    .option('--learn', 'list the same-origin files fetched before the LCP that the manifest does not hint')
    .option('--write', 'with --learn: add them to the manifest (marked "learned": true) and measure again'),
).action(async (url: string | undefined, flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/measure.js')).measureCommand(url, flags, out)),
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; every usage error is exit 2.
    process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else {
    throw error;
  }
}
