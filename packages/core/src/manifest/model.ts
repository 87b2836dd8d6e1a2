/**
 * The canonical, in-memory push manifest. Every on-disk format is read into this shape and
 * written from it; nothing outside `manifest/formats/` knows what the formats look like.
 */

/** Fetch destinations usable as a `<link rel=preload as=…>` value, i.e. the manifest's `type`. */
export const RESOURCE_TYPES = [
  'script',
  'style',
  'font',
  'image',
  'fetch',
  'document',
  'audio',
  'video',
  'track',
  'worker',
  'embed',
  'object',
  'manifest',
] as const;

/** A preload `as` value. */
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The `rel` a resource is hinted with. */
export type ResourceRel = 'preload' | 'modulepreload';

/** The CORS mode a resource is fetched in (`crossorigin` attribute value). */
export type CrossOrigin = 'anonymous' | 'use-credentials';

/** A `fetchpriority` value. */
export type FetchPriority = 'high' | 'low' | 'auto';

/** Lowest and highest `weight`: the old HTTP/2 stream weight range, kept as a priority order. */
export const MIN_WEIGHT = 1;
export const MAX_WEIGHT = 256;

/** One resource a page needs early. */
export interface Resource {
  /**
   * Where the browser fetches it: an absolute path from the site root, percent-encoded,
   * query string kept (`/css/app.css?v=3`).
   */
  url: string;
  /** The preload `as` value. */
  type: ResourceType;
  /** 1–256; higher is hinted and pushed first. Sorting by weight descending gives manifest order. */
  weight: number;
  /** Set for fonts (always CORS) and module scripts, so the browser reuses the preload. */
  crossorigin?: CrossOrigin;
  /** `modulepreload` for module scripts and their imports; `preload` (the default) otherwise. */
  rel?: ResourceRel;
  /** Hint it with a Link header but never push it. */
  nopush?: boolean;
  /** The media query the resource applies under (stylesheets, `<source media>`). */
  media?: string;
  /**
   * A responsive image's candidates (`<img srcset>`, `<picture><source srcset>`), URLs resolved:
   * the Link `imagesrcset` param, so the browser picks the candidate the element would. `url` is
   * then the `src` fallback. Never pushed (the server cannot know the viewport).
   */
  imagesrcset?: string;
  /** The element's `sizes`, with {@link imagesrcset}: the Link `imagesizes` param. */
  imagesizes?: string;
  /** The element's `fetchpriority`: the Link `fetchpriority` param. */
  fetchpriority?: FetchPriority;
  /** The Link `type` param (`image/avif` from a `<picture><source type>`): browsers that cannot decode it skip the preload. */
  mimeType?: string;
  /** Fields the input carried that this model does not know; written back unchanged. */
  extra?: Record<string, unknown>;
}

/**
 * The key of a page in a manifest:
 * - a literal URL path from the site root (`/index.html`, `/about/index.html`, `/view1`);
 * - a regular expression source, when the key is explicitly one (starts with `^` or ends with `$`,
 *   as the Polymer/prpl-server format allows);
 * - {@link ANY_PAGE}, for manifests that apply to every page (the single-page format).
 */
export type RouteKey = string;

/** The route key of a manifest that applies to every page (what the `single` format reads into). */
export const ANY_PAGE = '*';

/**
 * An origin worth connecting to early (`Link: <https://fonts.example>; rel=preconnect`). Browsers
 * keep separate connections for CORS fetches without credentials (fonts, module scripts,
 * `crossorigin` elements) and for the rest, so the hint says which one to open: a preconnect
 * without `crossorigin` does not help a font fetch, and one with it does not help an image.
 * The same origin may be listed twice, once per kind.
 */
export interface PreconnectHint {
  /** `https://host` or `http://host:port`, as browsers write an origin. */
  origin: string;
  /** Set when the fetches it serves are CORS fetches (the page's own `crossorigin`, fonts, modules). */
  crossorigin?: CrossOrigin;
}

/** A push manifest: page route → resources in priority order (weight descending). */
export interface Manifest {
  pages: Map<RouteKey, Resource[]>;
  /** Cross-origin origins each page references, worth a `rel=preconnect` (never pushed), in discovery order. */
  preconnect?: Map<RouteKey, PreconnectHint[]>;
}

/** Whether two preconnect hints open the same connection (same origin, same CORS mode). */
export function samePreconnect(a: PreconnectHint, b: PreconnectHint): boolean {
  return a.origin === b.origin && (a.crossorigin ?? '') === (b.crossorigin ?? '');
}

/** Whether a route key is a regular expression rather than a literal path. */
export function isPatternKey(key: RouteKey): boolean {
  return key.startsWith('^') || key.endsWith('$');
}
