/**
 * `@push-manifest/core/measure`: the gain of a site's hints in real headless Chromium. Needs the
 * optional peer `playwright-core` and an installed Chromium; nothing else in core loads either.
 */
export { measure, loadSiteManifest, typeOfDestination, type MeasureOptions, type MeasureResult, type PageMeasure, type VariantResult } from './measure.js';
export { addLearned, keepLearned, isLearned, type LearnedResource } from './learned.js';
export { findBrowser, loadPlaywright, USUAL_BROWSER_PATHS, type LoadRecord, type RequestRecord, type RequestVia } from './browser.js';
export { startLatencyProxy, type LatencyProxy, type LatencyProxyOptions } from './latency-proxy.js';
export { spkiHash } from '../util/spki.js';
