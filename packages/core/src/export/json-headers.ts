/**
 * The header rules Firebase Hosting and Vercel share in shape (`{ source, headers: [{ key,
 * value }] }`), and merging them into a file the user already has without touching its other keys.
 */
import { PushManifestError } from '../errors.js';

/** One header rule as both `firebase.json` and `vercel.json` write it (Firebase may use `regex` instead of `source`). */
export interface HeaderRule {
  source?: string;
  regex?: string;
  headers: { key: string; value: string }[];
}

/** Whether a rule is one this tool writes: its only header is `Link` (earlier exports are replaced, not duplicated). */
export function isLinkOnlyRule(rule: unknown): boolean {
  if (typeof rule !== 'object' || rule === null) return false;
  const headers = (rule as { headers?: unknown }).headers;
  return (
    Array.isArray(headers) &&
    headers.length === 1 &&
    typeof headers[0] === 'object' &&
    headers[0] !== null &&
    String((headers[0] as { key?: unknown }).key).toLowerCase() === 'link'
  );
}

/** Parse the existing file as a JSON object, or start from `{}`. */
export function parseExisting(text: string | undefined, file: string): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PushManifestError('BAD_INPUT', `${file}: not JSON (${(error as Error).message.replace(/\s+/g, ' ').slice(0, 200)}), so it cannot be merged into`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PushManifestError('BAD_INPUT', `${file}: expected a JSON object to merge into`);
  }
  return json as Record<string, unknown>;
}

/**
 * `existing` with its earlier Link-only rules taken out and `rules` appended (the user's own rules
 * keep their place and order: a later rule wins in both Firebase and Vercel, so ours come last).
 */
export function mergeRules(existing: unknown, rules: HeaderRule[], where: string): unknown[] {
  if (existing !== undefined && !Array.isArray(existing)) {
    throw new PushManifestError('BAD_INPUT', `${where} is not an array, so the Link rules cannot be merged into it`);
  }
  return [...(existing ?? []).filter((rule) => !isLinkOnlyRule(rule)), ...rules];
}
