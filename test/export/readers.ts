/**
 * Readers of the CDN config files, written from each target's documented matching rules, so a
 * test can ask "which Link header would this request get?" of an exported file.
 */
import { createRequire } from 'node:module';
import type * as Zod from '../../packages/core/node_modules/zod/index.cjs';

// zod is core's dependency (it validates manifests): load it from there.
const { z } = createRequire(new URL('../../packages/core/package.json', import.meta.url))('zod') as typeof Zod;

/** Netlify / Cloudflare `_headers`: a path line, then indented `Name: value` lines; `#` comments. */
export interface HeadersRule {
  path: string;
  headers: [string, string][];
}

export function parseHeadersFile(text: string): HeadersRule[] {
  const rules: HeadersRule[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      rules.push({ path: line.trim(), headers: [] });
      continue;
    }
    const rule = rules.at(-1);
    if (rule === undefined) throw new Error(`header line before any path: ${line}`);
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`header line without a colon: ${line}`);
    rule.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return rules;
}

/** A `_headers` path as a regex: `*` a splat (anything), `:name` one segment, the rest literal. */
function headersPathRegex(path: string): RegExp {
  let out = '';
  for (const part of path.split(/(\*|:[A-Za-z]\w*)/)) {
    if (part === '*') out += '.*';
    else if (/^:[A-Za-z]\w*$/.test(part)) out += '[^/]+';
    else out += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The `Link` values a request path gets: every matching rule applies (both CDNs), in file order. */
export function headersFileLinks(rules: HeadersRule[], path: string): string[] {
  return rules
    .filter((rule) => headersPathRegex(rule.path).test(path))
    .flatMap((rule) => rule.headers.filter(([name]) => name.toLowerCase() === 'link').map(([, value]) => value));
}

const headerList = z.array(z.object({ key: z.string().min(1), value: z.string() }).strict()).min(1);

/** `firebase.json` `hosting.headers`, as Firebase documents it: `source` (glob) or `regex`, and `headers`. */
export const firebaseSchema = z.looseObject({
  hosting: z.looseObject({
    headers: z.array(
      z.union([z.object({ source: z.string().min(1), headers: headerList }).strict(), z.object({ regex: z.string().min(1), headers: headerList }).strict()]),
    ),
  }),
});

/** `vercel.json` `headers`, as Vercel documents it: `source` (path-to-regexp, from `/`), `headers`. */
export const vercelSchema = z.looseObject({
  headers: z.array(z.object({ source: z.string().startsWith('/').max(4096), headers: headerList }).strict()),
});

/** A Firebase glob as a regex: `\x` literal, `**` anything, `*` within a segment, `?` one character. */
function firebaseGlobRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '\\') out += (glob[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if ('{}()[]!+@'.includes(c)) throw new Error(`this reader does not handle glob syntax ${c} in ${glob}`);
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The Link value Firebase sends for a path: the last matching rule's (later rules win). */
export function firebaseLinks(json: Zod.infer<typeof firebaseSchema>, path: string): string[] {
  return json.hosting.headers
    .filter((rule) => ('source' in rule ? firebaseGlobRegex(rule.source) : new RegExp(rule.regex)).test(path))
    .flatMap((rule) => rule.headers.filter((h) => h.key.toLowerCase() === 'link').map((h) => h.value));
}

/** A path-to-regexp source as a regex: `\x` literal, `:name` a segment, `(…)` a group, the rest literal. */
function vercelSourceRegex(source: string): RegExp {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') out += (source[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === ':') {
      const name = /^:\w+/.exec(source.slice(i))?.[0] ?? ':';
      out += '[^/]+';
      i += name.length - 1;
    } else if (c === '(') {
      const close = source.indexOf(')', i);
      out += `(?:${source.slice(i + 1, close)})`;
      i = close;
    } else if ('*+?{}'.includes(c)) throw new Error(`this reader does not handle ${c} in ${source}`);
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The Link values Vercel sends for a path: every matching rule's. */
export function vercelLinks(json: Zod.infer<typeof vercelSchema>, path: string): string[] {
  return json.headers
    .filter((rule) => vercelSourceRegex(rule.source).test(path))
    .flatMap((rule) => rule.headers.filter((h) => h.key.toLowerCase() === 'link').map((h) => h.value));
}
