/**
 * CSS → refs, with css-tree. Finds `@import`, `url()` in any value, `@font-face src` (one
 * candidate group per declaration, the first source a browser supports marked default, with the
 * face's weight, style and `unicode-range`) and `image-set()`; and what the CSS asks of fonts
 * (families, weights, italic).
 * css-tree recovers from errors, so a malformed sheet still yields everything it can.
 */
import type * as csstree from 'css-tree';
// The parts, not the root: importing `css-tree` also builds its lexer, which this never uses.
import parse from 'css-tree/parser';
import walk from 'css-tree/walker';
import generate from 'css-tree/generator';
import { ANY_WEIGHT, isSupportedFontSource, parseUnicodeRange, type FaceDescriptor, type FaceStyle } from './fonts.js';
import { ANY_FONT_FAMILY, type ExtractWarning, type FileExtract, type Ref } from './types.js';

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

/** The keywords inside `tech(variations, color-colrv1)`, lower-cased. */
function techArguments(node: csstree.CssNode | undefined): string[] {
  if (node?.type !== 'Function' || node.name.toLowerCase() !== 'tech') return [];
  const out: string[] = [];
  node.children.forEach((child) => {
    if (child.type === 'Identifier') out.push(child.name.toLowerCase());
    else if (child.type === 'Function') out.push(`${child.name.toLowerCase()}()`); // color-…() and other functional forms: unknown
  });
  return out;
}

/** A family name as fonts are matched: ASCII case-insensitive, whitespace between words collapsed. */
const familyKey = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The family names a `font`/`font-family` value may name: in each comma-separated part, every
 * string and every run of identifiers (`Open Sans`). For the `font` shorthand that also takes
 * keywords (`italic bold`) for names: a few names too many only keep a font listed.
 */
function familiesIn(value: csstree.CssNode, into: Set<string>): void {
  if (value.type !== 'Value') return;
  for (const part of splitCommas(value.children)) {
    let run: string[] = [];
    const endRun = () => {
      if (run.length > 0) into.add(familyKey(run.join(' ')));
      run = [];
    };
    for (const node of part) {
      if (node.type === 'Identifier') run.push(node.name);
      else {
        endRun();
        if (node.type === 'String') into.add(familyKey(node.value));
      }
    }
    endRun();
  }
}

/** Whether a value has a function whose result the crawl cannot know (`var()`, `env()`, `attr()`). */
function hasUnknowable(value: csstree.CssNode): boolean {
  if (value.type === 'Raw') return true;
  let found = false;
  walk(value, (node) => {
    if (node.type === 'Function' && /^(?:var|env|attr)$/i.test(node.name)) found = true;
  });
  return found;
}

/** The `font-family` an `@font-face` rule declares, lower-cased. */
function faceFamily(rule: csstree.Atrule): string | undefined {
  let family: string | undefined;
  if (rule.block) {
    rule.block.children.forEach((node) => {
      if (node.type !== 'Declaration' || node.property.toLowerCase() !== 'font-family') return;
      const names = new Set<string>();
      familiesIn(node.value, names);
      if (names.size === 1) family = [...names][0];
    });
  }
  return family;
}

/** A `font-weight` value (or `@font-face` descriptor) as weights; `bolder`/`lighter` relative to 400 and 700. */
function weightsIn(value: csstree.CssNode, into: number[]): void {
  if (value.type !== 'Value') return;
  value.children.forEach((node) => {
    if (node.type === 'Number') {
      const w = Number(node.value);
      if (w >= 1 && w <= 1000) into.push(w);
    } else if (node.type === 'Identifier') {
      const w = WEIGHT_KEYWORDS[node.name.toLowerCase()];
      if (w !== undefined) into.push(...w);
    }
  });
}

const WEIGHT_KEYWORDS: Record<string, readonly number[]> = { normal: [400], bold: [700], bolder: [700, 900], lighter: [100, 400] };

/** The `font-style` a value names, or undefined for none. */
function styleIn(value: csstree.CssNode): FaceStyle | undefined {
  if (value.type !== 'Value') return undefined;
  let style: FaceStyle | undefined;
  value.children.forEach((node) => {
    if (node.type !== 'Identifier' || style !== undefined) return;
    const name = node.name.toLowerCase();
    if (name === 'italic' || name === 'oblique' || name === 'normal') style = name;
  });
  return style;
}

/** A `font` shorthand's weights and style: the keywords and numbers before the size. */
function shorthandAsks(value: csstree.CssNode, weights: number[]): boolean {
  let slanted = false;
  let bold = false;
  if (value.type !== 'Value') return false;
  for (const node of value.children) {
    if (node.type === 'Dimension' || node.type === 'Percentage' || node.type === 'Operator' || node.type === 'String') break;
    if (node.type === 'Number') {
      const w = Number(node.value);
      if (w >= 1 && w <= 1000) {
        weights.push(w);
        bold = true;
      }
    } else if (node.type === 'Identifier') {
      const name = node.name.toLowerCase();
      if (name === 'italic' || name === 'oblique') slanted = true;
      const w = WEIGHT_KEYWORDS[name];
      if (w !== undefined && name !== 'normal') {
        weights.push(...w);
        bold = true;
      }
    }
  }
  // The shorthand resets an unset weight to normal.
  if (!bold) weights.push(400);
  return slanted;
}

