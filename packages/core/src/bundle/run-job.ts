/**
 * `runBundleJob`: a {@link BundleJob} to its serialised manifest. The step's worker and the
 * bundler's thread (the fallback) both run this, so the output does not depend on where it ran.
 */
import { serializeManifest } from '../manifest/write.js';
import type { MemoryFile } from '../crawl/memory.js';
import type { BundleJob, BundleJobPages, BundleJobReader, BundleJobResult } from './job.js';
import { bundleManifest, type BundlePage } from './manifest.js';
import type { ResolvedBundleOptions } from './options.js';
import { pageScriptFiles, parseHtml } from './page-scripts.js';

/** Run a job: the manifest of its bundle, serialised in `options.format`. `read` answers for files sent by size only. */
export async function runBundleJob(job: BundleJob, options: ResolvedBundleOptions, read: BundleJobReader): Promise<BundleJobResult> {
  const files = new Map<string, MemoryFile>();
  for (const [name, file] of job.files) {
    files.set(name, typeof file === 'string' || file instanceof Uint8Array ? file : { size: file.size, read: () => read(name) });
  }
  const pages = job.pages.kind === 'pages' ? job.pages.pages : entrypointPages(job.pages, files, job.base);
  const { manifest, warnings } = await bundleManifest({ root: job.root, base: job.base, files, chunks: job.chunks, pages }, options);
  return { text: serializeManifest(manifest, options.format), warnings };
}

/** Each HTML page with the entrypoints whose scripts it loads (parsed once: the crawl reads the same parse), or each entrypoint as a route. */
function entrypointPages(input: Extract<BundleJobPages, { kind: 'entrypoints' }>, files: ReadonlyMap<string, MemoryFile>, base: string): BundlePage[] {
  if (input.html.length === 0) return input.entrypoints.map((entrypoint) => ({ route: `/${entrypoint.name}`, entries: entrypoint.scripts }));
  return input.html.map((name) => {
    const text = files.get(name);
    if (typeof text !== 'string') throw new TypeError(`bundle job: the HTML page ${name} was not sent as text`);
    const parsed = parseHtml(text);
    const loaded = new Set(pageScriptFiles(parsed, name, base));
    const entries = input.entrypoints.filter((e) => e.scripts.length > 0 && e.scripts.every((file) => loaded.has(file))).flatMap((e) => e.scripts);
    return { html: name, entries, parsed };
  });
}
