/**
 * What the old shapes (`single`, `multi`, `polymer`) may carry. Their readers (http2push-gae,
 * the http2-push-manifest README's servers, prpl-server) take every key of a page for a same-origin
 * file to preload or push, `type` for its `as`, and nothing else: an origin key becomes
 * `https://hosthttps://fonts.example`, a print stylesheet a highest-priority preload on every
 * page, a responsive image the one fixed file every screen downloads on top of its own pick.
 * So a legacy file holds only the entries such a reader uses correctly; the rest (preconnect
 * origins, media-conditional resources, responsive or format-conditional images) is left out,
 * counted, and kept by our own `v1` format. Fields an old reader ignores (`crossorigin`, `rel`,
 * `nopush`, `fetchpriority`) stay on the entries it can read.
 */
import type { Manifest, PreconnectHint, Resource, RouteKey } from '../model.js';

/** The old shapes. */
export type LegacyFormat = 'single' | 'multi' | 'polymer';

/** What a legacy shape left out, counted as distinct URLs or origins. */
export interface LeftOut {
  /** Preconnect origins (a key that is not a path). */
  preconnect: number;
  /** Resources with a `media` that may not match at load (`print`, `(min-width: 40em)`): the old readers preload them everywhere. */
  media: number;
  /** Images with `imagesrcset`/`imagesizes` or a `mimeType` condition: an old reader would preload one fixed file. */
  responsive: number;
  /** polymer only: URLs prpl-server refuses at start-up (its `valid-url` check rejects `|`, `^`, `{`, `}`, `` ` ``, `\`). */
  refused: number;
}

/**
 * Whether a media query matches wherever a page is loaded on a screen (absent, empty, `all`,
 * `screen`, with or without `only`): an old reader's unconditional preload is then right.
 */
function appliesEverywhere(media: string | undefined): boolean {
  return media === undefined || /^\s*(?:(?:only\s+)?(?:all|screen))?\s*$/i.test(media);
}

/** Characters prpl-server's `valid-url` accepts in a path (RFC 3986 characters and `%`). */
const PRPL_URL = /^[A-Za-z0-9:/?#[\]@!$&'()*+,;=.\-_~%]*$/;

/** Why an old reader of `format` would misuse this resource, or `undefined` when it reads it right. */
function misuse(resource: Resource, format: LegacyFormat): keyof LeftOut | undefined {
  if (!appliesEverywhere(resource.media)) return 'media';
  if (resource.imagesrcset !== undefined || resource.imagesizes !== undefined) return 'responsive';
  if (resource.type === 'image' && resource.mimeType !== undefined) return 'responsive';
  if (format === 'polymer' && !PRPL_URL.test(resource.url)) return 'refused';
  return undefined;
}

/** Distinct URLs (or `origin crossorigin` pairs) a legacy shape left out so far, per reason. */
export type LeftOutSeen = Record<keyof LeftOut, Set<string>>;

/** Empty {@link LeftOutSeen} sets. */
export function leftOutSeen(): LeftOutSeen {
  return { preconnect: new Set(), media: new Set(), responsive: new Set(), refused: new Set() };
}

/** The counts of {@link LeftOutSeen}. */
export function leftOutCounts(seen: LeftOutSeen): LeftOut {
  return { preconnect: seen.preconnect.size, media: seen.media.size, responsive: seen.responsive.size, refused: seen.refused.size };
}

/**
 * One page's resources as an old reader of `format` reads them correctly, noting what was left
 * out (this page's preconnect hints included) in `seen`. The input is not changed.
 */
export function legacyPage(resources: readonly Resource[], preconnect: readonly PreconnectHint[] | undefined, format: LegacyFormat, seen: LeftOutSeen): Resource[] {
  const kept: Resource[] = [];
  for (const resource of resources) {
    const why = misuse(resource, format);
    if (why === undefined) kept.push(resource);
    else seen[why].add(resource.url);
  }
  for (const hint of preconnect ?? []) seen.preconnect.add(`${hint.origin} ${hint.crossorigin ?? ''}`);
  return kept;
}

/**
 * The manifest an old reader of `format` reads correctly (no preconnect, no entry it would
 * misuse), and what was left out. The input is not changed.
 */
export function legacyView(manifest: Manifest, format: LegacyFormat): { manifest: Manifest; leftOut: LeftOut } {
  const seen = leftOutSeen();
  const pages = new Map<RouteKey, Resource[]>();
  for (const [route, resources] of manifest.pages) pages.set(route, legacyPage(resources, manifest.preconnect?.get(route), format, seen));
  for (const [route, hints] of manifest.preconnect ?? []) {
    // A page with only preconnect hints is still a page of the site.
    if (!pages.has(route)) pages.set(route, legacyPage([], hints, format, seen));
  }
  return { manifest: { pages }, leftOut: leftOutCounts(seen) };
}

/**
 * One line saying what a legacy format left out and which format keeps it, or `undefined` when
 * nothing was left out.
 */
export function describeLeftOut(leftOut: LeftOut, format: LegacyFormat): string | undefined {
  const parts: string[] = [];
  const count = (n: number, one: string, many: string) => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  count(leftOut.preconnect, 'preconnect hint', 'preconnect hints');
  count(leftOut.media, 'media-conditional resource', 'media-conditional resources');
  count(leftOut.responsive, 'responsive image', 'responsive images');
  count(leftOut.refused, 'URL prpl-server refuses', 'URLs prpl-server refuses');
  if (parts.length === 0) return undefined;
  return `the ${format} format left out ${parts.join(', ')}, which its old readers would misuse; --format v1 keeps every hint (read by push-manifest's own runtime and exports)`;
}
