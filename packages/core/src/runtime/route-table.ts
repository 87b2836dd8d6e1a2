/**
 * The route table: a manifest turned, once, into everything a request needs ready-made: the
 * `Link` header values, the push list and the Early Hints list of every route. A request then
 * costs one map lookup and no string building (see `match`).
 */
import { ANY_PAGE, isPatternKey, type Manifest, type PreconnectHint, type Resource, type RouteKey } from '../manifest/model.js';
import { PushManifestError } from '../errors.js';
import { formatLink, isNodeEarlyHintSafe, isSafeLinkUrl, preconnectLink, resourceLink } from './link-header.js';

/** Default cap on a `Link` header value, in bytes: proxies and CDNs reject or trim bigger headers. */
export const DEFAULT_LINK_HEADER_MAX = 4096;

/** One link of a route, formatted both ways once. */
export interface PreparedLink {
  /** The link target: a path for resources, an origin for preconnects. */
  readonly url: string;
  /** The manifest resource, absent for preconnects. */
  readonly resource: Resource | undefined;
  /** Formatted without `nopush`: for links that were pushed, and for 103s. */
  readonly value: string;
  /** Formatted with `nopush` (preconnects never carry it). */
  readonly valueNoPush: string;
  /** Whether the server may push it: a same-origin path without `nopush`, `imagesrcset` or `media`. */
  readonly pushable: boolean;
}

/** A resource the server may push for a route. */
export interface PushCandidate {
  /** Path and query, as the PUSH_PROMISE's `:path`. */
  readonly url: string;
  readonly resource: Resource;
}

/** Everything a request for one route needs, computed when the manifest loads. */
export interface Route {
  /** The manifest key this route comes from. */
  readonly key: RouteKey;
  /** True for a literal page key (or its `/`, clean-URL aliases); false for patterns and `*`. */
  readonly literal: boolean;
  /** Links within the header cap, preconnects first, then resources in manifest order. */
  readonly links: readonly PreparedLink[];
  /** Links left out by the header cap. */
  readonly droppedLinks: number;
  /** The `Link` value when nothing is pushed: every preload marked `nopush`. Empty when no links. */
  readonly linkHeader: string;
  /** The `Link` value when every pushable link was pushed. */
  readonly linkHeaderAllPushed: string;
  /** What may be pushed, in manifest order (not capped by the header size). */
  readonly pushes: readonly PushCandidate[];
  /** The 103 links (no `nopush`), one string per link. */
  readonly earlyHints: readonly string[];
  /** The 103 links joined, for `stream.additionalHeaders`. */
  readonly earlyHintsValue: string;
  /**
   * The 103 links Node's `writeEarlyHints` accepts (it rejects quoted values with spaces), for
   * HTTP/1.1; equal in length to `earlyHints` when every link passes.
   */
  readonly earlyHintsForNode: readonly string[];
}

/** Options for {@link RouteTable.fromManifest}. */
export interface RouteTableOptions {
  /** Cap on a `Link` header value in bytes (default 4096); links are cut whole, lowest priority first. */
  linkHeaderMax?: number;
}

