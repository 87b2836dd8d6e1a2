/**
 * Counters of what the runtime did, readable through `PushHandler.stats()` and logged by `serve`
 * at `--verbose`. Plain numbers bumped in place: no allocation on the request path.
 */

/** Why a resource that could have been pushed was not. */
export interface PushSkips {
  /** The client disabled push (SETTINGS_ENABLE_PUSH=0, as Chromium since v106) or the stream closed. */
  disabled: number;
  /** Already promised on this connection (the per-connection diary). */
  diary: number;
  /** The client's cache digest cookie says it holds this path at this ETag. */
  digest: number;
  /** Over `maxPushes` for this response, or over the client's concurrent stream limit. */
  cap: number;
  /** A client-requested push naming another origin. */
  crossOrigin: number;
  /** A client-requested push whose path leaves the root or is malformed. */
  outOfRoot: number;
  /** A client-requested push marked `nopush`, or without `rel=preload`. */
  nopush: number;
  /** No such file under the root. */
  missing: number;
}

/** Counters since the handler was created. */
export interface PushStats {
  /** Requests the handler saw. */
  requests: number;
  /** Requests it treated as navigations (HTML page requests with a route). */
  navigations: number;
  /** Responses that got a `Link` header. */
  linkHeaders: number;
  /** 103 Early Hints responses sent. */
  earlyHints: number;
  /** PUSH_PROMISEs sent. */
  pushed: number;
  skipped: PushSkips;
  /** Pushed streams the client reset (RST_STREAM CANCEL or REFUSED_STREAM) before they completed. */
  cancelled: number;
  /** Pushes that failed on the server side (the stream went away, a file vanished). */
  failed: number;
  /** Requests that carried a `link` request header while client push was on. */
  clientPushRequests: number;
  /** Manifest reloads that succeeded / failed (the old table stays on failure). */
  reloads: number;
  reloadFailures: number;
}

/** Fresh counters, all zero. */
export function createStats(): PushStats {
  return {
    requests: 0,
    navigations: 0,
    linkHeaders: 0,
    earlyHints: 0,
    pushed: 0,
    skipped: { disabled: 0, diary: 0, digest: 0, cap: 0, crossOrigin: 0, outOfRoot: 0, nopush: 0, missing: 0 },
    cancelled: 0,
    failed: 0,
    clientPushRequests: 0,
    reloads: 0,
    reloadFailures: 0,
  };
}

/** A snapshot the caller may keep or change without touching the live counters. */
export function copyStats(stats: PushStats): PushStats {
  return { ...stats, skipped: { ...stats.skipped } };
}
