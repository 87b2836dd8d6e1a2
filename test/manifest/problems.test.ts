import { describe, expect, it } from 'vitest';
import {
  formatProblem,
  isPushManifestError,
  parseManifest,
  validateManifestJson,
} from '@push-manifest/core/manifest';
import { fixtureJson } from './helpers.js';

const TYPES = 'script, style, font, image, fetch, document, audio, video, track, worker, embed, object, manifest';

describe('problems name the JSON path', () => {
  it('lists every problem of a manifest, not only the first, each at its path', () => {
    const problems = validateManifestJson(fixtureJson('invalid/many-problems.json'));
    expect(problems.map((problem) => formatProblem(problem, 'm.json'))).toEqual([
      `m.json: "index.html" → "/app.css" → type: expected one of ${TYPES} (got "stylesheet")`,
      'm.json: "index.html" → "/app.js" → weight: expected an integer from 1 to 256 (got 0)',
      'm.json: "index.html" → "/font.woff2" → crossorigin: expected "anonymous" or "use-credentials" (got "yes")',
      `m.json: "index.html" → "/x.js" → type: is required: one of ${TYPES}`,
      'm.json: "index.html" → "https://cdn.example/lib.js": resource URL is not a same-origin path (only rel: "preconnect" entries may name another origin)',
      'm.json: "/index.html": same page as "index.html" (both are /index.html)',
    ]);
    expect(problems[0]?.path).toEqual(['index.html', '/app.css', 'type']);
  });

  it('names fields of the single format with the resource URL first', () => {
    const problems = validateManifestJson({ '/app.css': { type: 'style', weight: 1.5, nopush: 'yes', media: 'screen"\r\n' } });
    expect(problems.map((problem) => formatProblem(problem))).toEqual([
      '"/app.css" → weight: expected an integer from 1 to 256 (got 1.5)',
      '"/app.css" → nopush: expected true or false (got "yes")',
      '"/app.css" → media: must be printable ASCII: no control characters (CR, LF, …) and no non-ASCII characters',
      '"/app.css" → media: must not contain quotes or backslashes',
    ]);
  });

  it('refuses non-ASCII media (a header value must be Latin-1 at most, and we keep to ASCII)', () => {
    expect(validateManifestJson({ '/a.css': { type: 'style', media: '(min-width: 40em) and écran' } }).map((p) => formatProblem(p))).toEqual([
      '"/a.css" → media: must be printable ASCII: no control characters (CR, LF, …) and no non-ASCII characters',
    ]);
    expect(validateManifestJson({ '/a.css': { type: 'style', media: 'screen and (min-width: 40em)' } })).toEqual([]);
  });

  it('explains entries of the wrong kind', () => {
    expect(validateManifestJson({ 'index.html': { '/a.css': 'style' } }, { format: 'multi' }).map((p) => formatProblem(p))).toEqual([
      '"index.html" → "/a.css": expected an object with at least "type" (got "style")',
    ]);
    expect(validateManifestJson({ 'index.html': [] }, { format: 'multi' }).map((p) => formatProblem(p))).toEqual([
      '"index.html": expected an object of resource URL → entry (got an array)',
    ]);
    expect(validateManifestJson([1, 2]).map((p) => formatProblem(p))).toEqual(['(top level): expected a JSON object (got an array)']);
    expect(validateManifestJson('x').map((p) => formatProblem(p))).toEqual(['(top level): expected a JSON object (got a string)']);
  });

  it('checks preconnect entries: an origin, and rel and crossorigin only', () => {
    const problems = validateManifestJson({
      '/a.css': { type: 'style', weight: 1 },
      'https://Fonts.example/': { rel: 'preconnect' },
      'https://cdn.example': { rel: 'preconnect', type: 'font' },
      '/not-an-origin': { rel: 'preconnect', type: 'style' },
    });
    expect(problems.map((p) => formatProblem(p))).toEqual([
      '"https://Fonts.example/": preconnect origin is not an origin as browsers write it (expected https://fonts.example)',
      '"https://cdn.example": a preconnect entry takes only "rel" and "crossorigin" (found "type")',
      '"/not-an-origin" → rel: expected "preload" or "modulepreload" (got "preconnect"); "preconnect" goes only with an origin key',
    ]);
  });

  it('parseManifest throws INVALID_MANIFEST with the file, the first problem, its path and the count of the rest', () => {
    let caught: unknown;
    try {
      parseManifest(fixtureJson('invalid/many-problems.json'), { file: 'site/push-manifest.json' });
    } catch (error) {
      caught = error;
    }
    expect(isPushManifestError(caught)).toBe(true);
    if (!isPushManifestError(caught)) return;
    expect(caught.code).toBe('INVALID_MANIFEST');
    expect(caught.file).toBe('site/push-manifest.json');
    expect(caught.path).toEqual(['index.html', '/app.css', 'type']);
    expect(caught.message).toBe(
      `site/push-manifest.json: "index.html" → "/app.css" → type: expected one of ${TYPES} (got "stylesheet") (and 5 more problems)`,
    );
  });

  it('keeps every message on one line, whatever the keys hold', () => {
    const problems = validateManifestJson(fixtureJson('invalid/header-injection.json'));
    expect(problems).toHaveLength(2);
    for (const problem of problems) expect(formatProblem(problem, 'f.json')).not.toMatch(/[\r\n]/);
    expect(formatProblem(problems[0]!)).toBe('"/app.css\\r\\nSet-Cookie: a=b": resource URL contains CR at position 8 (percent-encode it)');
  });
});
