/**
 * The measured waterfalls of `measure --report`: the two variants' requests side by side on one
 * time axis, FCP and LCP marked, duplicates in red, hinted files outlined.
 */
import type { PageMeasure, VariantResult } from '../measure/measure.js';
import { typeOfDestination } from '../measure/measure.js';
import { escapeXml, waterfallSvg, type WaterfallRow } from './svg.js';

function rows(variant: VariantResult): WaterfallRow[] {
  const dup = new Set(variant.duplicates);
  return variant.requests.map((r) => {
    const type = typeOfDestination(r.destination) ?? 'bar';
    const end = r.end ?? r.start;
    return {
      label: r.path,
      start: r.start,
      end,
      kind: `${type}${r.hinted ? ' hint' : ''}${dup.has(r.path) ? ' dup' : ''}`,
      title: `${r.path}: ${Math.round(r.start)}–${Math.round(end)} ms, ${r.via}${r.hinted ? ', hinted' : ''}${r.cached ? ', from cache' : ''}${dup.has(r.path) ? ', fetched twice' : ''}`,
    };
  });
}

const fmt = (ms: number | undefined) => (ms === undefined ? '–' : `${ms} ms`);

/** The measured section of one page: figures, then the hinted and the plain waterfall side by side. */
export function measuredSection(page: PageMeasure, rttMs: number): string {
  const max = Math.max(page.hinted.load ?? 0, page.plain.load ?? 0, page.hinted.lcp ?? 0, page.plain.lcp ?? 0, ...page.hinted.requests.map((r) => r.end ?? r.start), ...page.plain.requests.map((r) => r.end ?? r.start), 1);
  const tick = rttMs > 0 ? rttMs : Math.max(50, Math.ceil(max / 10 / 50) * 50);
  const axis = (v: VariantResult) => ({
    max: max * 1.05,
    tick,
    tickLabel: (x: number) => `${Math.round(x)}`,
    markers: [
      ...(v.fcp !== undefined ? [{ at: v.fcp, label: `FCP ${v.fcp} ms` }] : []),
      ...(v.lcp !== undefined ? [{ at: v.lcp, label: `LCP ${v.lcp} ms` }] : []),
    ],
  });
  const gain = page.gain.lcp === undefined ? '' : ` LCP ${page.gain.lcp >= 0 ? 'earlier' : 'later'} by <span class="${page.gain.lcp >= 0 ? 'gain' : 'loss'}">${Math.abs(page.gain.lcp)} ms (${Math.abs(page.gain.lcpRtt ?? 0)} RTT)</span> with hints.`;
  const list = (title: string, items: string[]) => (items.length === 0 ? '' : `<p class="warn">${title}: ${items.map(escapeXml).join(', ')}</p>`);
  return `<h3>Measured in Chromium (RTT ${rttMs} ms, medians)</h3>
<p>With hints: FCP ${fmt(page.hinted.fcp)}, LCP ${fmt(page.hinted.lcp)}${page.hinted.lcpUrl ? ` (${escapeXml(page.hinted.lcpUrl)})` : ''}. Without: FCP ${fmt(page.plain.fcp)}, LCP ${fmt(page.plain.lcp)}.${gain}${page.error ? ` <span class="loss">${escapeXml(page.error)}</span>` : ''}</p>
${list('Fetched twice', page.hinted.duplicates)}${list('Hinted but never used by the page', page.unusedHints)}${list('Render-critical, not hinted', page.unhinted.map((u) => u.url))}${list('Learned', (page.learned ?? []).map((l) => `${l.url} (${l.type})`))}
<div class="pair"><figure><figcaption>With hints (ms)</figcaption>${waterfallSvg(rows(page.hinted), axis(page.hinted), `${page.page} measured with hints`)}</figure>
<figure><figcaption>Without hints (ms)</figcaption>${waterfallSvg(rows(page.plain), axis(page.plain), `${page.page} measured without hints`)}</figure></div>`;
}
