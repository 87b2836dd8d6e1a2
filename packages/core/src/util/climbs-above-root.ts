/**
 * Whether a path's dot-segments climb above the top: `..` (also percent-encoded, `%2e%2e`,
 * `.%2E`) once more than the folders entered so far. `depth` is how many folders down the path
 * starts (0 for an absolute path; a relative reference starts at its page's folder). Empty and
 * `.` segments enter nothing. Used by client push (request paths) and the crawler (references).
 */
export function climbsAboveRoot(path: string, depth = 0): boolean {
  let level = depth;
  for (const segment of path.split('/')) {
    const s = segment.toLowerCase().replace(/%2e/g, '.');
    if (s === '..') {
      if (--level < 0) return true;
    } else if (s !== '.' && s !== '') {
      level++;
    }
  }
  return false;
}
