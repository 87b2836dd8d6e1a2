/**
 * The zod schema of manifest entries: the single source of truth for field rules and for the
 * published JSON Schema (`schema/push-manifest.schema.json`, written by `scripts/write-schema.mjs`).
 *
 * Shape checks run per entry (a resource or a preconnect entry) because which schema applies
 * depends on the key (a path or an origin); the key checks themselves (header-injection safety,
 * same-origin paths) live in `url-safety.ts`, where a message can name the offending character.
 */
import { z } from 'zod';
import { MAX_WEIGHT, MIN_WEIGHT, RESOURCE_TYPES } from './model.js';

interface SchemaDoc {
  id?: string;
  title?: string;
  description?: string;
}

/**
 * Documentation of the schemas, in our own registry rather than zod's global one: loading this
 * module twice (the TypeScript sources and the built package in one process) must not clash on ids.
 */
const docs = z.registry<SchemaDoc>();

function documented<T extends z.ZodType>(schema: T, doc: SchemaDoc): T {
  docs.add(schema, doc);
  return schema;
}

/** How a bad value looks in a message: strings quoted, objects and arrays named, not dumped. */
function shown(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  return typeof input === 'string' ? JSON.stringify(input) : String(input);
}

const TYPE_LIST = RESOURCE_TYPES.join(', ');
const weightMessage = (issue: { input?: unknown }) => `expected an integer from ${MIN_WEIGHT} to ${MAX_WEIGHT} (got ${shown(issue.input)})`;

/** `type`: the preload `as` value. */
export const resourceTypeSchema = documented(
  z.enum(RESOURCE_TYPES, {
    error: (issue) => (issue.input === undefined ? `is required: one of ${TYPE_LIST}` : `expected one of ${TYPE_LIST} (got ${shown(issue.input)})`),
  }),
  { description: 'The preload `as` value (a Fetch destination): how the browser will use the resource.' },
);

/** `weight`: 1–256, higher first. */
export const weightSchema = documented(
  z.int({ error: weightMessage }).min(MIN_WEIGHT, { error: weightMessage }).max(MAX_WEIGHT, { error: weightMessage }),
  {
    description:
      'Priority from 1 to 256: resources are hinted and pushed by descending weight, ties in file order. Optional when reading (default 1), always written.',
  },
);

/** `crossorigin`; `""` and `true` read as `anonymous` (what the HTML attribute means when present and empty), `false` as absent. */
export const crossOriginSchema = documented(
  z.union([z.enum(['anonymous', 'use-credentials']), z.literal(''), z.boolean()], {
    error: (issue) => `expected "anonymous" or "use-credentials" (got ${shown(issue.input)})`,
  }),
  {
    description:
      'CORS mode the page fetches the resource in. Fonts and module scripts need it, or the browser does not reuse the preload. `""` and `true` are read as "anonymous", `false` as absent.',
  },
);

/** `rel` of a resource entry. */
export const resourceRelSchema = documented(
  z.enum(['preload', 'modulepreload'], {
    error: (issue) => `expected "preload" or "modulepreload" (got ${shown(issue.input)}); "preconnect" goes only with an origin key`,
  }),
  { description: 'How the resource is hinted: `modulepreload` for module scripts and their imports, `preload` (the default) otherwise.' },
);

/** `nopush`. */
export const nopushSchema = documented(z.boolean({ error: (issue) => `expected true or false (got ${shown(issue.input)})` }), {
  description: 'Hint the resource with a Link header but never push it.',
});

