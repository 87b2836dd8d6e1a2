#!/usr/bin/env node
/**
 * The `push-manifest` command: commander wiring only. Each command lives in `commands/` and is
 * loaded when it runs, so `push-manifest validate` never loads the crawler and `serve` never
 * loads parse5.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { isPushManifestError } from '@push-manifest/core/manifest';
import { EXIT, ExitError } from './exit.js';
import { createOutput, type Output } from './output.js';
import type { ConvertFlags } from './commands/convert.js';
import type { ValidateFlags } from './commands/validate.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

interface LogFlags {
  quiet?: boolean;
  verbose?: boolean;
}

/** Run a command body and turn its outcome into an exit code; errors become one line on stderr. */
async function run(flags: LogFlags, body: (out: Output) => Promise<number>): Promise<void> {
  const out = createOutput(flags);
  try {
    process.exitCode = await body(out);
  } catch (error) {
    out.endProgress();
    if (error instanceof ExitError) {
      out.error(error.message);
      process.exitCode = error.exitCode;
    } else if (isPushManifestError(error)) {
      out.error(error.message);
      process.exitCode = error.code === 'INVALID_MANIFEST' ? EXIT.PROBLEMS : EXIT.USAGE;
    } else {
      throw error;
    }
  } finally {
    out.endProgress();
  }
}

const withLogFlags = (command: Command) =>
  command
    .option('-q, --quiet', 'print only errors')
    .option('-v, --verbose', 'print more detail');

const program = new Command('push-manifest')
  .description('Find the resources each page of a built site needs early, and serve them as HTTP/2 pushes, Link preload headers and 103 Early Hints.')
  .version(version)
  .showHelpAfterError()
  .exitOverride();

withLogFlags(
  program
    .command('generate')
    .description('crawl HTML and CSS under --root and write a push manifest')
    .argument('[patterns...]', 'globs of HTML pages, relative to --root (default: **/*.html)')
    .option('-r, --root <dir>', 'the built site folder')
    .option('-o, --out <file>', 'where to write the manifest, or - for stdout (default: <root>/push-manifest.json)')
    .addOption(new Option('-f, --format <format>', 'manifest shape (default: auto)').choices(['auto', 'single', 'multi', 'polymer']))
    .option('-b, --base <path>', 'URL path the site is served under')
    .option('--origin <url>', "the site's own origin (repeatable): absolute URLs on it are the site's files, not another origin", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('-c, --config <file>', 'config file (default: push-manifest.config.{js,mjs,json} in the cwd)')
    .option('--max <n>', 'most resources listed per page')
    .option('--max-bytes <n>', 'most bytes listed per page')
    .option('--types <list>', 'resource types listed, comma-separated (default: style,font,script and the first image)')
    .option('--no-first-image', 'do not add the first image of each page when --types leaves images out')
    .addOption(new Option('--srcset <policy>', 'srcset/image-set candidates: the default one, or all').choices(['default', 'all']))
    .addOption(new Option('--fonts <policy>', '@font-face fonts listed: those whose family the page\'s CSS uses (default), or every one declared').choices(['used', 'declared']))
    .option('--follow-imports', 'follow static imports of module scripts (modulepreload the module graph)')
    .option('--nomodule', 'also list <script nomodule> scripts')
    .option('--threads <n>', 'threads that parse files, the main one included (default: one per core, at most 4; 1: no worker threads)')
    .option('--no-cache', 'parse every file again instead of reusing results cached by content hash')
    .option('--json', 'print a JSON summary on stdout')
    .option('--watch', 'keep running: regenerate on changes under --root, rewriting the manifest only when it changed'),
).action(async (patterns: string[], flags: LogFlags & Record<string, unknown>, command: Command) => {
  // A negatable flag always has a value in commander; only one given on the command line may override the config.
  if (command.getOptionValueSource('firstImage') !== 'cli') delete flags.firstImage;
  return run(flags, async (out) => (await import('./commands/generate.js')).generate(patterns, flags, out));
});

withLogFlags(
  program
    .command('validate')
    .description('check a manifest against the schema, and with --root that every listed file exists')
    .argument('<manifest>', 'the manifest file')
    .option('-r, --root <dir>', 'the site folder the manifest describes')
    .addOption(new Option('--from <format>', 'format of the input (default: told from its shape)').choices(['auto', 'single', 'multi', 'polymer']))
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
    .addOption(new Option('-f, --format <format>', 'format to write').choices(['single', 'multi', 'polymer']).makeOptionMandatory())
    .option('-o, --out <file>', 'where to write, or - for stdout', '-')
    .addOption(new Option('--from <format>', 'format of the input (default: told from its shape)').choices(['auto', 'single', 'multi', 'polymer']))
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
    .option('--debug-headers', 'add an x-http2-push-promise header per push'),
).action(async (root: string, flags: LogFlags & Record<string, unknown>) =>
  run(flags, async (out) => (await import('./commands/serve.js')).serve(root, flags, out)),
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
