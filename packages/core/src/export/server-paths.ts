/**
 * The request paths a server config names for a route, decoded as the servers match them
 * (nginx, Apache and Caddy compare the percent-decoded path), with a warning for any path a
 * config file cannot name.
 */
import { CONTROL } from './escape.js';
import { decodePath, type ExportRoute } from './routes.js';

/** The decoded paths of a literal route; pushes a warning for each one that cannot be written. */
export function decodedPaths(route: ExportRoute, target: string, warnings: string[]): string[] {
  const out: string[] = [];
  for (const path of route.paths) {
    const decoded = decodePath(path);
    if (decoded === undefined || CONTROL.test(decoded)) {
      warnings.push(`${route.key}: ${target} cannot match the path ${JSON.stringify(path)} (its escapes are not UTF-8 text); left out`);
      continue;
    }
    if (!out.includes(decoded)) out.push(decoded);
  }
  return out;
}
