/**
 * Vite's own build manifest (`build.manifest: true`, `dist/.vite/manifest.json`) as a
 * {@link BundleInput}, for `generate --from-vite`: server-rendered apps (Laravel, Rails, Django
 * with Vite) have no HTML on disk, so each route names its entry instead.
 */
import { z } from 'zod';
import { PushManifestError } from '../errors.js';
import type { BundleChunk, BundleInput, BundlePage } from './manifest.js';

const chunkSchema = z.looseObject({
  file: z.string().min(1),
  src: z.string().optional(),
  isEntry: z.boolean().optional(),
  imports: z.array(z.string()).optional(),
  dynamicImports: z.array(z.string()).optional(),
  css: z.array(z.string()).optional(),
  assets: z.array(z.string()).optional(),
});
const viteManifestSchema = z.record(z.string(), chunkSchema);

/** A route and the Vite manifest key (source path, `src/main.ts`) of its entry. */
export interface ViteRoute {
  route: string;
  entry: string;
}

/** Where Vite's manifest is and how the site is served. */
export interface ViteManifestSource {
  /** The parsed JSON of `.vite/manifest.json`. */
  json: unknown;
  /** Shown in errors. */
  file: string;
  /** The output folder (`dist`). */
  root: string;
  base: string;
  /** Routes and their entries; without them, every HTML entry is a page. */
  routes?: readonly ViteRoute[];
}

/**
 * Read Vite's manifest into a bundle: chunks with their static imports (its `imports` name other
 * manifest keys), CSS and assets; `dynamicImports` are ignored. Throws `BAD_INPUT` for a file that
 * is not a Vite manifest and `BAD_OPTION` for a route whose entry it lacks.
 */
export function bundleFromViteManifest(source: ViteManifestSource): BundleInput {
  const parsed = viteManifestSchema.safeParse(source.json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PushManifestError('BAD_INPUT', `${source.file}: not a Vite build manifest (${issue.path.join('.') || 'top level'}: ${issue.message})`, { file: source.file });
  }
  const manifest = parsed.data;
  const chunks = new Map<string, BundleChunk>();
  for (const entry of Object.values(manifest)) {
    if (!/\.[cm]?js$/.test(entry.file)) continue;
    chunks.set(entry.file, {
      fileName: entry.file,
      imports: (entry.imports ?? []).flatMap((key) => (manifest[key] ? [manifest[key].file] : [])),
      css: entry.css ?? [],
      assets: entry.assets ?? [],
      module: true,
    });
  }
  const pages: BundlePage[] = [];
  if (source.routes && source.routes.length > 0) {
    for (const { route, entry } of source.routes) {
      const chunk = manifest[entry];
      if (!chunk) {
        const entries = Object.entries(manifest).filter(([, c]) => c.isEntry).map(([key]) => key);
        throw new PushManifestError('BAD_OPTION', `--route ${route}=${entry}: ${source.file} has no entry ${entry} (entries: ${entries.join(', ') || 'none'})`, { file: source.file });
      }
      if (!route.startsWith('/')) throw new PushManifestError('BAD_OPTION', `--route ${route}=${entry}: a route is a URL path starting with /`);
      pages.push({ route, entries: [chunk.file] });
    }
  } else {
    for (const [key, chunk] of Object.entries(manifest)) {
      if (chunk.isEntry && /\.html?$/.test(key)) pages.push({ html: key, entries: [chunk.file] });
    }
    if (pages.length === 0) {
      throw new PushManifestError('BAD_OPTION', `${source.file} has no HTML entries: name each route's entry with --route /path=src/entry.ts`, { file: source.file });
    }
  }
  return { root: source.root, base: source.base, files: new Map(), chunks, pages };
}
