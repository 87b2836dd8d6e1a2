/**
 * Turn a raw request path into segments that are safe to join under a root folder.
 *
 * The rules follow what `send` (Express/fastify-static) and `sirv` learned the hard way, tightened
 * where they were loose (sirv checks containment with `startsWith`, which lets `/srv/site-secret`
 * pass for a root `/srv/site`). The containment check on the real path lives in `static.ts`;
 * this module only makes sure the *string* can never name anything above the root.
 */
import { PushManifestError } from '../errors.js';

/** A request path split into decoded, checked segments. */
export interface SafePath {
  /** Decoded segments, none empty, none `.` or `..`, none containing `/`, `\` or NUL. */
  segments: string[];
  /** The request path ended in `/` (a folder was asked for). */
  trailingSlash: boolean;
  /** Some segment is a dotfile or dot-folder other than a leading `.well-known`. */
  hidden: boolean;
}

const badPath = (pathname: string, why: string) =>
  new PushManifestError('BAD_PATH', `bad request path ${JSON.stringify(pathname.slice(0, 200))}: ${why}`);

// A first segment like `C:` would make Windows' path.join treat the rest as a drive path.
const DRIVE = /^[a-zA-Z]:/;

/**
 * Decode `pathname` (the raw request target, still percent-encoded, query allowed) ONCE and check it.
 * Throws `PushManifestError('BAD_PATH')` for anything that cannot be a file under the root.
 */
export function parseRequestPath(pathname: string): SafePath {
  // The query and fragment never name a file; cut them before decoding so an encoded `%3F` stays a
  // literal `?` in a file name, as it should.
  let raw = pathname;
  const query = raw.search(/[?#]/);
  if (query !== -1) raw = raw.slice(0, query);

  // An origin-form target starts with `/`. Absolute-form (`http://host/x`) and `*` are not paths
  // into our root; refusing them here means nothing below ever sees a scheme or a host.
  if (!raw.startsWith('/')) throw badPath(pathname, 'must start with /');

  // Decode exactly once. Decoding again would turn `%252e%252e` into `..` AFTER the checks below,
  // which is the classic double-decoding traversal; a second decode is never done anywhere.
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw badPath(pathname, 'malformed percent-encoding');
  }

  // NUL truncates paths in C APIs underneath (and Node refuses them with an exception):
  // answer 400 rather than let it reach fs.
  if (decoded.includes('\0')) throw badPath(pathname, 'NUL byte');
  // A backslash is a separator on Windows and a legal name character on POSIX: the same URL would
  // name different files on different hosts. No site needs it; refuse it everywhere.
  if (decoded.includes('\\')) throw badPath(pathname, 'backslash');

  // Split AFTER decoding, so an encoded `%2f` is a separator like `/` and is checked like one
  // (`..%2f..%2fetc` becomes `..`, `..`, `etc` and is refused below).
  const parts = decoded.split('/');
  const segments: string[] = [];
  let hidden = false;
  for (const part of parts) {
    // Empty segments (`//etc/passwd`) are collapsed like nginx's merge_slashes. We build the file
    // path from segments relative to the root, so a leading `//` can never make it absolute.
    if (part === '') continue;
    // `..` is the traversal itself; `.` is harmless but only a hand-made request sends it, and
    // refusing it keeps one URL per file (no cache-key games).
    if (part === '..' || part === '.') throw badPath(pathname, 'dot segment');
    if (segments.length === 0 && DRIVE.test(part)) throw badPath(pathname, 'drive letter');
    // Dotfiles (.env, .git/, .htpasswd) are private by convention. `/.well-known/` is the one public
    // dot-folder (RFC 8615: ACME challenges, security.txt), and only as the first segment.
    if (part.startsWith('.') && !(segments.length === 0 && part === '.well-known')) hidden = true;
    segments.push(part);
  }
  return { segments, trailingSlash: decoded.endsWith('/'), hidden };
}

/** Percent-encode checked segments back into a URL path (for a redirect `Location`). */
export function encodeSegments(segments: readonly string[]): string {
  // encodeURIComponent leaves no `/`, `?`, `#`, CR or LF in a segment, so the result cannot split
  // a header or point at another host (a Location starting with `//` would be an open redirect;
  // ours always starts with exactly one `/` followed by a non-empty encoded segment or nothing).
  return `/${segments.map(encodeURIComponent).join('/')}`;
}
