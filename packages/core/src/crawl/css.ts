/**
 * CSS → refs, with css-tree. Finds `@import`, `url()` in any value, `@font-face src` (one
 * candidate group per declaration, the best format marked default) and `image-set()`.
 * css-tree recovers from errors, so a malformed sheet still yields everything it can.
 */
import * as csstree from 'css-tree';
import type { ExtractWarning, FileExtract, Ref } from './types.js';

/** Where the CSS text sits and what it is. */
export interface CssExtractOptions {
  /** `declarationList` for a `style=""` attribute. */
  context?: 'stylesheet' | 'declarationList';
  /** Position of the first character, so refs in `<style>` carry the page's line numbers. */
  line?: number;
  column?: number;
  /** CSS from an HTML file: marks refs `inline` (resolved against the page). */
  inline?: boolean;
}

/** Most parse warnings reported per file: one broken sheet should not drown the log. */
const MAX_PARSE_WARNINGS = 10;

/** Font formats in the order a current browser takes them: earlier wins. */
const FONT_FORMAT_RANK: Record<string, number> = {
  woff2: 0,
  woff: 1,
  truetype: 2,
  opentype: 2,
  ttf: 2,
  otf: 2,
};

function fontRank(format: string | undefined, url: string): number {
  if (format !== undefined) return FONT_FORMAT_RANK[format] ?? 3;
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return ext === undefined ? 3 : (FONT_FORMAT_RANK[ext] ?? 3);
}

/** Resolution of an image-set() candidate in dppx. */
function resolution(node: csstree.CssNode | undefined): number | undefined {
  if (node?.type !== 'Dimension') return undefined;
  const value = Number(node.value);
  switch (node.unit.toLowerCase()) {
    case 'x':
    case 'dppx':
      return value;
    case 'dpi':
      return value / 96;
    case 'dpcm':
      return (value * 2.54) / 96;
    default:
      return undefined;
  }
}

/** The string inside `format("woff2")`/`type("image/avif")`, lower-cased. */
function functionArgument(node: csstree.CssNode | undefined, name: string): string | undefined {
  if (node?.type !== 'Function' || node.name.toLowerCase() !== name) return undefined;
  const first = node.children.first;
  if (first?.type === 'String' || first?.type === 'Identifier') {
    return (first.type === 'String' ? first.value : first.name).toLowerCase();
  }
  return undefined;
}

/** Split a list of nodes at top-level commas. */
function splitCommas(children: csstree.List<csstree.CssNode>): csstree.CssNode[][] {
  const parts: csstree.CssNode[][] = [[]];
  children.forEach((node) => {
    if (node.type === 'Operator' && node.value === ',') parts.push([]);
    else parts[parts.length - 1]!.push(node);
  });
  return parts;
}

