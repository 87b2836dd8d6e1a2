/**
 * Waterfall pictures as inline SVG, drawn on the server side so the report needs no script to
 * show them (and none from the network at all).
 */

/** One bar of a waterfall. */
export interface WaterfallRow {
  label: string;
  start: number;
  end: number;
  /** CSS class of the bar: its colour in the report's style sheet. */
  kind: string;
  /** Tooltip. */
  title?: string;
}

/** How to draw the time axis. */
export interface WaterfallAxis {
  /** Right end of the axis, in the rows' unit. */
  max: number;
  /** Distance between grid lines, in the rows' unit. */
  tick: number;
  /** Label of a grid line (`RTT 2`, `400 ms`). */
  tickLabel: (value: number) => string;
  /** Marker lines (FCP, LCP). */
  markers?: { at: number; label: string }[];
}

const ROW = 18;
const LABEL = 210;
const PLOT = 400;
const TOP = 22;

/** Escape text for HTML and SVG. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Shorten a URL from the left, so the file name stays visible. */
function clip(label: string, max = 32): string {
  return label.length <= max ? label : `…${label.slice(label.length - max + 1)}`;
}

/** An `<svg>` waterfall: a label column, a grid, one bar per row. */
export function waterfallSvg(rows: readonly WaterfallRow[], axis: WaterfallAxis, title: string): string {
  const max = axis.max > 0 ? axis.max : 1;
  const x = (value: number) => LABEL + (Math.max(0, Math.min(value, max)) / max) * PLOT;
  const height = TOP + rows.length * ROW + 8;
  const width = LABEL + PLOT + 20;
  const parts: string[] = [
    `<svg class="waterfall" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
  ];
  const ticks = Math.min(200, Math.floor(max / axis.tick));
  for (let i = 0; i <= ticks; i++) {
    const at = x(i * axis.tick);
    parts.push(`<line class="grid" x1="${at.toFixed(1)}" y1="${TOP - 6}" x2="${at.toFixed(1)}" y2="${height - 4}"/>`);
    parts.push(`<text class="tick" x="${at.toFixed(1)}" y="12" text-anchor="middle">${escapeXml(axis.tickLabel(i * axis.tick))}</text>`);
  }
  rows.forEach((row, i) => {
    const y = TOP + i * ROW;
    const x1 = x(row.start);
    const w = Math.max(2, x(row.end) - x1);
    parts.push(`<text class="label" x="${LABEL - 6}" y="${y + 13}" text-anchor="end">${escapeXml(clip(row.label))}</text>`);
    parts.push(`<rect class="bar ${escapeXml(row.kind)}" x="${x1.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" rx="2"><title>${escapeXml(row.title ?? row.label)}</title></rect>`);
  });
  for (const marker of axis.markers ?? []) {
    const at = x(marker.at);
    parts.push(`<line class="marker" x1="${at.toFixed(1)}" y1="${TOP - 6}" x2="${at.toFixed(1)}" y2="${height - 4}"><title>${escapeXml(marker.label)}</title></line>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