/** Whether a resource URL is a same-origin path (not `//host/…`, not `https://…`). */
function isLocalPath(url: string): boolean {
  return url.startsWith('/') && !url.startsWith('//');
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function compileRoute(key: RouteKey, literal: boolean, resources: readonly Resource[], hints: readonly PreconnectHint[], max: number): Route {
  const all: PreparedLink[] = [];
  for (const hint of hints) {
    if (!isSafeLinkUrl(hint.origin)) {
      throw new PushManifestError('INVALID_MANIFEST', `preconnect origin cannot go in a Link header: ${JSON.stringify(hint.origin)}`, { path: [key, hint.origin] });
    }
    const value = formatLink(preconnectLink(hint));
    all.push({ url: hint.origin, resource: undefined, value, valueNoPush: value, pushable: false });
  }
  for (const resource of resources) {
    if (!isSafeLinkUrl(resource.url)) {
      // The manifest loader rejects these already; a Manifest built by hand gets the same answer.
      throw new PushManifestError('INVALID_MANIFEST', `URL cannot go in a Link header: ${JSON.stringify(resource.url)}`, { path: [key, resource.url] });
    }
    // A responsive (imagesrcset) or conditional (media) resource is the browser's choice: the
    // server cannot know which candidate, or whether any, so it hints and never pushes, whatever
    // a hand-written manifest says.
    const pushable = resource.nopush !== true && resource.imagesrcset === undefined && resource.media === undefined && isLocalPath(resource.url);
    all.push({
      url: resource.url,
      resource,
      value: formatLink(resourceLink(resource, false)),
      valueNoPush: formatLink(resourceLink(resource, true)),
      pushable,
    });
  }

  // Cut at whole links, in priority order: the first link that does not fit ends the header, so a
  // lower-priority small link never jumps ahead of a higher-priority one that was dropped.
  const links: PreparedLink[] = [];
  let size = 0;
  for (const link of all) {
    const added = byteLength(link.valueNoPush) + (links.length === 0 ? 0 : 2);
    if (size + added > max) break;
    size += added;
    links.push(link);
  }

  const pushes: PushCandidate[] = [];
  for (const link of all) {
    if (link.pushable && link.resource !== undefined) {
      pushes.push({ url: link.url, resource: link.resource });
    }
  }
  const earlyHints = links.map((link) => link.value);
  return {
    key,
    literal,
    links,
    droppedLinks: all.length - links.length,
    linkHeader: links.map((link) => link.valueNoPush).join(', '),
    linkHeaderAllPushed: links.map((link) => (link.pushable ? link.value : link.valueNoPush)).join(', '),
    pushes,
    earlyHints,
    earlyHintsValue: earlyHints.join(', '),
    earlyHintsForNode: earlyHints.filter(isNodeEarlyHintSafe),
  };
}

/** Bound on the memo of pattern matches, so hostile paths cannot grow it without limit. */
const PATTERN_MEMO_MAX = 1024;

/**
 * Request path → {@link Route}. Literal keys and their aliases (`/` for `/index.html`, `/about/`
 * and `/about` for `/about/index.html`, `/about` for `/about.html`) live in one Map built up
 * front; pattern keys are tried in manifest order after that; `*` comes last.
 */
export class RouteTable {
  readonly #literal = new Map<string, Route>();
  readonly #patterns: { regex: RegExp; route: Route }[] = [];
  readonly #anyPage: Route | undefined;
  readonly #memo = new Map<string, Route | null>();
  /** Number of manifest keys. */
  readonly size: number;

  private constructor(manifest: Manifest, options: RouteTableOptions) {
    const max = options.linkHeaderMax ?? DEFAULT_LINK_HEADER_MAX;
    if (!Number.isInteger(max) || max < 0) throw new PushManifestError('BAD_OPTION', `linkHeaderMax must be a non-negative integer, got ${String(max)}`);
    let anyPage: Route | undefined;
    const aliases: [string, Route][] = [];
    for (const [key, resources] of manifest.pages) {
      const hints = manifest.preconnect?.get(key) ?? [];
      if (key === ANY_PAGE) {
        anyPage = compileRoute(key, false, resources, hints, max);
      } else if (isPatternKey(key)) {
        let regex: RegExp;
        try {
          regex = new RegExp(key);
        } catch (error) {
          throw new PushManifestError('INVALID_MANIFEST', `route pattern is not a valid regular expression: ${key}`, { path: [key], cause: error });
        }
        this.#patterns.push({ regex, route: compileRoute(key, false, resources, hints, max) });
      } else {
        // Keys are held with upper-case escapes, the form browsers send (see `match`).
        const path = upperEscapes(key.startsWith('/') ? key : `/${key}`);
        const route = compileRoute(key, true, resources, hints, max);
        if (!this.#literal.has(path)) this.#literal.set(path, route);
        aliases.push(...aliasesOf(path).map((alias): [string, Route] => [alias, route]));
      }
    }
    // Aliases never shadow a real key, and `/about` goes to `/about.html` before
    // `/about/index.html` (the order static servers try them in); otherwise the first key wins.
    aliases.sort((a, b) => aliasRank(a[1].key) - aliasRank(b[1].key));
    for (const [alias, route] of aliases) {
      if (!this.#literal.has(alias)) this.#literal.set(alias, route);
    }
    this.#anyPage = anyPage;
    this.size = manifest.pages.size;
  }

  /** Build the table; throws PushManifestError('INVALID_MANIFEST') for a URL that cannot go in a header. */
  static fromManifest(manifest: Manifest, options: RouteTableOptions = {}): RouteTable {
    return new RouteTable(manifest, options);
  }

  /**
   * The route for a request URL (path with optional query; the query is ignored), or undefined.
   * The common case is one `Map.get` on the raw path.
   */
  match(url: string): Route | undefined {
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const hit = this.#literal.get(path);
    if (hit !== undefined) return hit;
    // `%c3` and `%C3` are the same octet (RFC 3986 §6.2.2.1); browsers send upper case, so only a
    // path with an escape that missed pays for the second look. Escapes are never decoded: `%2F`
    // is not a `/`, and decoding would let two different URLs share a route. Patterns see the
    // path as it came.
    if (path.includes('%')) {
      const upper = this.#literal.get(upperEscapes(path));
      if (upper !== undefined) return upper;
    }
    if (this.#patterns.length > 0) {
      const memo = this.#memo.get(path);
      if (memo !== undefined) return memo ?? this.#anyPage;
      let found: Route | null = null;
      for (const { regex, route } of this.#patterns) {
        if (regex.test(path)) {
          found = route;
          break;
        }
      }
      if (this.#memo.size >= PATTERN_MEMO_MAX) this.#memo.clear();
      this.#memo.set(path, found);
      if (found !== null) return found;
    }
    return this.#anyPage;
  }

  /** Every literal path and alias the table answers, for diagnostics and tests. */
  literalPaths(): string[] {
    return [...this.#literal.keys()];
  }
}

/** The path with each percent-escape's hex digits in upper case. */
function upperEscapes(path: string): string {
  return path.includes('%') ? path.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase()) : path;
}

/** `.html` pages' aliases are preferred over `index.html` ones for the same clean URL. */
function aliasRank(key: string): number {
  return /(?:^|\/)index\.html?$/.test(key) ? 1 : 0;
}

/** The other request paths that name the same page. */
function aliasesOf(path: string): string[] {
  const index = /^(.*\/)index\.html?$/.exec(path);
  if (index !== null) {
    const dir = index[1] as string; // ends with '/'
    return dir === '/' ? ['/'] : [dir, dir.slice(0, -1)];
  }
  const page = /^(.+)\.html?$/.exec(path);
  if (page !== null) return [page[1] as string];
  return [];
}
