/** The summary of one navigation: what was pushed, what was only hinted, and what looks wrong. */
import { isFetchHint } from './links.js';
import type { InspectProblem, NavigationSummary, SeenEarlyHint, SeenLink, SeenPush } from './types.js';

/** Cloudflare trims or drops `Link` headers above about this many bytes. */
export const CLOUDFLARE_LINK_LIMIT = 3072;
/**
 * nginx reads an upstream's whole response header into `proxy_buffer_size` (default one memory
 * page: 4 KB on x86-64 and most arm64), and fails with "upstream sent too big header" beyond it.
 */
export const NGINX_HEADER_BUFFER = 4096;

/** What {@link summarise} reads. */
export interface SummaryInput {
  earlyHints: readonly SeenEarlyHint[];
  pushes: readonly SeenPush[];
  links: readonly SeenLink[];
  linkHeader: string;
  responseHeaderBytes: number;
}

/** The key a link is compared by: its same-origin path, or the URL as written. */
const keyOf = (link: SeenLink) => link.path ?? link.url;

function twiceIn(links: readonly SeenLink[], where: string, problems: InspectProblem[]): void {
  const seen = new Set<string>();
  for (const link of links) {
    if (!isFetchHint(link)) continue;
    const key = keyOf(link);
    if (seen.has(key)) problems.push({ kind: 'hinted-twice', severity: 'warning', url: key, message: `${key} is hinted twice in the ${where}` });
    seen.add(key);
  }
}

/** Summarise one navigation. */
export function summarise(input: SummaryInput): NavigationSummary {
  const problems: InspectProblem[] = [];
  const pushed: string[] = [];
  const promised = new Set<string>();
  let bytesPushed = 0;
  for (const push of input.pushes) {
    if (promised.has(push.path)) problems.push({ kind: 'pushed-twice', severity: 'error', url: push.path, message: `${push.path} is pushed twice for one page` });
    promised.add(push.path);
    if (!push.beforeResponse) {
      problems.push({ kind: 'push-after-response', severity: 'warning', url: push.path, message: `${push.path} was promised after the page's response headers: the browser may already have asked for it` });
    }
    if (push.cancelled === 'client') continue;
    bytesPushed += push.bytes;
    if (push.cancelled === 'server') {
      problems.push({ kind: 'push-failed', severity: 'error', url: push.path, message: `${push.path}: the server reset the pushed stream` });
      continue;
    }
    pushed.push(push.path);
    if (push.status !== undefined && push.status !== 200) {
      problems.push({ kind: 'push-failed', severity: 'error', url: push.path, message: `${push.path} was pushed with status ${push.status}` });
    }
  }

  for (const link of input.links) {
    if (link.path !== undefined && isFetchHint(link) && promised.has(link.path) && !link.nopush) {
      // Harmless for a browser (it takes the push), but a proxy in front that pushes from Link
      // headers (nginx http2_push_preload, Apache H2Push, Cloudflare) would push it a second time.
      problems.push({ kind: 'pushed-and-hinted', severity: 'warning', url: link.path, message: `${link.path} is pushed and also hinted without nopush: a proxy that pushes from Link headers would push it again` });
    }
  }
  twiceIn(input.links, 'Link header', problems);
  input.earlyHints.forEach((hint, i) => twiceIn(hint.links, input.earlyHints.length > 1 ? `103 #${i + 1}` : '103', problems));

  const hinted = new Map<string, SeenLink>();
  for (const link of [...input.earlyHints.flatMap((hint) => hint.links), ...input.links]) {
    if (isFetchHint(link) && !hinted.has(keyOf(link))) hinted.set(keyOf(link), link);
  }
  for (const [key, link] of hinted) {
    if (link.as === 'font' && link.crossorigin === undefined) {
      problems.push({ kind: 'font-without-crossorigin', severity: 'error', url: key, message: `${key} is a font hinted without crossorigin: fonts are fetched in CORS mode, so the browser will not reuse it and downloads it twice` });
    }
    if (link.rel.includes('preload') && link.as === 'script' && /\.mjs(?:[?#]|$)/.test(key)) {
      problems.push({ kind: 'module-as-classic-script', severity: 'error', url: key, message: `${key} looks like a module but is hinted rel=preload as=script (use rel=modulepreload, or add crossorigin)` });
    }
  }

  const linkHeaderBytes = Buffer.byteLength(input.linkHeader, 'utf8');
  if (linkHeaderBytes > CLOUDFLARE_LINK_LIMIT) {
    problems.push({ kind: 'link-header-size', severity: 'error', message: `the Link header is ${linkHeaderBytes} bytes: over Cloudflare's ~${CLOUDFLARE_LINK_LIMIT} B, links may be cut` });
  }
  if (input.responseHeaderBytes > NGINX_HEADER_BUFFER) {
    problems.push({ kind: 'response-header-size', severity: 'error', message: `the response header is ${input.responseHeaderBytes} bytes: over nginx's default proxy_buffer_size (${NGINX_HEADER_BUFFER} B) behind a proxy` });
  }
  return {
    pushed,
    hintedOnly: [...hinted.keys()].filter((key) => !promised.has(key)),
    bytesPushed,
    linkHeaderBytes,
    responseHeaderBytes: input.responseHeaderBytes,
    problems,
  };
}