/** `media`: it goes into a quoted Link attribute, so printable ASCII without quotes or backslashes. */
export const mediaSchema = documented(
  z
    .string({ error: (issue) => `expected a media query string (got ${shown(issue.input)})` })
    .regex(/^[\u0020-\u007e]*$/, { error: 'must be printable ASCII: no control characters (CR, LF, …) and no non-ASCII characters' })
    .regex(/^[^"\\]*$/, { error: 'must not contain quotes or backslashes' }),
  { description: 'The media query the resource applies under (stylesheets, `<source media>`).' },
);

/** A free-text field that goes into a quoted Link attribute (`imagesrcset`, `imagesizes`, `mimeType`). */
function linkTextSchema(what: string, description: string) {
  return documented(
    z
      .string({ error: (issue) => `expected ${what} (got ${shown(issue.input)})` })
      .regex(/^[\u0020-\u007e]*$/, { error: 'must be printable ASCII: no control characters (CR, LF, …) and no non-ASCII characters' })
      .regex(/^[^"\\]*$/, { error: 'must not contain quotes or backslashes' }),
    { description },
  );
}

/** `imagesrcset`. */
export const imagesrcsetSchema = linkTextSchema(
  'a srcset string',
  'A responsive image\'s candidates (`url 800w, url 1600w`), URLs resolved: the Link `imagesrcset` parameter. The entry\'s URL is the `src` fallback. Such entries are never pushed.',
);

/** `imagesizes`. */
export const imagesizesSchema = linkTextSchema('a sizes string', 'The image element\'s `sizes`, with `imagesrcset`: the Link `imagesizes` parameter.');

/** `mimeType`. */
export const mimeTypeSchema = linkTextSchema('a MIME type string', 'The Link `type` parameter (`image/avif` from `<picture><source type>`): browsers that cannot decode the type skip the preload.');

/** `fetchpriority`. */
export const fetchprioritySchema = documented(
  z.enum(['high', 'low', 'auto'], { error: (issue) => `expected "high", "low" or "auto" (got ${shown(issue.input)})` }),
  { description: 'The element\'s `fetchpriority`: the Link `fetchpriority` parameter.' },
);

/**
 * A resource entry (`"/css/app.css": { … }`). Unknown fields are allowed and kept: they are read
 * into `Resource.extra` and written back unchanged.
 */
export const resourceEntrySchema = documented(
  z.looseObject(
    {
      type: resourceTypeSchema,
      weight: weightSchema.optional(),
      crossorigin: crossOriginSchema.optional(),
      rel: resourceRelSchema.optional(),
      nopush: nopushSchema.optional(),
      media: mediaSchema.optional(),
      imagesrcset: imagesrcsetSchema.optional(),
      imagesizes: imagesizesSchema.optional(),
      fetchpriority: fetchprioritySchema.optional(),
      mimeType: mimeTypeSchema.optional(),
    },
    { error: (issue) => `expected an object with at least "type" (got ${shown(issue.input)})` },
  ),
  {
    id: 'resource',
    title: 'Resource entry',
    description:
      'A resource the page needs early, keyed by its URL: an absolute path from the site root (in the polymer format also a path relative to the manifest folder), percent-encoded where the WHATWG URL standard encodes (`,` and `;` raw, as the page wrote them), query kept. No whitespace, controls, non-ASCII, quotes, < or > unencoded. Unknown fields are kept.',
  },
);

/** A preconnect entry (`"https://fonts.example": { "rel": "preconnect" }`): an origin worth connecting to early. */
export const preconnectEntrySchema = documented(
  z.strictObject(
    {
      rel: z.literal('preconnect', { error: (issue) => `expected "preconnect" for an origin key (got ${shown(issue.input)})` }),
      crossorigin: crossOriginSchema.optional(),
    },
    { error: (issue) => `expected { "rel": "preconnect" } (got ${shown(issue.input)})` },
  ),
  {
    id: 'preconnect',
    title: 'Preconnect entry',
    description:
      'An origin the page fetches from, keyed by the origin (`https://fonts.example`): hinted as rel=preconnect, never pushed. `crossorigin` when the fetches it serves are CORS fetches (fonts, module scripts). Read from old files; written only in the v1 format, since old readers take every key for a file.',
  },
);

/** The resources of one page (the whole `single` format). */
export const pageEntriesSchema = documented(z.record(z.string(), z.union([resourceEntrySchema, preconnectEntrySchema])), {
  id: 'page',
  title: 'Page entries',
  description: 'The resources of one page: resource URL → resource entry, origin → preconnect entry.',
});

/** The `multi` and `polymer` formats: page → resources. */
export const pagesManifestSchema = documented(z.record(z.string(), pageEntriesSchema), {
  id: 'pages',
  title: 'multi / polymer format',
  description:
    'Page → resources. multi: keys are page paths from the site root (`index.html`, `about/index.html`, with or without a leading slash), `*` for any page. polymer (prpl-server): keys are literal paths (relative ones resolved against the manifest folder) or, when a key starts with `^` or ends with `$`, a regular expression; `^.*$` is any page; resource URLs may be relative to the manifest folder.',
});

/** The v1 format: push-manifest's own, every hint (see `formats/v1.ts`). Documents the shape; the reader checks it entry by entry. */
export const v1ManifestSchema = documented(
  z.object({
    'push-manifest': z.literal(1),
    pages: z.record(
      z.string(),
      z.object({
        resources: z.record(z.string(), resourceEntrySchema).optional(),
        preconnect: z.array(z.strictObject({ origin: z.string(), crossorigin: crossOriginSchema.optional() })).optional(),
      }),
    ),
  }),
  {
    id: 'v1',
    title: 'v1 format',
    description:
      "push-manifest's own format, version 1: every hint, including preconnect (with crossorigin), media-conditional resources and responsive images, which the old shapes leave out. Page keys: absolute paths, regular expressions (^… or …$), * for any page.",
  },
);

/** Every manifest format, for the published JSON Schema. */
export const pushManifestSchema = documented(z.union([v1ManifestSchema, pageEntriesSchema, pagesManifestSchema]), {
  title: 'push-manifest',
  description:
    'A push manifest: the resources to hint (Link rel=preload, 103 Early Hints) and push (HTTP/2) with each page. The v1 format (every hint), the single format (page entries for any page) or page → page entries (multi, polymer). Written by push-manifest; also reads the http2-push-manifest and Polymer/prpl-server files.',
});

/** The JSON Schema of every manifest format (draft 2020-12), generated from the zod schema. */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pushManifestSchema, { target: 'draft-2020-12', metadata: docs }) as Record<string, unknown>;
}