/** Extract every reference from CSS text. Pure: no I/O, no URL resolution. */
export function extractCss(text: string, options: CssExtractOptions = {}): FileExtract {
  const refs: Ref[] = [];
  const warnings: ExtractWarning[] = [];
  const handled = new Set<csstree.CssNode>();
  let group = 0;
  let parseErrors = 0;

  const ast = csstree.parse(text, {
    context: options.context ?? 'stylesheet',
    positions: true,
    line: options.line ?? 1,
    column: options.column ?? 1,
    onParseError: (error) => {
      parseErrors++;
      if (parseErrors <= MAX_PARSE_WARNINGS) {
        warnings.push({ line: error.line, column: error.column, code: 'CSS_PARSE', message: `CSS: ${error.message}` });
      }
    },
  });
  if (parseErrors > MAX_PARSE_WARNINGS) {
    warnings.push({ code: 'CSS_PARSE', message: `CSS: ${parseErrors - MAX_PARSE_WARNINGS} more parse errors` });
  }

  const at = (node: csstree.CssNode) => ({ line: node.loc?.start.line ?? options.line ?? 1, column: node.loc?.start.column ?? options.column ?? 1 });
  const add = (node: csstree.CssNode, url: string, source: Ref['source'], extra: Partial<Ref> = {}) => {
    const ref: Ref = { url: url.trim(), source, ...at(node), ...extra };
    if (options.inline) ref.inline = true;
    refs.push(ref);
  };

  // Browsers only honour an @import at the top level, before any rule other than @charset,
  // @layer statements and other @imports (and @namespace, which must itself follow the imports).
  const validImports = new Set<csstree.CssNode>();
  if (ast.type === 'StyleSheet') {
    let rulesSeen = false;
    ast.children.forEach((node) => {
      if (node.type === 'Atrule') {
        const name = node.name.toLowerCase();
        if (name === 'import') {
          if (!rulesSeen) validImports.add(node);
          return;
        }
        if (name === 'charset' || (name === 'layer' && !node.block)) return;
      }
      rulesSeen = true;
    });
  }

  csstree.walk(ast, function (node) {
    switch (node.type) {
      case 'Atrule': {
        const name = node.name.toLowerCase();
        if (!node.prelude || node.prelude.type !== 'AtrulePrelude') return;
        if (name === 'namespace') {
          // `@namespace svg url(http://www.w3.org/2000/svg)` names a namespace; nothing is fetched.
          node.prelude.children.forEach((part) => {
            if (part.type === 'Url') handled.add(part);
          });
          return;
        }
        if (name !== 'import') return;
        const parts = node.prelude.children.toArray();
        const target = parts[0];
        for (const part of parts) if (part.type === 'Url') handled.add(part);
        if (target?.type !== 'Url' && target?.type !== 'String') return;
        if (!validImports.has(node)) {
          warnings.push({ ...at(node), code: 'IMPORT_IGNORED', message: `@import after other rules or inside a block is ignored by browsers: ${target.value}` });
          return;
        }
        // layer() and supports() are not media; what remains after them is the media query list.
        const media = parts
          .slice(1)
          .filter((p) => !(p.type === 'Function' && /^(layer|supports)$/i.test(p.name)) && !(p.type === 'Identifier' && p.name.toLowerCase() === 'layer'))
          .map((p) => csstree.generate(p))
          .join(' ')
          .trim();
        add(target, target.value, 'css-import', media ? { as: 'style', media } : { as: 'style' });
        return;
      }
      case 'Declaration': {
        if (node.property.toLowerCase() !== 'src' || this.atrule?.name.toLowerCase() !== 'font-face') return;
        if (node.value.type !== 'Value') return;
        const options: { url: csstree.Url; format?: string }[] = [];
        for (const part of splitCommas(node.value.children)) {
          const url = part[0];
          if (url?.type !== 'Url') continue; // local(): nothing to fetch
          handled.add(url);
          const format = part.slice(1).map((p) => functionArgument(p, 'format')).find((f) => f !== undefined);
          options.push(format === undefined ? { url } : { url, format });
        }
        if (options.length === 0) return;
        const g = ++group;
        let best = 0;
        options.forEach((o, i) => {
          if (fontRank(o.format, o.url.value) < fontRank(options[best]!.format, options[best]!.url.value)) best = i;
        });
        options.forEach((o, i) => {
          const candidate: Ref['candidate'] = { group: g, isDefault: i === best };
          if (o.format !== undefined) candidate.format = o.format;
          add(o.url, o.url.value, 'font-face', { as: 'font', candidate });
        });
        return;
      }
      case 'Function': {
        const name = node.name.toLowerCase();
        if (name !== 'image-set' && name !== '-webkit-image-set') return;
        const options: { node: csstree.CssNode; url: string; density: number; format?: string }[] = [];
        for (const part of splitCommas(node.children)) {
          const image = part[0];
          if (image?.type !== 'Url' && image?.type !== 'String') continue; // gradients etc.
          handled.add(image);
          const density = part.slice(1).map(resolution).find((d) => d !== undefined) ?? 1;
          const format = part.slice(1).map((p) => functionArgument(p, 'type')).find((f) => f !== undefined);
          options.push(format === undefined ? { node: image, url: image.value, density } : { node: image, url: image.value, density, format });
        }
        if (options.length === 0) return;
        const g = ++group;
        let best = 0;
        options.forEach((o, i) => {
          if (o.density < options[best]!.density) best = i;
        });
        options.forEach((o, i) => {
          const candidate: Ref['candidate'] = { group: g, isDefault: i === best, density: o.density };
          if (o.format !== undefined) candidate.format = o.format;
          add(o.node, o.url, 'css-url', { as: 'image', candidate });
        });
        return;
      }
      case 'Url': {
        if (handled.has(node)) return;
        add(node, node.value, 'css-url', { as: 'image' });
        return;
      }
      case 'Raw': {
        // Custom properties and unparsable values stay raw; url() in them is still fetched when used.
        const re = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)/gi;
        for (let m = re.exec(node.value); m; m = re.exec(node.value)) {
          const url = m[1] ?? m[2] ?? m[3] ?? '';
          if (!url) continue;
          const before = node.value.slice(0, m.index);
          const newlines = before.split('\n').length - 1;
          const start = at(node);
          const line = start.line + newlines;
          const column = newlines === 0 ? start.column + m.index : m.index - before.lastIndexOf('\n');
          const ref: Ref = { url: url.trim(), source: 'css-url', line, column, as: 'image' };
          if (options.inline) ref.inline = true;
          refs.push(ref);
        }
        return;
      }
      default:
        return;
    }
  });

  return { kind: 'css', refs, warnings };
}
