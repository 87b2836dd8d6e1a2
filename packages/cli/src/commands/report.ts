/**
 * `push-manifest report --root <dir>`: the discovery report of a site as one HTML file (and
 * `--json`). Flags in, `buildReport` + `renderReportHtml` out.
 */
import { resolve } from 'node:path';
import { PushManifestError, RESOURCE_TYPES, readManifestFile, writeFileAtomic, type ResourceType } from '@push-manifest/core';
import { buildReport, renderReportHtml, type HintDelivery, type ReportOptions } from '@push-manifest/core/report';
import { EXIT } from '../exit.js';
import type { Output } from '../output.js';

/** Flags of `push-manifest report`. */
export interface ReportFlags {
  root?: string;
  manifest?: string;
  out?: string;
  json?: boolean;
  base?: string;
  max?: string;
  types?: string;
  followImports?: boolean;
  delivery?: HintDelivery;
}

/** A flag that must be a positive whole number. */
export function positiveFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new PushManifestError('BAD_OPTION', `${flag} must be a positive whole number, got "${value}"`);
  }
  return Number(value);
}

/** `--types a,b` as resource types. */
export function typesFlag(value: string | undefined): ResourceType[] | undefined {
  if (value === undefined) return undefined;
  const types = value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const bad = types.find((t) => !(RESOURCE_TYPES as readonly string[]).includes(t));
  if (bad !== undefined) throw new PushManifestError('BAD_OPTION', `--types: unknown type "${bad}" (expected one of ${RESOURCE_TYPES.join(', ')})`);
  return types as ResourceType[];
}

/** The crawl and hint options `report` and `measure` share. */
export async function reportOptions(command: string, flags: ReportFlags): Promise<ReportOptions> {
  if (flags.root === undefined) throw new PushManifestError('BAD_OPTION', `${command}: --root <dir> is required`);
  const options: ReportOptions = { root: resolve(flags.root), cache: false };
  if (flags.base !== undefined) options.base = flags.base;
  const max = positiveFlag('--max', flags.max);
  if (max !== undefined) options.max = max;
  const types = typesFlag(flags.types);
  if (types !== undefined) options.types = types;
  if (flags.followImports === false) options.followImports = false;
  if (flags.delivery !== undefined) options.delivery = flags.delivery;
  if (flags.manifest !== undefined) {
    options.manifest = await readManifestFile(resolve(flags.manifest));
    options.manifestName = flags.manifest;
  }
  return options;
}

/** Build the report, write the HTML (atomically), print a summary; `--json` prints the data. */
export async function report(rawFlags: Record<string, unknown>, out: Output): Promise<number> {
  const flags = rawFlags as ReportFlags;
  const options = await reportOptions('report', flags);
  const data = await buildReport(options);
  const target = resolve(flags.out ?? 'report.html');
  await writeFileAtomic(target, renderReportHtml(data));
  const { summary } = data;
  out.info(
    `${summary.pages} page${summary.pages === 1 ? '' : 's'}: median discovery depth ${summary.median.plain} → ${summary.median.hinted} round trips, worst ${summary.worst.plain} → ${summary.worst.hinted} → ${flags.out ?? 'report.html'}`,
  );
  if (flags.json) out.data(JSON.stringify(data));
  return EXIT.OK;
}
