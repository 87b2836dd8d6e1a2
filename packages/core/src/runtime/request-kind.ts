/**
 * Is this request a navigation (a browser asking for a page)? Pushes and hints are for those
 * only: a stylesheet request that happens to match a `*` manifest must not trigger pushes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from './route-table.js';

/** `Sec-Fetch-Dest` values of a document load. */
function isDocumentDest(dest: string): boolean {
  return dest === 'document' || dest === 'iframe' || dest === 'frame';
}

/** Whether the last path segment looks like a page: a folder, `.html`/`.htm`, or no extension. */
export function looksLikePage(path: string): boolean {
  if (path.endsWith('/')) return true;
  const last = path.slice(path.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  if (dot < 0) return true;
  const ext = last.slice(dot + 1).toLowerCase();
  return ext === 'html' || ext === 'htm';
}

/**
 * A navigation is a GET/HEAD for which:
 * - `Sec-Fetch-Dest` is `document` (or `iframe`/`frame`), when the header is present (browsers);
 * - otherwise `Accept` names `text/html`;
 * - otherwise, for a client that sends no `Accept` or `*\/*` (curl, nghttp, h2load), the path names
 *   a page of the manifest literally, or looks like a page.
 */
export function isNavigation(headers: IncomingHttpHeaders, route: Route, path: string): boolean {
  const dest = headers['sec-fetch-dest'];
  if (typeof dest === 'string') return isDocumentDest(dest.toLowerCase());
  const accept = headers.accept;
  if (accept === undefined || accept === '' || accept === '*/*') return route.literal || looksLikePage(pathOf(path));
  return accept.includes('text/html');
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
