/**
 * `push-manifest check --root <dir>`: re-crawl the site with the options `generate` would use (the
 * same config file and flags) and report how the manifest drifted from it. Exit 1 on drift, 0 in
 * sync, 2 on bad input. The comparison is core's `checkDrift`.
 */
import { resolve } from 'node:path';
import { styleText } from 'node:util';
import { checkDrift, detectFormat, parseManifest, readJsonFile } from '@push-manifest/core';
import { loadConfig } from '../config.js';
import { EXIT } from '../exit.js';
import type { Output } from '../output.js';
import { formatWarning, mergeOptions, shown, type GenerateFlags } from './generate.js';

/** Flags of `check`: the crawl flags of `generate`, and `--manifest` for the file to check. */
export interface CheckFlags extends Omit<GenerateFlags, 'out' | 'format'> {
  manifest?: string;
}

/** Run `check`; resolves with the exit code. */
export async function check(patterns: string[], flags: CheckFlags, out: Output, stderr: NodeJS.WriteStream = process.stderr): Promise<number> {
  const { file: configFile, config } = await loadConfig(flags.config);
  if (configFile) out.verbose(`config: ${shown(configFile)}`);
  // The manifest is where generate wrote it: --manifest, else the config's out, else <root>/push-manifest.json.
  const { options, out: written } = mergeOptions(patterns, { ...flags, out: flags.manifest }, config);
  const manifestFile = resolve(written === '-' ? resolve(options.root, 'push-manifest.json') : written);
  const json = await readJsonFile(manifestFile);
  const recorded = parseManifest(json, { file: manifestFile });
  options.exclude = [manifestFile];

  const report = await checkDrift(recorded, options, { format: detectFormat(json) });
  if (flags.json) {
    out.data(JSON.stringify({ manifest: manifestFile, ...report }, null, 2));
    return report.inSync ? EXIT.OK : EXIT.PROBLEMS;
  }
  const colour = stderr.isTTY === true && typeof stderr.hasColors === 'function' && stderr.hasColors();
  const paint = (style: Parameters<typeof styleText>[0], text: string) => (colour ? styleText(style, text) : text);
  for (const warning of report.warnings) out.verbose(formatWarning(warning));
  const rows = report.items.map((item) => [item.kind, item.route, item.url ?? '', item.message]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  for (const [kind, route, url, message] of rows as [string, string, string, string][]) {
    const tone = kind === 'renamed' || kind === 'changed' ? 'yellow' : 'red';
    out.info(`  ${paint(tone, kind.padEnd(widths[0] as number))}  ${route.padEnd(widths[1] as number)}  ${url.padEnd(widths[2] as number)}  ${message}`.trimEnd());
  }
  const { crawled, listed } = report.pages;
  const what = `${shown(manifestFile)} against ${shown(options.root)} (${crawled} page${crawled === 1 ? '' : 's'} crawled, ${listed} route${listed === 1 ? '' : 's'} listed)`;
  if (report.inSync) {
    out.info(`${paint('green', 'in sync')}: ${what}`);
    return EXIT.OK;
  }
  out.info(`${paint('red', 'drift')}: ${report.items.length} difference${report.items.length === 1 ? '' : 's'}, ${what}; run push-manifest generate again`);
  return EXIT.PROBLEMS;
}
