/**
 * `@push-manifest/core/export`: a manifest written as the configuration of the servers and CDNs
 * people run (nginx, Apache, h2o, Caddy, Netlify, Cloudflare Pages, Firebase, Vercel), as ready
 * Link values, or as a Workbox precache list. Light on purpose: the manifest model and the
 * runtime's Link writer, never the crawler.
 */
import type { Manifest } from '../manifest/model.js';
import { PushManifestError } from '../errors.js';
import { exportApache } from './apache.js';
import { exportCaddy } from './caddy.js';
import { exportFirebase } from './firebase.js';
import { exportH2o } from './h2o.js';
import { exportHeadersFile } from './headers-file.js';
import { exportLink } from './link.js';
import { exportNginx } from './nginx.js';
import { EXPORT_TARGETS, type ExportOptions, type ExportResult, type ExportTarget } from './types.js';
import { isVersion } from './version.js';
import { exportVercel } from './vercel.js';
import { exportWorkbox } from './workbox.js';

export { EXPORT_TARGETS, type ExportOptions, type ExportResult, type ExportTarget } from './types.js';
export { exportNginx, NGINX_DEFAULT_VERSION } from './nginx.js';
export { exportApache, APACHE_DEFAULT_VERSION } from './apache.js';
export { exportH2o, H2O_DEFAULT_VERSION } from './h2o.js';
export { exportCaddy, CADDY_DEFAULT_VERSION } from './caddy.js';
export { exportHeadersFile, CLOUDFLARE_LINE_MAX, CLOUDFLARE_RULES_MAX, type HeadersFileTarget } from './headers-file.js';
export { exportFirebase, firebaseGlob } from './firebase.js';
export { exportVercel, vercelSource } from './vercel.js';
export { exportLink } from './link.js';
export { exportWorkbox, readRevisions, precacheUrls } from './workbox.js';
export { exportRoutes, requestPaths, type ExportRoute, type RouteKind } from './routes.js';
/** Write an export's text atomically (temp file, then rename), as the CLI does. */
export { writeFileAtomic } from '../util/atomic-write.js';

/** Whether `name` is a target {@link exportManifest} knows. */
export function isExportTarget(name: string): name is ExportTarget {
  return (EXPORT_TARGETS as readonly string[]).includes(name);
}

/**
 * Write a manifest in a target's syntax. Deterministic: the same manifest and options give the
 * same bytes.
 * @throws PushManifestError `BAD_OPTION` for an unknown target or a bad `targetVersion`,
 * `BAD_INPUT` for an `existing` file that cannot be merged into, `INVALID_MANIFEST` for a
 * URL no header can carry.
 */
export function exportManifest(manifest: Manifest, target: ExportTarget, options: ExportOptions = {}): ExportResult {
  if (!isExportTarget(target)) {
    throw new PushManifestError('BAD_OPTION', `unknown export target ${JSON.stringify(target)} (one of ${EXPORT_TARGETS.join(', ')})`);
  }
  if (options.targetVersion !== undefined && !isVersion(options.targetVersion)) {
    throw new PushManifestError('BAD_OPTION', `target version ${JSON.stringify(options.targetVersion)} is not a version number like 1.22 or 2.4.62`);
  }
  switch (target) {
    case 'nginx':
      return exportNginx(manifest, options);
    case 'apache':
      return exportApache(manifest, options);
    case 'h2o':
      return exportH2o(manifest, options);
    case 'caddy':
      return exportCaddy(manifest, options);
    case 'netlify':
    case 'cloudflare':
      return exportHeadersFile(manifest, target, options);
    case 'firebase':
      return exportFirebase(manifest, options);
    case 'vercel':
      return exportVercel(manifest, options);
    case 'link':
      return exportLink(manifest, options);
    case 'workbox':
      return exportWorkbox(manifest, options);
  }
}
