/**
 * "Would the server serve this file?": the one rule shared by static serving (`runtime/static.ts`)
 * and the crawler (which lists only files a browser can get). Kept free of the crawler's parsers,
 * so the runtime entry stays light.
 *
 * - Dotfiles and dot-folders (`.env`, `.git/`, `/.assets/a.js`) are private by convention; the one
 *   public dot-folder is a leading `/.well-known/` (RFC 8615).
 * - A file's REAL path (symlinks resolved) must be the root or below it: a symlink, or a folder
 *   symlinked, that leads out of the root is not part of the site. A symlink inside the root that
 *   points at a dotfile is hidden as well.
 */
import { isAbsolute, relative, sep } from 'node:path';

/** Whether path segments (from the root) name a dotfile or dot-folder other than a leading `.well-known`. */
export function isHiddenPath(segments: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const part = segments[i]!;
    if (part.startsWith('.') && !(i === 0 && part === '.well-known')) return true;
  }
  return false;
}

/**
 * Whether `real` is `root` or below it. `path.relative` rather than `startsWith`, because
 * `/srv/site-old` starts with `/srv/site`.
 */
export function isInsideRoot(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Whether the file at real path `real` may be served from the root whose real path is `realRoot`. */
export function isServedRealPath(realRoot: string, real: string): boolean {
  return isInsideRoot(realRoot, real) && !isHiddenPath(relative(realRoot, real).split(sep));
}