/** The descriptors of an `@font-face` rule that matching reads. */
function faceDescriptor(rule: csstree.Atrule): FaceDescriptor {
  const face: FaceDescriptor = { weight: [400, 400], style: 'normal' };
  rule.block?.children.forEach((node) => {
    if (node.type !== 'Declaration') return;
    const property = node.property.toLowerCase();
    if (property === 'font-weight') {
      const weights: number[] = [];
      weightsIn(node.value, weights);
      if (weights.length === 1) face.weight = [weights[0]!, weights[0]!];
      else if (weights.length >= 2) face.weight = [Math.min(weights[0]!, weights[1]!), Math.max(weights[0]!, weights[1]!)];
    } else if (property === 'font-style') {
      face.style = styleIn(node.value) ?? 'normal';
    } else if (property === 'unicode-range' && node.value.type === 'Value') {
      const ranges: number[] = [];
      let unreadable = false;
      node.value.children.forEach((part) => {
        if (part.type === 'UnicodeRange') {
          const range = parseUnicodeRange(part.value);
          if (range) ranges.push(range[0], range[1]);
          else unreadable = true;
        } else if (!(part.type === 'Operator' && part.value === ',')) unreadable = true;
      });
      // A value the crawl cannot read might cover anything: keep the face.
      if (!unreadable && ranges.length > 0) face.ranges = ranges;
    }
  });
  return face;
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
  const families = new Set<string>();
  const weights: number[] = [];
  let slanted = false;
  let group = 0;
  let parseErrors = 0;

  const ast = parse(text, {
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

  walk(ast, function (node) {
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
          .map((p) => generate(p))
          .join(' ')
          .trim();
        add(target, target.value, 'css-import', media ? { as: 'style', media } : { as: 'style' });
        return;
      }
      case 'Declaration': {
        const property = node.property.toLowerCase();
        if (property === 'font' || property === 'font-family' || property === 'font-weight' || property === 'font-style') {
          // In @font-face (and @font-palette-values) these describe the rule's face: not a use.
          const atrule = this.atrule?.name.toLowerCase();
          if (atrule === 'font-face' || atrule === 'font-palette-values') return;
          const unknowable = hasUnknowable(node.value);
          if (property === 'font-style') {
            const style = styleIn(node.value);
            if (unknowable || style === 'italic' || style === 'oblique') slanted = true;
            return;
          }
          if (property === 'font-weight') {
            if (unknowable) weights.push(ANY_WEIGHT);
            else weightsIn(node.value, weights);
            return;
          }
          if (unknowable) {
            families.add(ANY_FONT_FAMILY);
            if (property === 'font') {
              weights.push(ANY_WEIGHT);
              slanted = true;
            }
          } else {
            familiesIn(node.value, families);
            if (property === 'font' && shorthandAsks(node.value, weights)) slanted = true;
          }
          return;
        }
        if (property !== 'src' || this.atrule?.name.toLowerCase() !== 'font-face') return;
        if (node.value.type !== 'Value') return;
        const family = faceFamily(this.atrule!);
        const face = faceDescriptor(this.atrule!);
        const options: { url: csstree.Url; format?: string; supported: boolean }[] = [];
        for (const part of splitCommas(node.value.children)) {
          const url = part[0];
          if (url?.type !== 'Url') continue; // local(): nothing to fetch (most readers lack the font, so the first URL is still hinted)
          handled.add(url);
          const format = part.slice(1).map((p) => functionArgument(p, 'format')).find((f) => f !== undefined);
          const tech = part.slice(1).flatMap((p) => techArguments(p));
          const supported = isSupportedFontSource(format, tech);
          options.push(format === undefined ? { url, supported } : { url, format, supported });
        }
        if (options.length === 0) return;
        const g = ++group;
        // A browser takes the first source it supports (CSS Fonts 4 §4.3), not the best.
        const first = options.findIndex((o) => o.supported);
        options.forEach((o, i) => {
          const candidate: Ref['candidate'] = { group: g, isDefault: i === first };
          if (o.format !== undefined) candidate.format = o.format;
          const extra: Partial<Ref> = { as: 'font', candidate, face };
          if (family !== undefined) extra.family = family;
          add(o.url, o.url.value, 'font-face', extra);
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

  const extract: FileExtract = { kind: 'css', refs, warnings };
  if (families.size > 0) extract.fontFamilies = [...families];
  if (weights.length > 0) extract.fontWeights = [...new Set(weights)];
  if (slanted) extract.fontSlanted = true;
  return extract;
}
