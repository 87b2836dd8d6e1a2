/**
 * What the static layer will serve, as one policy: a real path must be the root or below it
 * (symlinks resolved first), and no part of it below the root may be a dotfile or dot-folder,
 * except a leading `.well-known` (RFC 8615). The crawler asks the same question of the files it
 * lists (see the shared module i8-crawl adds): at merge, both should call {@link isServable}.
 */
import { isAbsolute, relative, sep } from 'node:path';

/**
 * Containment on REAL paths: is `real` the root or below it? `path.relative` rather than
 * `startsWith`, because `/srv/site-old` starts with `/srv/site`.
 */
export function isInside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Whether a root-relative path (platform separators) names a dotfile or a file in a dot-folder. */
export function isHiddenRelative(rel: string): boolean {
  return rel.split(sep).some((part, i) => part.startsWith('.') && !(i === 0 && part === '.well-known'));
}

/**
 * Whether the file at real path `real` may be served from the real root `root`: inside it, and
 * not hidden. `real` must already have its symlinks resolved (a symlink `a.txt -> .env` is then
 * judged by its target).
 */
export function isServable(root: string, real: string): boolean {
  return isInside(root, real) && !isHiddenRelative(relative(root, real));
}
