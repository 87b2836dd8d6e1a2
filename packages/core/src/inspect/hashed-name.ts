/**
 * Telling a renamed build output from a new file: `app.3f2a.js` and `app.9c1b.js` are the same
 * file after a rebuild when their names differ only in hash-like parts.
 */

/**
 * A name part that looks like a content hash: 4+ hex characters with a digit in them (`3f2a`,
 * webpack's `[contenthash:8]`), or 8+ base64url characters with a digit or both cases (Vite's
 * `DiwrgTda`). Words (`face`, `main`) and version numbers (`3`, `v2`) are not.
 */
const HASH_PART = /^(?:(?=[a-f]*\d)[0-9a-f]{4,}|(?=.*\d|.*[A-Z].*[a-z]|.*[a-z].*[A-Z])[0-9A-Za-z_]{8,})$/;

/** The file name with every hash-like part replaced by `*`, or undefined when it has none. */
export function hashStem(name: string): string | undefined {
  const parts = name.split(/([.-])/);
  let hashed = false;
  const stem = parts.map((part, i) => {
    // Separators are at odd indices; the extension (last part after a dot) is never a hash.
    if (i % 2 === 1 || i === parts.length - 1) return part;
    if (HASH_PART.test(part) && i > 0) {
      hashed = true;
      return '*';
    }
    return part;
  });
  return hashed ? stem.join('') : undefined;
}

/** Split a URL path into folder (with trailing `/`) and last segment, dropping `?query`/`#hash`. */
function splitPath(url: string): [string, string] {
  const path = url.replace(/[?#].*$/s, '');
  const slash = path.lastIndexOf('/');
  return [path.slice(0, slash + 1), path.slice(slash + 1)];
}

/**
 * The likely successor of a missing hashed `url` among `candidates` (URL paths): same folder,
 * same name once hashes are masked. With several, the first in `candidates` order wins (callers
 * put what the crawl lists first).
 */
export function likelySuccessor(url: string, candidates: Iterable<string>): string | undefined {
  const [folder, name] = splitPath(url);
  const stem = hashStem(name);
  if (stem === undefined) return undefined;
  for (const candidate of candidates) {
    const [otherFolder, otherName] = splitPath(candidate);
    if (candidate !== url && otherFolder === folder && hashStem(otherName) === stem) return candidate;
  }
  return undefined;
}
