/**
 * The order resources are hinted and pushed in, and the weights that encode it.
 *
 * A page's resources are sorted by criticality class, then by document order (the order a
 * browser discovers them, depth first through stylesheets and module imports):
 *  1. render-blocking stylesheets and their `@import`s,
 *  2. fonts those stylesheets declare,
 *  3. blocking classic scripts,
 *  4. module, `defer` and `async` scripts and their imports,
 *  5. images,
 *  6. everything else (lazy images, media, icons, the web app manifest, frames, non-blocking
 *     stylesheets such as `media=print`, `<template>` content).
 * Weights then count down from 256, one per resource, so sorting by weight descending gives the
 * same order; past the 255th resource every weight is 1 and list order decides.
 */
import { MAX_WEIGHT, MIN_WEIGHT } from './model.js';

/** Criticality classes, most critical first. */
export const CRITICALITY = ['style', 'font', 'blocking-script', 'script', 'image', 'other'] as const;

/** How early a resource is needed for the first render. */
export type Criticality = (typeof CRITICALITY)[number];

const RANK: Record<Criticality, number> = Object.fromEntries(CRITICALITY.map((c, i) => [c, i])) as Record<Criticality, number>;

/** The rank of a class: lower is more critical. */
export function criticalityRank(criticality: Criticality): number {
  return RANK[criticality];
}

/** Anything that can be ordered: its class and its position in discovery order. */
export interface Orderable {
  criticality: Criticality;
  /** Discovery order on the page, 0 first. */
  seq: number;
}

/** Sort by criticality class, then discovery order. Returns a new array. */
export function orderByCriticality<T extends Orderable>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => RANK[a.criticality] - RANK[b.criticality] || a.seq - b.seq);
}

/** The weight of the resource at `index` (0-based) in a page's ordered list: 256, 255, … down to 1. */
export function weightAt(index: number): number {
  return Math.max(MIN_WEIGHT, MAX_WEIGHT - index);
}
