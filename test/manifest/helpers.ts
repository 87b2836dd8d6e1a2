import { readFileSync } from 'node:fs';
import type { Manifest, PreconnectHint, Resource } from '@push-manifest/core/manifest';

/** Absolute path of a file under fixtures/manifests. */
export const fixturePath = (name: string): string => new URL(`../../fixtures/manifests/${name}`, import.meta.url).pathname;

/** Text of a fixture under fixtures/manifests. */
export const fixtureText = (name: string): string => readFileSync(fixturePath(name), 'utf8');

/** Parsed JSON of a fixture under fixtures/manifests. */
export const fixtureJson = (name: string): unknown => JSON.parse(fixtureText(name));

/** A plain object view of a manifest, for deep equality in assertions. */
export function plain(manifest: Manifest): { pages: Record<string, Resource[]>; preconnect: Record<string, PreconnectHint[]> } {
  return {
    pages: Object.fromEntries(manifest.pages),
    preconnect: Object.fromEntries(manifest.preconnect ?? new Map()),
  };
}

/**
 * The manifest an old-shape file of it holds, by the rule docs/manifest-format.md states (written
 * out here, not imported, so the test checks the rule): no preconnect hints, no resource with a
 * `media` that may not match on a screen (anything but `all`/`screen`), no image with `imagesrcset`/`imagesizes`/`mimeType`.
 */
export function legacyPart(manifest: Manifest): Manifest {
  const keep = (r: Resource) =>
    (r.media === undefined || /^\s*(?:(?:only\s+)?(?:all|screen))?\s*$/i.test(r.media)) && r.imagesrcset === undefined && r.imagesizes === undefined && !(r.type === 'image' && r.mimeType !== undefined);
  const pages = new Map([...manifest.pages].map(([route, list]) => [route, list.filter(keep)] as const));
  for (const route of manifest.preconnect?.keys() ?? []) if (!pages.has(route)) pages.set(route, []);
  return { pages };
}
