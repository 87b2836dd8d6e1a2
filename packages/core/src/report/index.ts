/**
 * `@push-manifest/core/report`: how many round trips a page's resources wait for, with and
 * without the manifest's hints, as data and as one self-contained HTML page.
 */
export { buildReport, median, type HintDelivery, type ReportOptions, type ReportPage, type ReportResource, type SiteReport } from './build.js';
export { renderReportHtml, type RenderOptions } from './html.js';
export { waterfallSvg, escapeXml, type WaterfallAxis, type WaterfallRow } from './svg.js';
export { DiscoveryWalker, hintedDepths, type DiscoveryEdge, type PageGraph } from './discovery.js';
export { measuredSection } from './measured.js';
