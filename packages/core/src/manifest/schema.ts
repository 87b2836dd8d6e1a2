/**
 * The zod schema of a manifest entry, the single source of truth for field rules and for the
 * published JSON Schema (`schema/push-manifest.schema.json`, written by `scripts/write-schema.mjs`).
 *
 * The shape checks run per entry (a resource or a preconnect entry) because which schema applies
 * depends on the key (a path or an origin); the key checks themselves (header-injection safety,
 * same-origin paths) live in `url-safety.ts`, where the error can name the offending character.
 */
import { z } from 'zod';
import { MAX_WEIGHT, MIN_WEIGHT, RESOURCE_TYPES } from './model.js';

const describeInput = (input: unknown): string =>
  input === undefined ? 'nothing' : typeof input === 'string' ? JSON.stringify(input) : Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input === 'object' ? 'an object' : String(input);

const TYPE_LIST = RESOURCE_TYPES.join(', ');

/** `type`: the preload `as` value. */
export const resourceTypeSchema = z
  .enum(RESOURCE_TYPES, {
    error: (issue) =>
      issue.input === undefined ? `is required: one of ${TYPE_LIST}` : `expected one of ${TYPE_LIST} (got ${describeInput(issue.input)})`,
  })
  .describe('The preload `as` value (a Fetch destination): how the browser will use the resource.');

/** `weight`: 1–256, higher first. */
export const weightSchema = z
  .int({ error: (issue) => `expected an integer from ${MIN_WEIGHT} to ${MAX_WEIGHT} (got ${describeInput(issue.input)})` })
  .min(MIN_WEIGHT, { error: (issue) => `expected an integer from ${MIN_WEIGHT} to ${MAX_WEIGHT} (got ${describeInput(issue.input)})` })
  .max(MAX_WEIGHT, { error: (issue) => `expected an integer from ${MIN_WEIGHT} to ${MAX_WEIGHT} (got ${describeInput(issue.input)})` })
  .describe(
    'Priority, 1 to 256: resources are hinted and pushed in descending weight, ties in file order. Optional when reading (default 1); always written.',
  );

/** `crossorigin`; `""` and `true` are read as `anonymous` (what the HTML attribute means when present and empty). */
export const crossOriginSchema = z
  .union([z.enum(['anonymous', 'use-credentials']), z.literal(''), z.boolean()], {
    error: (issue) => `expected "anonymous" or "use-credentials" (got ${describeInput(issue.input)})`,
  })
  .describe(
    'CORS mode the page fetches the resource in. Fonts and module scripts need it, or the browser does not reuse the preload. `""` and `true` are read as "anonymous", `false` as absent.',
  );

/** `rel` of a resource entry. */
export const resourceRelSchema = z
  .enum(['preload', 'modulepreload'], {
    error: (issue) => `expected "preload" or "modulepreload" (got ${describeInput(issue.input)}); "preconnect" only goes with an origin key`,
  })
  .describe('How the resource is hinted: `modulepreload` for module scripts and their imports, `preload` (the default) otherwise.');

/** `nopush`. */
export const nopushSchema = z
  .boolean({ error: (issue) => `expected true or false (got ${describeInput(issue.input)})` })
  .describe('Hint the resource with a Link header but never push it.');

/** `media`: goes into a quoted Link attribute, so no quotes, controls or line breaks. */
export const mediaSchema = z
  .string({ error: (issue) => `expected a media query string (got ${describeInput(issue.input)})` })
  .regex(/^[^\u0000-\u001f\u007f"\\]*$/, { error: 'must not contain quotes, backslashes or control characters (CR, LF, …)' })
  .describe('The media query the resource applies under (stylesheets, `<source media>`).');

/**
 * A resource entry (`"/css/app.css": { … }`). Unknown fields are allowed and kept: they are read
 * into `Resource.extra` and written back unchanged.
 */
export const resourceEntrySchema = z
  .looseObject({
    type: resourceTypeSchema,
    weight: weightSchema.optional(),
    crossorigin: crossOriginSchema.optional(),
    rel: resourceRelSchema.optional(),
    nopush: nopushSchema.optional(),
    media: mediaSchema.optional(),
  }, { error: (issue) => `expected an object with at least "type" (got ${describeInput(issue.input)})` })
  .describe('A resource the page needs early, keyed by its URL: an absolute path from the site root (relative to the manifest folder in the polymer format), percent-encoded, query kept.');

/** A preconnect entry (`"https://fonts.example": { "rel": "preconnect" }`): an origin worth connecting to early. */
export const preconnectEntrySchema = z
  .strictObject({
    rel: z.literal('preconnect', { error: (issue) => `expected "preconnect" for an origin key (got ${describeInput(issue.input)})` }),
  }, { error: (issue) => `expected { "rel": "preconnect" } (got ${describeInput(issue.input)})` })
  .describe('An origin the page fetches from, keyed by the origin (`https://fonts.example`): hinted as rel=preconnect, never pushed.');

/** The resources of one page (the whole `single` format). */
export const pageEntriesSchema = z
  .record(z.string(), z.union([resourceEntrySchema, preconnectEntrySchema]))
  .describe('Resources of one page: resource URL → entry, and origin → preconnect entry.');

/** The `single` format: the resources every page gets. */
export const singleManifestSchema = pageEntriesSchema.meta({
  title: 'single',
  description:
    'http2-push-manifest single-page format: resource URL → entry. Applies to any page.',
});

/** The `multi` and `polymer` formats: page → resources. */
export const pagesManifestSchema = z.record(z.string(), pageEntriesSchema).meta({
  title: 'multi / polymer',
  description:
    'Page → resources. multi: keys are page paths from the site root (`index.html`, `about/index.html`), `*` for any page. polymer (prpl-server): keys are literal paths (relative ones resolved against the manifest folder), or a regular expression when a key starts with `^` or ends with `$`; resource URLs may be relative to the manifest folder.',
});

/** Every manifest format, for the published JSON Schema. */
export const pushManifestSchema = z.union([singleManifestSchema, pagesManifestSchema]).meta({
  title: 'push-manifest',
  description:
    'A push manifest: which resources to hint (Link rel=preload, 103 Early Hints) and push (HTTP/2) with each page. Written by push-manifest; also reads the http2-push-manifest and Polymer/prpl-server shapes.',
});

/** The JSON Schema of every manifest format, generated from the zod schema. */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pushManifestSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
