/**
 * What `inspect` saw on the wire, as plain data: the CLI prints it, `--json` writes it as is.
 * Times are milliseconds from the start of the request they belong to.
 */

/** One link of a `Link` header (103 or final response), parsed with the runtime's parser. */
export interface SeenLink {
  /** The target as written. */
  url: string;
  /** Same-origin path (`/app.css?v=1`) when the target is on the inspected origin, else undefined. */
  path: string | undefined;
  /** `rel` tokens, lower case. */
  rel: string[];
  as: string | undefined;
  /** `''` for a bare `crossorigin` (anonymous), the value otherwise; undefined when absent. */
  crossorigin: string | undefined;
  nopush: boolean;
  media: string | undefined;
  /** Every parameter, names lower-cased (what a comparison over any link param reads). */
  params: Record<string, string>;
}

/** One 103 Early Hints response. */
export interface SeenEarlyHint {
  at: number;
  links: SeenLink[];
}

/** One PUSH_PROMISE and what became of the pushed stream. */
export interface SeenPush {
  /** `:path` of the promise. */
  path: string;
  promisedAt: number;
  /** Whether the promise came before the response headers of the page (as it must, to be useful). */
  beforeResponse: boolean;
  status: number | undefined;
  contentType: string | undefined;
  /** Body bytes received (as sent: compressed when the server compressed). */
  bytes: number;
  finishedAt: number | undefined;
  /** `client`: this client cancelled it (already received on the connection, or over the cap); `server`: the server reset it. */
  cancelled: 'client' | 'server' | undefined;
}

/** A `set-cookie` of the response; the value only for a cache-digest cookie. */
export interface SeenCookie {
  name: string;
  /** Looks like a push cache digest (`pm_digest`, h2o's `h2o_casper`, names with `digest`). */
  digest: boolean;
  value: string | undefined;
  attributes: string;
}

/** A fact worth a look; `kind` is stable for programs. */
export interface InspectProblem {
  kind:
    | 'pushed-and-hinted'
    | 'hinted-twice'
    | 'pushed-twice'
    | 'link-header-size'
    | 'response-header-size'
    | 'font-without-crossorigin'
    | 'module-as-classic-script'
    | 'push-failed'
    | 'push-after-response';
  /**
   * `error`: the page loads worse for it (a double download, a failed push, a header a CDN cuts);
   * `warning`: worth knowing, harmless on its own. `inspect --manifest` fails on errors only.
   */
  severity: 'error' | 'warning';
  url?: string;
  message: string;
}

/** The summary of one navigation. */
export interface NavigationSummary {
  /** Paths pushed (promised and not cancelled by this client). */
  pushed: string[];
  /** Preload/modulepreload targets hinted (Link or 103) but not pushed. */
  hintedOnly: string[];
  bytesPushed: number;
  /** Bytes of the final `Link` header value (all `link` fields joined with `, `). */
  linkHeaderBytes: number;
  /** Bytes of the final response header block, written as HTTP/1.1 text (what a proxy buffers). */
  responseHeaderBytes: number;
  problems: InspectProblem[];
}

/** One navigation request and everything it brought. */
export interface SeenNavigation {
  /** `first`; with `--repeat`, `same-connection` and `new-connection`. */
  label: 'first' | 'same-connection' | 'new-connection';
  protocol: 'h2' | 'http/1.1';
  /** Request headers sent (`cookie` included on the new-connection repeat). */
  request: Record<string, string>;
  earlyHints: SeenEarlyHint[];
  pushes: SeenPush[];
  status: number;
  responseAt: number;
  finishedAt: number;
  bodyBytes: number;
  /** The final `Link` header value as received (empty when none). */
  linkHeader: string;
  links: SeenLink[];
  vary: string | undefined;
  cacheControl: string | undefined;
  contentType: string | undefined;
  cookies: SeenCookie[];
  summary: NavigationSummary;
}

/** How a repeat navigation differed from the first as to pushes. */
export interface RepeatDiff {
  label: 'same-connection' | 'new-connection';
  /** Pushed on the first navigation and promised again here. */
  pushedAgain: string[];
  /** Pushed on the first navigation and not promised here: the server knew the client had them. */
  notPushedAgain: string[];
  /** Promised here only. */
  newlyPushed: string[];
}

/** What `inspectUrl` returns. */
export interface InspectReport {
  url: string;
  protocol: 'h2' | 'http/1.1';
  navigations: SeenNavigation[];
  repeat: RepeatDiff[];
}
