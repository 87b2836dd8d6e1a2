/** Dotted version numbers, compared numerically part by part (`1.25.1` > `1.9`). */

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. Missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((part) => Number.parseInt(part, 10));
  const pb = b.split('.').map((part) => Number.parseInt(part, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Whether `version` is a dotted number like `1.22` or `2.4.62`. */
export function isVersion(version: string): boolean {
  return /^\d+(?:\.\d+){0,3}$/.test(version);
}
