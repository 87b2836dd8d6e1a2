/**
 * The shapes every export target shares: the options a writer takes and what it gives back.
 */

/** Every syntax `exportManifest` can write. */
export const EXPORT_TARGETS = ['nginx', 'apache', 'h2o', 'caddy', 'netlify', 'cloudflare', 'firebase', 'vercel', 'link', 'workbox'] as const;

/** A server, CDN or list the manifest can be exported to. */
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** Options for {@link exportManifest}. Each target reads the ones that make sense for it. */
export interface ExportOptions {
  /** Write push directives too (nginx `http2_push`, Apache `H2PushResource`, Caddy `push`, h2o pushes from Link). */
  push?: boolean;
  /** Write 103 Early Hints directives where the target has them (Apache `H2EarlyHints`, nginx ≥ 1.29). */
  earlyHints?: boolean;
  /** The server version the output is for (default: the one Debian 12 ships, see `docs/deploy.md`). */
  targetVersion?: string;
  /** Names the manifest in the output's comment (a file name; absent: not named). */
  manifestName?: string;
  /** Names the tool in the output's comment, e.g. `push-manifest 0.1.0`. */
  generator?: string;
  /** Firebase and Vercel: the text of the file to merge into; its other keys are kept as they are. */
  existing?: string;
  /** `link`: write JSON (`{ route: value }`) instead of text lines. */
  json?: boolean;
  /** `workbox`: revision of each local URL (see `readRevisions`); required for that target. */
  revisions?: ReadonlyMap<string, string>;
  /** Override the target's cap on one `Link` value, in bytes. */
  linkHeaderMax?: number;
}

/** What a writer produced: the file text and what the user should know about it. */
export interface ExportResult {
  /** The output, ending in a newline. */
  text: string;
  /** One line each, naming the page (or route) it is about. */
  warnings: string[];
}
