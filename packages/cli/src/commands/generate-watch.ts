/**
 * `push-manifest generate --watch`: the CLI side of core's `watchManifest`. It writes each run's
 * manifest only when its bytes changed, prints one line per run, and stops on SIGINT/SIGTERM.
 */
import { resolve } from 'node:path';
import {
  PushManifestError,
  serializeManifest,
  watchManifest,
  writeFileIfChanged,
  type GenerateOptions,
  type GenerateResult,
  type ManifestFormat,
  type WatchRun,
} from '@push-manifest/core';
import type { Output } from '../output.js';
import { EXIT } from '../exit.js';
import { createWarningSummary } from '../output.js';
import { formatWarning, shown, type GenerateFlags } from './generate.js';

/** What `generate` has worked out from its flags and config before it hands over to watch mode. */
export interface WatchSetup {
  options: GenerateOptions;
  target: string;
  format: 'auto' | ManifestFormat;
  flags: GenerateFlags;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Generate, then regenerate on every change under the root until SIGINT or SIGTERM (exit 0). The
 * first run fails as a plain `generate` does (exit 2); a later failure is one line and watching goes on.
 */
export async function generateWatch(setup: WatchSetup, out: Output): Promise<number> {
  const { options, target, format, flags } = setup;
  if (target === '-') throw new PushManifestError('BAD_OPTION', 'generate: --watch rewrites a file; give --out <file>, not -');

  // Each run summarises its own warnings (a screenful, as a plain generate does), so the counts start again per run.
  let summary = createWarningSummary(out, { verbose: flags.verbose === true });
  options.onWarning = (warning) => summary.add(warning.code, formatWarning(warning));

  const onResult = async (result: GenerateResult, run: WatchRun) => {
    summary.finish();
    summary = createWarningSummary(out, { verbose: flags.verbose === true });
    const written = await writeFileIfChanged(target, serializeManifest(result.manifest, format, { sitePages: result.stats.sitePages }));
    const { pages, files, ms } = result.stats;
    const resources = [...result.manifest.pages.values()].reduce((n, list) => n + list.length, 0);
    const cause = run.changed.length === 0 ? '' : ` after ${plural(run.changed.length, 'change')}`;
    out.info(
      `run ${run.run}${cause}: ${plural(pages, 'page')}, ${plural(resources, 'listed resource')}, ${files} files parsed in ${ms} ms → ` +
        `${shown(target)} ${written ? 'written' : 'unchanged'}` +
        (result.warnings.length > 0 ? `, ${plural(result.warnings.length, 'warning')}` : ''),
    );
    if (flags.json) {
      out.data(JSON.stringify({ run: run.run, out: target, written, format, pages, resources, files, ms, warnings: result.warnings }));
    }
  };

  const onError = (error: unknown, run: WatchRun) => {
    summary = createWarningSummary(out, { verbose: flags.verbose === true });
    const message = error instanceof Error ? error.message : String(error);
    out.error(`run ${run.run} failed: ${message} (still watching; the last manifest stays)`);
  };

  const controller = new AbortController();
  const stop = () => controller.abort();
  // once: a second Ctrl-C while the last run finishes gets Node's default, an immediate exit.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const ignore = [target, ...(typeof options.cache === 'string' ? [options.cache] : [])];
    await watchManifest(
      { ...options, ignore },
      { onResult, onError, onWatching: () => out.info(`watching ${shown(resolve(options.root))} for changes (Ctrl-C to stop)`), signal: controller.signal },
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return EXIT.OK;
}
