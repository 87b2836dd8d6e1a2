/** Content types from the file extension, using mrmime's table (the one sirv and Vite use). */
import { extname } from 'node:path';
import { lookup } from 'mrmime';

// Text types get an explicit charset: without it browsers sniff, and a UTF-8 page without a
// <meta charset> can render as windows-1252.
const TEXTUAL = /^(text\/|application\/(javascript|json|xml|manifest\+json|ld\+json)|image\/svg\+xml)/;

/** The `content-type` header value for a file name; `application/octet-stream` when unknown. */
export function contentTypeFor(fileName: string): string {
  const ext = extname(fileName).slice(1).toLowerCase();
  const type = (ext && lookup(ext)) || 'application/octet-stream';
  return TEXTUAL.test(type) ? `${type}; charset=utf-8` : type;
}

/** True for HTML documents (they get `no-cache`: a page must be revalidated to see new asset names). */
export function isHtmlType(contentType: string): boolean {
  return contentType.startsWith('text/html');
}
