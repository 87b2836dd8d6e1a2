/**
 * The report as one self-contained HTML file: inline style, inline SVG, a few lines of inline
 * script for sorting and filtering, the data as embedded JSON. Nothing is fetched: it opens from
 * disk, offline, and can be attached to a ticket.
 */
import type { ReportPage, SiteReport } from './build.js';
import { escapeXml, waterfallSvg, type WaterfallRow } from './svg.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1500px;padding:16px 24px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:0 0 6px;word-break:break-all}
.summary{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0 16px}.summary div{background:#f2f4f8;border-radius:6px;padding:8px 12px}
.summary b{display:block;font-size:18px}
.controls{display:flex;gap:12px;align-items:center;margin:12px 0;position:sticky;top:0;background:#fff;padding:6px 0;z-index:1}
input[type=search]{padding:4px 8px;font:inherit;width:260px}select{font:inherit}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}th,td{padding:2px 8px;text-align:left;border-bottom:1px solid #e3e6ec;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f7f8fa}td.n,th.n{text-align:right}td.u{word-break:break-all;max-width:520px}
section.page{border-top:2px solid #d8dce4;padding:12px 0}
.pair{display:flex;flex-wrap:wrap;gap:16px}.pair figure{margin:0}.pair figcaption{font-weight:600;margin-bottom:2px}
svg.waterfall{background:#fbfbfd;border:1px solid #e3e6ec;border-radius:4px}
svg .grid{stroke:#e1e4ea;stroke-width:1}svg .tick{font-size:10px;fill:#6b7385}svg .label{font-size:11px;fill:#1d2330}
svg .marker{stroke:#c0392b;stroke-width:1.5;stroke-dasharray:4 3}
svg .bar{fill:#8a94a6}svg .style{fill:#7d5ba6}svg .font{fill:#c0792b}svg .script{fill:#d4a72c}svg .image{fill:#3a8f5c}svg .document{fill:#3b6fb6}svg .fetch{fill:#5aa0a8}
svg .dup{fill:#c0392b}svg .hint{stroke:#1d2330;stroke-width:1}
.warn{color:#8a5a00}.muted{color:#6b7385}.gain{color:#1e7d3c;font-weight:600}.loss{color:#c0392b;font-weight:600}
`;

const SCRIPT = `
(function(){
  var filter=document.getElementById('filter'),sort=document.getElementById('sort');
  var list=document.getElementById('pages'),rows=document.getElementById('page-rows');
  function apply(){
    var q=(filter.value||'').toLowerCase(),key=sort.value,desc=key!=='page';
    var sections=[].slice.call(list.querySelectorAll('section.page'));
    sections.sort(function(a,b){
      var x=a.dataset[key],y=b.dataset[key];
      if(key==='page')return x<y?-1:x>y?1:0;
      return desc?(Number(y)-Number(x)):(Number(x)-Number(y));
    });
    sections.forEach(function(s){s.hidden=q!==''&&s.dataset.page.toLowerCase().indexOf(q)<0;list.appendChild(s);});
    if(rows){[].slice.call(rows.querySelectorAll('tr')).sort(function(a,b){
      var x=a.dataset[key],y=b.dataset[key];
      if(key==='page')return x<y?-1:x>y?1:0;return Number(y)-Number(x);
    }).forEach(function(r){r.hidden=q!==''&&r.dataset.page.toLowerCase().indexOf(q)<0;rows.appendChild(r);});}
  }
  filter.addEventListener('input',apply);sort.addEventListener('change',apply);
  document.querySelectorAll('th[data-key]').forEach(function(th){th.addEventListener('click',function(){sort.value=th.dataset.key;apply();});});
})();
`;

/** A `<script type=application/json>` body that cannot end the script element early. */
function embeddedJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

const kib = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`);

function discoveryRows(page: ReportPage, pick: 'depth' | 'hinted', delivery: SiteReport['delivery']): WaterfallRow[] {
  const rows = [{ label: page.page, start: 0, end: 1, kind: 'document', title: `${page.page}: the HTML, round trip 1` }];
  const sorted = [...page.resources].sort((a, b) => a.depth - b.depth);
  for (const r of sorted) {
    const d = pick === 'depth' ? r.depth : delivery === 'link' ? r.linkDepth : r.earlyDepth;
    rows.push({
      label: r.url,
      start: d,
      end: d + 1,
      kind: `${r.type}${pick === 'hinted' && r.hinted ? ' hint' : ''}`,
      title: `${r.url} (${r.type}, ${kib(r.bytes)}): found after ${d} round trip${d === 1 ? '' : 's'}${r.hinted ? ', hinted' : ''}`,
    });
  }
  return rows;
}

/** The discovery picture and tables of one page. */
function pageSection(page: ReportPage, delivery: SiteReport['delivery'], extra: string): string {
  // A measured server with no site folder: only the measurement.
  if (page.resources.length === 0 && extra !== '') return `<section class="page" data-page="${escapeXml(page.page)}" data-saved="0" data-plain="0" data-hinted="0" data-link="0"><h2>${escapeXml(page.page)}</h2>${extra}</section>`;
  const hintedRounds = delivery === 'link' ? page.rounds.link : page.rounds.early;
  const max = Math.max(page.rounds.plain, 1) + 1;
  const axis = { max, tick: 1, tickLabel: (v: number) => `RTT ${v}` };
  const via = delivery === 'link' ? 'Link header' : '103 Early Hints';
  const resources = page.resources
    .map(
      (r) =>
        `<tr><td class="u">${escapeXml(r.url)}</td><td>${r.type}</td><td class="n">${kib(r.bytes)}</td><td class="n">${r.depth}</td><td class="n">${r.linkDepth}</td><td class="n">${r.earlyDepth}</td><td>${r.hinted ? 'hinted' : `<span class="muted">left out (${r.leftOut ?? 'not in manifest'})</span>`}</td></tr>`,
    )
    .join('');
  const warnings =
    page.warnings.length === 0
      ? ''
      : `<h3>Warnings</h3><ul class="warn">${page.warnings.map((w) => `<li>${escapeXml(w.file)}${w.line !== undefined ? `:${w.line}` : ''} ${escapeXml(w.code)}: ${escapeXml(w.message)}</li>`).join('')}</ul>`;
  const savedClass = page.saved > 0 ? 'gain' : page.saved < 0 ? 'loss' : 'muted';
  return `<section class="page" data-page="${escapeXml(page.page)}" data-saved="${page.saved}" data-plain="${page.rounds.plain}" data-hinted="${hintedRounds}" data-link="${page.linkHeaderBytes}">
<h2>${escapeXml(page.page)}</h2>
<p>Discovery: <b>${page.rounds.plain}</b> round trips without hints, <b>${hintedRounds}</b> with them (${via}; Link header alone: ${page.rounds.link}) — <span class="${savedClass}">${page.saved} saved</span>. ${page.resources.filter((r) => r.hinted).length} hinted (${kib(page.hintedBytes)}), Link header ${page.linkHeaderBytes} bytes.</p>
<div class="pair"><figure><figcaption>Without hints</figcaption>${waterfallSvg(discoveryRows(page, 'depth', delivery), axis, `${page.page} without hints`)}</figure>
<figure><figcaption>With hints (${via})</figcaption>${waterfallSvg(discoveryRows(page, 'hinted', delivery), axis, `${page.page} with hints`)}</figure></div>
${extra}
<table><thead><tr><th>URL</th><th>type</th><th class="n">bytes</th><th class="n">depth</th><th class="n">Link</th><th class="n">103</th><th>manifest</th></tr></thead><tbody>${resources}</tbody></table>
${warnings}
</section>`;
}

/** Options of {@link renderReportHtml}. */
export interface RenderOptions {
  title?: string;
  /** Extra HTML per page (the measured waterfalls), by page URL path. */
  extra?: ReadonlyMap<string, string>;
  /** Extra data embedded beside the report's (the measurement). */
  data?: Record<string, unknown>;
  /** HTML placed after the summary. */
  intro?: string;
}

/** Render a {@link SiteReport} as one self-contained HTML document. */
export function renderReportHtml(report: SiteReport, options: RenderOptions = {}): string {
  const { summary } = report;
  const title = options.title ?? 'push-manifest report';
  const gains =
    summary.topGains.length === 0 ? '<span class="muted">none</span>' : summary.topGains.map((g) => `${escapeXml(g.page)} (${g.saved})`).join(', ');
  const rows = report.pages
    .map((p) => {
      const hinted = report.delivery === 'link' ? p.rounds.link : p.rounds.early;
      return `<tr data-page="${escapeXml(p.page)}" data-saved="${p.saved}" data-plain="${p.rounds.plain}" data-hinted="${hinted}" data-link="${p.linkHeaderBytes}"><td class="u">${escapeXml(p.page)}</td><td class="n">${p.rounds.plain}</td><td class="n">${hinted}</td><td class="n">${p.saved}</td><td class="n">${p.resources.filter((r) => r.hinted).length}/${p.resources.length}</td><td class="n">${p.linkHeaderBytes}</td><td class="n">${p.warnings.length}</td></tr>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeXml(title)}</h1>
<p class="muted">${escapeXml(report.root)} — hints from ${escapeXml(report.manifest)}, delivered as ${report.delivery === 'link' ? 'a Link header (depth 1)' : '103 Early Hints (depth 0)'}. Depth: round trips before the browser knows it needs a file (HTML 0, what it names 1, what a stylesheet or module names one more).</p>
<div class="summary" id="summary">
<div>pages<b>${summary.pages}</b></div>
<div>median depth<b>${summary.median.plain} → ${summary.median.hinted}</b></div>
<div>worst depth<b>${summary.worst.plain} → ${summary.worst.hinted}</b></div>
<div>Link header<b>${summary.linkHeaderBytes.median} B median, ${summary.linkHeaderBytes.max} B max</b></div>
<div>gain most<b>${gains}</b></div>
</div>
${options.intro ?? ''}
<div class="controls"><label>Filter pages <input type="search" id="filter" placeholder="/blog/"></label>
<label>Sort by <select id="sort"><option value="saved">round trips saved</option><option value="plain">depth without hints</option><option value="hinted">depth with hints</option><option value="link">Link header bytes</option><option value="page">page</option></select></label></div>
<table><thead><tr><th data-key="page">page</th><th class="n" data-key="plain">depth</th><th class="n" data-key="hinted">hinted</th><th class="n" data-key="saved">saved</th><th class="n">hinted/needed</th><th class="n" data-key="link">Link bytes</th><th class="n">warnings</th></tr></thead><tbody id="page-rows">${rows}</tbody></table>
<div id="pages">${report.pages.map((p) => pageSection(p, report.delivery, options.extra?.get(p.page) ?? '')).join('\n')}</div>
<script type="application/json" id="report-data">${embeddedJson({ ...report, ...options.data })}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
