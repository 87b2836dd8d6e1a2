import { readFileSync } from 'node:fs';
import type { Manifest, Resource } from '@push-manifest/core/manifest';

/** Absolute path of a file under fixtures/manifests. */
export const fixturePath = (name: string): string => new URL(`../../fixtures/manifests/${name}`, import.meta.url).pathname;

/** Text of a fixture under fixtures/manifests. */
export const fixtureText = (name: string): string => readFileSync(fixturePath(name), 'utf8');

/** Parsed JSON of a fixture under fixtures/manifests. */
export const fixtureJson = (name: string): unknown => JSON.parse(fixtureText(name));

/** A plain object view of a manifest, for deep equality in assertions. */
export function plain(manifest: Manifest): { pages: Record<string, Resource[]>; preconnect: Record<string, string[]> } {
  return {
    pages: Object.fromEntries(manifest.pages),
    preconnect: Object.fromEntries(manifest.preconnect ?? new Map()),
  };
}
